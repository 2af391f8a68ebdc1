"""The reminder before an explanation request's deadline (escalation/triggers/request_due_soon.py)."""

from datetime import date

import pytest
from django.urls import reverse

from attendance.models import ExplanationRequest, Reason
from attendance.services import explanation_give
from escalation import selectors
from escalation.delivery import deliver_due
from escalation.models import Escalation, Notification, Trigger
from students.team import TeamRole

from .conftest import IN_APP, at, make_chain, notifications, open_request, request_on, sweep, travel

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)
FRIDAY = date(2026, 3, 13)
WENDY, VERA = "Woon Wendy", "Voogd Vera"
REMINDED = [
    (VERA, "email", "escalation", 1, 0),
    (VERA, "in_app", "escalation", 1, 0),
    (WENDY, "email", "escalation", 1, 0),
    (WENDY, "in_app", "escalation", 1, 0),
]


def reminders():
    return Escalation.objects.filter(trigger=Trigger.REQUEST_DUE_SOON)


def test_the_addressees_are_reminded_once_an_hour_before_the_deadline(world, chain, mailoutbox):
    request_on(world, TUESDAY)  # made at 09:00, due at 12:00

    sweep(at(2026, 3, 10, 10, 59))
    assert not reminders().exists()

    sweep(at(2026, 3, 10, 11))
    reminder = reminders().get()
    assert notifications(escalation=reminder) == REMINDED
    with travel(at(2026, 3, 10, 11)):
        deliver_due()  # the test's transaction never commits: the outbox run sends instead of the task
    assert len(mailoutbox) == 2
    text = "Herinnering: geef vóór 12:00 uitleg over de afwezigheid van Yonas Tesfay op 10 maart 2026."
    with travel(at(2026, 3, 10, 11)):
        assert {str(n.text) for n in Notification.objects.all()} == {text}
    assert {message.subject for message in mailoutbox} == {text}
    # No reason, remark or health detail: the request has none yet, and the text names none.
    assert all("ziek" not in message.body.lower() for message in mailoutbox)

    sweep(at(2026, 3, 10, 11, 30))
    with travel(at(2026, 3, 10, 11, 30)):
        deliver_due()
    assert len(mailoutbox) == 2
    assert reminders().count() == 1


def test_at_the_deadline_the_reminder_resolves_and_the_overdue_chain_starts(world, chain):
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 11))

    sweep(at(2026, 3, 10, 12))

    assert reminders().get().status == Escalation.Status.RESOLVED
    overdue = Escalation.objects.get(trigger=Trigger.REQUEST_OVERDUE)
    assert (overdue.status, overdue.current_step) == ("open", 1)


def test_no_reminder_for_an_answered_request(world, chain):
    request = request_on(world, TUESDAY)
    with travel(at(2026, 3, 10, 10)):
        explanation_give(request_ids=[request.id], reason=Reason.SICK, remark="", actor=world.user("housing_worker"))

    sweep(at(2026, 3, 10, 11))

    assert not reminders().exists()


def test_answering_after_the_reminder_settles_it(world, chain):
    request = request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 11))
    with travel(at(2026, 3, 10, 11, 15)):
        explanation_give(request_ids=[request.id], reason=Reason.SICK, remark="", actor=world.user("housing_worker"))

    assert reminders().get().status == Escalation.Status.RESOLVED


def test_no_reminder_for_a_request_made_less_than_the_lead_before_its_deadline(world, chain):
    with travel(at(2026, 3, 10, 11, 30)):
        open_request(world, TUESDAY)
    assert ExplanationRequest.objects.get().deadline == at(2026, 3, 10, 12)

    sweep(at(2026, 3, 10, 11, 31))
    sweep(at(2026, 3, 10, 11, 59))

    assert not reminders().exists()


def test_the_lead_is_a_setting(world, chain, settings):
    settings.ESCALATION_REMINDER_MINUTES_BEFORE = 120
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 9, 59))
    assert not reminders().exists()
    sweep(at(2026, 3, 10, 10))
    assert reminders().get().current_step == 1


def test_the_lead_of_zero_switches_it_off(world, chain, settings):
    settings.ESCALATION_REMINDER_MINUTES_BEFORE = 0
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 11, 59))

    assert not reminders().exists()


def test_the_lead_counts_in_the_school_calendar(world, chain):
    """Due Monday 08:30 with a 08:00-17:00 working day: an hour of working time before it is Friday 16:30."""
    request = request_on(world, FRIDAY)
    ExplanationRequest.objects.filter(id=request.id).update(deadline=at(2026, 3, 16, 8, 30))

    sweep(at(2026, 3, 13, 16, 29))
    assert not reminders().exists()
    sweep(at(2026, 3, 13, 16, 30))

    assert reminders().get().current_step == 1


def test_no_reminder_where_the_school_escalates_no_overdue_requests(world):
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 11))

    assert not reminders().exists()


def test_a_school_may_configure_its_own_reminder_chain(world, chain):
    make_chain(world.school, [([TeamRole.GUARDIAN], 0, IN_APP)], trigger=Trigger.REQUEST_DUE_SOON)
    request_on(world, TUESDAY)

    sweep(at(2026, 3, 10, 11))
    reminder = reminders().get()
    assert notifications(escalation=reminder) == [(VERA, "in_app", "escalation", 1, 0)]

    # After its last step it resolves at its next look (the chain's acknowledgement time later), never repeats.
    sweep(at(2026, 3, 10, 15))
    reminder.refresh_from_db()
    assert reminder.status == Escalation.Status.RESOLVED
    assert notifications(escalation=reminder) == [(VERA, "in_app", "escalation", 1, 0)]


def test_the_care_coordinators_dashboard_leaves_reminders_out(world, chain, client):
    """Nothing is late yet: a reminder is no work for the care coordinator, and no count on the dashboard."""
    request_on(world, TUESDAY)
    sweep(at(2026, 3, 10, 11))
    assert reminders().filter(status__in=Escalation.ACTIVE).exists()
    client.force_login(world.user("care_coordinator"))

    with travel(at(2026, 3, 10, 11, 5)):
        page = client.get(reverse("escalation:dashboard")).content.decode()

    assert 'data-testid="escalation-row"' not in page
    assert selectors.counts_by_step(world.user("care_coordinator")) == {}
