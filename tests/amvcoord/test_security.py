"""Authentication, sessions and headers (issue 5, section 4)."""

import os
import secrets
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
import time_machine
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.oath import totp
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.amvcoord.test_access import OBJECT_PAGES, POST_ONLY_LIST_PAGES, inside, url_for  # noqa: F401
from tests.factories import ContactPersonFactory, UserFactory

ROOT = Path(__file__).resolve().parents[2]
PASSWORD = "amvcoord-test-password"


def current_token(device):
    return f"{totp(device.bin_key, step=device.step, t0=device.t0, digits=device.digits):06d}"


def production_environment(**extra):
    return {
        "PATH": os.environ["PATH"],
        "HOME": os.environ.get("HOME", "/tmp"),
        "DEBUG": "0",
        "SECRET_KEY": secrets.token_urlsafe(50),
        "ALLOWED_HOSTS": "amvcoord.example.nl",
        "DATABASE_URL": "sqlite:///:memory:",
        **extra,
    }


def test_it_passes_the_deployment_checks_with_production_settings():
    result = subprocess.run(
        [sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"],
        cwd=ROOT,
        env=production_environment(),
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_it_refuses_to_start_in_production_without_a_secret_key():
    env = production_environment()
    del env["SECRET_KEY"]
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_it_sends_security_headers(client, db):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Frame-Options"] == "DENY"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["Referrer-Policy"] == "same-origin"


def test_it_has_no_inline_scripts_or_styles_in_the_pages(client, world):
    client.force_login(world.user("mentor"))
    for url in [reverse("home"), reverse("students:list"), reverse("students:detail", args=[world.ward.id])]:
        html = client.get(url).content.decode()
        assert "<script>" not in html and "<script type" not in html, url
        assert " style=" not in html and "<style" not in html, url


def test_it_ends_sessions_after_inactivity_and_at_browser_close():
    assert settings.SESSION_SAVE_EVERY_REQUEST is True
    assert settings.SESSION_COOKIE_AGE == 120 * 60
    assert settings.SESSION_EXPIRE_AT_BROWSER_CLOSE is True
    assert settings.SESSION_COOKIE_HTTPONLY is True


def test_it_uses_the_password_validators():
    names = {validator["NAME"].rsplit(".", 1)[-1] for validator in settings.AUTH_PASSWORD_VALIDATORS}
    assert names == {
        "UserAttributeSimilarityValidator",
        "MinimumLengthValidator",
        "CommonPasswordValidator",
        "NumericPasswordValidator",
    }


@pytest.fixture
def mentor_login(db):
    return UserFactory(username="lockme", person=ContactPersonFactory(role="mentor"))


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_it_logs_in_with_the_right_password(mentor_login):
    client = Client()
    response = _login(client, "lockme", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("home")).status_code == 200


def test_it_locks_out_after_too_many_failed_logins(mentor_login):
    client = Client()
    for _attempt in range(settings.AXES_FAILURE_LIMIT - 1):
        assert _login(client, "lockme", "wrong-password").status_code == 200
    response = _login(client, "lockme", "wrong-password")
    assert response.status_code == 429
    assert "Tijdelijk geblokkeerd" in response.content.decode()
    # Even the right password does not get in during the cool-off.
    assert _login(client, "lockme", PASSWORD).status_code == 429


@pytest.fixture
def two_factor_required(settings):
    settings.TWO_FACTOR_REQUIRED_ROLES = ["admin", "care_coordinator"]


def test_it_makes_a_care_coordinator_set_up_two_factor_first(client, db, two_factor_required):
    user = UserFactory(person=ContactPersonFactory(role="care_coordinator"))
    client.post(reverse("login"), {"username": user.username, "password": PASSWORD})
    response = client.get(reverse("students:list"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("two_factor_setup"))

    setup_page = client.get(response["Location"])
    assert setup_page.status_code == 200
    assert "<svg" in setup_page.content.decode()
    device = TOTPDevice.objects.get(user=user, confirmed=False)

    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC)) as traveller:
        wrong = client.post(reverse("two_factor_setup"), {"token": "000000", "next": "/leerlingen/"})
        assert wrong.status_code == 200
        assert "klopt niet" in wrong.content.decode()
        traveller.shift(timedelta(seconds=5))  # a failed code throttles the device for a moment
        confirmed = client.post(reverse("two_factor_setup"), {"token": current_token(device), "next": "/leerlingen/"})
        assert confirmed.status_code == 302
        assert confirmed["Location"] == "/leerlingen/"
        device.refresh_from_db()
        assert device.confirmed
        assert client.get(reverse("students:list")).status_code == 200


def test_it_asks_everyone_with_a_device_for_a_code_after_the_password(db):
    user = UserFactory(person=ContactPersonFactory(role="mentor"))
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    _login(client, user.username, PASSWORD)
    response = client.get(reverse("students:list"))
    assert response["Location"].startswith(reverse("two_factor_verify"))
    with time_machine.travel(datetime(2026, 3, 10, 9, 0, tzinfo=UTC)) as traveller:
        assert client.post(reverse("two_factor_verify"), {"token": "123456"}).status_code == 200
        traveller.shift(timedelta(seconds=5))
        assert client.post(reverse("two_factor_verify"), {"token": current_token(device)}).status_code == 302
        assert client.get(reverse("students:list")).status_code == 200


def test_it_does_not_require_two_factor_for_roles_outside_the_setting(client, db, two_factor_required):
    user = UserFactory(person=ContactPersonFactory(role="mentor"))
    _login(client, user.username, PASSWORD)
    assert client.get(reverse("students:list")).status_code == 200


def test_it_keeps_logout_and_privacy_reachable_before_the_second_factor(client, db, two_factor_required):
    user = UserFactory(person=ContactPersonFactory(role="care_coordinator"))
    _login(client, user.username, PASSWORD)
    assert client.get(reverse("privacy")).status_code == 200
    assert client.post(reverse("logout")).status_code == 302


def test_it_only_redirects_to_local_pages_after_two_factor(client, db):
    user = UserFactory(person=ContactPersonFactory(role="mentor"))
    device = TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    _login(client, user.username, PASSWORD)
    response = client.post(
        reverse("two_factor_verify"), {"token": current_token(device), "next": "https://evil.example/"}
    )
    assert response["Location"] == reverse("home")


def test_it_rejects_posts_without_a_csrf_token(world):
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user("housing_worker"))
    response = client.post(reverse("attendance:sick_report_new"), {"student": world.ward.id})
    assert response.status_code == 403


