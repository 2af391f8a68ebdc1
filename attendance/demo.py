"""Attendance history for the demo and for benchmarks: weeks of rosters, explanations, sick reports and
appointments, bulk-inserted. Deterministic for a given random generator."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from django.utils import timezone

from contacts.models import ContactPerson, Role
from students.models import Guardianship, Placement, SchoolClass, Student

from .calendar import AMSTERDAM, SchoolCalendar
from .models import Appointment, AttendanceRecord, ExplanationRequest, Reason, SickReport
from .services import authorisation_defaults

REASON_WEIGHTS = {
    Reason.SICK: 45,
    Reason.MEDICAL_APPOINTMENT: 12,
    Reason.LEGAL: 10,
    Reason.GUARDIAN_APPOINTMENT: 5,
    Reason.MOVE: 3,
    Reason.FAMILY_RELIGIOUS: 5,
    Reason.UNKNOWN: 12,
    Reason.OTHER: 8,
}


@dataclass
class HistoryResult:
    records: int = 0
    requests: int = 0
    sick_reports: int = 0
    appointments: int = 0
    open_requests: list = field(default_factory=list)


def build_attendance_history(
    *,
    school_id: int,
    days: int,
    rng,
    recorder_for_class: dict[int, int],
    explainer_for_location: dict[int, int],
    today: date | None = None,
    absence_rate: float = 0.07,
    batch_size: int = 5000,
) -> HistoryResult:
    """Rosters for the last `days` school days before today for every active student of a school (from the day
    they enrolled).

    About `absence_rate` of the students are away on a day; four in five absences get explained by the housing
    location (reason category, authorised by default); the rest keep an open explanation request, the ones
    the escalation engine chases. `recorder_for_class` and `explainer_for_location` map ids to user ids.
    """
    calendar = SchoolCalendar(school_id)
    history = _History(school_id, rng, explainer_for_location, absence_rate)
    students = list(
        Student.objects.active().filter(school_id=school_id, school_class__isnull=False).select_related("school_class")
    )
    result = HistoryResult()
    records, pending_requests = [], []
    deadline_time = calendar.policy.explanation_deadline
    for day in _school_days_before(calendar, today or timezone.localdate(), days):
        marked_at = datetime.combine(day, time(8, 45), tzinfo=AMSTERDAM)
        for student in students:
            if day < student.enrolled_on:
                continue
            record, request = history.mark(student, day, marked_at, recorder_for_class[student.school_class_id])
            records.append(record)
            if request:
                pending_requests.append(request)
        if len(records) >= batch_size:
            result.records += _flush(records, pending_requests, result, deadline_time, batch_size)
            records, pending_requests = [], []
    result.records += _flush(records, pending_requests, result, deadline_time, batch_size)
    return result


def _school_days_before(calendar, today, count):
    """The `count` school days before `today`, newest first."""
    school_days = []
    candidate = calendar.previous_school_day(today, include_today=False)
    while len(school_days) < count:
        school_days.append(candidate)
        candidate = calendar.previous_school_day(candidate, include_today=False)
    return school_days


class _History:
    """One school's pupils' histories (where they lived, who was their guardian) and the dice of the demo."""

    def __init__(self, school_id, rng, explainer_for_location, absence_rate):
        self.rng = rng
        self.explainer_for_location = explainer_for_location
        self.absence_rate = absence_rate
        self.reasons, self.weights = list(REASON_WEIGHTS), list(REASON_WEIGHTS.values())
        self.authorised_by_default = authorisation_defaults(school_id)
        # Requests go to the location and guardian of the day itself, as attendance_save addresses them.
        self.placements, self.guardianships = defaultdict(list), defaultdict(list)
        for placement in Placement.objects.filter(student__school_id=school_id):
            self.placements[placement.student_id].append(placement)
        for guardianship in Guardianship.objects.filter(student__school_id=school_id).select_related("guardian"):
            self.guardianships[guardianship.student_id].append(guardianship)

    def mark(self, student, day, marked_at, recorder):
        """The pupil's record of the day and, for an absence, what its explanation request needs."""
        record = AttendanceRecord(
            student_id=student.id,
            day=day,
            school_class_id=student.school_class_id,
            recorded_by_id=recorder,
            updated_by_id=recorder,
            recorded_at=marked_at,
            updated_at=marked_at,
        )
        roll = self.rng.random()
        if roll < self.absence_rate:
            return record, self._absent(record, student, day, marked_at)
        if roll < self.absence_rate + 0.03:
            record.status = AttendanceRecord.Status.LATE
            record.minutes_late = self.rng.choice([5, 10, 15, 25, 40])
        return record, None

    def _absent(self, record, student, day, marked_at):
        record.status = AttendanceRecord.Status.ABSENT
        record.lesson_hours_missed = student.school_class.lesson_hours_on(day)
        placement = _covering(self.placements[student.id], day)
        explainer = self.explainer_for_location.get(placement.location_id) if placement else None
        guardianship = _covering(self.guardianships[student.id], day)
        guardian = guardianship.guardian if guardianship else None
        guardian = guardian if guardian and guardian.is_active else None
        if explainer and self.rng.random() < 0.8:
            record.reason = self.rng.choices(self.reasons, self.weights)[0]
            record.explanation_source = AttendanceRecord.Source.ANSWER
            record.explained_by_id = explainer
            record.explained_at = marked_at + timedelta(minutes=self.rng.randint(20, 400))
            record.authorised = self.authorised_by_default[record.reason]
        return record, placement, guardian, day


