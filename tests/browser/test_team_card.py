"""The mentor's morning: log in, find a pupil, see whom to call."""

import re

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from students.demo import DEMO_PASSWORD

PHONE = re.compile(r"0\d{1,3}-\d{6,8}")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_it_shows_whom_to_call_for_a_student(live_server, login, screenshot):
    call_command("seed_demo", verbosity=0)
    page = login("mentor", DEMO_PASSWORD)
    expect(page.get_by_test_id("current-user")).to_be_visible()

    page.get_by_role("navigation").get_by_role("link", name="Leerlingen").click()
    expect(page.get_by_role("heading", name="Leerlingen")).to_be_visible()
    # The first demo pupil (2024001) sits in the mentor's class 1A, lives at COA Wiekenweg with Khalid Ait Ouali as
    # personal worker, and has Pieter Brouwer as guardian.
    row = page.get_by_role("row").filter(has_text="2024001")
    expect(row).to_contain_text("COA Amersfoort Wiekenweg")
    expect(row).to_contain_text("Pieter Brouwer")
    screenshot(page, "student-list")

    row.get_by_role("link").click()
    team_card = page.get_by_test_id("team-card")
    expect(team_card.get_by_role("heading", name="Wie bel ik?")).to_be_visible()
    for name, role in [
        ("Anouk de Vries", "Mentor"),
        ("Khalid Ait Ouali", "Persoonlijk woonbegeleider"),
        ("Pieter Brouwer", "Voogd"),
    ]:
        member = team_card.get_by_test_id("team-member").filter(has_text=name)
        expect(member).to_have_count(1)
        expect(member).to_contain_text(role)
        phone = member.locator("a[href^='tel:']")
        expect(phone).to_have_text(PHONE)
        expect(phone).to_have_attribute("href", re.compile(r"^tel:0\d"))
    screenshot(page, "student-detail")
