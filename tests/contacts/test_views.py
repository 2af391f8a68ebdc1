from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from contacts.models import ContactPerson, Location, Organisation, Role
from tests.conftest import NO_STUDENT_ROLES, STUDENT_ROLES
from tests.factories import ContactPersonFactory, LocationFactory, OrganisationFactory
from tests.support import text_of

URL = reverse("contacts:directory")


def organisations_on(response):
    return [entry.organisation.name for entry in response.context["entries"]]


@pytest.mark.parametrize("role_key", STUDENT_ROLES + NO_STUDENT_ROLES)
def test_it_shows_the_directory_to_every_role(world, client, role_key):
    client.force_login(world.user(role_key))
    response = client.get(URL)
    assert response.status_code == 200
    assert "Nidos Midden" in organisations_on(response)
    assert "Voogd Vera" in text_of(response)


def test_it_groups_people_under_their_locations(world, client):
    client.force_login(world.user("mentor"))
    response = client.get(URL)
    coa = next(entry for entry in response.context["entries"] if entry.organisation == world.location.organisation)
    assert [location_entry.location for location_entry in coa.locations] == [world.location]
    assert [person.name for person in coa.locations[0].people] == ["Manager Mo", "Woon Wendy"]
    nidos = next(entry for entry in response.context["entries"] if entry.organisation == world.nidos)
    assert [person.name for person in nidos.people_without_location] == ["Team Tom", "Voogd Vera"]


def test_it_finds_a_person_by_name(world, client):
    client.force_login(world.user("mentor"))
    response = client.get(URL, {"q": "woon wendy"})
    assert organisations_on(response) == [world.location.organisation.name]
    html = text_of(response)
    assert "Woon Wendy" in html
    # The whole location is shown, with its colleagues, so the caller finds someone else when Wendy is away.
    assert "Manager Mo" in html
    assert "Voogd Vera" not in html


def test_it_finds_a_location_by_city(world, client):
    Location.objects.filter(id=world.other_location.id).update(city="Leusden")
    client.force_login(world.user("mentor"))
    response = client.get(URL, {"q": "leusden"})
    assert organisations_on(response) == [world.other_location.organisation.name]
    assert "COA Elders" in text_of(response)
    assert "COA Wiekenweg" not in text_of(response)


def test_it_finds_an_organisation_by_name_with_everything_in_it(world, client):
    client.force_login(world.user("housing_worker"))
    response = client.get(URL, {"q": "testschool"})
    assert organisations_on(response) == ["ISK Testschool"]
    html = text_of(response)
    assert "Testschool Centrum" in html
    for name in ["Mentor Marieke", "Zorg Zeynep", "Directeur Dirk", "Beheer Bea"]:
        assert name in html


def test_it_filters_by_kind_of_organisation(world, client):
    client.force_login(world.user("mentor"))
    response = client.get(URL, {"kind": Organisation.Kind.NIDOS})
    assert organisations_on(response) == ["Nidos Midden", "Nidos Noord"]
    both = client.get(URL, {"kind": Organisation.Kind.NIDOS, "q": "elders"})
    assert organisations_on(both) == ["Nidos Noord"]
    assert "Voogd Elders" in text_of(both)


def test_it_says_when_nothing_matches(world, client):
    client.force_login(world.user("mentor"))
    response = client.get(URL, {"q": "bestaat niet"})
    assert organisations_on(response) == []
    assert "Geen organisaties gevonden." in text_of(response)


def test_it_ignores_an_unknown_kind(world, client):
    client.force_login(world.user("mentor"))
    response = client.get(URL, {"kind": "geheim"})
    assert response.status_code == 200
    assert len(organisations_on(response)) == Organisation.objects.count()


def test_it_leaves_out_inactive_people(world, client):
    ContactPerson.objects.filter(name="Voogd Vera").update(is_active=False, inactive_since=world.today)
    client.force_login(world.user("mentor"))
    assert "Voogd Vera" not in text_of(client.get(URL))
    assert organisations_on(client.get(URL, {"q": "vera"})) == []


def test_it_marks_contact_details_that_were_not_checked_recently(world, client, settings):
    ContactPerson.objects.filter(name="Voogd Vera").update(verified_on=world.today - timedelta(days=200))
    client.force_login(world.user("mentor"))
    html = text_of(client.get(URL, {"q": "Voogd Vera"}))
    assert html.count("niet recent gecontroleerd") == 1
    assert "Team Tom" not in html


def test_it_refuses_to_post_to_the_directory(world, client):
    client.force_login(world.user("mentor"))
    assert client.post(URL).status_code == 405


def test_it_sends_anonymous_visitors_to_the_login(db, client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def add_housing_providers(count):
    for _ in range(count):
        organisation = OrganisationFactory(kind=Organisation.Kind.HOUSING_OTHER)
        location = LocationFactory(organisation=organisation, kind=Location.Kind.SMALL_SCALE)
        ContactPersonFactory(role=Role.HOUSING_WORKER, organisation=organisation, locations=[location])
        ContactPersonFactory(role=Role.LOCATION_MANAGER, organisation=organisation)


def test_it_lists_the_directory_in_a_fixed_number_of_queries(world, client, django_assert_num_queries):
    add_housing_providers(3)
    client.force_login(world.user("mentor"))
    query = {"kind": Organisation.Kind.HOUSING_OTHER}
    with CaptureQueriesContext(connection) as three:
        response = client.get(URL, query)
    assert len(organisations_on(response)) == 3

    add_housing_providers(7)
    with django_assert_num_queries(len(three.captured_queries)):
        response = client.get(URL, query)
    assert len(organisations_on(response)) == 10
    assert text_of(response).count('data-testid="organisation"') == 10
