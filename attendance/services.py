"""Writes of the daily attendance loop: roster, explanation requests and answers, sick reports, appointments,
decisions. Every function validates first, then changes rows inside one transaction."""

from dataclasses import dataclass
from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from students.access import can_answer_request, can_decide_absence, can_report_for
from students.models import SchoolClass, Student
from students.team import student_teams

from . import signals
from .calendar import SchoolCalendar
from .models import (
    DEFAULT_AUTHORISATION,
    Appointment,
    AttendanceRecord,
    AuthorisationRule,
    ExplanationRequest,
    Reason,
    SickReport,
)
from .selectors import appointments_explaining, open_sick_reports_on


@dataclass
class RowInput:
    """One student's line on the roster, as the mentor entered it."""

    status: str = AttendanceRecord.Status.PRESENT
    minutes_late: int | None = None
    lesson_hours_missed: int | None = None
    remark: str = ""


def authorisation_defaults(school_id: int) -> dict[str, bool]:
    """Reason category → authorised, for one school: its own rules over the national defaults."""
    rules = dict(AuthorisationRule.objects.filter(school_id=school_id).values_list("reason", "authorised"))
    return {**DEFAULT_AUTHORISATION, **rules}


def validate_roster_day(calendar: SchoolCalendar, day: date, *, today: date) -> None:
    if day > today:
        raise ValidationError(_("U kunt geen aanwezigheid registreren voor een dag in de toekomst."))
    closed = calendar.closed_because(day)
    if closed:
        raise ValidationError(_("%(date)s is geen schooldag (%(why)s).") % {"date": date_format(day), "why": _(closed)})
    window = calendar.policy.correction_window_days
    if day < today - timedelta(days=window):
        raise ValidationError(
            _(
                "Registraties ouder dan %(days)s dagen kunnen niet meer worden gewijzigd. Neem contact op met de "
                "zorgcoördinator."
            )
            % {"days": window}
        )


@transaction.atomic
def attendance_save(
    *, school_class: SchoolClass, day: date, rows: dict[int, RowInput], actor
) -> list[AttendanceRecord]:
    """Save the roster of `school_class` on `day` for the students in `rows` (one row saves one student).

    Idempotent: one record per student and day, updated in place. An unexplained absence opens an explanation
    request to the housing location and guardian of that day; a sick report or appointment away from school
    explains it at once. A record that stops being an absence cancels its open request.
    """
    now = timezone.now()
    calendar = SchoolCalendar(school_class.location.organisation_id)
    validate_roster_day(calendar, day, today=timezone.localdate())
    # Lock the students first: two saves of the same line at once (a double click, the mentor and the care
    # coordinator) would otherwise both find no record and both insert one.
    students = {
        student.id: student
        for student in Student.objects.select_for_update()
        .active()
        .filter(school_class=school_class, id__in=list(rows))
        .order_by("id")
    }
    strangers = set(rows) - set(students)
    if strangers:
        raise ValidationError(_("Een of meer leerlingen zitten niet (meer) in deze klas."))
    default_hours = school_class.lesson_hours_on(day)
    for row in rows.values():
        _validate_row(row)

    existing = {
        record.student_id: record
        # of=self: PostgreSQL cannot lock the nullable side of the outer join to the request.
        for record in AttendanceRecord.objects.select_for_update(of=("self",))
        .filter(student_id__in=students, day=day)
        .select_related("explanation_request")
    }
    sick_reports = {report.student_id: report for report in open_sick_reports_on(students, day)}
    appointments = appointments_explaining(students, day)
    requests = {student_id: getattr(record, "explanation_request", None) for student_id, record in existing.items()}
    defaults = authorisation_defaults(school_class.location.organisation_id)
    saved, needing_request = [], []
    for student_id, row in rows.items():
        record = existing.get(student_id)
        if record is None:
            record = AttendanceRecord(student_id=student_id, day=day, recorded_by=actor)
        before = _snapshot(record)
        record.school_class = school_class
        record.status = row.status
        record.minutes_late = row.minutes_late if row.status == AttendanceRecord.Status.LATE else None
        record.lesson_hours_missed = _hours(row, default_hours)
        record.remark = row.remark.strip()
        if record.status == AttendanceRecord.Status.PRESENT:
            _clear_explanation(record)
        elif not record.reason:
            _explain_from_known_facts(record, sick_reports.get(student_id), appointments.get(student_id), now)
        if record.reason and not record.authorisation_overridden:
            record.authorised = defaults[record.reason]
        if record.pk is None or _snapshot(record) != before:
            record.updated_by, record.updated_at = actor, now
            record.save()
        saved.append(record)
        request = requests.get(student_id)
        if record.status == AttendanceRecord.Status.ABSENT and not record.reason:
            needing_request.append((record, request))
        elif record.reason:
            _close_request(request, ExplanationRequest.Status.ANSWERED, now=now, actor=actor)
        else:
            _close_request(request, ExplanationRequest.Status.CANCELLED, now=now, actor=actor)
    _open_requests(needing_request, students, calendar, day=day, now=now)
    return saved


