"""Whom an escalation of a request reaches: the people the request is addressed to (the housing location and the
guardian of the absent day) and each one's own manager; never today's team after a move, never every manager."""

import re
from collections import Counter
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from attendance.models import AttendanceRecord, ExplanationRequest
from attendance.services import RowInput, attendance_save
from contacts.models import Organisation, Role
from escalation.models import Escalation, EscalationEvent, Notification
from escalation.sweep import escalation_sweep
from students.services import guardianship_change, student_move
from students.team import TeamRole
from tests.factories import (
    ContactPersonFactory,
    GuardianshipFactory,
    HousingLocationFactory,
    NidosFactory,
    PlacementFactory,
    StudentFactory,
    UserFactory,
)

from .conftest import EMAIL, at, make_chain, notifications, request_on, sweep, travel

pytestmark = pytest.mark.django_db

TUESDAY, WEDNESDAY = date(2026, 3, 10), date(2026, 3, 11)
HOUSING = [TeamRole.HOUSING_WORKER, TeamRole.LOCATION_MANAGER]
GUARDIANSHIP = [TeamRole.GUARDIAN, TeamRole.GUARDIAN_TEAM_MANAGER]


def names(**filters) -> set[str]:
    return {name for name, *_rest in notifications(**filters)}


def new_location_with_staff():
    location = HousingLocationFactory(name="COA Nieuwegein")
    worker = ContactPersonFactory(
        role=Role.HOUSING_WORKER, organisation=location.organisation, locations=[location], name="Nieuwe Niels"
    )
    ContactPersonFactory(
        role=Role.LOCATION_MANAGER, organisation=location.organisation, locations=[location], name="Nieuwe Manon"
    )
    UserFactory(person=worker)
    return location, worker


def test_after_a_move_the_old_locations_worker_is_escalated_to_not_the_new_one(world):
    """Absent on Tuesday while living at COA Wiekenweg; moved on Wednesday; the deadline passes; sweep."""
    make_chain(world.school, [(HOUSING, 0, EMAIL)])
    request = request_on(world, TUESDAY)
    location, worker = new_location_with_staff()
    with travel(at(2026, 3, 10, 10)):
        student_move(student=world.ward, location=location, moved_on=WEDNESDAY, personal_worker=worker)

    sweep(at(2026, 3, 11, 9))

    assert request.location == world.location
    assert names() == {"Woon Wendy", "Manager Mo"}


def test_after_a_move_on_the_absent_day_itself_the_old_locations_workers_hold_the_request(world):
    """Moved the same day: no placement at the old location covers the day any more, so its workers are asked."""
    make_chain(world.school, [([TeamRole.HOUSING_WORKER], 0, EMAIL)])
    request_on(world, TUESDAY)
    location, worker = new_location_with_staff()
    with travel(at(2026, 3, 10, 10)):
        student_move(student=world.ward, location=location, moved_on=TUESDAY, personal_worker=worker)

    sweep(at(2026, 3, 10, 13))

    assert names() == {"Woon Wendy"}


def test_after_a_change_of_guardian_the_guardian_of_the_day_and_their_manager_are_escalated_to(world):
    make_chain(world.school, [(GUARDIANSHIP, 0, EMAIL)])
    request_on(world, TUESDAY)
    new_manager = ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=world.nidos, name="Team Tessa")
    nora = ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos, name="Voogd Nora", manager=new_manager)
    with travel(at(2026, 3, 10, 10)):
        guardianship_change(student=world.ward, guardian=nora, started_on=WEDNESDAY, actor=world.user("admin"))

    sweep(at(2026, 3, 11, 9))

    assert names() == {"Voogd Vera", "Team Tom"}


def test_a_later_absence_after_the_move_goes_to_the_new_location(world):
    make_chain(world.school, [([TeamRole.HOUSING_WORKER], 0, EMAIL)])
    location, worker = new_location_with_staff()
    with travel(at(2026, 3, 9, 10)):
        student_move(student=world.ward, location=location, moved_on=TUESDAY, personal_worker=worker)
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 13))

    assert names() == {"Nieuwe Niels"}


# -- the team-manager step: one person per escalation, never a broadcast ------------------------------------------


def region_with_team_managers(count):
    """A Nidos region with `count` team managers (each with an address), and one guardian per team manager."""
    region = NidosFactory(name="Nidos regio Groot")
    managers = [
        ContactPersonFactory(
            role=Role.GUARDIAN_TEAM_MANAGER,
            organisation=region,
            name=f"Teammanager {number:03d}",
            email=f"tm{number}@nidos.example",
        )
        for number in range(count)
    ]
    guardians = [
        ContactPersonFactory(
            role=Role.GUARDIAN,
            organisation=region,
            name=f"Voogd {number:03d}",
            manager=manager,
            email=f"voogd{number}@nidos.example",
        )
        for number, manager in enumerate(managers)
    ]
    return region, managers, guardians


