from datetime import timedelta

import pytest
from django.urls import reverse

from contacts.models import ContactPerson, User
from tests.conftest import NO_STUDENT_ROLES, STUDENT_ROLES
from tests.factories import StudentFactory
from tests.support import text_of

URL = reverse("home")

# What each role needs first thing in the morning, in the words the page uses.
ROLE_CONTENT = {
    "mentor": ["Welkom, Mentor Marieke", "Mijn klassen", "1A", "3 leerlingen", "Bekijk alle 3 leerlingen"],
    "care_coordinator": ["Welkom, Zorg Zeynep", "Zorgcoördinator", "Team niet compleet", "Zonder Team"],
    "school_management": ["Welkom, Directeur Dirk", "Schoolleiding", "Team niet compleet", "Zonder Team"],
    "housing_worker": ["Welkom, Woon Wendy", "Mijn woonlocaties", "COA Wiekenweg", "2 bewoners"],
    "location_manager": ["Welkom, Manager Mo", "Mijn woonlocaties", "COA Wiekenweg", "Team niet compleet"],
    "guardian": ["Welkom, Voogd Vera", "Mijn pupillen", "Yonas Tesfay"],
    "guardian_team_manager": ["Welkom, Team Tom", "Pupillen van mijn team", "Yonas Tesfay"],
    "attendance_officer": [
        "Welkom, Leerplicht Lars",
        "Als leerplichtambtenaar ziet u in amvcoord geen leerlinggegevens",
    ],
    "admin": [
        "Welkom, Beheer Bea",
        "1 contactpersoon niet recent gecontroleerd",
        "2 actieve leerlingen zonder voogd of woonlocatie",
    ],
}
# Cards that belong to other roles and must not show up.
ROLE_ABSENT = {
    "mentor": ["Mijn woonlocaties", "Mijn pupillen", "Team niet compleet"],
    "care_coordinator": ["Mijn klassen", "Mijn woonlocaties", "Mijn pupillen"],
    "school_management": ["Mijn woonlocaties", "Mijn pupillen"],
    "housing_worker": ["Mijn klassen", "Mijn pupillen", "Team niet compleet"],
    "location_manager": ["Mijn klassen", "Mijn pupillen"],
    "guardian": ["Mijn klassen", "Mijn woonlocaties", "Team niet compleet"],
    "guardian_team_manager": ["Mijn klassen", "Mijn woonlocaties", "Mijn pupillen"],
    "attendance_officer": ["Yonas Tesfay", "Mijn klassen", "Bekijk"],
    "admin": ["Yonas Tesfay", "Mijn klassen", "Bekijk"],
}


@pytest.fixture
def home_world(world):
    """The world, plus two classmates of the ward with a hole in their team.

    "Zonder Team" has neither housing nor a guardian on file; "Nog Ongevoogd" lives at the ward's location but
    has no guardian, so the location manager has an incomplete team to look after as well.
    """
    StudentFactory(school_class=world.school_class, given_name="Zonder", family_name="Team")
    resident_without_guardian = StudentFactory(
        school_class=world.school_class, given_name="Nog", family_name="Ongevoogd"
    )
    resident_without_guardian.placements.create(location=world.location, started_on=world.today - timedelta(days=1))
    ContactPerson.objects.filter(name="Voogd Elders").update(verified_on=None)
    return world


@pytest.mark.parametrize("role_key", STUDENT_ROLES + NO_STUDENT_ROLES)
def test_it_shows_each_role_its_own_start_page(home_world, client, role_key):
    client.force_login(home_world.user(role_key))
    response = client.get(URL)
    assert response.status_code == 200
    html = text_of(response)
    for text in ROLE_CONTENT[role_key]:
        assert text in html, text
    for text in ROLE_ABSENT[role_key]:
        assert text not in html, text


def test_it_counts_what_the_admin_should_look_after(home_world, client):
    client.force_login(home_world.user("admin"))
    response = client.get(URL)
    # Voogd Elders was never checked; the two classmates lack a guardian and one of them a home too.
    assert (response.context["stale_contacts"], response.context["incomplete_students"]) == (1, 2)
    assert f"{reverse('admin:contacts_contactperson_changelist')}?verified=stale" in text_of(response)
    assert f"{reverse('admin:students_student_changelist')}?team=incomplete" in text_of(response)


def test_it_welcomes_a_superuser_without_contact_person(db, client):
    root = User.objects.create_superuser(username="root", password="amvcoord-test-password")
    client.force_login(root)
    response = client.get(URL)
    assert response.status_code == 200
    assert "Welkom, root" in text_of(response)
    assert "Organisaties en locaties" in text_of(response)


def test_it_greets_an_inactive_person_without_their_students(world, client):
    ContactPerson.objects.filter(name="Mentor Marieke").update(is_active=False, inactive_since=world.today)
    client.force_login(world.user("mentor"))
    response = client.get(URL)
    assert response.status_code == 200
    assert "Mijn klassen" not in text_of(response)
    assert "Yonas Tesfay" not in text_of(response)


def test_it_sends_anonymous_visitors_to_the_login(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url == f"{reverse('login')}?next=/"


def test_it_refuses_to_post_to_the_start_page(world, client):
    client.force_login(world.user("mentor"))
    assert client.post(URL).status_code == 405


# -- the header: its links come from the access policy (amvcoord.context_processors.navigation) -----------------

HEADER_LINKS = {
    "attendance:today": {"mentor", "care_coordinator"},
    "attendance:inbox": {"housing_worker", "location_manager", "guardian"},
    "attendance:decisions": {"care_coordinator"},
    "escalation:dashboard": {"care_coordinator"},
    "escalation:mine": {
        "mentor",
        "school_management",
        "housing_worker",
        "location_manager",
        "guardian",
        "guardian_team_manager",
    },
}


def header_of(response) -> str:
    return response.content.decode().split("</nav>")[0]


@pytest.mark.parametrize("role_key", STUDENT_ROLES + NO_STUDENT_ROLES)
def test_it_links_in_the_header_only_the_pages_the_role_may_use(world, client, role_key):
    client.force_login(world.user(role_key))
    header = header_of(client.get(URL))
    for name, roles in HEADER_LINKS.items():
        assert (f'href="{reverse(name)}"' in header) == (role_key in roles), name
        if role_key in roles:
            assert client.get(reverse(name)).status_code in (200, 302), name


def test_it_shows_school_management_their_roster_in_the_header_once_they_mentor_a_class(world, client):
    """The roster is theirs for the classes they mentor (docs/access.md), and so is "Vandaag" in the header."""
    management = world.user("school_management")
    client.force_login(management)
    assert f'href="{reverse("attendance:today")}"' not in header_of(client.get(URL))
    world.school_class.mentors.add(management.person)
    assert f'href="{reverse("attendance:today")}"' in header_of(client.get(URL))
