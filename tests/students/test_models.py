from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError, connection, transaction

from contacts.models import Location, Role
from students.models import Guardianship, Placement, SchoolClass, Student
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
)

SEPT_1 = date(2025, 9, 1)
OCT_31 = date(2025, 10, 31)
NOV_1 = date(2025, 11, 1)

PERIOD_FACTORIES = [
    pytest.param(PlacementFactory, id="placement"),
    pytest.param(GuardianshipFactory, id="guardianship"),
]


def messages_of(error: ValidationError) -> list[str]:
    return [str(message) for message in error.messages]


# -- Student ---------------------------------------------------------------------------------------------------


def test_it_keeps_student_numbers_unique_per_school(db):
    student = StudentFactory(student_number="2024001")
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(school_class=student.school_class, student_number="2024001")
    assert Student.objects.filter(student_number="2024001").count() == 1


def test_it_allows_the_same_student_number_at_another_school(db):
    StudentFactory(student_number="2024001")
    StudentFactory(student_number="2024001")
    assert Student.objects.filter(student_number="2024001").values("school").distinct().count() == 2


def test_it_explains_a_duplicate_student_number_in_dutch(db):
    student = StudentFactory(student_number="2024001")
    duplicate = StudentFactory.build(school_class=student.school_class, school=student.school, student_number="2024001")
    with pytest.raises(ValidationError) as caught:
        duplicate.full_clean()
    assert "Dit leerlingnummer is op deze school al in gebruik." in messages_of(caught.value)


@pytest.mark.parametrize(
    ("status", "left_on"),
    [
        pytest.param(Student.Status.LEFT, None, id="left-without-date"),
        pytest.param(Student.Status.ACTIVE, date(2026, 1, 31), id="active-with-date"),
    ],
)
def test_it_requires_a_leaving_date_exactly_when_the_student_left(db, status, left_on):
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(status=status, left_on=left_on)
    assert not Student.objects.exists()


def test_it_explains_a_missing_leaving_date_in_dutch(db):
    student = StudentFactory.build(school_class=SchoolClassFactory(), status=Student.Status.LEFT, left_on=None)
    student.school = student.school_class.location.organisation
    with pytest.raises(ValidationError) as caught:
        student.full_clean()
    assert "Een uitgeschreven leerling heeft een uitschrijfdatum, een ingeschreven niet." in messages_of(caught.value)


def test_it_stores_a_student_who_left_with_a_date(db):
    student = StudentFactory(status=Student.Status.LEFT, left_on=date(2026, 1, 31))
    student.full_clean()
    assert Student.objects.active().count() == 0
    assert Student.objects.get().left_on == date(2026, 1, 31)


def test_it_rejects_leaving_before_enrolment(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        StudentFactory(enrolled_on=SEPT_1, status=Student.Status.LEFT, left_on=date(2025, 8, 31))
    assert not Student.objects.exists()


def test_it_rejects_a_class_of_another_school(db):
    student = StudentFactory()
    student.school_class = SchoolClassFactory()
    with pytest.raises(ValidationError) as caught:
        student.full_clean()
    assert caught.value.message_dict["school_class"] == ["Deze klas hoort bij een andere school."]


# -- Placement and Guardianship: the shared period rules ----------------------------------------------------------


@pytest.mark.parametrize("factory", PERIOD_FACTORIES)
def test_it_allows_one_open_period_per_student(db, factory):
    first = factory()
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(student=first.student, started_on=NOV_1)
    assert factory._meta.model.objects.filter(student=first.student).count() == 1


@pytest.mark.parametrize("factory", PERIOD_FACTORIES)
def test_it_refuses_overlapping_periods_in_the_database(db, factory):
    first = factory(started_on=SEPT_1, ended_on=OCT_31)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(student=first.student, started_on=date(2025, 10, 31), ended_on=date(2025, 12, 31))
    assert factory._meta.model.objects.filter(student=first.student).count() == 1


@pytest.mark.parametrize("factory", PERIOD_FACTORIES)
def test_it_refuses_an_open_period_that_starts_inside_a_closed_one(db, factory):
    first = factory(started_on=SEPT_1, ended_on=OCT_31)
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(student=first.student, started_on=date(2025, 10, 1))
    assert factory._meta.model.objects.filter(student=first.student).count() == 1


@pytest.mark.parametrize("factory", PERIOD_FACTORIES)
def test_it_refuses_an_update_that_creates_an_overlap(db, factory):
    first = factory(started_on=SEPT_1, ended_on=OCT_31)
    second = factory(student=first.student, started_on=NOV_1)
    model = factory._meta.model
    with pytest.raises(IntegrityError), transaction.atomic():
        model.objects.filter(id=first.id).update(ended_on=date(2025, 11, 15))
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.ended_on, second.started_on) == (OCT_31, NOV_1)


