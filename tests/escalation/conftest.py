"""Fixtures and builders for the escalation tests: chains, overdue requests, hospital admissions, fixed times."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine

from attendance.models import AttendanceRecord, ExplanationRequest
from attendance.services import RowInput, attendance_save
from escalation.models import Channel, EscalationChain, EscalationStep, Notification, Trigger
from escalation.sweep import escalation_sweep
from students.models import Guardianship, Placement, Student
from students.team import TeamRole
from tests.factories import GuardianshipFactory, PlacementFactory, StudentFactory

AMS = ZoneInfo("Europe/Amsterdam")
BOTH = [Channel.IN_APP, Channel.EMAIL]
IN_APP = [Channel.IN_APP]
EMAIL = [Channel.EMAIL]


def at(year, month, day, hour=0, minute=0) -> datetime:
    """A wall-clock moment in Amsterdam."""
    return datetime(year, month, day, hour, minute, tzinfo=AMS)


def travel(moment: datetime):
    return time_machine.travel(moment, tick=False)


def make_chain(
    school,
    steps,
    *,
    trigger=Trigger.REQUEST_OVERDUE,
    housing_kind="",
    repeat_last_step=0,
    acknowledgement_minutes=240,
    threshold=3,
    is_active=True,
) -> EscalationChain:
    """`steps`: (roles, after_minutes, channels) per step, in order."""
    chain = EscalationChain.objects.create(
        school=school,
        trigger=trigger,
        housing_kind=housing_kind,
        repeat_last_step=repeat_last_step,
        acknowledgement_minutes=acknowledgement_minutes,
        threshold=threshold,
        is_active=is_active,
    )
    EscalationStep.objects.bulk_create(
        EscalationStep(chain=chain, position=position, roles=list(roles), after_minutes=after, channels=list(channels))
        for position, (roles, after, channels) in enumerate(steps, start=1)
    )
    return chain


# The route most tests follow: housing at the deadline, then the guardian 2 school hours later, then management a
# school day (8 hours) after that.
STANDARD_STEPS = [
    ([TeamRole.HOUSING_WORKER], 0, BOTH),
    ([TeamRole.GUARDIAN], 120, BOTH),
    ([TeamRole.SCHOOL_MANAGEMENT], 480, BOTH),
]


def record_absence(world, day: date, *, student=None, remark="", school_class=None) -> AttendanceRecord:
    """The mentor registers `student` (default: the ward) absent on `day`, through the real service.

    Call it while travelling in time: the roster refuses future days and opens a request whose deadline is the
    school's answer-by time (12:00 by default) on `day`, or the next school day if that has passed.
    """
    student = student or world.ward
    school_class = school_class or student.school_class
    (record,) = attendance_save(
        school_class=school_class,
        day=day,
        rows={student.id: RowInput(status=AttendanceRecord.Status.ABSENT, remark=remark)},
        actor=world.user("mentor"),
    )
    return record


def open_request(world, day: date, **kwargs) -> ExplanationRequest:
    record = record_absence(world, day, **kwargs)
    return ExplanationRequest.objects.get(record=record)


@pytest.fixture(autouse=True)
def no_second_factor(settings):
    """The escalation pages are the subject here; the two-factor login has tests of its own."""
    settings.TWO_FACTOR_REQUIRED_ROLES = []


def request_on(world, day: date, **kwargs) -> ExplanationRequest:
    """An absence registered at 09:00 on `day`: its request is due at 12:00 the same day."""
    with travel(at(day.year, day.month, day.day, 9)):
        return open_request(world, day, **kwargs)


@pytest.fixture
def chain(world):
    return make_chain(world.school, STANDARD_STEPS)


def add_student(world, given_name, *, location=None, guardian=None, personal_worker=None):
    """Another student in the ward's class, housed and guarded like the ward unless told otherwise."""
    student = StudentFactory(school_class=world.school_class, given_name=given_name, family_name="Test")
    PlacementFactory(
        student=student,
        location=location or world.location,
        started_on=date(2025, 9, 1),
        personal_worker=personal_worker or world.user("housing_worker").person,
    )
    GuardianshipFactory(
        student=student, guardian=guardian or world.user("guardian").person, started_on=date(2025, 9, 1)
    )
    return student


def add_students_in_bulk(world, count, *, name) -> list[Student]:
    """`count` pupils of the world's class (`name` and a number), at the world's location with its housing worker
    and guarded by its guardian since 1 September 2025: three statements, for tests over many pupils."""
    worker, guardian = world.user("housing_worker").person, world.user("guardian").person
    students = Student.objects.bulk_create(
        Student(
            school=world.school,
            school_class=world.school_class,
            given_name=f"{name}{number}",
            family_name="Test",
            date_of_birth=date(2010, 1, 1),
            student_number=f"{name[0]}{number:06d}",
            enrolled_on=date(2025, 9, 1),
        )
        for number in range(count)
    )
    started = date(2025, 9, 1)
    Placement.objects.bulk_create(
        Placement(student=student, location=world.location, started_on=started, personal_worker=worker)
        for student in students
    )
    Guardianship.objects.bulk_create(
        Guardianship(student=student, guardian=guardian, started_on=started) for student in students
    )
    return students


def sweep(moment: datetime, **kwargs):
    """Run the sweep with the clock stopped at `moment`."""
    with travel(moment):
        return escalation_sweep(**kwargs)


def notifications(**filters) -> list[tuple]:
    """(recipient, channel, kind, step, round) of escalation notifications, in a stable order."""
    return list(
        Notification.objects.filter(escalation__isnull=False, **filters)
        .order_by("escalation_id", "step", "round", "recipient__name", "channel")
        .values_list("recipient__name", "channel", "kind", "step", "round")
    )


def event_kinds(escalation) -> list[str]:
    return list(escalation.events.order_by("at", "id").values_list("kind", flat=True))
