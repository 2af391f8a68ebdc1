import random
from datetime import date

from attendance.calendar import SchoolCalendar
from attendance.demo import build_attendance_history, build_current_events, build_demo_attendance
from attendance.models import Appointment, AttendanceRecord, ExplanationRequest, Reason, SickReport
from contacts.models import Role
from students.models import Guardianship, Student
from students.services import student_move
from tests.factories import ContactPersonFactory, GuardianshipFactory

from .factories import AuthorisationRuleFactory, SchoolHolidayFactory
from .helpers import MONDAY, TUESDAY, at, classmates

SPRING_BREAK = (date(2026, 2, 16), date(2026, 2, 20))


def build(world, *, days=20, seed=1, absence_rate=0.07, explain=True):
    return build_attendance_history(
        school_id=world.school.id,
        days=days,
        rng=random.Random(seed),
        recorder_for_class={world.school_class.id: world.user("mentor").id},
        explainer_for_location={world.location.id: world.user("housing_worker").id} if explain else {},
        absence_rate=absence_rate,
    )


def snapshot():
    return list(
        AttendanceRecord.objects.order_by("student__student_number", "day").values_list(
            "student__student_number", "day", "status", "reason", "minutes_late"
        )
    )


def test_it_builds_one_record_per_student_and_school_day_before_today(world):
    classmates(world, 4)
    SchoolHolidayFactory(school=world.school, first_day=SPRING_BREAK[0], last_day=SPRING_BREAK[1])
    result = build(world, days=20)
    days = sorted(set(AttendanceRecord.objects.values_list("day", flat=True)))
    assert len(days) == 20
    assert days[-1] == MONDAY
    calendar = SchoolCalendar(world.school.id)
    assert all(calendar.is_school_day(day) for day in days)
    assert not [day for day in days if SPRING_BREAK[0] <= day <= SPRING_BREAK[1]]
    assert result.records == AttendanceRecord.objects.count() == 5 * 20
    assert not AttendanceRecord.objects.filter(student=world.outsider_student).exists()


def test_it_is_deterministic_for_a_seed(world):
    classmates(world, 4)
    build(world, seed=42, absence_rate=0.3)
    first = snapshot()
    ExplanationRequest.objects.all().delete()
    AttendanceRecord.objects.all().delete()
    build(world, seed=42, absence_rate=0.3)
    assert snapshot() == first
    assert {status for _number, _day, status, _reason, _minutes in first} >= {"present", "absent"}


def test_it_records_nothing_before_a_student_enrolled(world):
    [newcomer] = classmates(world, 1)
    Student.objects.filter(id=newcomer.id).update(enrolled_on=date(2026, 3, 2))
    build(world, days=20)
    assert min(AttendanceRecord.objects.filter(student=newcomer).values_list("day", flat=True)) == date(2026, 3, 2)


def test_it_counts_the_lesson_hours_of_the_class_on_that_weekday(world):
    build(world, days=10, absence_rate=1.0, explain=False)
    for record in AttendanceRecord.objects.all():
        assert record.lesson_hours_missed == world.school_class.lesson_hours_on(record.day)


def test_it_leaves_unexplained_absences_with_an_open_request_until_noon_that_day(world):
    result = build(world, days=10, absence_rate=1.0, explain=False)
    assert result.requests == ExplanationRequest.objects.filter(status="open").count() == 10
    for request in ExplanationRequest.objects.select_related("record"):
        assert request.record.status == "absent"
        assert request.record.reason == ""
        assert request.deadline == at(request.day.year, request.day.month, request.day.day, 12, 0)


def test_it_addresses_each_request_to_the_location_and_guardian_of_that_day(world):
    new_guardian = ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos, name="Voogd Nieuw")
    student_move(student=world.ward, location=world.other_location, moved_on=date(2026, 3, 2))
    Guardianship.objects.filter(student=world.ward).update(ended_on=date(2026, 3, 1))
    GuardianshipFactory(student=world.ward, guardian=new_guardian, started_on=date(2026, 3, 2))
    build(world, days=10, absence_rate=1.0, explain=False)
    addressed = {
        request.day: (request.location_id, request.guardian_id) for request in ExplanationRequest.objects.all()
    }
    assert addressed[date(2026, 2, 27)] == (world.location.id, world.user("guardian").person.id)
    assert addressed[date(2026, 3, 2)] == (world.other_location.id, new_guardian.id)
    assert addressed[MONDAY] == (world.other_location.id, new_guardian.id)


def test_it_explains_most_absences_by_the_schools_own_rules(world):
    classmates(world, 9)
    AuthorisationRuleFactory(school=world.school, reason=Reason.SICK, authorised=False)
    build(world, days=10, absence_rate=1.0)
    explained = AttendanceRecord.objects.exclude(reason="")
    assert explained.count() > 50
    assert not explained.filter(reason=Reason.SICK, authorised=True).exists()
    assert explained.filter(reason=Reason.SICK).exists()
    assert not explained.filter(reason=Reason.LEGAL, authorised=False).exists()
    assert set(explained.values_list("explained_by", flat=True)) == {world.user("housing_worker").id}


def test_it_builds_the_demo_attendance_once(world):
    classmates(world, 11)
    result = build_demo_attendance(school_id=world.school.id, rng=random.Random(3), days=5)
    assert result.records == 12 * 5
    assert (result.sick_reports, result.appointments) == (6, 6)
    assert SickReport.objects.filter(last_day__isnull=True).count() == 6
    assert Appointment.objects.filter(day__in=[TUESDAY, date(2026, 3, 11)]).count() == 6
    assert build_demo_attendance(school_id=world.school.id, rng=random.Random(3), days=5) is None
    assert AttendanceRecord.objects.count() == 12 * 5


def test_it_does_not_report_a_student_sick_twice(world):
    students = [world.ward, *classmates(world, 5)]
    reporter = {world.location.id: world.user("housing_worker").id}
    build_current_events(students=students, rng=random.Random(1), reporter_for_location=reporter)
    build_current_events(students=students, rng=random.Random(1), reporter_for_location=reporter)
    assert SickReport.objects.filter(last_day__isnull=True).count() == 6
