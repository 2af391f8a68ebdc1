from datetime import timedelta

import pytest
from django.contrib import admin
from django.urls import reverse

from contacts.admin import ContactPersonForm
from contacts.models import ContactPerson, Location, Organisation, Role, User
from contacts.services import contact_deactivate
from tests.factories import ContactPersonFactory, SchoolFactory
from tests.support import admin_url, text_of

CONTACT_MODELS = [Organisation, Location, ContactPerson, User]


@pytest.mark.parametrize("model", CONTACT_MODELS, ids=lambda model: model.__name__)
def test_it_registers_every_contacts_model(model):
    assert model in admin.site._registry


@pytest.mark.parametrize("model", CONTACT_MODELS, ids=lambda model: model.__name__)
def test_it_loads_the_changelist(admin_client, model):
    response = admin_client.get(admin_url(model, "changelist"))
    assert response.status_code == 200
    assert response.context["cl"].result_count == model.objects.count() > 0


@pytest.mark.parametrize("model", CONTACT_MODELS, ids=lambda model: model.__name__)
def test_it_loads_the_add_and_change_pages(admin_client, model):
    assert admin_client.get(admin_url(model, "add")).status_code == 200
    assert admin_client.get(admin_url(model, "change", model.objects.first().pk)).status_code == 200


@pytest.mark.parametrize("model", CONTACT_MODELS, ids=lambda model: model.__name__)
def test_it_searches_the_changelist(admin_client, model):
    response = admin_client.get(admin_url(model, "changelist"), {"q": "Elders"})
    assert response.status_code == 200


