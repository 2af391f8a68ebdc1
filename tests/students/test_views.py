from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import ContactPerson, Role
from students.models import Placement, Student
from tests.conftest import NO_STUDENT_ROLES, STUDENT_ROLES
from tests.factories import ContactPersonFactory, GuardianshipFactory, PlacementFactory, StudentFactory
from tests.support import text_of

ALL_ROLES = STUDENT_ROLES + NO_STUDENT_ROLES


def list_url(**query):
    url = reverse("students:list")
    return url if not query else f"{url}?{'&'.join(f'{key}={value}' for key, value in query.items())}"


def detail_url(student):
    return reverse("students:detail", args=[student.id])


def move_url(student):
    return reverse("students:move", args=[student.id])


def placements_of(student):
    return list(
        Placement.objects.filter(student=student)
        .order_by("started_on")
        .values_list("location_id", "started_on", "ended_on", "personal_worker_id")
    )


# -- list ---------------------------------------------------------------------------------------------------------


def test_it_lists_the_students_of_a_mentor(world, client):
    client.force_login(world.user("mentor"))
    response = client.get(list_url())
    assert response.status_code == 200
    assert list(response.context["page"]) == [world.ward]
    html = text_of(response)
    assert "Yonas Tesfay" in html
    assert "COA Wiekenweg" in html
    assert "Voogd Vera" in html
    assert "Ahmad Haddad" not in html


def test_it_marks_an_unknown_location_and_guardian(world, client):
    StudentFactory(school_class=world.school_class, given_name="Nieuw", family_name="Aangekomen")
    client.force_login(world.user("mentor"))
    response = client.get(list_url(q="Aangekomen"))
    assert list(response.context["page"]) == [Student.objects.get(family_name="Aangekomen")]
    assert text_of(response).count("onbekend") == 2


@pytest.mark.parametrize("role_key", NO_STUDENT_ROLES)
def test_it_tells_roles_without_students_that_there_are_none(world, client, role_key):
    client.force_login(world.user(role_key))
    response = client.get(list_url())
    assert response.status_code == 200
    assert list(response.context["page"]) == []
    assert "U heeft (nog) geen leerlingen." in text_of(response)


def test_it_searches_the_list(world, client):
    StudentFactory(school_class=world.school_class, given_name="Amal", family_name="Saeed", student_number="2024077")
    client.force_login(world.user("care_coordinator"))

    by_name = client.get(list_url(q="saeed"))
    by_number = client.get(list_url(q="2024077"))
    nothing = client.get(list_url(q="Haddad"))

    assert [s.full_name for s in by_name.context["page"]] == ["Amal Saeed"]
    assert [s.full_name for s in by_number.context["page"]] == ["Amal Saeed"]
    assert list(nothing.context["page"]) == []
    assert "Geen leerlingen gevonden die bij uw zoekopdracht passen." in text_of(nothing)


def test_it_lists_students_who_left_on_request(world, client):
    StudentFactory(
        school_class=world.school_class,
        given_name="Lina",
        family_name="Darwish",
        status=Student.Status.LEFT,
        left_on=world.today,
    )
    client.force_login(world.user("care_coordinator"))
    assert "Lina Darwish" not in text_of(client.get(list_url()))
    response = client.get(list_url(include_left="on"))
    assert "Lina Darwish" in text_of(response)
    assert "uitgeschreven" in text_of(response)


def test_it_refuses_to_post_to_the_list(world, client):
    client.force_login(world.user("mentor"))
    assert client.post(list_url()).status_code == 405


def test_it_sends_anonymous_visitors_to_the_login(db, client):
    response = client.get(list_url())
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next={list_url()}"


def add_classmates(world, count):
    for _ in range(count):
        student = StudentFactory(school_class=world.school_class)
        PlacementFactory(student=student, location=world.location)
        GuardianshipFactory(student=student, guardian=world.user("guardian").person)


def test_it_lists_students_in_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    add_classmates(world, 2)
    client.force_login(world.user("mentor"))
    with CaptureQueriesContext(connection) as three:
        response = client.get(list_url())
    assert len(response.context["page"]) == 3

    add_classmates(world, 7)
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(list_url())
    assert len(response.context["page"]) == 10
    assert text_of(response).count("COA Wiekenweg") == 10


# -- detail ------------------------------------------------------------------------------------------------------


def test_it_shows_the_team_card(world, client):
    ContactPerson.objects.filter(name="Mentor Marieke").update(phone="033-1111111")
    ContactPerson.objects.filter(name="Woon Wendy").update(phone="06-22222222", verified_on=world.today - timedelta(12))
    ContactPerson.objects.filter(name="Voogd Vera").update(phone="030-3333333", verified_on=None)
    client.force_login(world.user("mentor"))

    response = client.get(detail_url(world.ward))

    assert response.status_code == 200
    html = text_of(response)
    card = html[html.index('data-testid="team-card"') : html.index("Woongeschiedenis")]
    for name in ["Mentor Marieke", "Zorg Zeynep", "Directeur Dirk", "Woon Wendy", "Manager Mo", "Voogd Vera"]:
        assert name in card
    assert "Team Tom" in card and "Leerplicht Lars" in card
    assert "033-1111111" in card and "06-22222222" in card and "030-3333333" in card
    assert "vandaag gecontroleerd" in card
    assert "12 dagen geleden gecontroleerd" in card
    assert "nooit gecontroleerd" in card
    assert "Let op:" not in card


