from dataclasses import dataclass
from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from contacts.models import Role
from students.models import Guardianship, Placement, Student
from students.services import (
    guardianship_change,
    lock_student,
    student_change_class,
    student_enrol,
    student_leave,
    student_move,
)
from students.signals import student_left
from tests.factories import (
    ContactPersonFactory,
    GuardianshipFactory,
    HousingLocationFactory,
    NidosFactory,
    PlacementFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolSiteFactory,
    StudentFactory,
    UserFactory,
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


# -- enrolment, class change, leaving --------------------------------------------------------------------------


def student_rows():
    return list(Student.objects.order_by("id").values())


def test_it_enrols_a_pupil_in_a_class_of_their_school(db):
    school_class = SchoolClassFactory(name="1A")
    student = student_enrol(
        school=school_class.location.organisation,
        school_class=school_class,
        given_name=" Senait ",
        family_name="Tekle",
        date_of_birth=date(2010, 3, 4),
        student_number="2025001",
        enrolled_on=SEPT_1,
        actor=None,
        nationality="Eritrese",
    )
    stored = Student.objects.get()
    assert stored == student
    assert (stored.full_name, stored.school_class, stored.status, stored.left_on) == (
        "Senait Tekle",
        school_class,
        Student.Status.ACTIVE,
        None,
    )
    assert (stored.nationality, stored.languages, stored.arrival_date) == ("Eritrese", "", None)


def enrolment(school_class, **changes):
    return {
        "school": school_class.location.organisation,
        "school_class": school_class,
        "given_name": "Senait",
        "family_name": "Tekle",
        "date_of_birth": date(2010, 3, 4),
        "student_number": "2025001",
        "enrolled_on": SEPT_1,
        "actor": None,
        **changes,
    }


def test_it_refuses_to_enrol_a_pupil_in_a_class_of_another_school(db):
    with pytest.raises(ValidationError) as caught:
        student_enrol(**enrolment(SchoolClassFactory(), school=SchoolFactory()))
    assert caught.value.message_dict == {"school_class": ["Deze klas hoort bij een andere school."]}
    assert not Student.objects.exists()


def test_it_refuses_a_student_number_that_the_school_already_uses(db):
    taken = StudentFactory(student_number="2025001")
    before = student_rows()
    with pytest.raises(ValidationError) as caught:
        student_enrol(**enrolment(taken.school_class))
    assert caught.value.messages == ["Dit leerlingnummer is op deze school al in gebruik."]
    assert student_rows() == before


def test_it_moves_a_pupil_to_another_class_of_their_school(db):
    student = StudentFactory()
    other = SchoolClassFactory(location=student.school_class.location, name="2B")
    student_change_class(student=student, school_class=other, actor=None)
    student.refresh_from_db()
    assert student.school_class == other


@pytest.mark.parametrize(
    ("target", "message"),
    [
        ("foreign", {"school_class": ["Deze klas hoort bij een andere school."]}),
        ("same", {"school_class": ["De leerling zit al in deze klas."]}),
    ],
)
def test_it_refuses_a_class_change_that_is_no_change_or_leaves_the_school(db, target, message):
    student = StudentFactory()
    school_class = SchoolClassFactory() if target == "foreign" else student.school_class
    before = student_rows()
    with pytest.raises(ValidationError) as caught:
        student_change_class(student=student, school_class=school_class, actor=None)
    assert caught.value.message_dict == message
    assert student_rows() == before


def test_it_refuses_a_class_for_a_pupil_who_left(db):
    student = StudentFactory(status=Student.Status.LEFT, left_on=date(2025, 12, 1))
    other = SchoolClassFactory(location=student.school_class.location)
    with pytest.raises(ValidationError) as caught:
        student_change_class(student=student, school_class=other, actor=None)
    assert caught.value.message_dict == {"school_class": ["Deze leerling is uitgeschreven en krijgt geen klas meer."]}


@pytest.fixture
def left_signals():
    received = []

    def receiver(sender, **kwargs):
        received.append((sender, kwargs))

    student_left.connect(receiver)
    yield received
    student_left.disconnect(receiver)


@time_machine.travel(datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False)
def test_it_lets_a_pupil_leave_and_announces_it_once(db, left_signals):
    placement = PlacementFactory(started_on=SEPT_1)
    guardianship = GuardianshipFactory(student=placement.student, started_on=SEPT_1)
    student, actor = placement.student, UserFactory()

    student_leave(student=student, left_on=date(2026, 1, 9), actor=actor)

    stored = Student.objects.get(id=student.id)
    assert (stored.status, stored.left_on) == (Student.Status.LEFT, date(2026, 1, 9))
    assert (student.status, student.left_on) == (Student.Status.LEFT, date(2026, 1, 9))
    sent = {"signal": student_left, "student": stored, "left_on": date(2026, 1, 9), "actor": actor}
    assert left_signals == [(Student, sent)]
    # Housing and custody are not the school's to end.
    assert Placement.objects.get(id=placement.id).ended_on is None
    assert Guardianship.objects.get(id=guardianship.id).ended_on is None


@time_machine.travel(datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False)
def test_it_refuses_to_let_a_pupil_leave_twice_without_a_second_signal(db, left_signals):
    student = StudentFactory()
    student_leave(student=student, left_on=date(2026, 1, 9), actor=None)
    with pytest.raises(ValidationError) as caught:
        student_leave(student=student, left_on=date(2026, 1, 12), actor=None)
    assert caught.value.messages == ["Deze leerling is al uitgeschreven op 9 januari 2026. Er is niets gewijzigd."]
    assert Student.objects.get(id=student.id).left_on == date(2026, 1, 9)
    assert len(left_signals) == 1


@time_machine.travel(datetime(2026, 1, 15, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False)
@pytest.mark.parametrize(
    ("left_on", "errors"),
    [
        (date(2026, 1, 16), {"left_on": ["Een uitschrijfdatum kan niet in de toekomst liggen."]}),
        (date(2025, 8, 31), {"__all__": ["De uitschrijfdatum ligt vóór de inschrijfdatum."]}),
    ],
    ids=["in-the-future", "before-enrolment"],
)
def test_it_refuses_an_impossible_leaving_date(db, left_signals, left_on, errors):
    student = StudentFactory(enrolled_on=SEPT_1)
    before = student_rows()
    with pytest.raises(ValidationError) as caught:
        student_leave(student=student, left_on=left_on, actor=None)
    assert caught.value.message_dict == errors
    assert student_rows() == before
    assert left_signals == []


def test_it_locks_the_student_row_and_returns_it_as_stored(db):
    student = StudentFactory()
    Student.objects.filter(id=student.id).update(given_name="Intussen")
    with CaptureQueriesContext(connection) as queries:
        stored = lock_student(student.id)
    assert stored.given_name == "Intussen"
    if connection.features.has_select_for_update:
        # FOR NO KEY UPDATE: excludes every other writer of the pupil, but not the foreign key checks of the sweep's
        # inserts (FOR KEY SHARE), which under FOR UPDATE deadlocked with it (issue 9).
        assert queries[0]["sql"].endswith("FOR NO KEY UPDATE")


# -- guardianship change ---------------------------------------------------------------------------------------


def guardian(**extra):
    return ContactPersonFactory(organisation=NidosFactory(), role=Role.GUARDIAN, **extra)


def guardianships_of(student):
    return list(
        Guardianship.objects.filter(student=student)
        .order_by("started_on")
        .values_list("guardian_id", "started_on", "ended_on")
    )


@pytest.fixture
def guarded(db):
    return GuardianshipFactory(started_on=SEPT_1)


def test_it_hands_custody_to_a_new_guardian_the_day_after_the_old_one(guarded):
    new = guardian()
    guardianship = guardianship_change(student=guarded.student, guardian=new, started_on=MOVE_DAY, actor=None)
    assert guardianships_of(guarded.student) == [
        (guarded.guardian_id, SEPT_1, date(2025, 11, 16)),
        (new.id, MOVE_DAY, None),
    ]
    assert guardianship == Guardianship.objects.open().get(student=guarded.student)


def test_it_gives_a_pupil_without_a_guardian_a_first_one(db):
    student, new = StudentFactory(), guardian()
    guardianship_change(student=student, guardian=new, started_on=MOVE_DAY, actor=None)
    assert guardianships_of(student) == [(new.id, MOVE_DAY, None)]


@pytest.mark.parametrize(
    ("case", "errors"),
    [
        ("same-guardian", {"guardian": ["Deze voogd heeft de voogdij al."]}),
        ("too-early", {"started_on": ["Er is al een voogdij die op of na deze datum begint. Kies een latere datum."]}),
        ("inactive", {"guardian": ["Deze voogd is niet meer actief. Kies een actieve voogd."]}),
        ("not-a-guardian", {"guardian": ["Een voogd moet een voogd zijn bij een voogdij-instelling (Nidos)."]}),
    ],
)
def test_it_refuses_an_impossible_guardianship_change(guarded, case, errors):
    new, started_on = guardian(), MOVE_DAY
    if case == "same-guardian":
        new = guarded.guardian
    elif case == "too-early":
        started_on = SEPT_1
    elif case == "inactive":
        new = guardian(is_active=False, inactive_since=SEPT_1)
    elif case == "not-a-guardian":
        new = ContactPersonFactory(role=Role.MENTOR)
    before = guardianships_of(guarded.student)
    with pytest.raises(ValidationError) as caught:
        guardianship_change(student=guarded.student, guardian=new, started_on=started_on, actor=None)
    assert caught.value.message_dict == errors
    assert guardianships_of(guarded.student) == before


def test_enrolment_keeps_the_tussenvoegsel_and_the_onderwijsnummer(world):
    student = student_enrol(
        school=world.school,
        school_class=world.school_class,
        given_name="Amir",
        tussenvoegsel=" el ",
        family_name="Idrissi",
        date_of_birth=date(2010, 4, 2),
        student_number="990001",
        enrolled_on=date(2026, 3, 2),
        actor=None,
        onderwijsnummer="123456789",
    )

    student.refresh_from_db()
    assert student.full_name == "Amir el Idrissi"
    assert student.masked_onderwijsnummer == "*****6789"
