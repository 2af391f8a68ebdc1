from dataclasses import dataclass
from datetime import date

import pytest
from django.core.exceptions import ValidationError

from contacts.models import Role
from students.models import Placement
from students.services import student_move
from tests.factories import (
    ContactPersonFactory,
    HousingLocationFactory,
    PlacementFactory,
    SchoolSiteFactory,
    StudentFactory,
)

SEPT_1 = date(2025, 9, 1)
MOVE_DAY = date(2025, 11, 17)


@dataclass
class Move:
    student: object
    current: Placement
    new_location: object
    new_worker: object


@pytest.fixture
def move(db):
    old_location, new_location = (
        HousingLocationFactory(name="COA Wiekenweg"),
        HousingLocationFactory(name="kwv De Hoef"),
    )
    old_worker = ContactPersonFactory(
        role=Role.HOUSING_WORKER, organisation=old_location.organisation, locations=[old_location]
    )
    new_worker = ContactPersonFactory(
        role=Role.HOUSING_WORKER, organisation=new_location.organisation, locations=[new_location]
    )
    student = StudentFactory()
    current = PlacementFactory(student=student, location=old_location, started_on=SEPT_1, personal_worker=old_worker)
    return Move(student=student, current=current, new_location=new_location, new_worker=new_worker)


def placements_of(student):
    return list(
        Placement.objects.filter(student=student)
        .order_by("started_on")
        .values_list("location__name", "started_on", "ended_on", "personal_worker_id")
    )


def test_it_closes_the_open_placement_the_day_before_the_move(move):
    placement = student_move(
        student=move.student, location=move.new_location, moved_on=MOVE_DAY, personal_worker=move.new_worker
    )
    assert placements_of(move.student) == [
        ("COA Wiekenweg", SEPT_1, date(2025, 11, 16), move.current.personal_worker_id),
        ("kwv De Hoef", MOVE_DAY, None, move.new_worker.id),
    ]
    assert placement == Placement.objects.open().get(student=move.student)


def test_it_allows_a_move_the_day_after_the_current_start(move):
    student_move(student=move.student, location=move.new_location, moved_on=date(2025, 9, 2))
    assert placements_of(move.student) == [
        ("COA Wiekenweg", SEPT_1, SEPT_1, move.current.personal_worker_id),
        ("kwv De Hoef", date(2025, 9, 2), None, None),
    ]


def test_it_gives_a_student_without_housing_a_first_placement(db):
    student, location = StudentFactory(), HousingLocationFactory(name="Opvanggezin Koster")
    student_move(student=student, location=location, moved_on=MOVE_DAY)
    assert placements_of(student) == [("Opvanggezin Koster", MOVE_DAY, None, None)]


def test_it_refuses_a_move_to_the_current_location(move):
    before = placements_of(move.student)
    with pytest.raises(ValidationError) as caught:
        student_move(student=move.student, location=move.current.location, moved_on=MOVE_DAY)
    assert caught.value.message_dict == {"location": ["De leerling woont al op deze locatie."]}
    assert placements_of(move.student) == before


@pytest.mark.parametrize("moved_on", [SEPT_1, date(2025, 8, 15)], ids=["on-current-start", "before-current-start"])
def test_it_refuses_a_move_on_or_before_the_current_start(move, moved_on):
    before = placements_of(move.student)
    with pytest.raises(ValidationError) as caught:
        student_move(student=move.student, location=move.new_location, moved_on=moved_on)
    assert caught.value.message_dict == {
        "moved_on": ["Er is al een plaatsing die op of na deze datum begint. Kies een latere datum."]
    }
    assert placements_of(move.student) == before


def test_it_refuses_a_move_into_a_closed_placement(db):
    closed = PlacementFactory(started_on=SEPT_1, ended_on=date(2025, 12, 31))
    before = placements_of(closed.student)
    with pytest.raises(ValidationError) as caught:
        student_move(student=closed.student, location=HousingLocationFactory(), moved_on=MOVE_DAY)
    assert caught.value.messages == ["Deze plaatsing overlapt met een andere plaatsing van deze leerling."]
    assert placements_of(closed.student) == before


def test_it_keeps_the_current_placement_open_when_the_new_one_is_invalid(move):
    before = placements_of(move.student)
    with pytest.raises(ValidationError) as caught:
        student_move(student=move.student, location=SchoolSiteFactory(), moved_on=MOVE_DAY)
    assert caught.value.message_dict == {"location": ["Kies een woonlocatie, geen schoollocatie."]}
    assert placements_of(move.student) == before
    assert Placement.objects.open().get(student=move.student) == move.current


def test_it_refuses_a_personal_worker_of_another_location(move):
    before = placements_of(move.student)
    with pytest.raises(ValidationError) as caught:
        student_move(
            student=move.student,
            location=move.new_location,
            moved_on=MOVE_DAY,
            personal_worker=move.current.personal_worker,
        )
    assert caught.value.message_dict == {"personal_worker": ["Deze woonbegeleider werkt niet op de gekozen locatie."]}
    assert placements_of(move.student) == before


def test_it_moves_only_the_given_student(move):
    bystander = PlacementFactory(location=move.current.location, started_on=SEPT_1)
    student_move(student=move.student, location=move.new_location, moved_on=MOVE_DAY)
    bystander.refresh_from_db()
    assert (bystander.location, bystander.ended_on) == (move.current.location, None)