@pytest.mark.parametrize("factory", PERIOD_FACTORIES)
def test_it_accepts_a_period_that_starts_the_day_after_the_previous_one_ended(db, factory):
    first = factory(started_on=SEPT_1, ended_on=OCT_31)
    second = factory.build(student=first.student, started_on=NOV_1)
    if factory is PlacementFactory:
        second.location = HousingLocationFactory()
    else:
        second.guardian = first.guardian
    second.full_clean()
    second.save()
    assert list(factory._meta.model.objects.filter(student=first.student).order_by("started_on")) == [first, second]


@pytest.mark.parametrize("factory", PERIOD_FACTORIES)
def test_it_applies_the_overlap_rule_per_student(db, factory):
    factory(started_on=SEPT_1)
    factory(started_on=SEPT_1)
    assert factory._meta.model.objects.open().count() == 2


@pytest.mark.parametrize("factory", PERIOD_FACTORIES)
def test_it_refuses_an_end_before_the_start_in_the_database(db, factory):
    with pytest.raises(IntegrityError), transaction.atomic():
        factory(started_on=NOV_1, ended_on=OCT_31)
    assert not factory._meta.model.objects.exists()


def test_it_explains_an_end_before_the_start_in_dutch(db):
    placement = PlacementFactory.build(
        student=StudentFactory(), location=HousingLocationFactory(), started_on=NOV_1, ended_on=OCT_31
    )
    with pytest.raises(ValidationError) as caught:
        placement.full_clean()
    assert "De einddatum ligt vóór de begindatum." in caught.value.message_dict["ended_on"]


def test_it_explains_an_overlapping_placement_in_dutch(db):
    first = PlacementFactory(started_on=SEPT_1)
    overlapping = Placement(student=first.student, location=HousingLocationFactory(), started_on=NOV_1)
    with pytest.raises(ValidationError) as caught:
        overlapping.validate_against_stored()
    assert "Deze plaatsing overlapt met een andere plaatsing van deze leerling." in messages_of(caught.value)


def test_it_explains_an_overlapping_guardianship_in_dutch(db):
    first = GuardianshipFactory(started_on=SEPT_1, ended_on=OCT_31)
    overlapping = Guardianship(student=first.student, guardian=first.guardian, started_on=OCT_31)
    with pytest.raises(ValidationError) as caught:
        overlapping.validate_against_stored()
    assert "Deze voogdij overlapt met een andere voogdij van deze leerling." in messages_of(caught.value)


def test_it_explains_a_second_open_period_in_dutch(db):
    first = GuardianshipFactory(started_on=NOV_1)
    second = Guardianship(student=first.student, guardian=first.guardian, started_on=SEPT_1, ended_on=None)
    with pytest.raises(ValidationError) as caught:
        second.full_clean()
    assert "Deze leerling heeft al een lopende periode zonder einddatum." in messages_of(caught.value)


def test_it_knows_which_days_a_period_covers():
    closed = Placement(started_on=SEPT_1, ended_on=OCT_31)
    open_ended = Placement(started_on=NOV_1)
    assert closed.covers(SEPT_1) and closed.covers(OCT_31)
    assert not closed.covers(NOV_1)
    assert open_ended.covers(date(2099, 1, 1))
    assert not closed.overlaps(open_ended)
    assert open_ended.overlaps(Placement(started_on=date(2025, 10, 1), ended_on=NOV_1))


def test_it_finds_the_period_on_a_day(db):
    first = PlacementFactory(started_on=SEPT_1, ended_on=OCT_31)
    second = PlacementFactory(student=first.student, started_on=NOV_1)
    assert list(Placement.objects.on(OCT_31)) == [first]
    assert list(Placement.objects.on(NOV_1)) == [second]
    assert list(Placement.objects.on(date(2025, 8, 31))) == []
    assert list(Placement.objects.open()) == [second]


def test_it_keeps_the_overlap_rule_in_the_database_itself(db):
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT conname FROM pg_constraint WHERE contype = 'x' ORDER BY conname")
            names = [row[0] for row in cursor.fetchall()]
            assert names == ["students_guardianship_no_overlap", "students_placement_no_overlap"]
        else:
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND name LIKE '%no_overlap%'")
            names = sorted(row[0] for row in cursor.fetchall())
            assert names == [
                "students_guardianship_no_overlap_insert",
                "students_guardianship_no_overlap_update",
                "students_placement_no_overlap_insert",
                "students_placement_no_overlap_update",
            ]


# -- Guardianship ---------------------------------------------------------------------------------------------


def test_it_accepts_a_guardian_of_nidos(db):
    guardianship = GuardianshipFactory.build(
        student=StudentFactory(),
        guardian=ContactPersonFactory(role=Role.GUARDIAN, organisation=NidosFactory()),
    )
    guardianship.full_clean()
    guardianship.save()
    assert Guardianship.objects.open().get() == guardianship


def test_it_rejects_a_guardian_outside_a_guardianship_organisation(db):
    school_person = ContactPersonFactory(role=Role.GUARDIAN, organisation=SchoolFactory())
    guardianship = Guardianship(student=StudentFactory(), guardian=school_person, started_on=SEPT_1)
    with pytest.raises(ValidationError) as caught:
        guardianship.full_clean()
    assert caught.value.message_dict["guardian"] == [
        "Een voogd moet een voogd zijn bij een voogdij-instelling (Nidos)."
    ]


