"""Hostile input (issue 5, section 6): markup is escaped, search fields take SQL metacharacters, oversized input
gets a clear error, and garbage anywhere never produces a 500."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attendance.models import AttendanceRecord, ExplanationRequest
from attendance.services import RowInput, attendance_save, explanation_give
from tests.amvcoord.test_access import LIST_PAGES, OBJECT_PAGES, POST_DATA, inside, url_for  # noqa: F401

NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
SCRIPT = "<script>alert('x')</script>"
IMAGE = '<img src=x onerror="alert(1)">'
SQL = "' OR 1=1 --; DROP TABLE students_student; \\ % _"


@pytest.fixture
def travel():
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def marked_up(world, travel):
    """A student with markup in their name and in every free-text field the team writes."""
    student = world.ward
    student.given_name = SCRIPT
    student.family_name = IMAGE
    student.save()
    attendance_save(
        school_class=world.school_class,
        day=NOW.date(),
        rows={student.id: RowInput(status="absent", remark=SCRIPT)},
        actor=world.user("mentor"),
    )
    request = ExplanationRequest.objects.get(student=student)
    explanation_give(request_ids=[request.id], reason="other", remark=IMAGE, actor=world.user("housing_worker"))
    return student


@pytest.mark.parametrize(
    ("role", "page"),
    [
        ("mentor", "students:list"),
        ("mentor", "students:detail"),
        ("mentor", "attendance:roster"),
        ("care_coordinator", "attendance:chronology"),
        ("care_coordinator", "attendance:decisions"),
        ("housing_worker", "attendance:chronology"),
        ("guardian", "home"),
    ],
)
def test_it_escapes_markup_in_names_and_remarks(client, world, marked_up, travel, role, page):
    client.force_login(world.user(role))
    args = {
        "students:detail": [marked_up.id],
        "attendance:chronology": [marked_up.id],
        "attendance:roster": [world.school_class.id],
    }.get(page, [])
    html = client.get(reverse(page, args=args)).content.decode()
    assert SCRIPT not in html
    assert IMAGE not in html
    assert "&lt;script&gt;" in html


@pytest.mark.parametrize(
    ("role", "page", "parameters"),
    [
        ("mentor", "students:list", {"q": SQL}),
        ("care_coordinator", "students:list", {"q": SQL, "include_left": SQL}),
        ("mentor", "contacts:directory", {"q": SQL, "kind": SQL}),
        ("care_coordinator", "attendance:decisions", {"only": SQL, "weeks": SQL, "page": SQL}),
        ("care_coordinator", "escalation:dashboard", {"location": SQL, "school_class": SQL, "step": SQL}),
        ("mentor", "attendance:roster", {"datum": SQL}),
    ],
)
def test_it_takes_sql_metacharacters_in_search_fields(client, world, travel, role, page, parameters):
    client.force_login(world.user(role))
    args = [world.school_class.id] if page == "attendance:roster" else []
    response = client.get(reverse(page, args=args), parameters)
    assert response.status_code == 200
    assert world.outsider_student.family_name not in response.content.decode()


def test_it_finds_nothing_for_an_injection_attempt(client, world, travel):
    client.force_login(world.user("care_coordinator"))
    html = client.get(reverse("students:list"), {"q": SQL}).content.decode()
    assert world.ward.full_name not in html


def test_it_refuses_an_oversized_search_with_a_dutch_message(client, world, travel):
    client.force_login(world.user("mentor"))
    response = client.get(reverse("students:list"), {"q": "x" * 10_000})
    assert response.status_code == 200
    assert "niet meer dan 100 tekens" in response.content.decode()


def test_it_refuses_an_oversized_remark_and_saves_nothing(client, world, travel):
    client.force_login(world.user("mentor"))
    url = reverse("attendance:roster_row", args=[world.school_class.id, NOW.date(), world.ward.id])
    response = client.post(
        url, {f"s{world.ward.id}-status": "absent", f"s{world.ward.id}-remark": "x" * 5000}, HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200  # htmx swaps only 2xx answers: the row comes back with its error
    assert "niet meer dan 200 tekens" in response.content.decode()
    assert not AttendanceRecord.objects.filter(student=world.ward).exists()


GARBAGE = [
    "",
    "0",
    "-1",
    "99999999999999999999",
    "abc",
    "²",
    "2026-02-30",
    "0001-01-01",
    "9999-12-31",
    SQL,
    "\x00",
    "𝕏" * 300,
]


@pytest.mark.parametrize("role", ["mentor", "care_coordinator", "housing_worker", "guardian", "admin"])
def test_it_never_answers_500_to_garbage(client, world, inside, travel, role):  # noqa: F811
    client.force_login(world.user(role))
    for name, (method, _table) in OBJECT_PAGES.items():
        url = url_for(name, inside, role)
        for value in GARBAGE:
            fields = {**POST_DATA.get(name, lambda objects: {})(inside)}
            data = dict.fromkeys([*fields, "datum", "next", "q", "page", "token", "requests", "back_on"], value)
            response = getattr(client, method)(url, data)
            assert response.status_code < 500, (name, value)
    for name in LIST_PAGES:
        for value in GARBAGE:
            parameters = dict.fromkeys(
                ["q", "page", "kind", "step", "location", "school_class", "only", "weeks"], value
            )
            response = client.get(reverse(name), parameters)
            assert response.status_code < 500, (name, value)
    for name in ["attendance:sick_report_new", "attendance:appointment_new", "escalation:chain_new"]:
        for value in GARBAGE:
            fields = ["student", "first_day", "expected_back", "day", "starts_at", "ends_at", "kind", "trigger"]
            response = client.post(reverse(name), dict.fromkeys(fields, value))
            assert response.status_code < 500, (name, value)


HUGE_ID = "99999999999999999999999"
ONE_PAST_MAX_ID = str(2**63)


def _id_routes():
    """Every project URL pattern with an id in it, as (name, route with prefixes, converter names by part)."""

    def walk(patterns, prefix="", namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.pattern.converters:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                yield name, prefix + str(pattern.pattern)

    return sorted(walk(get_resolver().url_patterns))


ID_ROUTES = _id_routes()
ROUTE_PART = re.compile(r"<(?:(?P<converter>\w+):)?(?P<name>\w+)>")


def _url_with_ids(route, value):
    """The route with `value` for every id and a real date for every date part."""

    def part(match):
        return "2026-03-09" if match["converter"] == "isodate" else value

    return "/" + ROUTE_PART.sub(part, route)


def test_it_finds_the_urls_with_an_id():
    names = {name for name, _route in ID_ROUTES}
    assert {"attendance:explain", "students:detail", "escalation:chain_edit", "student_audit_trail"} <= names


@pytest.mark.parametrize("role", ["mentor", "care_coordinator", "housing_worker", "guardian", "admin"])
@pytest.mark.parametrize("value", [HUGE_ID, ONE_PAST_MAX_ID, "-1"])
@pytest.mark.parametrize(("name", "route"), ID_ROUTES, ids=[name for name, _route in ID_ROUTES])
def test_it_answers_404_to_an_impossible_id_in_any_url(client, world, travel, role, value, name, route):
    client.force_login(world.user(role))
    url = _url_with_ids(route, value)
    for method in ("post", "get"):  # POST first: the views that take POST used to overflow before answering
        response = getattr(client, method)(url, {"requests": [value], "student": value, "reason": "sick"})
        assert response.status_code == 404, (method, url, response.status_code)


@pytest.mark.parametrize("role", ["care_coordinator", "housing_worker", "guardian"])
@pytest.mark.parametrize(("name", "route"), ID_ROUTES, ids=[name for name, _route in ID_ROUTES])
def test_it_takes_the_largest_possible_id_without_error(client, world, travel, role, name, route):
    client.force_login(world.user(role))
    url = _url_with_ids(route, str(2**63 - 1))
    for method in ("get", "post"):
        response = getattr(client, method)(url, {"requests": [str(2**63 - 1)], "reason": "sick"})
        assert response.status_code in (403, 404, 405), (method, url, response.status_code)


def test_it_bounds_every_id_in_every_url():
    """A new URL with <int:...> would take any number again: every part of a URL is a bounded id or a date."""
    for name, route in ID_ROUTES:
        converters = {match["converter"] for match in ROUTE_PART.finditer(route)}
        assert converters <= {"id", "isodate"}, (name, route)


HOSTILE_IDS = [HUGE_ID, ONE_PAST_MAX_ID, "-1", "0"]


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize(
    ("role", "page", "field"),
    [
        ("housing_worker", "attendance:sick_report_new", "student"),
        ("guardian", "attendance:appointment_new", "student"),
        ("care_coordinator", "students:move", "location"),
        ("care_coordinator", "students:move", "personal_worker"),
    ],
)
def test_it_refuses_an_impossible_id_in_a_form_with_a_dutch_message(client, world, travel, role, page, field, value):
    client.force_login(world.user(role))
    url = reverse(page, args=[world.ward.id]) if page == "students:move" else reverse(page)
    response = client.post(url, {field: value})
    assert response.status_code == 200
    assert "Selecteer een geldige keuze" in response.content.decode()


@pytest.mark.parametrize("value", HOSTILE_IDS)
def test_it_ignores_an_impossible_request_id_in_an_explanation(client, world, inside, travel, value):  # noqa: F811
    client.force_login(world.user("housing_worker"))
    url = reverse("attendance:explain", args=[world.ward.id])
    response = client.post(url, {"requests": [value], "reason": "sick"}, follow=True)
    assert response.status_code == 200
    assert "Niet opgeslagen" in response.content.decode()
    inside.record.explanation_request.refresh_from_db()
    assert inside.record.explanation_request.status == ExplanationRequest.Status.OPEN


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize("field", ["location", "school_class"])
def test_it_ignores_an_impossible_id_in_the_dashboard_filter(client, world, travel, field, value):
    client.force_login(world.user("care_coordinator"))
    assert client.get(reverse("escalation:dashboard"), {field: value}).status_code == 200


@pytest.mark.parametrize("value", HOSTILE_IDS)
@pytest.mark.parametrize(
    ("role", "page"), [("housing_worker", "attendance:sick_report_new"), ("guardian", "attendance:appointment_new")]
)
def test_it_ignores_an_impossible_preselected_pupil(client, world, travel, role, page, value):
    client.force_login(world.user(role))
    assert client.get(reverse(page), {"leerling": value}).status_code == 200
