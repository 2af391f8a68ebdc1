"""Issue 4's journey: absent at 08:45, nobody answers, the sweep (run as of later moments) notifies the housing
worker, then the location manager and guardian; the care coordinator acknowledges; the housing worker explains;
the escalation is resolved and the dashboard's figures change."""

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from playwright.sync_api import expect

from escalation.models import Escalation
from students.demo import DEMO_PASSWORD

from .demo_pupils import quiet_pupils_of_the_demo_mentor

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
TUESDAY = datetime(2026, 3, 10, 8, 40, tzinfo=AMSTERDAM)


def at(hour, minute):
    return TUESDAY.replace(hour=hour, minute=minute)


def wiekenweg_figures(page):
    return page.get_by_test_id("location-figures").get_by_role("row").filter(has_text="COA Amersfoort Wiekenweg")


@pytest.mark.browser
@pytest.mark.django_db(transaction=True)
def test_an_unanswered_absence_climbs_the_chain_until_someone_acts(live_server, session, screenshot):
    with time_machine.travel(TUESDAY) as clock:
        call_command("seed_demo", verbosity=0)
        (pupil,) = quiet_pupils_of_the_demo_mentor(1)

        # 08:45 — absent.
        clock.move_to(at(8, 45))
        mentor = session("mentor", DEMO_PASSWORD)
        mentor.get_by_role("navigation").get_by_role("link", name="Vandaag").click()
        mentor.get_by_test_id("roster-row").filter(has_text=pupil.full_name).get_by_text("Afwezig", exact=True).click()
        expect(mentor.get_by_test_id("roster-row").filter(has_text=pupil.full_name)).to_contain_text("opgeslagen")

        coordinator = session("zorgcoordinator", DEMO_PASSWORD)
        coordinator.get_by_role("navigation").get_by_role("link", name="Escalaties").click()
        figures_before = wiekenweg_figures(coordinator).inner_text()
        screenshot(coordinator, "1-dashboard-before")

        # Nobody answers before the 12:00 deadline. The sweep as of 12:05: step 1, the housing worker.
        call_command("escalate", at="2026-03-10T12:05", verbosity=0)
        escalation = Escalation.objects.get(explanation_request__student=pupil, explanation_request__day=TUESDAY.date())
        assert (escalation.status, escalation.current_step) == ("open", 1)
        clock.move_to(at(12, 6))
        worker = session("woonbegeleider", DEMO_PASSWORD)
        expect(worker.get_by_test_id("unread-count")).to_be_visible()
        worker.get_by_role("navigation").get_by_role("link", name="Mijn escalaties").click()
        expect(worker.get_by_test_id("my-escalation").filter(has_text=pupil.full_name)).to_contain_text("Open")
        screenshot(worker, "2-housing-worker-notified")

        # Still nothing at 14:10: step 2, the location manager and the guardian.
        call_command("escalate", at="2026-03-10T14:10", verbosity=0)
        escalation.refresh_from_db()
        assert escalation.current_step == 2
        clock.move_to(at(14, 11))
        for username in ("locatiemanager", "voogd"):
            page = session(username, DEMO_PASSWORD)
            page.get_by_role("navigation").get_by_role("link", name="Mijn escalaties").click()
            expect(page.get_by_test_id("my-escalation").filter(has_text=pupil.full_name)).to_be_visible()
            screenshot(page, f"3-{username}-notified")

        # The care coordinator sees it at step 2 on the dashboard and takes it on.
        coordinator = session("zorgcoordinator", DEMO_PASSWORD)
        coordinator.get_by_role("navigation").get_by_role("link", name="Escalaties").click()
        row = coordinator.get_by_test_id("escalation-row").filter(has_text=pupil.full_name)
        expect(row).to_contain_text("2: Locatiemanager, Voogd")
        row.get_by_role("button", name="Ik pak dit op").click()
        expect(coordinator.get_by_test_id("escalation-row").filter(has_text=pupil.full_name)).to_contain_text(
            "Opgepakt"
        )
        screenshot(coordinator, "4-dashboard-acknowledged")

        # The housing worker explains: the escalation is resolved and leaves the dashboard.
        clock.move_to(at(14, 30))
        worker = session("woonbegeleider", DEMO_PASSWORD)
        worker.get_by_role("navigation").get_by_role("link", name=re.compile("Te beantwoorden")).click()
        entry = worker.get_by_test_id("inbox-entry").filter(has_text=pupil.full_name)
        entry.get_by_label("Reden").select_option(label="Afspraak voogd / Nidos")
        entry.get_by_role("button", name="Toelichten").click()
        expect(worker.locator(".alert-success")).to_contain_text("Toelichting opgeslagen")
        escalation.refresh_from_db()
        assert escalation.status == "resolved"

        coordinator.reload()
        expect(coordinator.get_by_test_id("escalation-row").filter(has_text=pupil.full_name)).to_have_count(0)
        figures_after = wiekenweg_figures(coordinator).inner_text()
        assert figures_after != figures_before, (figures_before, figures_after)
        screenshot(coordinator, "5-dashboard-resolved")

        # Nothing more is sent for it after the explanation.
        call_command("escalate", at="2026-03-10T16:00", verbosity=0)
        escalation.refresh_from_db()
        assert escalation.status == "resolved" and escalation.current_step == 2
