"""Issue 10 in Chromium, in Dutch, at phone and desktop width: the housing worker reports the right one of two
look-alike pupils sick (search, choose, see the details, save), and the appointment form shows today's date."""

import re
from collections import Counter
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.contrib.auth import get_user_model
from django.core.management import call_command
from playwright.sync_api import expect

from attendance.models import SickReport
from students import access
from students.demo import DEMO_PASSWORD

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TUESDAY_MORNING = datetime(2026, 3, 10, 8, 40, tzinfo=AMSTERDAM)
WIDTHS = [pytest.param(390, id="phone"), pytest.param(1280, id="desktop")]

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def demo_page(session, username, width):
    """The demo seeded, `username` logged in, the window `width` px wide."""
    call_command("seed_demo", verbosity=0)
    page = session(username, DEMO_PASSWORD)
    page.set_viewport_size({"width": width, "height": 900})
    return page


def look_alikes_of(username):
    """Two or more of the user's reportable pupils sharing a full name (the demo keeps such look-alikes)."""
    pupils = list(access.reportable_students(get_user_model().objects.get(username=username)))
    name, count = Counter(pupil.full_name for pupil in pupils).most_common(1)[0]
    assert count >= 2, "the demo data should have look-alike pupils"
    return [pupil for pupil in pupils if pupil.full_name == name]


@pytest.mark.parametrize("width", WIDTHS)
def test_the_housing_worker_reports_the_right_look_alike_sick(live_server, session, screenshot, width):
    with time_machine.travel(TUESDAY_MORNING):
        worker = demo_page(session, "woonbegeleider", width)
        twins = look_alikes_of("woonbegeleider")
        already_sick = set(SickReport.objects.filter(last_day__isnull=True).values_list("student_id", flat=True))
        chosen = next(twin for twin in reversed(twins) if twin.id not in already_sick)
        before = set(SickReport.objects.values_list("id", flat=True))
        worker.get_by_role("main").get_by_role("link", name="Ziekmelding doen").first.click()
        expect(worker.get_by_role("heading", name="Ziekmelding doen")).to_be_visible()
        expect(worker.get_by_label("Ziek vanaf")).to_have_value("2026-03-10")

        # Search as you type: every look-alike appears, each with what tells them apart.
        worker.get_by_label("Jongere zoeken").press_sequentially(chosen.given_name + " " + chosen.family_name[:4])
        choices = worker.locator("#pupil-options input[name=student]")
        expect(choices).to_have_count(len(twins))
        for twin in twins:
            expect(worker.locator("#pupil-options")).to_contain_text(twin.student_number)
        screenshot(worker, "1-look-alikes-found")

        # Choose by student number; the details panel shows that pupil before anything is saved.
        worker.get_by_label(re.compile(re.escape(chosen.student_number))).check()
        details = worker.get_by_test_id("pupil-details")
        expect(details).to_contain_text("controleer of dit de juiste is")
        expect(details).to_contain_text(chosen.student_number)
        expect(details).to_contain_text(chosen.school_class.name)
        screenshot(worker, "2-details-shown")

        worker.get_by_label("Verwacht terug op school").fill("2026-03-13")
        worker.get_by_role("button", name="Ziek melden").click()
        expect(worker.locator(".alert-success")).to_contain_text("ziek gemeld")
        screenshot(worker, "3-saved", full_page=False)
        [report] = SickReport.objects.exclude(id__in=before)
        assert report.student_id == chosen.id
        assert report.expected_back.isoformat() == "2026-03-13"


@pytest.mark.parametrize("width", WIDTHS)
def test_the_appointment_form_shows_todays_date_in_dutch(live_server, session, screenshot, width):
    with time_machine.travel(TUESDAY_MORNING):
        guardian = demo_page(session, "voogd", width)
        guardian.goto(f"{live_server.url}/aanwezigheid/afspraak/")
        expect(guardian.locator("html")).to_have_attribute("lang", "nl")
        expect(guardian.get_by_role("textbox", name=re.compile(r"^Datum"))).to_have_value("2026-03-10")
        screenshot(guardian, "appointment-form")


@pytest.mark.parametrize("width", WIDTHS)
def test_the_mentor_sees_a_future_day_read_only(live_server, session, screenshot, width):
    with time_machine.travel(TUESDAY_MORNING):
        mentor = demo_page(session, "mentor", width)
        mentor.goto(f"{live_server.url}/aanwezigheid/vandaag/")
        mentor.goto(f"{mentor.url.split('?')[0]}?datum=2026-03-12")
        expect(mentor.get_by_test_id("roster-problem")).to_contain_text("toekomst")
        expect(mentor.get_by_test_id("roster-read-only")).to_be_visible()
        expect(mentor.get_by_role("radio")).to_have_count(0)
        expect(mentor.get_by_role("button", name="Hele klas opslaan")).to_have_count(0)
        screenshot(mentor, "future-day-read-only", full_page=False)
