"""E-mail delivery from the outbox: claim, re-check, send, retry with backoff, reclaim, fail visibly."""

import smtplib
from datetime import date, timedelta

import pytest
from django.conf import settings
from django.core.exceptions import ValidationError

from contacts.models import Role
from escalation import delivery, tasks
from escalation.delivery import MAX_ATTEMPTS, STUCK_AFTER, deliver_due, deliver_notification
from escalation.models import Escalation, EscalationEvent, Notification
from escalation.services import escalation_acknowledge, escalation_resolve, notification_resend
from students.team import TeamRole
from tests.factories import ContactPersonFactory, SchoolFactory, UserFactory

from .conftest import BOTH, at, make_chain, request_on, sweep, travel

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)
NOON = at(2026, 3, 10, 12)


@pytest.fixture
def email(world, chain):
    """Step 1 has fired at Tuesday noon: one e-mail to the housing worker waits in the outbox."""
    request_on(world, TUESDAY)
    sweep(NOON)
    return Notification.objects.get(channel=Notification.Channel.EMAIL)


@pytest.fixture
def smtp_down(monkeypatch):
    calls = []

    def send_mail(*args, **kwargs):
        calls.append(args)
        raise smtplib.SMTPServerDisconnected("Connection unexpectedly closed")

    monkeypatch.setattr(delivery, "send_mail", send_mail)
    return calls


def test_it_sends_a_pending_email_and_marks_it_sent(world, email, mailoutbox):
    with travel(at(2026, 3, 10, 12, 1)):
        status = deliver_notification(email.id)

    email.refresh_from_db()
    assert status == Notification.Status.SENT
    assert (email.status, email.attempts, email.last_error) == ("sent", 1, "")
    assert email.sent_at == at(2026, 3, 10, 12, 1)
    assert email.next_attempt_at is None
    (message,) = mailoutbox
    assert message.to == [world.user("housing_worker").person.email]
    assert message.from_email == settings.DEFAULT_FROM_EMAIL
    assert "Yonas Tesfay" in message.subject
    assert f"{settings.SITE_URL}/escalaties/mijn/" in message.body


def test_the_sweep_hands_email_to_the_sender_only_after_commit(
    world, chain, mailoutbox, django_capture_on_commit_callbacks
):
    request_on(world, TUESDAY)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        sweep(NOON)
        assert not mailoutbox
        assert Notification.objects.get(channel="email").status == Notification.Status.PENDING

    assert len(callbacks) == 1
    assert len(mailoutbox) == 1
    assert Notification.objects.get(channel="email").status == Notification.Status.SENT


def test_a_redelivered_task_sends_once(world, email, mailoutbox):
    assert deliver_notification(email.id) == Notification.Status.SENT
    assert deliver_notification(email.id) == Notification.Status.SENT
    assert tasks.deliver_notification(email.id) == Notification.Status.SENT

    assert len(mailoutbox) == 1
    email.refresh_from_db()
    assert email.attempts == 1


def test_it_retries_with_backoff_then_fails_visibly(world, email, smtp_down, mailoutbox, caplog, client):
    with travel(NOON):
        assert deliver_notification(email.id) == Notification.Status.PENDING
    email.refresh_from_db()
    assert (email.status, email.attempts) == ("pending", 1)
    assert email.next_attempt_at == at(2026, 3, 10, 12, 1)
    assert email.last_error == "SMTPServerDisconnected: Connection unexpectedly closed"
    assert "retry in 1 min" in caplog.text

    # Not before the backoff has passed; then 1, 5, 15 and 60 minutes apart; the fifth attempt is the last.
    moments = [at(2026, 3, 10, 12, 1), at(2026, 3, 10, 12, 6), at(2026, 3, 10, 12, 21), at(2026, 3, 10, 13, 21)]
    for attempt, moment in enumerate(moments, start=2):
        assert deliver_due(now=moment - timedelta(seconds=1)) == 0
        assert deliver_due(now=moment) == 1
        email.refresh_from_db()
        assert email.attempts == attempt
    assert len(smtp_down) == MAX_ATTEMPTS

    assert email.status == Notification.Status.FAILED
    assert email.next_attempt_at is None
    assert "failed for good" in caplog.text
    assert deliver_due(now=at(2026, 3, 11, 12)) == 0
    assert not mailoutbox

    client.force_login(world.user("care_coordinator"))
    with travel(at(2026, 3, 10, 13, 22)):
        page = client.get("/escalaties/").content.decode()
    assert "1 e-mail(s) konden niet worden verzonden" in page


def test_it_recovers_when_the_mail_server_is_back(world, email, smtp_down, monkeypatch, mailoutbox):
    deliver_notification(email.id, now=NOON)
    monkeypatch.undo()

    assert deliver_due(now=at(2026, 3, 10, 12, 1)) == 1

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sent", 2, "")
    assert len(mailoutbox) == 1