def _validate_row(row: RowInput) -> None:
    if row.status not in AttendanceRecord.Status.values:
        raise ValidationError(_("Onbekende status."))
    if row.status == AttendanceRecord.Status.LATE and not row.minutes_late:
        raise ValidationError(_("Vul bij 'te laat' het aantal minuten in."))
    if row.minutes_late is not None and not 0 < row.minutes_late <= 480:
        raise ValidationError(_("Het aantal minuten te laat moet tussen 1 en 480 liggen."))
    if row.lesson_hours_missed is not None and not 0 <= row.lesson_hours_missed <= 12:
        raise ValidationError(_("Het aantal gemiste lesuren moet tussen 0 en 12 liggen."))
    if len(row.remark) > 200:
        raise ValidationError(_("De opmerking mag maximaal 200 tekens zijn."))


def _hours(row: RowInput, default_hours: int) -> int:
    if row.status == AttendanceRecord.Status.PRESENT:
        return 0
    if row.lesson_hours_missed is not None:
        return row.lesson_hours_missed
    return default_hours if row.status == AttendanceRecord.Status.ABSENT else 0


SNAPSHOT_FIELDS = ("status", "minutes_late", "lesson_hours_missed", "remark", "reason", "authorised", "school_class_id")


def _snapshot(record):
    return tuple(getattr(record, field) for field in SNAPSHOT_FIELDS)


def _clear_explanation(record):
    record.reason = record.explanation_remark = record.explanation_source = ""
    record.explained_by = record.explained_at = record.sick_report = record.appointment = None
    record.authorised = False
    record.authorisation_overridden = False
    record.authorisation_note = ""
    record.decided_by = record.decided_at = None


def _explain_from_known_facts(record, sick_report, appointment, now):
    if sick_report is not None:
        record.reason = Reason.SICK
        record.explanation_source = AttendanceRecord.Source.SICK_REPORT
        record.sick_report = sick_report
        record.explained_by_id = sick_report.reported_by_id
        record.explained_at = now
    elif appointment is not None:
        record.reason = appointment.reason
        record.explanation_source = AttendanceRecord.Source.APPOINTMENT
        record.appointment = appointment
        record.explained_by_id = appointment.registered_by_id
        record.explained_at = now


def _close_request(request, status, *, now, actor):
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


def _open_requests(records_and_requests, students, calendar, *, day, now):
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


def _explain(record, *, reason, remark, source, actor, now, sick_report=None):
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


@transaction.atomic
def explanation_give(*, request_ids: list[int], reason: str, remark: str, actor) -> list[ExplanationRequest]:
    """Answer one or more open requests (e.g. every day of a sick week) with one reason and remark."""
    if reason not in Reason.values:
        raise ValidationError({"reason": _("Kies een reden.")})
    if not request_ids:
        raise ValidationError(_("Kies minstens één dag om toe te lichten."))
    # Locks in the order attendance_save takes them (student, record, request), so the two cannot deadlock; the
    # record lock keeps a decision in between from being overwritten.
    student_ids = ExplanationRequest.objects.filter(id__in=request_ids).values("student_id")
    list(Student.objects.select_for_update().filter(id__in=student_ids).order_by("id").values_list("id", flat=True))
    requests = list(
        ExplanationRequest.objects.select_for_update(of=("self", "record"))
        .filter(id__in=request_ids)
        .select_related("record__student", "closed_by__person")
        .order_by("day")
    )
    if len(requests) != len(set(request_ids)) or not all(can_answer_request(actor, request) for request in requests):
        raise ValidationError(_("U kunt alleen verzoeken beantwoorden voor jongeren van uw locatie of uw pupillen."))
    if len({request.student_id for request in requests}) > 1:
        raise ValidationError(_("Beantwoord de dagen van één leerling tegelijk."))
    answered = [request for request in requests if request.status != ExplanationRequest.Status.OPEN]
    if answered:
        raise ValidationError(
            _("Dit verzoek is al afgehandeld (%(date)s, door %(name)s). Er is niets gewijzigd.")
            % {"date": date_format(answered[0].day), "name": answered[0].closed_by or _("de school")}
        )
    now = timezone.now()
    for request in requests:
        _explain(
            request.record,
            reason=reason,
            remark=remark.strip(),
            source=AttendanceRecord.Source.ANSWER,
            actor=actor,
            now=now,
        )
        _close_request(request, ExplanationRequest.Status.ANSWERED, now=now, actor=actor)
    return requests