def test_it_keeps_people_without_admin_rights_out(world, client):
    client.force_login(world.user("care_coordinator"))
    response = client.get(admin_url(ContactPerson, "changelist"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("admin:login"))


def test_it_filters_contacts_that_were_not_checked_recently(world, admin_client):
    ContactPerson.objects.update(verified_on=world.today - timedelta(days=1))
    ContactPerson.objects.filter(name="Voogd Vera").update(verified_on=None)
    ContactPerson.objects.filter(name="Woon Wendy").update(verified_on=world.today - timedelta(days=200))

    stale = admin_client.get(admin_url(ContactPerson, "changelist"), {"verified": "stale"})
    fresh = admin_client.get(admin_url(ContactPerson, "changelist"), {"verified": "fresh"})

    assert stale.status_code == 200
    assert [person.name for person in stale.context["cl"].result_list] == ["Voogd Vera", "Woon Wendy"]
    assert "Mentor Marieke" in [person.name for person in fresh.context["cl"].result_list]
    assert {person.name for person in fresh.context["cl"].result_list}.isdisjoint({"Voogd Vera", "Woon Wendy"})
    assert fresh.context["cl"].result_count == ContactPerson.objects.count() - 2
    assert "Niet gecontroleerd in 90 dagen" in text_of(stale)


def test_it_marks_contacts_as_checked_today(world, admin_client):
    stale = ContactPersonFactory(verified_on=None, name="Oude Gegevens")
    response = admin_client.post(
        admin_url(ContactPerson, "changelist"),
        {"action": "mark_verified", "_selected_action": [stale.pk]},
        follow=True,
    )
    assert response.status_code == 200
    stale.refresh_from_db()
    assert stale.verified_on == world.today
    assert "1 contactpersonen gemarkeerd als gecontroleerd." in text_of(response)


def person_form_data(organisation, role, **extra):
    return {"name": "Nieuwe Collega", "organisation": organisation.pk, "role": role, "is_active": "on", **extra}


def test_it_refuses_a_guardian_at_a_school(world, admin_client):
    response = admin_client.post(admin_url(ContactPerson, "add"), person_form_data(world.school, Role.GUARDIAN))
    assert response.status_code == 200
    assert response.context["adminform"].form.errors["role"] == [
        "Deze rol past niet bij een organisatie van de soort 'School (ISK)'."
    ]
    assert not ContactPerson.objects.filter(name="Nieuwe Collega").exists()


def test_it_saves_a_guardian_at_nidos(world, admin_client):
    response = admin_client.post(admin_url(ContactPerson, "add"), person_form_data(world.nidos, Role.GUARDIAN))
    assert response.status_code == 302
    assert ContactPerson.objects.get(name="Nieuwe Collega").organisation == world.nidos


@pytest.mark.parametrize(
    ("kind", "role", "valid"),
    [
        (Organisation.Kind.SCHOOL, Role.MENTOR, True),
        (Organisation.Kind.SCHOOL, Role.HOUSING_WORKER, False),
        (Organisation.Kind.COA, Role.HOUSING_WORKER, True),
        (Organisation.Kind.NIDOS, Role.LOCATION_MANAGER, True),
        (Organisation.Kind.COA, Role.GUARDIAN, False),
        (Organisation.Kind.NIDOS, Role.GUARDIAN_TEAM_MANAGER, True),
        (Organisation.Kind.MUNICIPALITY, Role.ATTENDANCE_OFFICER, True),
        (Organisation.Kind.SCHOOL, Role.ATTENDANCE_OFFICER, False),
        (Organisation.Kind.COA, Role.ADMIN, True),
    ],
)
def test_it_matches_roles_to_kinds_of_organisation(db, kind, role, valid):
    organisation = Organisation.objects.create(name="Organisatie", kind=kind)
    form = ContactPersonForm(data=person_form_data(organisation, role))
    assert form.is_valid() is valid
    assert ("role" in form.errors) is not valid


def test_it_refuses_locations_of_another_organisation(world):
    form = ContactPersonForm(
        data=person_form_data(world.location.organisation, Role.HOUSING_WORKER, locations=[world.other_location.pk])
    )
    assert not form.is_valid()
    assert form.errors["locations"] == ["Deze locaties horen bij een andere organisatie: COA Elders."]


def test_it_creates_a_login_for_a_contact_person(world, admin_client):
    person = ContactPersonFactory(organisation=SchoolFactory(), name="Nieuwe Mentor")
    response = admin_client.post(
        admin_url(User, "add"),
        {
            "username": "nieuwe.mentor",
            "person": person.pk,
            "usable_password": "true",
            "password1": "een-lang-en-sterk-wachtwoord",
            "password2": "een-lang-en-sterk-wachtwoord",
        },
    )
    assert response.status_code == 302
    user = User.objects.get(username="nieuwe.mentor")
    assert user.person == person
    assert user.check_password("een-lang-en-sterk-wachtwoord")


# -- switching a person off and on goes through contact_deactivate / contact_reactivate ----------------------------


def change_person(admin_client, person, *, active):
    data = person_form_data(person.organisation, person.role, name=person.name)
    if not active:
        del data["is_active"]
    return admin_client.post(admin_url(ContactPerson, "change", person.pk), data)


def test_it_deactivates_a_person_and_their_login_in_the_admin(world, admin_client):
    guardian = world.user("guardian")
    response = change_person(admin_client, guardian.person, active=False)
    assert response.status_code == 302
    guardian.refresh_from_db()
    guardian.person.refresh_from_db()
    assert (guardian.person.is_active, guardian.person.inactive_since) == (False, world.today)
    assert not guardian.is_active


def test_it_reactivates_a_person_and_their_login_in_the_admin(world, admin_client):
    guardian = world.user("guardian")
    contact_deactivate(person=guardian.person, on=world.today - timedelta(days=3))
    assert (
        admin_client.get(admin_url(ContactPerson, "change", guardian.person.pk))
        .context["adminform"]
        .form["is_active"]
        .initial
        is False
    )
    response = change_person(admin_client, guardian.person, active=True)
    assert response.status_code == 302
    guardian.refresh_from_db()
    guardian.person.refresh_from_db()
    assert (guardian.person.is_active, guardian.person.inactive_since, guardian.is_active) == (True, None, True)


def test_it_keeps_the_date_when_an_inactive_person_is_edited(world, admin_client):
    person = world.user("guardian").person
    contact_deactivate(person=person, on=world.today - timedelta(days=3))
    response = change_person(admin_client, ContactPerson.objects.get(pk=person.pk), active=False)
    assert response.status_code == 302
    person.refresh_from_db()
    assert (person.is_active, person.inactive_since) == (False, world.today - timedelta(days=3))


def test_it_adds_a_person_who_is_no_longer_active(world, admin_client):
    data = person_form_data(world.nidos, Role.GUARDIAN)
    del data["is_active"]
    response = admin_client.post(admin_url(ContactPerson, "add"), data)
    assert response.status_code == 302
    person = ContactPerson.objects.get(name="Nieuwe Collega")
    assert (person.is_active, person.inactive_since) == (False, world.today)