def _covering(periods, day):
    return next((period for period in periods if period.covers(day)), None)


def _flush(records, pending_requests, result, deadline_time, batch_size):
    AttendanceRecord.objects.bulk_create(records, batch_size=batch_size, ignore_conflicts=False)
    # Every absence got a request when school marked it; the explained ones were answered by the housing worker.
    requests = [
        ExplanationRequest(
            record=record,
            student_id=record.student_id,
            day=day,
            location_id=placement.location_id if placement else None,
            guardian=guardian,
            deadline=datetime.combine(day, deadline_time, tzinfo=AMSTERDAM),
            created_at=record.recorded_at,
            status=ExplanationRequest.Status.ANSWERED if record.reason else ExplanationRequest.Status.OPEN,
            closed_at=record.explained_at,
            closed_by_id=record.explained_by_id,
        )
        for record, placement, guardian, day in pending_requests
    ]
    ExplanationRequest.objects.bulk_create(requests, batch_size=batch_size)
    open_requests = [request for request in requests if request.status == ExplanationRequest.Status.OPEN]
    result.requests += len(open_requests)
    result.open_requests.extend(open_requests)
    return len(records)


def build_current_events(*, students, rng, reporter_for_location: dict[int, int], today: date | None = None):
    """A few open sick reports (one in hospital) and appointments today and tomorrow, so the roster shows
    pre-marked students."""
    today = today or timezone.localdate()
    students = list(students)
    placements = {
        placement.student_id: placement
        for placement in Placement.objects.filter(student__in=students, ended_on__isnull=True)
    }
    reported = [student for student in students if placements.get(student.id)]
    rng.shuffle(reported)
    sick, appointments = reported[:6], reported[6:12]
    reports = [
        SickReport(
            student=student,
            first_day=today - timedelta(days=index % 3),
            expected_back=today + timedelta(days=2) if index % 2 else None,
            hospital_admission=index == 0,
            hospital_reported_at=timezone.now() if index == 0 else None,
            reported_by_id=reporter_for_location[placements[student.id].location_id],
        )
        for index, student in enumerate(sick)
        if not SickReport.objects.filter(student=student, last_day__isnull=True).exists()
    ]
    SickReport.objects.bulk_create(reports)
    kinds = list(Appointment.Kind.values)
    new_appointments = [
        Appointment(
            student=student,
            kind=kinds[index % len(kinds)],
            day=today + timedelta(days=index % 2),
            starts_at=time(10 + index % 3, 0),
            ends_at=time(11 + index % 3, 30),
            at_school=index % 3 == 0,
            registered_by_id=reporter_for_location[placements[student.id].location_id],
        )
        for index, student in enumerate(appointments)
    ]
    Appointment.objects.bulk_create(new_appointments)
    return len(reports), len(new_appointments)


def build_demo_attendance(*, school_id: int, rng, days: int = 20) -> HistoryResult | None:
    """History and current events for the demo school, once: a school with records already is left alone."""
    if AttendanceRecord.objects.filter(student__school_id=school_id).exists():
        return None
    recorder_for_class = dict(
        SchoolClass.mentors.through.objects.filter(
            schoolclass__location__organisation_id=school_id, contactperson__user__isnull=False
        ).values_list("schoolclass_id", "contactperson__user__id")
    )
    explainer_for_location = {}
    for location_id, user_id in (
        ContactPerson.locations.through.objects.filter(
            contactperson__role=Role.HOUSING_WORKER, contactperson__user__isnull=False
        )
        .values_list("location_id", "contactperson__user__id")
        .order_by("contactperson__name")
    ):
        explainer_for_location.setdefault(location_id, user_id)
    result = build_attendance_history(
        school_id=school_id,
        days=days,
        rng=rng,
        recorder_for_class=recorder_for_class,
        explainer_for_location=explainer_for_location,
    )
    result.sick_reports, result.appointments = build_current_events(
        students=Student.objects.active().filter(school_id=school_id),
        rng=rng,
        reporter_for_location=explainer_for_location,
    )
    return result
