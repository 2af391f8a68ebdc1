"""The chronology (tijdlijn) of one student: everything that happened around them, newest first, with who and when.

Reason categories are shown to the whole team; free-text remarks only where `access.can_read_remark` allows, and
a hospital admission only where `access.can_see_health_details` does.
"""

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from auditlog.models import LogEntry
from django.db.models import Q
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from students import access
from students.models import Student

from .models import Appointment, AttendanceRecord, SickReport


@dataclass
class TimelineEntry:
    at: datetime
    day: date
    kind: str
    title: str
    actor: object = None
    detail: str = ""
    remark: str = ""
    badge: str = "secondary"


class _Reader:
    """What the asking user may read of the free text and health details about one student."""

    def __init__(self, user, student: Student):
        self.user = user
        self.school_id = student.school_id
        self.sees_health_details = access.can_see_health_details(user)

    def remark(self, text, writer) -> str:
        return text if text and access.can_read_remark(self.user, writer=writer, school_id=self.school_id) else ""


def chronology(user, student: Student, *, limit_days: int = 365) -> list[TimelineEntry]:
    """Everything that happened around one student, newest first, with who and when."""
    since = timezone.localdate() - timedelta(days=limit_days)
    reader = _Reader(user, student)
    entries = [
        *_attendance_entries(student, since, reader),
        *_sick_report_entries(student, since, reader),
        *_appointment_entries(student, since, reader),
        *_team_entries(student, since),
    ]
    entries.sort(key=lambda entry: (entry.day, entry.at), reverse=True)
    return entries


def _attendance_entries(student, since, reader):
    records = (
        AttendanceRecord.objects.filter(student=student, day__gte=since)
        .exclude(status=AttendanceRecord.Status.PRESENT)
        .select_related("recorded_by__person", "explained_by__person", "decided_by__person", "school_class")
    )
    for record in records:
        yield _recorded(record, reader)
        if record.reason:
            yield TimelineEntry(
                at=record.explained_at,
                day=record.day,
                kind="explanation",
                title=_("Toelichting: %(reason)s") % {"reason": record.get_reason_display()},
                actor=record.explained_by,
                detail=record.get_explanation_source_display(),
                remark=reader.remark(record.explanation_remark, record.explained_by),
                badge="info",
            )
        if record.decided_at:
            yield TimelineEntry(
                at=record.decided_at,
                day=record.day,
                kind="decision",
                title=_("Beoordeeld: geoorloofd") if record.authorised else _("Beoordeeld: ongeoorloofd"),
                actor=record.decided_by,
                remark=reader.remark(record.authorisation_note, record.decided_by),
                badge="success" if record.authorised else "dark",
            )


def _recorded(record, reader) -> TimelineEntry:
    detail = _("%(hours)s lesuren gemist") % {"hours": record.lesson_hours_missed}
    if record.status == AttendanceRecord.Status.LATE:
        detail = _("%(minutes)s minuten te laat") % {"minutes": record.minutes_late}
    return TimelineEntry(
        at=record.recorded_at,
        day=record.day,
        kind="attendance",
        title=record.get_status_display(),
        actor=record.recorded_by,
        detail=detail,
        remark=reader.remark(record.remark, record.recorded_by),
        badge="danger" if record.status == AttendanceRecord.Status.ABSENT else "warning",
    )


def _sick_report_entries(student, since, reader):
    reports = (
        SickReport.objects.filter(student=student)
        .filter(Q(last_day__isnull=True) | Q(last_day__gte=since))
        .select_related("reported_by__person", "closed_by__person")
    )
    for report in reports:
        title = _("Ziek gemeld")
        if report.hospital_admission and reader.sees_health_details:
            title = _("Ziek gemeld – opgenomen in ziekenhuis")
        detail = (
            _("verwacht terug %(date)s") % {"date": date_format(report.expected_back)} if report.expected_back else ""
        )
        yield TimelineEntry(
            at=report.reported_at,
            day=report.first_day,
            kind="sick_report",
            title=title,
            actor=report.reported_by,
            detail=detail,
            remark=reader.remark(report.remark, report.reported_by),
            badge="info",
        )
        if report.closed_at:
            yield TimelineEntry(
                at=report.closed_at,
                day=report.last_day + timedelta(days=1),
                kind="sick_report_closed",
                title=_("Beter gemeld"),
                actor=report.closed_by,
                badge="success",
            )


def _appointment_entries(student, since, reader):
    appointments = Appointment.objects.filter(student=student, day__gte=since).select_related("registered_by__person")
    for appointment in appointments:
        where = _("op school") if appointment.at_school else _("buiten school")
        yield TimelineEntry(
            at=appointment.registered_at,
            day=appointment.day,
            kind="appointment",
            title=_("Afspraak: %(kind)s") % {"kind": appointment.get_kind_display()},
            actor=appointment.registered_by,
            detail=f"{appointment.starts_at:%H:%M}–{appointment.ends_at:%H:%M}, {where}",
            remark=reader.remark(appointment.remark, appointment.registered_by),
            badge="primary",
        )


def _team_entries(student, since):
    """Where the student lived and who was their guardian, registered by whom (from the audit log)."""
    current = Q(ended_on__isnull=True) | Q(ended_on__gte=since)
    placements = list(student.placements.filter(current).select_related("location"))
    guardianships = list(student.guardianships.filter(current).select_related("guardian"))
    registered = _registrations(placement=placements, guardianship=guardianships)
    titled = [
        *(("placement", p, _("Woont op %(location)s") % {"location": p.location.name}) for p in placements),
        *(("guardianship", g, _("Voogd: %(name)s") % {"name": g.guardian.name}) for g in guardianships),
    ]
    for kind, row, title in titled:
        registration = registered.get((kind, row.id))
        yield TimelineEntry(
            at=registration.timestamp if registration else _start_of(row.started_on),
            day=row.started_on,
            kind=kind,
            title=title,
            actor=registration.actor if registration else None,
            badge="light",
        )


def _registrations(**rows_by_model) -> dict[tuple[str, int], LogEntry]:
    """Who registered each row, and when, from the audit log: placements and guardianships keep no author."""
    condition = Q()
    for model, rows in rows_by_model.items():
        ids = [row.id for row in rows]
        condition |= Q(content_type__app_label="students", content_type__model=model, object_id__in=ids)
    entries = LogEntry.objects.filter(condition, action=LogEntry.Action.CREATE).select_related(
        "content_type", "actor__person"
    )
    return {(entry.content_type.model, entry.object_id): entry for entry in entries}


def _start_of(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
