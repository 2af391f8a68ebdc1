from datetime import date, timedelta

import pytest
from django.contrib import admin

from attendance.models import ExplanationRequest
from contacts.models import Role
from students.models import Guardianship, Placement, SchoolClass, Student
from students.signals import student_left
from tests.attendance.factories import AttendanceRecordFactory, ExplanationRequestFactory
from tests.factories import (
    ContactPersonFactory,
    GuardianshipFactory,
    PlacementFactory,
    SchoolClassFactory,
    StudentFactory,
)
from tests.support import admin_url, text_of

STUDENT_MODELS = [SchoolClass, Student]


@pytest.mark.parametrize("model", STUDENT_MODELS, ids=lambda model: model.__name__)
def test_it_registers_the_students_models(model):
    assert model in admin.site._registry


@pytest.mark.parametrize("model", STUDENT_MODELS, ids=lambda model: model.__name__)
def test_it_loads_the_changelist(admin_client, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", STUDENT_MODELS, ids=lambda model: model.__name__)
def test_it_loads_the_add_and_change_pages(admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", model.objects.first().pk)).status_code == 200


def test_it_shows_placements_and_guardianships_on_the_student_page(world, admin_client):
    response = admin_client.get(admin_url(Student, "change", world.ward.pk))
    formsets = {formset.formset.prefix: formset.formset for formset in response.context["inline_admin_formsets"]}
    assert [form.instance for form in formsets["placements"].forms] == list(world.ward.placements.all())
    assert [form.instance for form in formsets["guardianships"].forms] == list(world.ward.guardianships.all())


def test_it_searches_students_by_number(world, admin_client):
    response = admin_client.get(admin_url(Student, "changelist"), {"q": world.outsider_student.student_number})
    assert list(response.context["cl"].result_list) == [world.outsider_student]


def test_it_filters_students_with_an_incomplete_team(world, admin_client):
    homeless = StudentFactory(school_class=world.school_class, given_name="Zonder", family_name="Woonplek")
    GuardianshipFactory(student=homeless)
    unguarded = PlacementFactory(student=StudentFactory(given_name="Zonder", family_name="Voogd")).student
    StudentFactory(given_name="Uitgeschreven", status=Student.Status.LEFT, left_on=date(2025, 12, 1))

    response = admin_client.get(admin_url(Student, "changelist"), {"team": "incomplete"})

    assert response.status_code == 200
    assert set(response.context["cl"].result_list) == {homeless, unguarded}
    assert "Actief, zonder huidige voogd of woonlocatie" in text_of(response)


# -- the inline period formsets -----------------------------------------------------------------------------------


def student_form_data(student, *, placements=(), guardianships=()):
    """The POST of the student change page: the student's own fields plus both inline formsets.

    Only new inline rows: the student must not have placements or guardianships yet.
    """
    data = {
        "school": student.school_id,
        "school_class": student.school_class_id or "",
        "given_name": student.given_name,
        "family_name": student.family_name,
        "date_of_birth": student.date_of_birth.isoformat(),
        "student_number": student.student_number,
        "arrival_date": "",
        "enrolled_on": student.enrolled_on.isoformat(),
        "status": student.status,
        "left_on": "",
        "nationality": "",
        "languages": "",
        "_save": "Opslaan",
    }
    for prefix, rows in (("placements", placements), ("guardianships", guardianships)):
        data.update(
            {
                f"{prefix}-TOTAL_FORMS": len(rows),
                f"{prefix}-INITIAL_FORMS": 0,
                f"{prefix}-MIN_NUM_FORMS": 0,
                f"{prefix}-MAX_NUM_FORMS": 1000,
            }
        )
        for index, row in enumerate(rows):
            data.update({f"{prefix}-{index}-{field}": value for field, value in row.items()})
    return data


def placement_row(location, started_on, ended_on=""):
    return {"location": location.pk, "started_on": started_on, "ended_on": ended_on, "personal_worker": ""}


def inline_errors(response, prefix):
    formset = next(f.formset for f in response.context["inline_admin_formsets"] if f.formset.prefix == prefix)
    return [str(error) for error in formset.non_form_errors()], [form.errors for form in formset.forms]


@pytest.fixture
def newcomer(world):
    return StudentFactory(school_class=world.school_class, given_name="Nieuw", family_name="Aangemeld")


def test_it_saves_two_consecutive_placements_at_once(world, admin_client, newcomer):
    data = student_form_data(
        newcomer,
        placements=[
            placement_row(world.other_location, "2025-09-01", "2025-10-31"),
            placement_row(world.location, "2025-11-01"),
        ],
    )
    response = admin_client.post(admin_url(Student, "change", newcomer.pk), data)
    assert response.status_code == 302
    assert list(newcomer.placements.order_by("started_on").values_list("location", "ended_on")) == [
        (world.other_location.pk, date(2025, 10, 31)),
        (world.location.pk, None),
    ]


def test_it_refuses_two_overlapping_new_placements_with_a_form_error(world, admin_client, newcomer):
    data = student_form_data(
        newcomer,
        placements=[
            placement_row(world.other_location, "2025-09-01", "2025-10-31"),
            placement_row(world.location, "2025-10-15", "2025-12-31"),
        ],
    )
    response = admin_client.post(admin_url(Student, "change", newcomer.pk), data)
    assert response.status_code == 200
    assert inline_errors(response, "placements")[0] == ["Twee periodes overlappen elkaar. Pas de datums aan."]
    assert not Placement.objects.filter(student=newcomer).exists()


def test_it_refuses_two_open_new_placements_with_a_form_error(world, admin_client, newcomer):
    data = student_form_data(
        newcomer,
        placements=[placement_row(world.other_location, "2025-09-01"), placement_row(world.location, "2025-11-01")],
    )
    response = admin_client.post(admin_url(Student, "change", newcomer.pk), data)
    assert response.status_code == 200
    assert inline_errors(response, "placements")[0] == ["Er kan maar één periode zonder einddatum zijn."]
    assert not Placement.objects.filter(student=newcomer).exists()


def test_it_refuses_overlapping_new_guardianships_with_a_form_error(world, admin_client, newcomer):
    guardian = world.user("guardian").person
    data = student_form_data(
        newcomer,
        guardianships=[
            {"guardian": guardian.pk, "started_on": "2025-09-01", "ended_on": "2025-12-31"},
            {"guardian": guardian.pk, "started_on": "2025-12-31", "ended_on": ""},
        ],
    )
    response = admin_client.post(admin_url(Student, "change", newcomer.pk), data)
    assert response.status_code == 200
    assert inline_errors(response, "guardianships")[0] == ["Twee periodes overlappen elkaar. Pas de datums aan."]
    assert not Guardianship.objects.filter(student=newcomer).exists()


def ward_form_data(world, *, current_ended_on="", new_placement=None):
    """The ward's change page POST: their stored placement and guardianship, and optionally one new placement."""
    placement = world.ward.placements.get()
    guardianship = world.ward.guardianships.get()
    data = student_form_data(world.ward)
    rows = [placement_row(world.location, placement.started_on.isoformat(), current_ended_on)]
    if new_placement:
        rows.append(new_placement)
    data.update(
        {
            "placements-TOTAL_FORMS": len(rows),
            "placements-INITIAL_FORMS": 1,
            "placements-0-id": placement.pk,
            "placements-0-student": world.ward.pk,
            "guardianships-TOTAL_FORMS": 1,
            "guardianships-INITIAL_FORMS": 1,
            "guardianships-0-id": guardianship.pk,
            "guardianships-0-student": world.ward.pk,
            "guardianships-0-guardian": guardianship.guardian_id,
            "guardianships-0-started_on": guardianship.started_on.isoformat(),
            "guardianships-0-ended_on": "",
        }
    )
    for index, row in enumerate(rows):
        data.update({f"placements-{index}-{field}": value for field, value in row.items()})
    return data


def test_it_refuses_a_new_placement_overlapping_a_stored_one(world, admin_client):
    data = ward_form_data(world, new_placement=placement_row(world.other_location, "2025-06-01", "2025-09-30"))
    response = admin_client.post(admin_url(Student, "change", world.ward.pk), data)
    assert response.status_code == 200
    assert inline_errors(response, "placements")[0] == ["Twee periodes overlappen elkaar. Pas de datums aan."]
    assert world.ward.placements.count() == 1


def test_it_saves_the_stored_rows_unchanged(world, admin_client):
    response = admin_client.post(admin_url(Student, "change", world.ward.pk), ward_form_data(world))
    assert response.status_code == 302
    assert world.ward.placements.get().ended_on is None


def test_it_ends_the_current_placement_and_adds_the_next_in_one_save(world, admin_client):
    data = ward_form_data(
        world, current_ended_on="2025-11-30", new_placement=placement_row(world.other_location, "2025-12-01")
    )
    response = admin_client.post(admin_url(Student, "change", world.ward.pk), data)
    assert response.status_code == 302
    assert list(world.ward.placements.order_by("started_on").values_list("location", "ended_on")) == [
        (world.location.pk, date(2025, 11, 30)),
        (world.other_location.pk, None),
    ]


# -- school classes -----------------------------------------------------------------------------------------------


def class_form_data(world, mentors):
    return {
        "location": world.site.pk,
        "name": "2B",
        "mentors": [mentor.pk for mentor in mentors],
        "kind": SchoolClass.Kind.MIXED,
        "day_starts_at": "09:15",
        "hours_monday": 6,
        "hours_tuesday": 6,
        "hours_wednesday": 4,
        "hours_thursday": 6,
        "hours_friday": 5,
    }


def test_it_refuses_a_mentor_of_another_school_in_the_class_form(world, admin_client):
    foreign = ContactPersonFactory(role=Role.MENTOR, name="Mentor Elders")
    response = admin_client.post(admin_url(SchoolClass, "add"), class_form_data(world, [foreign]))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["mentors"] == ["Geen medewerker van deze school: Mentor Elders."]
    assert not SchoolClass.objects.filter(name="2B").exists()


def test_it_saves_a_class_with_its_own_mentor(world, admin_client):
    mentor = world.user("mentor").person
    response = admin_client.post(admin_url(SchoolClass, "add"), class_form_data(world, [mentor]))
    assert response.status_code == 302
    assert list(SchoolClass.objects.get(name="2B").mentors.all()) == [mentor]


# -- lifecycle through the admin: enrolment, class change, leaving, a new guardian ---------------------------------


def test_it_lets_a_pupil_leave_through_the_services_so_no_request_stays_open(world, admin_client):
    request = ExplanationRequestFactory(record=AttendanceRecordFactory(student=world.ward, absent=True))
    announced = []

    def receiver(sender, **kwargs):
        announced.append(kwargs["student"].id)

    student_left.connect(receiver)
    try:
        data = {**ward_form_data(world), "status": Student.Status.LEFT, "left_on": world.today.isoformat()}
        response = admin_client.post(admin_url(Student, "change", world.ward.pk), data)
    finally:
        student_left.disconnect(receiver)

    assert response.status_code == 302
    world.ward.refresh_from_db()
    assert (world.ward.status, world.ward.left_on) == (Student.Status.LEFT, world.today)
    assert announced == [world.ward.id]
    request.refresh_from_db()
    assert (request.status, request.closed_by) == (ExplanationRequest.Status.CANCELLED, world.user("admin"))
    assert not ExplanationRequest.objects.filter(student=world.ward, status=ExplanationRequest.Status.OPEN).exists()


def test_it_shows_a_refused_leaving_date_as_a_form_error(world, admin_client):
    request = ExplanationRequestFactory(record=AttendanceRecordFactory(student=world.ward, absent=True))
    tomorrow = world.today + timedelta(days=1)
    data = {**ward_form_data(world), "status": Student.Status.LEFT, "left_on": tomorrow.isoformat()}
    response = admin_client.post(admin_url(Student, "change", world.ward.pk), data)
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["left_on"] == [
        "Een uitschrijfdatum kan niet in de toekomst liggen."
    ]
    world.ward.refresh_from_db()
    assert world.ward.status == Student.Status.ACTIVE
    request.refresh_from_db()
    assert request.status == ExplanationRequest.Status.OPEN


def test_it_changes_the_class_and_the_other_fields_in_one_save(world, admin_client):
    other = SchoolClassFactory(location=world.site, name="2B")
    data = {**ward_form_data(world), "school_class": other.pk, "languages": "Tigrinya"}
    response = admin_client.post(admin_url(Student, "change", world.ward.pk), data)
    assert response.status_code == 302
    world.ward.refresh_from_db()
    assert (world.ward.school_class, world.ward.languages) == (other, "Tigrinya")


def test_it_refuses_a_class_of_another_school_in_the_student_form(world, admin_client):
    foreign = SchoolClassFactory(name="Elders 1")
    response = admin_client.post(
        admin_url(Student, "change", world.ward.pk), {**ward_form_data(world), "school_class": foreign.pk}
    )
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["school_class"] == ["Deze klas hoort bij een andere school."]
    world.ward.refresh_from_db()
    assert world.ward.school_class == world.school_class


def test_it_enrols_a_new_pupil_with_their_first_placement(world, admin_client):
    newcomer = Student(
        school=world.school,
        school_class=world.school_class,
        given_name="Senait",
        family_name="Tekle",
        date_of_birth=date(2010, 3, 4),
        student_number="2025999",
        enrolled_on=date(2025, 11, 3),
    )
    data = student_form_data(newcomer, placements=[placement_row(world.location, "2025-11-01")])
    del data["status"], data["left_on"]
    response = admin_client.post(admin_url(Student, "add"), data)
    assert response.status_code == 302
    enrolled = Student.objects.get(student_number="2025999")
    assert (enrolled.full_name, enrolled.status, enrolled.school_class) == (
        "Senait Tekle",
        Student.Status.ACTIVE,
        world.school_class,
    )
    assert list(enrolled.placements.values_list("location", "started_on")) == [(world.location.pk, date(2025, 11, 1))]


def test_it_has_no_leaving_fields_on_the_add_page(admin_client):
    form = admin_client.get(admin_url(Student, "add")).context["adminform"].form
    assert "status" not in form.fields and "left_on" not in form.fields


def test_it_refuses_an_inactive_guardian_for_a_new_guardianship(world, admin_client, newcomer):
    gone = ContactPersonFactory(
        role=Role.GUARDIAN, organisation=world.nidos, is_active=False, inactive_since=world.today
    )
    row = {"guardian": gone.pk, "started_on": "2025-09-01", "ended_on": ""}
    data = student_form_data(newcomer, guardianships=[row])
    response = admin_client.post(admin_url(Student, "change", newcomer.pk), data)
    assert response.status_code == 200
    assert inline_errors(response, "guardianships")[1] == [
        {"guardian": ["Deze voogd is niet meer actief. Kies een actieve voogd."]}
    ]
    assert not Guardianship.objects.filter(student=newcomer).exists()