@transaction.atomic
def sick_report_create(
    *, student: Student, first_day: date, expected_back: date | None, hospital_admission: bool, remark: str, actor
) -> SickReport:
    today = timezone.localdate()
    if not can_report_for(actor, student):
        raise ValidationError(
            _("U kunt alleen een ziekmelding doen voor jongeren die nu op uw locatie wonen of uw pupil zijn.")
        )
    if first_day > today:
        raise ValidationError({"first_day": _("Een ziekmelding kan niet in de toekomst beginnen.")})
    if first_day < today - timedelta(days=30):
        raise ValidationError({"first_day": _("Een ziekmelding kan maximaal 30 dagen terug beginnen.")})
    Student.objects.select_for_update().filter(id=student.id).first()
    current = SickReport.objects.filter(student=student, last_day__isnull=True).first()
    if current:
        raise ValidationError(
            _("%(name)s is al ziek gemeld sinds %(date)s. Meld eerst beter of pas die melding aan.")
            % {"name": student.full_name, "date": date_format(current.first_day)}
        )
    report = SickReport(
        hospital_reported_at=timezone.now() if hospital_admission else None,
        student=student,
        first_day=first_day,
        expected_back=expected_back,
        hospital_admission=hospital_admission,
        remark=remark.strip(),
        reported_by=actor,
    )
    report.full_clean()
    report.save()
    now = timezone.now()
    unexplained = AttendanceRecord.objects.select_related("student", "explanation_request").filter(
        student=student, day__gte=first_day, day__lte=today, status=AttendanceRecord.Status.ABSENT, reason=""
    )
    for record in unexplained:
        _explain(
            record,
            reason=Reason.SICK,
            remark="",
            source=AttendanceRecord.Source.SICK_REPORT,
            actor=actor,
            now=now,
            sick_report=report,
        )
        _close_request(
            getattr(record, "explanation_request", None), ExplanationRequest.Status.ANSWERED, now=now, actor=actor
        )
    if hospital_admission:
        _tell_school_urgently(report)
    return report


def _tell_school_urgently(report: SickReport):
    """School must hear at once (the escalation app tells the mentor and care coordinator in the app)."""
    signals.hospital_admission_reported.send(sender=SickReport, sick_report=report)


@transaction.atomic
def sick_report_admit_to_hospital(*, report: SickReport, actor) -> SickReport:
    """A sick student was admitted to hospital after the sick report: school must know at once."""
    report = SickReport.objects.select_for_update().select_related("student").get(id=report.id)
    if not can_report_for(actor, report.student):
        raise ValidationError(_("U kunt alleen meldingen doen voor jongeren van uw eigen locatie of uw pupillen."))
    if report.last_day is not None:
        raise ValidationError(_("Deze ziekmelding is al afgesloten. Doe een nieuwe ziekmelding."))
    if report.hospital_admission:
        return report
    report.hospital_admission = True
    report.hospital_reported_at = timezone.now()
    report.save(update_fields=["hospital_admission", "hospital_reported_at"])
    _tell_school_urgently(report)
    return report


