from datetime import date, timedelta

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import ContactPerson, Location, Role, User
from tests.factories import ContactPersonFactory, HousingLocationFactory, UserFactory

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