def test_a_row_stuck_in_sending_is_reclaimed(world, email, mailoutbox):
    """A worker died between claiming and sending: after STUCK_AFTER the row goes out anyway (at least once)."""
    Notification.objects.filter(id=email.id).update(
        status=Notification.Status.SENDING, attempts=1, next_attempt_at=NOON + STUCK_AFTER
    )

    assert deliver_due(now=NOON + STUCK_AFTER - timedelta(seconds=1)) == 0
    email.refresh_from_db()
    assert email.status == Notification.Status.SENDING

    assert deliver_due(now=NOON + STUCK_AFTER) == 1

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 2)
    assert len(mailoutbox) == 1


def test_email_of_an_acknowledged_escalation_is_cancelled_not_sent(world, email, mailoutbox):
    escalation_acknowledge(escalation=email.escalation, actor=world.user("housing_worker"))

    assert deliver_notification(email.id) == Notification.Status.CANCELLED
    assert deliver_due(now=at(2026, 3, 11, 12)) == 0
    assert not mailoutbox


def test_email_stuck_in_sending_when_its_escalation_closed_is_cancelled_on_reclaim(world, email, mailoutbox):
    Notification.objects.filter(id=email.id).update(
        status=Notification.Status.SENDING, attempts=1, next_attempt_at=NOON + STUCK_AFTER
    )
    escalation_resolve(escalation=email.escalation, actor=world.user("care_coordinator"))
    email.refresh_from_db()
    assert email.status == Notification.Status.SENDING

    deliver_due(now=NOON + STUCK_AFTER)

    email.refresh_from_db()
    assert email.status == Notification.Status.CANCELLED
    assert not mailoutbox


def test_email_waiting_for_a_retry_is_cancelled_when_the_escalation_is_resolved(world, email, smtp_down, mailoutbox):
    deliver_notification(email.id, now=NOON)
    escalation_resolve(escalation=email.escalation, actor=world.user("care_coordinator"))

    assert deliver_due(now=at(2026, 3, 10, 12, 1)) == 0

    email.refresh_from_db()
    assert email.status == Notification.Status.CANCELLED
    assert len(smtp_down) == 1


def test_an_exhausted_escalation_still_delivers_its_last_email(world, smtp_down, monkeypatch, mailoutbox):
    """Nobody acted, so a message still retrying when the chain ran out must arrive (at least once)."""
    make_chain(world.school, [([TeamRole.HOUSING_WORKER], 0, BOTH)], acknowledgement_minutes=30)
    request_on(world, TUESDAY)
    sweep(NOON)
    email = Notification.objects.get(channel="email")
    for moment in [NOON, at(2026, 3, 10, 12, 1), at(2026, 3, 10, 12, 6)]:
        deliver_due(now=moment)
    sweep(at(2026, 3, 10, 12, 30))
    assert Escalation.objects.get().status == Escalation.Status.EXHAUSTED
    monkeypatch.undo()

    assert deliver_due(now=at(2026, 3, 10, 12, 31)) == 1

    email.refresh_from_db()
    assert email.status == Notification.Status.SENT
    assert len(mailoutbox) == 1


def test_the_tasks_call_the_services(world, email, mailoutbox):
    with travel(at(2026, 3, 10, 14)):
        assert tasks.run_sweep() == {"started": 0, "fired": 1, "failures": 0}
        assert tasks.deliver_due() == 2
    assert len(mailoutbox) == 2


def fail_for_good(email):
    """Five failed attempts, the backoff passed each time."""
    moments = [NOON, at(2026, 3, 10, 12, 1), at(2026, 3, 10, 12, 6), at(2026, 3, 10, 12, 21), at(2026, 3, 10, 13, 21)]
    for moment in moments:
        with travel(moment):
            deliver_notification(email.id, now=moment)
    email.refresh_from_db()
    assert email.status == Notification.Status.FAILED


def delivery_alerts():
    return list(
        Notification.objects.filter(kind=Notification.Kind.DELIVERY_FAILED).values_list(
            "recipient__name", "channel", "failed_delivery_id", "student_id"
        )
    )


def test_an_email_that_failed_for_good_alerts_the_schools_care_coordinators_once(world, email, smtp_down, client):
    fail_for_good(email)
    # Another run that finds the row FAILED alerts nobody again.
    assert deliver_notification(email.id, now=at(2026, 3, 10, 14)) == Notification.Status.FAILED

    assert delivery_alerts() == [("Zorg Zeynep", Notification.Channel.IN_APP, email.id, world.ward.id)]
    alert = Notification.objects.get(kind=Notification.Kind.DELIVERY_FAILED)
    assert alert.text == "E-mail aan Woon Wendy over Yonas Tesfay kon niet worden bezorgd."
    assert alert.url == "/escalaties/"
    client.force_login(world.user("care_coordinator"))
    page = client.get("/meldingen/").content.decode()
    assert "E-mail aan Woon Wendy over Yonas Tesfay kon niet worden bezorgd." in page


