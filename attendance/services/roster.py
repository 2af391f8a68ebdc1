"""Saving the roster: one record per pupil and day, and the explanation requests that follow from it."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from students.models import MAX_LESSON_HOURS_PER_DAY, SchoolClass, Student
from students.services import lock_students

from ..calendar import SchoolCalendar
from ..models import MAX_MINUTES_LATE, REMARK_MAX_LENGTH, AttendanceRecord, ExplanationRequest, Reason
from ..selectors import appointments_explaining, open_sick_reports_on
from .requests import authorisation_defaults, clear_explanation, close_request, lock_records, open_requests


@dataclass
class RowInput:
    """One student's line on the roster, as the mentor entered it."""

    status: str = AttendanceRecord.Status.PRESENT
    minutes_late: int | None = None
    lesson_hours_missed: int | None = None
    remark: str = ""


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
    students = _lock_class_students(school_class, rows)
    for row in rows.values():
        _validate_row(row)
    existing = {
        record.student_id: record
        for record in lock_records(AttendanceRecord.objects.filter(student_id__in=students, day=day)).select_related(
            "explanation_request"
        )
    }
    facts = _KnownFacts(students, day, school_class, now)
    saved, needing_request = [], []
    for student_id, row in rows.items():
        record = existing.get(student_id) or AttendanceRecord(student_id=student_id, day=day, recorded_by=actor)
        request = getattr(record, "explanation_request", None) if record.pk else None
        _apply_row(record, row, school_class, facts, actor)
        saved.append(record)
        if record.status == AttendanceRecord.Status.ABSENT and not record.reason:
            needing_request.append((record, request))
        elif record.reason:
            close_request(request, ExplanationRequest.Status.ANSWERED, now=now, actor=actor)
        else:
            close_request(request, ExplanationRequest.Status.CANCELLED, now=now, actor=actor)
    open_requests(needing_request, students, calendar, day=day, now=now)
    return saved


def _lock_class_students(school_class, rows) -> dict[int, Student]:
    """Lock the rows' pupils; each must be an active pupil of the class, as stored now."""
    students = {
        student_id: student
        for student_id, student in lock_students(rows).items()
        if student.status == Student.Status.ACTIVE and student.school_class_id == school_class.id
    }
    if set(rows) - set(students):
        raise ValidationError(_("Een of meer leerlingen zitten niet (meer) in deze klas."))
    return students


class _KnownFacts:
    """What explains an absence without asking anyone, and the school's defaults, read once for the roster."""

    def __init__(self, students, day, school_class, now):
        self.now = now
        self.default_hours = school_class.lesson_hours_on(day)
        self.sick_reports = {report.student_id: report for report in open_sick_reports_on(students, day)}
        self.appointments = appointments_explaining(students, day)
        self.defaults = authorisation_defaults(school_class.location.organisation_id)


def _apply_row(record, row: RowInput, school_class, facts: _KnownFacts, actor) -> None:
    before = _snapshot(record)
    record.school_class = school_class
    record.status = row.status
    record.minutes_late = row.minutes_late if row.status == AttendanceRecord.Status.LATE else None
    record.lesson_hours_missed = _hours(row, facts.default_hours)
    record.remark = row.remark.strip()
    if record.status == AttendanceRecord.Status.PRESENT:
        clear_explanation(record)
    elif not record.reason:
        _explain_from_known_facts(
            record, facts.sick_reports.get(record.student_id), facts.appointments.get(record.student_id), facts.now
        )
    if record.reason and not record.authorisation_overridden:
        record.authorised = facts.defaults[record.reason]
    if record.pk is None or _snapshot(record) != before:
        record.updated_by, record.updated_at = actor, facts.now
        record.save()


def _validate_row(row: RowInput) -> None:
    if row.status not in AttendanceRecord.Status.values:
        raise ValidationError(_("Onbekende status."))
    if row.status == AttendanceRecord.Status.LATE and not row.minutes_late:
        raise ValidationError(_("Vul bij 'te laat' het aantal minuten in."))
    if row.minutes_late is not None and not 0 < row.minutes_late <= MAX_MINUTES_LATE:
        raise ValidationError(
            _("Het aantal minuten te laat moet tussen 1 en %(max)s liggen.") % {"max": MAX_MINUTES_LATE}
        )
    if row.lesson_hours_missed is not None and not 0 <= row.lesson_hours_missed <= MAX_LESSON_HOURS_PER_DAY:
        raise ValidationError(
            _("Het aantal gemiste lesuren moet tussen 0 en %(max)s liggen.") % {"max": MAX_LESSON_HOURS_PER_DAY}
        )
    if len(row.remark) > REMARK_MAX_LENGTH:
        raise ValidationError(_("De opmerking mag maximaal %(max)s tekens zijn.") % {"max": REMARK_MAX_LENGTH})


def _hours(row: RowInput, default_hours: int) -> int:
    if row.status == AttendanceRecord.Status.PRESENT:
        return 0
    if row.lesson_hours_missed is not None:
        return row.lesson_hours_missed
    return default_hours if row.status == AttendanceRecord.Status.ABSENT else 0


SNAPSHOT_FIELDS = ("status", "minutes_late", "lesson_hours_missed", "remark", "reason", "authorised", "school_class_id")


def _snapshot(record):
    return tuple(getattr(record, field) for field in SNAPSHOT_FIELDS)


def _explain_from_known_facts(record, sick_report, appointment, now):
    if sick_report is not None:
        record.sick_report = sick_report
        record.reason, record.explanation_source = Reason.SICK, AttendanceRecord.Source.SICK_REPORT
        record.explained_by_id = sick_report.reported_by_id
    elif appointment is not None:
        record.appointment = appointment
        record.reason, record.explanation_source = appointment.reason, AttendanceRecord.Source.APPOINTMENT
        record.explained_by_id = appointment.registered_by_id
    else:
        return
    record.explained_at = now