def test_it_offers_two_factor_to_everyone_on_the_start_page(client, world):
    client.force_login(world.user("guardian"))
    html = client.get(reverse("home")).content.decode()
    assert reverse("two_factor_setup") in html


def test_it_shows_the_privacy_statement_without_login_in_both_languages(client, db):
    dutch = client.get(reverse("privacy")).content.decode()
    assert "Privacyverklaring" in dutch and "5 jaar" in dutch and "2 jaar" in dutch
    assert reverse("privacy") in client.get(reverse("login")).content.decode()  # linked from the footer
    client.post(reverse("set_language"), {"language": "en", "next": reverse("privacy")})
    english = client.get(reverse("privacy")).content.decode()
    assert '<html lang="en"' in english
    assert "Privacy statement" in english and "5 years" in english


def _posting_urls(inside):  # noqa: F811
    urls = [url_for(name, inside, "mentor") for name in OBJECT_PAGES]  # every object page accepts POST or says 405
    urls += [reverse(name) for name in POST_ONLY_LIST_PAGES]
    forms = ["attendance:sick_report_new", "attendance:appointment_new", "escalation:chain_new", "login", "logout"]
    urls += [reverse(name) for name in [*forms, "set_language", "two_factor_setup", "two_factor_verify"]]
    return urls


@pytest.mark.parametrize("role", ["mentor", "care_coordinator", "housing_worker", "guardian", "admin"])
def test_it_requires_a_csrf_token_on_every_post(world, inside, role):  # noqa: F811
    client = Client(enforce_csrf_checks=True)
    client.force_login(world.user(role))
    for url in _posting_urls(inside):
        response = client.post(url, {"next": "/"})
        assert response.status_code in (403, 405), url
        if response.status_code == 403:
            assert "CSRF" in response.content.decode(), url
