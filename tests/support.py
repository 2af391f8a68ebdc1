"""Helpers shared by the foundation tests (fixtures are re-exported by the conftest.py of each test folder)."""

import pytest


@pytest.fixture(autouse=True)
def static_files_without_manifest(settings, tmp_path_factory):
    """Pages render without `collectstatic`.

    The tests run with DEBUG=0, where settings pick the manifest storage; its `{% static %}` raises without a
    manifest. An empty STATIC_ROOT keeps WhiteNoise from warning about a missing directory.
    """
    settings.STORAGES = {
        **settings.STORAGES,
        "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
    }
    settings.STATIC_ROOT = tmp_path_factory.mktemp("static")


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """The `world` fixture hashes nine passwords; PBKDF2 would spend about half a second on each.

    tests/conftest.py now does the same for every test; this copy stays because other conftests import it.
    """
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture(autouse=True)
def plain_http_single_factor(settings):
    """These tests are about what each role sees once logged in, not about transport or the second factor.

    With DEBUG=0 the settings redirect every plain-HTTP request to HTTPS and send admins and care coordinators
    to the two-factor set-up first; the test client speaks HTTP and `force_login` knows no second factor.
    """
    settings.SECURE_SSL_REDIRECT = False
    settings.TWO_FACTOR_REQUIRED_ROLES = []


@pytest.fixture
def world(world):
    """The shared world, with its users' passwords stored.

    Until UserFactory used `factory.django.Password`, it set the password after creation without saving it, and
    `client.force_login(user)` stored a session hash that never matched the user loaded by the next request.
    Saving here is now a no-op; the fixture stays because the attendance and escalation conftests import it.
    """
    for user in world.users.values():
        user.save(update_fields=["password"])
    return world


def text_of(response) -> str:
    return response.content.decode()
