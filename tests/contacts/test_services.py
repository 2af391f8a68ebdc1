from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contacts.models import ContactPerson, User
from contacts.services import contact_deactivate, contact_reactivate
from tests.factories import ContactPersonFactory, UserFactory

TODAY = date(2026, 3, 10)


@pytest.fixture(autouse=True)
def today():
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=ZoneInfo("Europe/Amsterdam")), tick=False):
        yield


@pytest.fixture
def login(db):
    return UserFactory(username="vera", person=ContactPersonFactory(name="Voogd Vera"))


def state(login):
    person = ContactPerson.objects.get(id=login.person_id)
    return person.is_active, person.inactive_since, User.objects.get(id=login.id).is_active


def test_it_deactivates_a_person_today_and_switches_their_login_off(login):
    person = contact_deactivate(person=login.person)
    assert state(login) == (False, TODAY, False)
    assert (login.person.is_active, login.person.inactive_since) == (False, TODAY)
    assert person == login.person


def test_it_deactivates_a_person_from_an_earlier_day(login):
    contact_deactivate(person=login.person, on=date(2026, 2, 27))
    assert state(login) == (False, date(2026, 2, 27), False)


def test_it_deactivates_a_person_without_a_login(db):
    person = ContactPersonFactory()
    contact_deactivate(person=person)
    person.refresh_from_db()
    assert (person.is_active, person.inactive_since) == (False, TODAY)


def test_it_refuses_a_date_in_the_future(login):
    with pytest.raises(ValidationError) as caught:
        contact_deactivate(person=login.person, on=date(2026, 3, 11))
    assert caught.value.message_dict == {
        "inactive_since": ["De datum 'niet meer actief sinds' kan niet in de toekomst liggen."]
    }
    assert state(login) == (True, None, True)


def test_it_refuses_to_deactivate_twice_and_keeps_the_first_date(login):
    contact_deactivate(person=login.person, on=date(2026, 2, 27))
    with pytest.raises(ValidationError) as caught:
        contact_deactivate(person=login.person)
    assert caught.value.messages == [
        "Deze contactpersoon is al niet meer actief (sinds 27 februari 2026). Er is niets gewijzigd."
    ]
    assert state(login) == (False, date(2026, 2, 27), False)


def test_it_reactivates_a_person_and_their_login(login):
    contact_deactivate(person=login.person, on=date(2026, 2, 27))
    contact_reactivate(person=login.person)
    assert state(login) == (True, None, True)
    assert (login.person.is_active, login.person.inactive_since) == (True, None)


def test_it_refuses_to_reactivate_an_active_person(login):
    with pytest.raises(ValidationError) as caught:
        contact_reactivate(person=login.person)
    assert caught.value.messages == ["Deze contactpersoon is al actief. Er is niets gewijzigd."]
    assert state(login) == (True, None, True)


def test_it_touches_only_the_given_person(login):
    colleague = UserFactory(person=ContactPersonFactory(name="Collega"))
    contact_deactivate(person=login.person)
    assert state(colleague) == (True, None, True)


@pytest.mark.parametrize(
    ("is_active", "inactive_since"),
    [(False, None), (True, TODAY)],
    ids=["inactive-without-date", "active-with-date"],
)
def test_the_database_ties_inactive_since_to_is_active(db, is_active, inactive_since):
    person = ContactPersonFactory()
    with pytest.raises(IntegrityError), transaction.atomic():
        ContactPerson.objects.filter(id=person.id).update(is_active=is_active, inactive_since=inactive_since)


def test_full_clean_explains_the_constraint_in_dutch(db):
    person = ContactPersonFactory.build(is_active=False, organisation=ContactPersonFactory().organisation)
    with pytest.raises(ValidationError) as caught:
        person.full_clean()
    assert caught.value.messages == [
        "Een niet-actieve contactpersoon heeft een datum 'niet meer actief sinds', een actieve niet."
    ]