def test_it_warns_about_a_team_with_holes(world, client):
    bare = StudentFactory(school_class=world.school_class, given_name="Zonder", family_name="Team")
    client.force_login(world.user("mentor"))
    html = text_of(client.get(detail_url(bare)))
    assert "Let op:" in html
    assert "geen woonlocatie" in html and "geen voogd" in html
    assert "Geen huidige woonlocatie bekend." in html


@pytest.mark.parametrize("role_key", STUDENT_ROLES)
def test_it_shows_the_student_to_everyone_around_them(world, client, role_key):
    client.force_login(world.user(role_key))
    response = client.get(detail_url(world.ward))
    assert response.status_code == 200
    assert response.context["student"] == world.ward


@pytest.mark.parametrize("role_key", ALL_ROLES)
def test_it_hides_an_outsider_from_every_role(world, client, role_key):
    client.force_login(world.user(role_key))
    assert client.get(detail_url(world.outsider_student)).status_code == 404


@pytest.mark.parametrize("role_key", NO_STUDENT_ROLES)
def test_it_hides_every_student_from_roles_without_a_relationship(world, client, role_key):
    client.force_login(world.user(role_key))
    assert client.get(detail_url(world.ward)).status_code == 404


def test_it_answers_404_for_a_student_that_does_not_exist(world, client):
    client.force_login(world.user("care_coordinator"))
    assert client.get(reverse("students:detail", args=[999_999])).status_code == 404


def test_it_offers_the_move_only_to_roles_that_may_move(world, client):
    client.force_login(world.user("housing_worker"))
    assert move_url(world.ward) in text_of(client.get(detail_url(world.ward)))
    client.force_login(world.user("mentor"))
    assert move_url(world.ward) not in text_of(client.get(detail_url(world.ward)))


def test_it_refuses_to_post_to_the_detail_page(world, client):
    client.force_login(world.user("mentor"))
    assert client.post(detail_url(world.ward)).status_code == 405


def test_it_sends_anonymous_visitors_of_a_student_to_the_login(world, client):
    response = client.get(detail_url(world.ward))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


# -- move -------------------------------------------------------------------------------------------------------


@pytest.fixture
def new_home(world):
    """The other location, with a worker of its own, for the ward to move to."""
    return ContactPersonFactory(
        role=Role.HOUSING_WORKER,
        organisation=world.other_location.organisation,
        locations=[world.other_location],
        name="Nieuwe Nadia",
    )


def test_it_shows_the_move_form(world, client):
    client.force_login(world.user("housing_worker"))
    response = client.get(move_url(world.ward))
    assert response.status_code == 200
    html = text_of(response)
    assert "Overplaatsing van Yonas Tesfay" in html
    assert "COA Elders" in html
    assert response.context["form"]["moved_on"].value() == world.today


def test_it_moves_a_student_away_and_returns_to_the_list(world, client, new_home):
    old_start, old_worker = world.ward.placements.values_list("started_on", "personal_worker").get()
    moved_on = world.today - timedelta(days=3)
    client.force_login(world.user("housing_worker"))

    response = client.post(
        move_url(world.ward),
        {"location": world.other_location.id, "moved_on": moved_on.isoformat(), "personal_worker": new_home.id},
        follow=True,
    )

    # The ward no longer lives at the worker's location, so their page would be a 404: back to the list.
    assert response.redirect_chain == [(list_url(), 302)]
    assert response.status_code == 200
    assert placements_of(world.ward) == [
        (world.location.id, old_start, moved_on - timedelta(days=1), old_worker),
        (world.other_location.id, moved_on, None, new_home.id),
    ]
    assert "Yonas Tesfay woont vanaf" in text_of(response)
    assert "op COA Elders." in text_of(response)


def test_it_moves_a_student_for_a_guardian_and_returns_to_the_student(world, client):
    client.force_login(world.user("guardian"))
    response = client.post(
        move_url(world.ward), {"location": world.other_location.id, "moved_on": world.today.isoformat()}
    )
    assert response.status_code == 302
    assert response.url == detail_url(world.ward)
    assert Placement.objects.open().get(student=world.ward).location == world.other_location


def test_it_forbids_a_mentor_to_move_a_student(world, client):
    before = placements_of(world.ward)
    client.force_login(world.user("mentor"))
    assert client.get(move_url(world.ward)).status_code == 403
    response = client.post(
        move_url(world.ward), {"location": world.other_location.id, "moved_on": world.today.isoformat()}
    )
    assert response.status_code == 403
    assert placements_of(world.ward) == before