def test_the_alert_reaches_only_care_coordinators_of_the_school_with_a_login(world, email, smtp_down):
    other_school = SchoolFactory(name="ISK Anders")
    elsewhere = ContactPersonFactory(role=Role.CARE_COORDINATOR, organisation=other_school, name="Zorg Elders")
    UserFactory(username="elders", person=elsewhere)
    ContactPersonFactory(role=Role.CARE_COORDINATOR, organisation=world.school, name="Zorg Zonder Login")

    fail_for_good(email)

    assert [name for name, *_ in delivery_alerts()] == ["Zorg Zeynep"]


def test_a_failed_email_can_be_resent_once_and_is_delivered_after_commit(
    world, email, smtp_down, monkeypatch, mailoutbox, django_capture_on_commit_callbacks
):
    fail_for_good(email)
    monkeypatch.undo()
    coordinator = world.user("care_coordinator")

    with django_capture_on_commit_callbacks(execute=True):
        resent = notification_resend(notification=email, actor=coordinator)
        assert (resent.status, resent.attempts, resent.last_error) == ("pending", 0, "")
        assert not mailoutbox

    email.refresh_from_db()
    assert (email.status, email.attempts) == ("sent", 1)
    (message,) = mailoutbox
    assert message.extra_headers[delivery.NOTIFICATION_HEADER] == str(email.id)
    assert delivery_alerts() == []
    event = email.escalation.events.get(kind=EscalationEvent.Kind.EMAIL_RESENT)
    assert (event.actor, event.detail, event.step) == (coordinator, "Woon Wendy", 1)

    with pytest.raises(ValidationError):
        notification_resend(notification=email, actor=coordinator)


def test_only_a_failed_email_can_be_resent(world, email):
    with pytest.raises(ValidationError):
        notification_resend(notification=email, actor=world.user("care_coordinator"))
    email.refresh_from_db()
    assert email.status == Notification.Status.PENDING


def test_a_resent_email_that_fails_for_good_again_alerts_again(world, email, smtp_down):
    fail_for_good(email)
    notification_resend(notification=email, actor=world.user("care_coordinator"))

    fail_for_good(email)

    assert [name for name, *_ in delivery_alerts()] == ["Zorg Zeynep"]
    assert len(smtp_down) == 2 * MAX_ATTEMPTS


def test_every_message_carries_its_outbox_id(world, email, mailoutbox):
    deliver_notification(email.id)

    (message,) = mailoutbox
    assert message.extra_headers == {"X-Amvcoord-Notification": str(email.id)}


def test_a_late_worker_does_not_overwrite_the_claim_that_took_over(world, email, monkeypatch):
    """The first worker hung past STUCK_AFTER; the row was reclaimed and another worker is sending it now."""

    def hung_then_failed(*args, **kwargs):
        Notification.objects.filter(id=email.id).update(status=Notification.Status.SENDING, attempts=2)
        raise smtplib.SMTPServerDisconnected("too late")

    monkeypatch.setattr(delivery, "send_mail", hung_then_failed)

    deliver_notification(email.id)

    email.refresh_from_db()
    assert (email.status, email.attempts, email.last_error) == ("sending", 2, "")


def test_a_rehearsal_in_the_future_does_not_take_over_a_live_send(world, email, mailoutbox):
    """`escalate --at <tomorrow>`: the row's worker claimed it a moment ago and is still sending."""
    with travel(at(2026, 3, 10, 12, 1)):
        Notification.objects.filter(id=email.id).update(
            status=Notification.Status.SENDING, attempts=1, next_attempt_at=at(2026, 3, 10, 12, 1) + STUCK_AFTER
        )
        assert deliver_due(now=at(2026, 3, 11, 12)) == 0

    email.refresh_from_db()
    assert email.status == Notification.Status.SENDING
    assert not mailoutbox


def test_the_reclaim_interval_is_a_setting_and_mail_times_out_well_within_it():
    assert timedelta(seconds=settings.ESCALATION_EMAIL_RECLAIM_AFTER_SECONDS) == STUCK_AFTER
    assert settings.EMAIL_TIMEOUT < settings.ESCALATION_EMAIL_RECLAIM_AFTER_SECONDS
    assert settings.CELERY_BEAT_SCHEDULE["deliver-due-notifications"]["schedule"] == float(
        settings.ESCALATION_DELIVER_DUE_SECONDS
    )
