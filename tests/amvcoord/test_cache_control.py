"""Nothing a logged-in person sees stays in the browser cache (issue 9, item 14): on a shared school computer the
next user could open a pupil's page from the cache after logout. Static files stay cacheable."""

import pytest
from django.test import Client
from django.urls import reverse
from django.utils.cache import get_max_age
from django_otp.plugins.otp_totp.models import TOTPDevice

from tests.amvcoord.test_access import (  # noqa: F401
    LIST_PAGES,
    OBJECT_PAGES,
    POST_DATA,
    _request,
    inside,
    url_for,
)
from tests.amvcoord.test_security import PASSWORD
from tests.factories import ContactPersonFactory, UserFactory


def directives(response):
    return {part.strip() for part in response.get("Cache-Control", "").split(",") if part.strip()}


def assert_not_stored(response, what):
    assert {"no-store", "private"} <= directives(response), (what, response.get("Cache-Control"))


@pytest.mark.parametrize("role", ["care_coordinator", "housing_worker", "mentor"])
def test_it_forbids_caching_every_page_of_a_logged_in_person(client, world, inside, role):  # noqa: F811
    client.force_login(world.user(role))
    for name in LIST_PAGES:
        assert_not_stored(_request(client, "get", reverse(name), {}), name)
    for name, (method, _table) in OBJECT_PAGES.items():
        data = POST_DATA.get(name, lambda objects: {})(inside)
        assert_not_stored(_request(client, method, url_for(name, inside, role), data), name)


def test_it_forbids_caching_the_csv_export(client, world):
    client.force_login(world.user("care_coordinator"))
    response = _request(client, "get", reverse("attendance:decisions_export"), {})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert_not_stored(response, "decisions_export")


def test_it_forbids_caching_error_pages_and_htmx_fragments(client, world, inside):  # noqa: F811
    client.force_login(world.user("mentor"))
    assert_not_stored(client.get("/bestaat-niet/"), "404")
    row = url_for("attendance:roster_row", inside, "mentor")
    data = POST_DATA["attendance:roster_row"](inside)
    assert_not_stored(client.post(row, data, HTTP_HX_REQUEST="true"), "roster row")


def test_it_forbids_caching_the_pages_before_the_second_factor(db):
    user = UserFactory(person=ContactPersonFactory(role="mentor"))
    TOTPDevice.objects.create(user=user, name="phone", confirmed=True)
    client = Client()
    assert_not_stored(client.post(reverse("login"), {"username": user.username, "password": PASSWORD}), "login")
    assert_not_stored(client.get(reverse("two_factor_verify")), "verify")
    assert_not_stored(client.get(reverse("students:list")), "redirect to verify")


def test_it_keeps_the_no_store_header_a_view_sets_itself(client, world):
    """Django's login and logout views send their own never_cache header; it stays as it is."""
    client.force_login(world.user("mentor"))
    response = client.post(reverse("logout"))
    assert "no-store" in directives(response)
    assert "no-cache" in directives(response)  # Django's own, not replaced by ours
    login_page = client.get(reverse("login"))
    assert "no-store" in directives(login_page)


def test_it_lets_anonymous_public_pages_be_cached_as_before(client, db):
    assert "no-store" not in directives(client.get(reverse("privacy")))


def test_it_keeps_static_files_cacheable_for_a_logged_in_person(world, settings):
    """WhiteNoise answers before the session is read; in production hashed names get a year or more."""
    settings.WHITENOISE_USE_FINDERS = True  # tests have no collectstatic; the middleware reads this when it starts
    client = Client()
    client.force_login(world.user("mentor"))
    response = client.get("/static/django_htmx/htmx-2.min.js")
    assert response.status_code == 200
    assert "no-store" not in directives(response)
    assert "public" in directives(response)
    assert get_max_age(response) > 0