@pytest.mark.parametrize("role_key", ["housing_worker", "guardian", "care_coordinator", "attendance_officer"])
def test_it_hides_the_move_of_an_outsider(world, client, role_key):
    before = placements_of(world.outsider_student)
    client.force_login(world.user(role_key))
    assert client.get(move_url(world.outsider_student)).status_code == 404
    response = client.post(
        move_url(world.outsider_student), {"location": world.location.id, "moved_on": world.today.isoformat()}
    )
    assert response.status_code == 404
    assert placements_of(world.outsider_student) == before


def test_it_explains_a_move_before_the_current_placement_in_dutch(world, client):
    before = placements_of(world.ward)
    client.force_login(world.user("housing_worker"))
    response = client.post(move_url(world.ward), {"location": world.other_location.id, "moved_on": "2025-08-31"})
    assert response.status_code == 200
    assert response.context["form"].errors["moved_on"] == [
        "Er is al een plaatsing die op of na deze datum begint. Kies een latere datum."
    ]
    assert "Kies een latere datum." in text_of(response)
    assert placements_of(world.ward) == before


def test_it_explains_a_missing_location_in_dutch(world, client):
    before = placements_of(world.ward)
    client.force_login(world.user("housing_worker"))
    response = client.post(move_url(world.ward), {"moved_on": world.today.isoformat()})
    assert response.status_code == 200
    assert response.context["form"].errors["location"] == ["Dit veld is verplicht."]
    assert placements_of(world.ward) == before


def test_it_refuses_to_put_a_move(world, client):
    client.force_login(world.user("housing_worker"))
    assert client.put(move_url(world.ward)).status_code == 405


# -- the pupil picker of the sick-report and appointment forms ----------------------------------------------------

SEARCH_URL = reverse("students:pupil_search")
DETAILS_URL = reverse("students:pupil_details")


def namesakes(world, count, *, location=None):
    """`count` pupils called Tarek Al-Hassan at the world's location (or `location`), each with a class."""
    pupils = StudentFactory.create_batch(
        count, given_name="Tarek", family_name="Al-Hassan", school_class=world.school_class
    )
    for pupil in pupils:
        PlacementFactory(student=pupil, location=location or world.location)
    return pupils


def test_the_picker_finds_my_namesakes_with_what_tells_them_apart(world, client):
    mine = namesakes(world, 3)
    elsewhere = namesakes(world, 1, location=world.other_location)
    client.force_login(world.user("housing_worker"))
    response = client.get(SEARCH_URL, {"zoek": "tarek al"})
    assert response.status_code == 200
    html = text_of(response)
    for pupil in mine:
        assert f'value="{pupil.id}"' in html
        assert pupil.student_number in html
        assert pupil.date_of_birth.strftime("%-d-%-m-%Y") in html
    assert "klas 1A" in html
    assert world.location.name in html
    assert f'value="{elsewhere[0].id}"' not in html


def test_the_picker_finds_by_student_number(world, client):
    [pupil, other] = namesakes(world, 2)
    client.force_login(world.user("housing_worker"))
    html = text_of(client.get(SEARCH_URL, {"zoek": pupil.student_number}))
    assert f'value="{pupil.id}"' in html
    assert f'value="{other.id}"' not in html


def test_the_picker_answers_an_empty_list_for_someone_elses_pupil(world, client):
    client.force_login(world.user("housing_worker"))
    html = text_of(client.get(SEARCH_URL, {"zoek": world.outsider_student.family_name}))
    assert 'name="student"' not in html
    assert world.outsider_student.full_name not in html


def test_the_picker_details_of_my_pupil(world, client):
    client.force_login(world.user("guardian"))
    response = client.get(DETAILS_URL, {"student": world.ward.id})
    assert response.status_code == 200
    html = text_of(response)
    assert world.ward.student_number in html
    assert world.location.name in html
    assert f'name="confirmed" value="{world.ward.id}"' in html


@pytest.mark.parametrize("student", ["outsider", "nonsense", "huge", ""])
def test_the_picker_details_are_404_for_anyone_else(world, client, student):
    wanted = {"outsider": world.outsider_student.id, "nonsense": "x", "huge": "9" * 30, "": ""}[student]
    client.force_login(world.user("housing_worker"))
    assert client.get(DETAILS_URL, {"student": wanted}).status_code == 404


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager", "attendance_officer"])
def test_the_picker_is_refused_to_roles_that_do_not_report(world, client, role_key):
    client.force_login(world.user(role_key))
    assert client.get(SEARCH_URL, {"zoek": "Yonas"}).status_code == 403
    assert client.get(DETAILS_URL, {"student": world.ward.id}).status_code == 403


def test_the_picker_sends_an_anonymous_visitor_to_the_login(client, db):
    assert client.get(SEARCH_URL, {"zoek": "a"}).status_code == 302


def picker_queries(client, query):
    with CaptureQueriesContext(connection) as queries:
        response = client.get(SEARCH_URL, {"zoek": query})
    assert response.status_code == 200
    return len(queries)


def test_the_picker_takes_the_same_queries_for_one_pupil_and_fifteen(world, client):
    client.force_login(world.user("housing_worker"))
    namesakes(world, 1)
    one = picker_queries(client, "tarek")
    namesakes(world, 14)
    assert picker_queries(client, "tarek") == one
    namesakes(world, 10)
    assert picker_queries(client, "tarek") == one
