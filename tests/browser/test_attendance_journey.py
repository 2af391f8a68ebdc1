"""Issue 3's journey: the mentor marks three pupils absent, the housing worker explains two (one is sick for
three days), the mentor's roster shows the explanations, and a hospital admission reaches the mentor at once."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from attendance.models import AttendanceRecord
from students.demo import DEMO_PASSWORD

from .demo_pupils import quiet_pupils_of_the_demo_mentor

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TUESDAY_MORNING = datetime(2026, 3, 10, 8, 40, tzinfo=AMSTERDAM)


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_the_daily_attendance_loop(live_server, session, screenshot):
    with time_machine.travel(TUESDAY_MORNING) as clock:
        call_command("seed_demo", verbosity=0)
        sick, at_ind, unexplained = quiet_pupils_of_the_demo_mentor(3)

        # 08:45 — the mentor opens "Vandaag" and marks three pupils absent, one click each (saved by htmx).
        mentor = session("mentor", DEMO_PASSWORD)
        mentor.get_by_role("navigation").get_by_role("link", name="Vandaag").click()
        expect(mentor.get_by_role("heading", name=re.compile("Aanwezigheid 1A"))).to_be_visible()
        for pupil in (sick, at_ind, unexplained):
            row = mentor.get_by_test_id("roster-row").filter(has_text=pupil.full_name)
            row.get_by_text("Afwezig", exact=True).click()
            expect(mentor.get_by_test_id("roster-row").filter(has_text=pupil.full_name)).to_contain_text("opgeslagen")
        screenshot(mentor, "1-mentor-marked-three-absent")
        assert AttendanceRecord.objects.filter(day=TUESDAY_MORNING.date(), status="absent").count() >= 3

        # 10:00 — the housing worker sees the three requests, reports one pupil sick until Friday and explains
        # another (IND appointment).
        clock.move_to(TUESDAY_MORNING.replace(hour=10, minute=0))
        worker = session("woonbegeleider", DEMO_PASSWORD)
        worker.get_by_role("navigation").get_by_role("link", name=re.compile("Te beantwoorden")).click()
        for pupil in (sick, at_ind, unexplained):
            expect(worker.get_by_test_id("inbox-entry").filter(has_text=pupil.full_name)).to_be_visible()
        screenshot(worker, "2-housing-inbox")

        worker.get_by_role("main").get_by_role("link", name="Ziekmelding doen").first.click()
        worker.get_by_label("Jongere zoeken").fill(sick.student_number)
        worker.get_by_label(re.compile(re.escape(sick.student_number))).check()
        expect(worker.get_by_test_id("pupil-details")).to_contain_text(sick.student_number)
        worker.get_by_label("Ziek vanaf").fill("2026-03-10")
        worker.get_by_label("Verwacht terug op school").fill("2026-03-13")
        worker.get_by_role("button", name="Ziek melden").click()
        expect(worker.get_by_role("status").or_(worker.locator(".alert-success"))).to_contain_text("ziek gemeld")

        entry = worker.get_by_test_id("inbox-entry").filter(has_text=at_ind.full_name)
        entry.get_by_label("Reden").select_option(label="IND / advocaat / juridisch")
        entry.get_by_role("button", name="Toelichten").click()
        expect(worker.locator(".alert-success")).to_contain_text("Toelichting opgeslagen")
        expect(worker.get_by_test_id("inbox-entry").filter(has_text=sick.full_name)).to_have_count(0)
        expect(worker.get_by_test_id("inbox-entry").filter(has_text=unexplained.full_name)).to_be_visible()
        screenshot(worker, "3-housing-after-explaining")

        # The mentor's roster now says why two of the three are away; the third still waits for an answer.
        mentor.reload()
        for pupil, explanation in ((sick, "Toegelicht: Ziek"), (at_ind, "Toegelicht: IND / advocaat / juridisch")):
            expect(mentor.get_by_test_id("roster-row").filter(has_text=pupil.full_name)).to_contain_text(explanation)
        expect(mentor.get_by_test_id("roster-row").filter(has_text=unexplained.full_name)).to_contain_text(
            "Uitleg gevraagd"
        )
        screenshot(mentor, "4-mentor-sees-explanations")

        # Wednesday morning (yesterday's sessions have expired): the sick pupil is pre-marked before the mentor
        # fills in the roster.
        clock.move_to(TUESDAY_MORNING.replace(day=11))
        mentor = session("mentor", DEMO_PASSWORD)
        mentor.get_by_role("navigation").get_by_role("link", name="Vandaag").click()
        sick_row = mentor.get_by_test_id("roster-row").filter(has_text=sick.full_name)
        expect(sick_row).to_contain_text("Ziek gemeld sinds 10-3")
        expect(sick_row.get_by_role("radio", name="Afwezig")).to_be_checked()
        screenshot(mentor, "5-mentor-wednesday-pre-marked")

        # The sick pupil is admitted to hospital: the mentor's bell shows it at once, without health details.
        worker = session("woonbegeleider", DEMO_PASSWORD)
        worker.get_by_role("navigation").get_by_role("link", name=re.compile("Te beantwoorden")).click()
        worker.get_by_role("row").filter(has_text=sick.full_name).get_by_role(
            "button", name=re.compile("ziekenhuis")
        ).click()
        expect(worker.locator(".alert-success")).to_contain_text("direct bericht")
        mentor.reload()
        expect(mentor.get_by_test_id("unread-count")).to_have_text("1")
        # Not only the bell: an alert above the roster until the mentor has seen it.
        notice = mentor.get_by_role("alert").filter(has_text="Ziekenhuisopname")
        expect(notice).to_contain_text(sick.full_name)
        screenshot(mentor, "6a-mentor-hospital-notice")
        mentor.get_by_test_id("bell").click()
        notification = mentor.get_by_test_id("notification").first
        expect(notification).to_contain_text(f"Dringend bericht van de woonlocatie over {sick.full_name}")
        expect(notification).not_to_contain_text("ziekenhuis")
        screenshot(mentor, "6-mentor-notified")
        notification.click()
        expect(mentor.get_by_test_id("team-card")).to_be_visible()
        mentor.get_by_role("navigation").get_by_role("link", name="Vandaag").click()
        expect(mentor.get_by_test_id("hospital-notice")).to_have_count(0)
        mentor.go_back()
        mentor.get_by_role("main").get_by_role("link", name="Tijdlijn").click()
        expect(mentor.get_by_test_id("timeline-entry").filter(has_text="ziekenhuis")).to_be_visible()
        screenshot(mentor, "7-mentor-chronology")
