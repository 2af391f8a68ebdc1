"""List pages cost the same number of queries for 3 rows as for 15: no query per escalation, notification or chain."""

from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from escalation.models import Escalation, Trigger
from escalation.services import escalation_acknowledge

from .conftest import IN_APP, STANDARD_STEPS, add_student, at, make_chain, request_on, sweep, travel

pytestmark = pytest.mark.django_db

HOUSING_KINDS = ["", "coa_process", "small_scale", "nidos_group_home", "foster_family", "emergency"]


@pytest.fixture(autouse=True)
def clock():
    with travel(at(2026, 3, 10, 12, 30)):
        yield


def add_escalations(world, count):
    """`count` more students whose absence escalated at noon; the first of them is acknowledged by its worker."""
    first = Escalation.objects.count()
    students = [add_student(world, f"Leerling{first + number:02d}") for number in range(count)]
    for student in students:
        request_on(world, date(2026, 3, 10), student=student)
    sweep(at(2026, 3, 10, 12))
    escalation = Escalation.objects.get(student=students[0])
    escalation_acknowledge(escalation=escalation, actor=world.user("housing_worker"), now=at(2026, 3, 10, 12, 5))


def queries(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    assert response.status_code == 200
    return response, [query["sql"] for query in context.captured_queries]


def assert_same_count(few, many):
    """Equal counts, or every statement of both runs to see which one repeats."""
    if len(few) != len(many):
        listing = "\n".join(many)
        pytest.fail(f"{len(few)} queries for the short list, {len(many)} for the long one:\n{listing}")


@pytest.mark.parametrize(
    ("role_key", "url_name", "row_marker"),
    [
        ("care_coordinator", "escalation:dashboard", 'data-testid="escalation-row"'),
        ("housing_worker", "escalation:mine", 'data-testid="my-escalation"'),
        ("housing_worker", "escalation:notifications", 'data-testid="notification"'),
    ],
    ids=["dashboard", "mine", "notifications"],
)
def test_a_list_page_does_not_query_per_row(world, chain, client, role_key, url_name, row_marker):
    client.force_login(world.user(role_key))
    url = reverse(url_name)
    add_escalations(world, 3)
    few_page, few = queries(client, url)

    add_escalations(world, 12)
    many_page, many = queries(client, url)

    assert few_page.content.decode().count(row_marker) == 3
    assert many_page.content.decode().count(row_marker) == 15
    assert_same_count(few, many)


def test_the_dashboard_side_lists_do_not_query_per_row(world, client):
    """Exhausted escalations and students nobody could be told about, 3 and then 15 of each."""
    make_chain(world.school, [([], 0, IN_APP)])
    client.force_login(world.user("care_coordinator"))
    url = reverse("escalation:dashboard")
    add_escalations_without_recipients(world, 3)
    few_page, few = queries(client, url)

    add_escalations_without_recipients(world, 12)
    many_page, many = queries(client, url)

    nobody = many_page.content.decode().split('data-testid="nobody-to-notify"')[1].split("</ul>")[0]
    assert nobody.count("<li>") == 15
    assert few_page.content.decode().split('data-testid="nobody-to-notify"')[1].split("</ul>")[0].count("<li>") == 3
    assert_same_count(few, many)


def add_escalations_without_recipients(world, count):
    first = Escalation.objects.count()
    for number in range(count):
        request_on(world, date(2026, 3, 10), student=add_student(world, f"Niemand{first + number:02d}"))
    sweep(at(2026, 3, 10, 12))
    assert not Escalation.objects.filter(status__in=Escalation.ACTIVE).exists()


def test_the_chain_list_does_not_query_per_chain(world, client):
    client.force_login(world.user("care_coordinator"))
    url = reverse("escalation:chains")
    combinations = [(trigger, kind) for trigger in Trigger.values for kind in HOUSING_KINDS]
    for trigger, kind in combinations[:3]:
        make_chain(world.school, STANDARD_STEPS, trigger=trigger, housing_kind=kind)
    few_page, few = queries(client, url)

    for trigger, kind in combinations[3:15]:
        make_chain(world.school, STANDARD_STEPS, trigger=trigger, housing_kind=kind)
    many_page, many = queries(client, url)

    assert few_page.content.decode().count('data-testid="chain"') == 3
    assert many_page.content.decode().count('data-testid="chain"') == 15
    assert_same_count(few, many)