@transaction.atomic
def sick_report_close(*, report: SickReport, back_on: date, actor) -> SickReport:
    """Betermelding: the student is back at school on `back_on`; the day before was the last sick day.

    An absence after that day which the report explained is unexplained again: school asks the location and
    guardian why the student was not there.
    """
    Student.objects.select_for_update().filter(id=report.student_id).first()
    report = SickReport.objects.select_for_update().get(id=report.id)
    if not can_report_for(actor, report.student):
        raise ValidationError(_("U kunt alleen jongeren van uw eigen locatie of uw pupillen beter melden."))
    if report.last_day is not None:
        raise ValidationError(_("Deze ziekmelding is al afgesloten."))
    if back_on <= report.first_day:
        raise ValidationError({"back_on": _("'Weer op school' moet na de eerste ziektedag liggen.")})
    if back_on > timezone.localdate() + timedelta(days=14):
        raise ValidationError({"back_on": _("Een betermelding kan maximaal twee weken vooruit.")})
    now = timezone.now()
    report.last_day = back_on - timedelta(days=1)
    report.closed_by = actor
    report.closed_at = now
    report.save(update_fields=["last_day", "closed_by", "closed_at"])
    no_longer_covered = (
        AttendanceRecord.objects.select_for_update(of=("self",))
        .filter(sick_report=report, day__gt=report.last_day, status=AttendanceRecord.Status.ABSENT)
        .select_related("student", "explanation_request")
    )
    _ask_again(list(no_longer_covered), now=now)
    return report


def _ask_again(records, *, now):
    """Absences whose explanation fell away: unexplained again, and addressed to the team of their day."""
    for record in records:
        _clear_explanation(record)
        record.save()
    for day in sorted({record.day for record in records}):
        on_day = [record for record in records if record.day == day]
        _open_requests(
            [(record, getattr(record, "explanation_request", None)) for record in on_day],
            {record.student_id: record.student for record in on_day},
            SchoolCalendar(on_day[0].student.school_id),
            day=day,
            now=now,
        )


@transaction.atomic
def appointment_create(
    *, student: Student, kind: str, day: date, starts_at: time, ends_at: time, at_school: bool, remark: str, actor
) -> Appointment:
    if not can_report_for(actor, student):
        raise ValidationError(_("U kunt alleen afspraken registreren voor jongeren van uw locatie of uw pupillen."))
    Student.objects.select_for_update().filter(id=student.id).first()
    calendar = SchoolCalendar(student.school_id)
    closed = calendar.closed_because(day)
    if closed:
        raise ValidationError(
            {"day": _("Dat is geen schooldag (%(why)s): dan is een afspraak geen verzuim.") % {"why": _(closed)}}
        )
    if day < timezone.localdate() - timedelta(days=calendar.policy.correction_window_days):
        raise ValidationError({"day": _("Deze datum ligt te ver in het verleden.")})
    appointment = Appointment(
        student=student,
        kind=kind,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        at_school=at_school,
        remark=remark.strip(),
        registered_by=actor,
    )
    appointment.full_clean()
    appointment.save()
    if not at_school:
        now = timezone.now()
        record = (
            AttendanceRecord.objects.select_related("student", "explanation_request")
            .filter(student=student, day=day, status=AttendanceRecord.Status.ABSENT, reason="")
            .first()
        )
        if record:
            record.appointment = appointment
            _explain(
                record,
                reason=appointment.reason,
                remark="",
                source=AttendanceRecord.Source.APPOINTMENT,
                actor=actor,
                now=now,
            )
            _close_request(
                getattr(record, "explanation_request", None), ExplanationRequest.Status.ANSWERED, now=now, actor=actor
            )
    return appointment


@transaction.atomic
def absence_decide(*, record: AttendanceRecord, authorised: bool, note: str, actor) -> AttendanceRecord:
    """The care coordinator's judgement: geoorloofd or ongeoorloofd, with a reason when it departs from the
    school's default for the reason category."""
    # Judge the record as it is now: the housing side may have explained it since the caller loaded it.
    record = AttendanceRecord.objects.select_for_update(of=("self",)).select_related("student").get(id=record.id)
    if not can_decide_absence(actor, record):
        raise ValidationError(_("Alleen de zorgcoördinator van de school beoordeelt verzuim."))
    if record.status != AttendanceRecord.Status.ABSENT:
        raise ValidationError(_("Alleen afwezigheid wordt beoordeeld."))
    default = authorisation_defaults(record.student.school_id)[record.reason] if record.reason else False
    note = note.strip()
    if authorised != default and not note:
        raise ValidationError({"note": _("Geef een reden als u afwijkt van de standaardbeoordeling.")})
    record.authorised = authorised
    record.authorisation_overridden = authorised != default
    record.authorisation_note = note
    record.decided_by = actor
    record.decided_at = timezone.now()
    record.save(
        update_fields=["authorised", "authorisation_overridden", "authorisation_note", "decided_by", "decided_at"]
    )
    signals.absence_decided.send(sender=AttendanceRecord, record=record, actor=actor)
    return record
