"""The second factor cannot be skipped (issue 9, item 12).

Someone who knows only the password of a person with an authenticator must not get in by linking a new app of
their own on the set-up page: once a device is confirmed, the set-up page needs a code from an existing device.
"""

from datetime import UTC, datetime
from urllib.parse import parse_qs, urlsplit

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.amvcoord.test_security import PASSWORD, current_token
from tests.factories import ContactPersonFactory, UserFactory

NOW = datetime(2026, 3, 10, 9, 0, tzinfo=UTC)


@pytest.fixture(autouse=True)
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture(autouse=True)
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "care_coordinator"]


def _user(role):
    return UserFactory(person=ContactPersonFactory(role=role))


def _password_only(user):
    """A client that has typed the password and nothing else."""
    client = Client()
    response = client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    assert response.status_code == 302
    return client


def _verified(user, device):
    client = _password_only(user)
    assert client.post(reverse("two_factor_verify"), {"token": current_token(device)}).status_code == 302
    return client


def _assert_sent_to_verify(response):
    assert response.status_code == 302
    assert urlsplit(response["Location"]).path == reverse("two_factor_verify")


@pytest.mark.parametrize("role", ["mentor", "care_coordinator"])
def test_it_does_not_show_a_new_secret_to_someone_with_only_the_password(db, role):
    user = _user(role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _password_only(user)

    response = client.get(reverse("two_factor_setup"))

    _assert_sent_to_verify(response)
    assert not TOTPDevice.objects.filter(user=user, confirmed=False).exists()  # no secret was made to show


@pytest.mark.parametrize("role", ["mentor", "care_coordinator"])
def test_it_does_not_let_a_new_secret_replace_the_code_of_the_existing_device(db, role):
    """The exploit: password only, then the set-up page confirmed with a code of an app the intruder holds."""
    user = _user(role)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _password_only(user)
    client.get(reverse("two_factor_setup"))
    intruders_device = TOTPDevice.objects.filter(user=user, confirmed=False).first() or TOTPDevice.objects.create(
        user=user, name="amvcoord", confirmed=False
    )

    response = client.post(reverse("two_factor_setup"), {"token": current_token(intruders_device), "next": "/"})

    _assert_sent_to_verify(response)
    intruders_device.refresh_from_db()
    assert not intruders_device.confirmed
    _assert_sent_to_verify(client.get(reverse("students:list")))
    _assert_sent_to_verify(client.get(reverse("home")))


def test_it_sends_a_half_logged_in_person_back_to_the_set_up_page_after_the_code(db):
    user = _user("mentor")
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _password_only(user)

    response = client.get(reverse("two_factor_setup"))

    _assert_sent_to_verify(response)
    assert parse_qs(urlsplit(response["Location"]).query)["next"] == [reverse("two_factor_setup")]


def test_it_checks_the_database_when_a_device_was_linked_after_the_password(db):
    """The session remembers 'no device' from the login; a device confirmed since (in another session) counts."""
    user = _user("mentor")
    client = _password_only(user)
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)

    _assert_sent_to_verify(client.get(reverse("two_factor_setup")))
    _assert_sent_to_verify(client.post(reverse("two_factor_setup"), {"token": "123456"}))


def test_it_lets_a_verified_person_add_a_second_device(db):
    user = _user("care_coordinator")
    phone = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _verified(user, phone)

    page = client.get(reverse("two_factor_setup"))
    assert page.status_code == 200
    assert "<svg" in page.content.decode()
    tablet = TOTPDevice.objects.get(user=user, confirmed=False)
    response = client.post(reverse("two_factor_setup"), {"token": current_token(tablet), "next": "/leerlingen/"})

    assert response.status_code == 302
    assert response["Location"] == "/leerlingen/"
    assert TOTPDevice.objects.filter(user=user, confirmed=True).count() == 2
    assert client.get(reverse("students:list")).status_code == 200


def test_it_lets_a_required_role_set_up_the_first_device_after_the_password(db):
    user = _user("care_coordinator")
    client = _password_only(user)
    response = client.get(reverse("students:list"))
    assert urlsplit(response["Location"]).path == reverse("two_factor_setup")

    assert client.get(response["Location"]).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    confirmed = client.post(reverse("two_factor_setup"), {"token": current_token(device), "next": "/leerlingen/"})

    assert confirmed["Location"] == "/leerlingen/"
    assert client.get(reverse("students:list")).status_code == 200


def test_it_lets_anyone_without_a_device_link_one(db):
    user = _user("mentor")
    client = _password_only(user)
    assert client.get(reverse("two_factor_setup")).status_code == 200
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    assert client.post(reverse("two_factor_setup"), {"token": current_token(device)}).status_code == 302

    device.refresh_from_db()
    assert device.confirmed
    assert client.get(reverse("students:list")).status_code == 200


def test_it_asks_the_new_device_for_a_code_at_the_next_login(db):
    user = _user("mentor")
    client = _password_only(user)
    client.get(reverse("two_factor_setup"))
    device = TOTPDevice.objects.get(user=user, confirmed=False)
    client.post(reverse("two_factor_setup"), {"token": current_token(device)})
    client.post(reverse("logout"))

    again = _password_only(user)

    _assert_sent_to_verify(again.get(reverse("students:list")))
    _assert_sent_to_verify(again.get(reverse("two_factor_setup")))


def test_it_still_asks_for_the_code_on_the_verify_page(db):
    user = _user("mentor")
    phone = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = _password_only(user)
    page = client.get(reverse("two_factor_verify"))
    assert page.status_code == 200
    assert client.post(reverse("two_factor_verify"), {"token": current_token(phone)}).status_code == 302
    assert client.get(reverse("students:list")).status_code == 200
