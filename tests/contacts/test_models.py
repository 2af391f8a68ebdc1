from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import ContactPerson, Location, Role, User
from tests.factories import ContactPersonFactory, HousingLocationFactory, NidosFactory, UserFactory

TODAY = date(2026, 3, 10)


def test_it_requires_a_contact_person_behind_a_login(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        User.objects.create_user(username="zonder-persoon", password="x")
    assert not User.objects.filter(username="zonder-persoon").exists()


def test_it_explains_a_login_without_contact_person_in_dutch(db):
    user = User(username="zonder-persoon")
    user.set_password("amvcoord-test-password")
    with pytest.raises(ValidationError) as caught:
        user.full_clean()
    assert "Een login hoort bij een contactpersoon." in caught.value.messages


def test_it_allows_a_technical_superuser_without_contact_person(db):
    user = User.objects.create_superuser(username="root", password="amvcoord-test-password")
    assert user.person is None
    assert user.role == Role.ADMIN
    assert str(user) == "root"


def test_it_takes_role_and_name_from_the_contact_person(db):
    user = UserFactory(person=ContactPersonFactory(role=Role.GUARDIAN, name="Voogd Vera", email="vera@nidos.nl"))
    assert (user.role, user.display_name, user.email) == (Role.GUARDIAN, "Voogd Vera", "vera@nidos.nl")


def test_it_gives_no_role_to_a_login_that_is_neither(db):
    assert User(username="niemand").role is None


def test_it_keeps_location_names_unique_per_organisation(db):
    location = HousingLocationFactory(name="Wiekenweg")
    HousingLocationFactory(name="Wiekenweg")
    with pytest.raises(IntegrityError), transaction.atomic():
        HousingLocationFactory(organisation=location.organisation, name="Wiekenweg")
    assert Location.objects.filter(name="Wiekenweg").count() == 2


@time_machine.travel(TODAY, tick=False)
def test_it_calls_contact_details_stale_after_ninety_days(db, settings):
    settings.CONTACT_STALE_AFTER_DAYS = 90
    never = ContactPersonFactory(name="Nooit", verified_on=None)
    old = ContactPersonFactory(name="Oud", verified_on=TODAY - timedelta(days=91))
    border = ContactPersonFactory(name="Grens", verified_on=TODAY - timedelta(days=90))
    fresh = ContactPersonFactory(name="Vers", verified_on=TODAY - timedelta(days=1))
    assert list(ContactPerson.objects.stale()) == [never, old]
    assert [never.is_stale(), old.is_stale(), border.is_stale(), fresh.is_stale()] == [True, True, False, False]
    assert (never.verified_days_ago(), fresh.verified_days_ago()) == (None, 1)


def test_it_lists_only_active_people(db):
    active = ContactPersonFactory(is_active=True)
    ContactPersonFactory(is_active=False, inactive_since=date(2025, 1, 1))
    assert list(ContactPerson.objects.active()) == [active]


# -- own managers and the duty contact: whom a manager step notifies ------------------------------------------------


@pytest.fixture
def nidos_team(db):
    nidos = NidosFactory(name="Nidos Zuid")
    manager = ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=nidos, name="Team Zuid")
    guardian = ContactPersonFactory(role=Role.GUARDIAN, organisation=nidos, name="Voogd Zuid")
    return nidos, manager, guardian


def test_a_guardians_manager_is_a_team_manager_of_the_same_organisation(nidos_team):
    _nidos, manager, guardian = nidos_team
    guardian.manager = manager
    guardian.full_clean()


@pytest.mark.parametrize("wrong", ["other_organisation", "wrong_role", "self"])
def test_it_refuses_a_manager_of_another_organisation_or_role(nidos_team, wrong):
    nidos, _manager, guardian = nidos_team
    guardian.manager = {
        "other_organisation": ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=NidosFactory()),
        "wrong_role": ContactPersonFactory(role=Role.GUARDIAN, organisation=nidos),
        "self": guardian,
    }[wrong]
    with pytest.raises(ValidationError) as caught:
        guardian.full_clean()
    assert caught.value.message_dict["manager"] == ["De manager is een teammanager voogdij van dezelfde organisatie."]


def test_a_housing_workers_manager_is_a_location_manager_of_the_same_organisation(db):
    location = HousingLocationFactory()
    worker = ContactPersonFactory(role=Role.HOUSING_WORKER, organisation=location.organisation)
    worker.manager = ContactPersonFactory(role=Role.LOCATION_MANAGER, organisation=location.organisation)
    worker.full_clean()
    worker.manager = ContactPersonFactory(role=Role.HOUSING_WORKER, organisation=location.organisation)
    with pytest.raises(ValidationError):
        worker.full_clean()


def test_only_a_guardian_or_housing_worker_has_an_own_manager(nidos_team):
    _nidos, manager, _guardian = nidos_team
    manager.manager = ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=manager.organisation)
    with pytest.raises(ValidationError) as caught:
        manager.full_clean()
    assert "manager" in caught.value.message_dict


def test_the_duty_contact_belongs_to_the_organisation(nidos_team):
    nidos, manager, _guardian = nidos_team
    nidos.duty_contact = manager
    nidos.full_clean()
    nidos.duty_contact = ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=NidosFactory())
    with pytest.raises(ValidationError) as caught:
        nidos.full_clean()
    assert caught.value.message_dict["duty_contact"] == ["De dienstdoende contactpersoon hoort bij deze organisatie."]


def test_a_deleted_manager_leaves_the_guardian_without_one(nidos_team):
    _nidos, manager, guardian = nidos_team
    guardian.manager = manager
    guardian.save()
    manager.delete()
    guardian.refresh_from_db()
    assert guardian.manager is None
