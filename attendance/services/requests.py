"""What the attendance writes share: explaining a record, and opening and closing its explanation request."""

from django.utils import timezone

from students.team import student_teams

from .. import signals
from ..calendar import SchoolCalendar
from ..models import DEFAULT_AUTHORISATION, AuthorisationRule, ExplanationRequest


def authorisation_defaults(school_id: int) -> dict[str, bool]:
    """Reason category → authorised, for one school: its own rules over the national defaults."""
    rules = dict(AuthorisationRule.objects.filter(school_id=school_id).values_list("reason", "authorised"))
    return {**DEFAULT_AUTHORISATION, **rules}


def explain_and_close(record, *, reason, source, actor, now=None, remark="", sick_report=None, request=None):
    """Explain an absence and answer its open request (`request`, else the record's own), which stops its
    escalation. `record` is locked by the caller and loaded with its student."""
    now = now or timezone.now()
    explain(record, reason=reason, remark=remark, source=source, actor=actor, now=now, sick_report=sick_report)
    if request is None:
        request = getattr(record, "explanation_request", None)
    close_request(request, ExplanationRequest.Status.ANSWERED, now=now, actor=actor)


def explain(record, *, reason, remark, source, actor, now, sick_report=None):
    record.reason = reason
    record.explanation_remark = remark
    record.explanation_source = source
    record.explained_by = actor
    record.explained_at = now
    record.sick_report = sick_report
    if not record.authorisation_overridden:
        authorised = authorisation_defaults(record.student.school_id)[reason]
        if record.decided_at and authorised != record.authorised:
            # The care coordinator judged the absence before this explanation: that judgement no longer stands,
            # and must not keep their name on the new default.
            record.decided_by = record.decided_at = None
        record.authorised = authorised
    record.save()


def clear_explanation(record):
    record.reason = record.explanation_remark = record.explanation_source = ""
    record.explained_by = record.explained_at = record.sick_report = record.appointment = None
    record.authorised = False
    record.authorisation_overridden = False
    record.authorisation_note = ""
    record.decided_by = record.decided_at = None


def close_request(request, status, *, now, actor):
    """Answer or withdraw a request; its escalation stops with it and sends nothing more."""
    if request is None or request.status != ExplanationRequest.Status.OPEN:
        return
    request.status = status
    request.closed_at = now
    request.closed_by = actor
    request.save(update_fields=["status", "closed_at", "closed_by"])
    signals.explanation_requests_closed.send(
        sender=ExplanationRequest,
        request_ids=[request.id],
        answered=status == ExplanationRequest.Status.ANSWERED,
        actor=actor,
    )


def open_requests(records_and_requests, students, calendar, *, day, now):
    """Address each unexplained absence to the housing location and guardian of that day."""
    if not records_and_requests:
        return
    teams = student_teams([students[record.student_id] for record, _request in records_and_requests], on=day)
    deadline = calendar.explanation_deadline(day, now=now)
    for record, request in records_and_requests:
        team = teams[record.student_id]
        location = team.placement.location if team.placement else None
        guardian = team.guardian
        if request is None:
            ExplanationRequest.objects.create(
                record=record,
                student_id=record.student_id,
                day=day,
                location=location,
                guardian=guardian,
                deadline=deadline,
            )
        elif request.status != ExplanationRequest.Status.OPEN:
            request.status = ExplanationRequest.Status.OPEN
            request.closed_at = request.closed_by = None
            request.location, request.guardian, request.deadline = location, guardian, deadline
            request.save(update_fields=["status", "closed_at", "closed_by", "location", "guardian", "deadline"])


def ask_again(records, *, now):
    """Absences whose explanation fell away: unexplained again, and addressed to the team of their day."""
    for record in records:
        clear_explanation(record)
        record.save()
    for day in sorted({record.day for record in records}):
        on_day = [record for record in records if record.day == day]
        open_requests(
            [(record, getattr(record, "explanation_request", None)) for record in on_day],
            {record.student_id: record.student for record in on_day},
            SchoolCalendar(on_day[0].student.school_id),
            day=day,
            now=now,
        )


def lock_records(queryset):
    """Lock attendance records (only their own rows: PostgreSQL cannot lock the nullable side of the outer join to
    the request), FOR NO KEY UPDATE like every lock in `students.services.lock_student`'s order."""
    return queryset.select_for_update(of=("self",), no_key=True)