def test_it_rejects_a_guardian_who_is_not_a_guardian(db):
    team_manager = ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=NidosFactory())
    guardianship = Guardianship(student=StudentFactory(), guardian=team_manager, started_on=SEPT_1)
    with pytest.raises(ValidationError) as caught:
        guardianship.full_clean()
    assert "guardian" in caught.value.message_dict


# -- Placement ------------------------------------------------------------------------------------------------


def test_it_accepts_a_personal_worker_of_the_location(db):
    location = HousingLocationFactory()
    worker = ContactPersonFactory(role=Role.HOUSING_WORKER, organisation=location.organisation, locations=[location])
    placement = Placement(student=StudentFactory(), location=location, started_on=SEPT_1, personal_worker=worker)
    placement.full_clean()
    placement.save()
    assert Placement.objects.get(personal_worker=worker) == placement


def test_it_rejects_a_personal_worker_of_another_location(db):
    location, elsewhere = HousingLocationFactory(), HousingLocationFactory()
    worker = ContactPersonFactory(role=Role.HOUSING_WORKER, organisation=elsewhere.organisation, locations=[elsewhere])
    placement = Placement(student=StudentFactory(), location=location, started_on=SEPT_1, personal_worker=worker)
    with pytest.raises(ValidationError) as caught:
        placement.full_clean()
    assert caught.value.message_dict["personal_worker"] == ["Deze woonbegeleider werkt niet op de gekozen locatie."]


def test_it_rejects_a_placement_at_a_school_site(db):
    placement = Placement(student=StudentFactory(), location=SchoolSiteFactory(), started_on=SEPT_1)
    with pytest.raises(ValidationError) as caught:
        placement.full_clean()
    assert caught.value.message_dict["location"] == ["Kies een woonlocatie, geen schoollocatie."]


@pytest.mark.parametrize("kind", Location.HOUSING_KINDS)
def test_it_accepts_every_kind_of_housing(db, kind):
    placement = Placement(student=StudentFactory(), location=HousingLocationFactory(kind=kind), started_on=SEPT_1)
    placement.full_clean()
    placement.save()
    assert Placement.objects.get().location.is_housing


# -- SchoolClass ----------------------------------------------------------------------------------------------


def test_it_accepts_mentors_of_the_own_school(db):
    site = SchoolSiteFactory()
    mentor = ContactPersonFactory(role=Role.MENTOR, organisation=site.organisation)
    coordinator = ContactPersonFactory(role=Role.CARE_COORDINATOR, organisation=site.organisation)
    school_class = SchoolClass.objects.create(location=site, name="1A")
    school_class.validate_mentors([mentor, coordinator])
    school_class.mentors.set([mentor, coordinator])
    assert set(school_class.mentors.all()) == {mentor, coordinator}


def test_it_rejects_a_mentor_of_another_school(db):
    site = SchoolSiteFactory()
    own = ContactPersonFactory(role=Role.MENTOR, organisation=site.organisation, name="Anouk Eigen")
    foreign = ContactPersonFactory(role=Role.MENTOR, organisation=SchoolFactory(), name="Bram Elders")
    with pytest.raises(ValidationError) as caught:
        SchoolClass(location=site, name="1A").validate_mentors([own, foreign])
    assert messages_of(caught.value) == ["Geen medewerker van deze school: Bram Elders."]


def test_it_rejects_a_mentor_who_is_not_school_staff(db):
    site = SchoolSiteFactory()
    admin = ContactPersonFactory(role=Role.ADMIN, organisation=site.organisation, name="Beheer Bea")
    with pytest.raises(ValidationError) as caught:
        SchoolClass(location=site, name="1A").validate_mentors([admin])
    assert messages_of(caught.value) == ["Geen medewerker van deze school: Beheer Bea."]


def test_it_keeps_class_names_unique_per_site(db):
    school_class = SchoolClassFactory(name="1A")
    SchoolClassFactory(name="1A")
    with pytest.raises(IntegrityError), transaction.atomic():
        SchoolClassFactory(location=school_class.location, name="1A")
    assert SchoolClass.objects.filter(name="1A").count() == 2


@pytest.mark.parametrize(
    ("day", "hours"),
    [
        pytest.param(date(2025, 11, 24), 6, id="monday"),
        pytest.param(date(2025, 11, 25), 7, id="tuesday"),
        pytest.param(date(2025, 11, 26), 4, id="wednesday"),
        pytest.param(date(2025, 11, 27), 6, id="thursday"),
        pytest.param(date(2025, 11, 28), 3, id="friday"),
        pytest.param(date(2025, 11, 29), 0, id="saturday"),
        pytest.param(date(2025, 11, 30), 0, id="sunday"),
    ],
)
def test_it_knows_the_lesson_hours_of_a_day(day, hours):
    school_class = SchoolClass(hours_tuesday=7, hours_friday=3)
    assert school_class.lesson_hours_on(day) == hours
