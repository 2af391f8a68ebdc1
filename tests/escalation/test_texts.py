"""What people read: e-mails and the bell say who and that something awaits, with a link — never why.

Reasons, remarks and health details stay inside the app for whoever may see them; an e-mail can be forwarded,
printed or read on a shared screen.
"""

from datetime import date

import pytest
from django.conf import settings

from attendance.models import ExplanationRequest, Reason
from attendance.services import explanation_give, sick_report_create
from escalation.delivery import deliver_due
from escalation.models import Notification, Trigger
from students.team import TeamRole

from .conftest import BOTH, at, make_chain, record_absence, request_on, sweep, travel

pytestmark = pytest.mark.django_db

LINK = f"{settings.SITE_URL}/escalaties/mijn/"
REASON_LABELS = [str(label).lower() for label in Reason.labels]


def assert_discreet(text: str, *secrets: str):
    lowered = text.lower()
    for secret in secrets:
        assert secret.lower() not in lowered, secret
    for label in REASON_LABELS:
        assert label not in lowered, label


def sent_emails(mailoutbox, moment):
    deliver_due(now=moment)
    assert mailoutbox
    return mailoutbox


def test_an_overdue_request_email_names_the_student_and_links_but_shows_no_remark(world, chain, mailoutbox, client):
    request_on(world, date(2026, 3, 10), remark="Broer zegt: paniekaanval, bij de huisarts")
    sweep(at(2026, 3, 10, 12))

    (message,) = sent_emails(mailoutbox, at(2026, 3, 10, 12))

    assert message.subject == "Afwezigheid van Yonas Tesfay op 10 maart 2026 is nog niet toegelicht."
    assert "Yonas Tesfay" in message.body
    assert LINK in message.body
    assert_discreet(message.subject + message.body, "paniekaanval", "huisarts", "Broer")

    client.force_login(world.user("housing_worker"))
    page = client.get("/meldingen/").content.decode()
    assert "Afwezigheid van Yonas Tesfay op 10 maart 2026 is nog niet toegelicht." in page
    assert "paniekaanval" not in page


def test_a_hospital_escalation_email_says_nothing_about_the_hospital(world, mailoutbox, client):
    make_chain(world.school, [([TeamRole.MENTOR, TeamRole.GUARDIAN], 30, BOTH)], trigger=Trigger.HOSPITAL_UNSEEN)
    with travel(at(2026, 3, 10, 9)):
        sick_report_create(
            student=world.ward,
            first_day=date(2026, 3, 10),
            expected_back=None,
            hospital_admission=True,
            remark="Opgenomen met longontsteking",
            actor=world.user("housing_worker"),
        )
    sweep(at(2026, 3, 10, 9, 30))

    messages = sent_emails(mailoutbox, at(2026, 3, 10, 9, 30))

    assert len(messages) == 2
    for message in messages:
        assert message.subject == "Een dringend bericht over Yonas Tesfay is door school nog niet gelezen."
        assert LINK in message.body
        assert_discreet(message.subject + message.body, "longontsteking", "ziekenhuis", "opgenomen", "opname")

    client.force_login(world.user("mentor"))
    page = client.get("/meldingen/").content.decode()
    assert "Dringend bericht van de woonlocatie over Yonas Tesfay" in page
    assert "longontsteking" not in page


def test_a_repeated_absence_email_does_not_reveal_the_reasons_already_given(world, mailoutbox):
    make_chain(
        world.school, [([TeamRole.GUARDIAN_TEAM_MANAGER], 0, BOTH)], trigger=Trigger.REPEATED_ABSENCE, threshold=3
    )
    for day in [date(2026, 3, 9), date(2026, 3, 10), date(2026, 3, 11), date(2026, 3, 12)]:
        with travel(at(day.year, day.month, day.day, 9)):
            record_absence(world, day)
    first = ExplanationRequest.objects.get(day=date(2026, 3, 9))
    with travel(at(2026, 3, 12, 10)):
        explanation_give(
            request_ids=[first.id],
            reason=Reason.FAMILY_RELIGIOUS,
            remark="Begrafenis van een oom",
            actor=world.user("guardian"),
        )
    sweep(at(2026, 3, 12, 15))

    (message,) = sent_emails(mailoutbox, at(2026, 3, 12, 15))

    assert message.to == [world.user("guardian_team_manager").person.email]
    assert message.subject == "Er is herhaald verzuim van Yonas Tesfay dat aandacht vraagt."
    assert LINK in message.body
    assert_discreet(message.subject + message.body, "Begrafenis", "oom")


def test_the_exhausted_notice_names_the_student_only(world):
    make_chain(world.school, [([TeamRole.HOUSING_WORKER], 60, BOTH)])
    request_on(world, date(2026, 3, 10), remark="Vermoedelijk bij de IND")
    sweep(at(2026, 3, 10, 13))
    sweep(at(2026, 3, 10, 14))

    notice = Notification.objects.get(kind=Notification.Kind.EXHAUSTED)

    assert notice.text == "Escalatie over Yonas Tesfay is de hele keten doorlopen zonder afhandeling."
    assert notice.url == "/escalaties/mijn/"
