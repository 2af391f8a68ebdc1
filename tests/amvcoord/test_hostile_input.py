"""Hostile input (issue 5, section 6): markup is escaped, search fields take SQL metacharacters, oversized input
gets a clear error, and garbage anywhere never produces a 500."""

from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

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
