"""The roster of one class on one day: reading it, and deciding which submitted lines may be saved."""

import hashlib
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.http import Http404
from django.utils.translation import gettext_lazy as _

from students.models import SchoolClass, Student

from .calendar import SchoolCalendar
from .models import Appointment, AttendanceRecord, ExplanationRequest, SickReport
from .selectors import appointments_on, open_sick_reports_on
from .services import RowInput


@dataclass
class RosterRow:
    student: Student
    record: AttendanceRecord | None
    sick_report: SickReport | None
    appointments: list[Appointment]
    request: ExplanationRequest | None = None

    @property
    def explained_in_advance(self):
        return self.sick_report is not None or any(not a.at_school for a in self.appointments)

    @property
    def version(self) -> str:
        """A fingerprint of the record as the page saw it: a later save can tell whether it is stale."""
        if self.record is None:
            return ""
        record = self.record
        state = (
            record.updated_at.isoformat(),
            record.updated_by_id,
            record.status,
            record.minutes_late,
            record.lesson_hours_missed,
            record.remark,
        )
        return hashlib.sha256(repr(state).encode()).hexdigest()[:16]

    @property
    def status(self):
        if self.record:
            return self.record.status
        return AttendanceRecord.Status.ABSENT if self.explained_in_advance else AttendanceRecord.Status.PRESENT


@dataclass
class Roster:
    school_class: SchoolClass
    day: date
    calendar: SchoolCalendar
    rows: list[RosterRow] = field(default_factory=list)

    @property
    def default_hours(self):
        return self.school_class.lesson_hours_on(self.day)

    @property
    def closed_because(self):
        return self.calendar.closed_because(self.day)

    @property
    def last_saved(self) -> AttendanceRecord | None:
        records = [row.record for row in self.rows if row.record]
        return max(records, key=lambda record: record.updated_at) if records else None

    @property
    def saved_count(self):
        return sum(1 for row in self.rows if row.record)


def roster_calendar(school_class: SchoolClass) -> SchoolCalendar:
    return SchoolCalendar(school_class.location.organisation_id)


def roster(school_class: SchoolClass, day: date, *, calendar: SchoolCalendar | None = None) -> Roster:
    """Everything a mentor needs for one class on one day, in a fixed number of queries."""
    calendar = calendar or roster_calendar(school_class)
    students = list(Student.objects.active().filter(school_class=school_class).order_by("family_name", "given_name"))
    ids = [student.id for student in students]
    records = {
        record.student_id: record
        for record in AttendanceRecord.objects.filter(student_id__in=ids, day=day).select_related(
            "updated_by__person", "explanation_request"
        )
    }
    sick_reports = {report.student_id: report for report in open_sick_reports_on(ids, day)}
    appointments = defaultdict(list)
    for appointment in appointments_on(ids, day):
        appointments[appointment.student_id].append(appointment)
    result = Roster(school_class=school_class, day=day, calendar=calendar)
    for student in students:
        record = records.get(student.id)
        result.rows.append(
            RosterRow(
                student=student,
                record=record,
                sick_report=sick_reports.get(student.id),
                appointments=appointments[student.id],
                request=getattr(record, "explanation_request", None) if record else None,
            )
        )
    return result


def roster_row(school_class: SchoolClass, day: date, student_id) -> RosterRow:
    try:
        student = Student.objects.active().get(school_class=school_class, id=student_id)
    except (Student.DoesNotExist, ValueError) as missing:
        raise Http404(_("Leerling niet gevonden in deze klas.")) from missing
    record = (
        AttendanceRecord.objects.filter(student=student, day=day)
        .select_related("updated_by__person", "explanation_request")
        .first()
    )
    return RosterRow(
        student=student,
        record=record,
        sick_report=open_sick_reports_on([student.id], day).first(),
        appointments=list(appointments_on([student.id], day)),
        request=getattr(record, "explanation_request", None) if record else None,
    )


# -- saving a whole-class submit ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class SubmittedRow:
    row: RosterRow
    # The version of the record the page showed (RosterRow.version), sent back with the form.
    seen: str
    changed: bool
    row_input: RowInput


def rows_to_save(submitted: list[SubmittedRow]) -> tuple[dict[int, RowInput], list[str]]:
    """The rows to save from a whole-class submit: new ones, and changed ones nobody else changed meanwhile.

    A row whose record changed after the page was loaded (another mentor, the care coordinator, a second tab) is
    not overwritten; if this submit changed it too, the student's name is returned so the page can say so.
    """
    rows, overtaken = {}, []
    for line in submitted:
        row = line.row
        if row.record is not None and line.seen != row.version:
            if line.changed:
                overtaken.append(row.student.full_name)
        elif row.record is None or line.changed:
            rows[row.student.id] = line.row_input
    return rows, overtaken