def absent_pupils(world, guardians, *, day=TUESDAY):
    """One pupil per guardian, all absent on `day` (registered at 09:00, due at noon)."""
    students = []
    for number, guardian in enumerate(guardians):
        student = StudentFactory(school_class=world.school_class, given_name=f"Kind{number:03d}", family_name="Test")
        PlacementFactory(student=student, location=world.location, started_on=date(2025, 9, 1))
        GuardianshipFactory(student=student, guardian=guardian, started_on=date(2025, 9, 1))
        students.append(student)
    with travel(at(day.year, day.month, day.day, 9)):
        attendance_save(
            school_class=world.school_class,
            day=day,
            rows={student.id: RowInput(status=AttendanceRecord.Status.ABSENT) for student in students},
            actor=world.user("mentor"),
        )
    return students


def test_a_hundred_escalations_in_a_region_of_a_hundred_team_managers_write_one_email_each(world):
    """Before: every team manager of the organisation was e-mailed, 100 × 100 = 10,000 e-mails (9,999 and the
    ward's). Now each escalation e-mails the guardian's own team manager: 100."""
    make_chain(world.school, [([TeamRole.GUARDIAN_TEAM_MANAGER], 0, EMAIL)])
    _region, managers, guardians = region_with_team_managers(100)
    students = absent_pupils(world, guardians)

    sweep(at(2026, 3, 10, 12))

    emails = Notification.objects.filter(channel=Notification.Channel.EMAIL, student__in=students)
    assert Escalation.objects.filter(student__in=students).count() == 100
    assert emails.count() == 100
    assert sorted(emails.values_list("recipient__name", flat=True)) == [manager.name for manager in managers]
    for student, manager in zip(students, managers, strict=True):
        assert list(emails.filter(student=student).values_list("recipient", flat=True)) == [manager.id]


def test_a_guardian_without_team_manager_gets_the_duty_contact_only(world):
    make_chain(world.school, [([TeamRole.GUARDIAN_TEAM_MANAGER], 0, EMAIL)])
    region, managers, _guardians = region_with_team_managers(5)
    Organisation.objects.filter(id=region.id).update(duty_contact=managers[2])
    lonely = ContactPersonFactory(role=Role.GUARDIAN, organisation=region, name="Voogd Zonder")
    (student,) = absent_pupils(world, [lonely])

    sweep(at(2026, 3, 10, 12))

    assert list(
        Notification.objects.filter(student=student, channel=Notification.Channel.EMAIL).values_list(
            "recipient__name", flat=True
        )
    ) == ["Teammanager 002"]


def test_a_guardian_without_team_manager_or_duty_contact_notifies_nobody_and_says_so(world):
    make_chain(world.school, [([TeamRole.GUARDIAN_TEAM_MANAGER], 0, EMAIL)])
    region, _managers, _guardians = region_with_team_managers(5)
    lonely = ContactPersonFactory(role=Role.GUARDIAN, organisation=region, name="Voogd Zonder")
    (student,) = absent_pupils(world, [lonely])

    sweep(at(2026, 3, 10, 12))

    assert not Notification.objects.filter(student=student, kind=Notification.Kind.ESCALATION).exists()
    escalation = Escalation.objects.get(student=student)
    assert escalation.events.filter(kind=EscalationEvent.Kind.NO_RECIPIENTS).exists()


def test_the_location_manager_step_reaches_the_workers_own_manager(world):
    """A location with several managers: the personal worker's own manager is the one notified."""
    make_chain(world.school, [([TeamRole.LOCATION_MANAGER], 0, EMAIL)])
    coa = world.location.organisation
    own = ContactPersonFactory(role=Role.LOCATION_MANAGER, organisation=coa, locations=[world.location], name="Eigen")
    wendy = world.user("housing_worker").person
    wendy.manager = own
    wendy.save(update_fields=["manager"])
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 12))

    assert names() == {"Eigen"}
    assert ExplanationRequest.objects.get().location == world.location


def sweep_queries(moment) -> list[str]:
    with travel(moment), CaptureQueriesContext(connection) as context:
        escalation_sweep()
    # Each escalation advances in a savepoint of its own (sweep/firing.py); those are not reads.
    return [query["sql"] for query in context.captured_queries if "SAVEPOINT" not in query["sql"]]


def test_the_sweep_loads_the_addressees_per_batch_not_per_escalation(world):
    """3 escalations and then 15 (with their own guardians and team managers, of another day) cost the same."""
    make_chain(world.school, [([*HOUSING, *GUARDIANSHIP], 0, EMAIL)])
    _region, _managers, guardians = region_with_team_managers(18)
    absent_pupils(world, guardians[:3])
    few = sweep_queries(at(2026, 3, 10, 12))
    sweep(at(2026, 3, 10, 17))  # the three are exhausted: out of the way

    absent_pupils(world, guardians[3:], day=WEDNESDAY)
    many = sweep_queries(at(2026, 3, 11, 12))

    assert Notification.objects.filter(channel=Notification.Channel.EMAIL, step=1).count() == 3 * 4 + 15 * 4
    assert len(few) == len(many), statement_difference(few, many)


def statement_difference(few, many) -> str:
    shapes = [Counter(re.sub(r"\d+", "N", sql)[:120] for sql in run) for run in (few, many)]
    return f"{len(few)} and {len(many)} queries; differing: {(shapes[1] - shapes[0]) + (shapes[0] - shapes[1])}"
