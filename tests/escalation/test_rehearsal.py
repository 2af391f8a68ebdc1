"""`escalate --at`: a rehearsal of another moment leaves the real-time state true, and its moment is bounded."""

from datetime import date, timedelta
from io import StringIO

import pytest
from django.core.management import CommandError, call_command

from escalation import delivery
from escalation.models import Escalation, EscalationEvent, Notification, SweepRun
from escalation.selectors import sweep_health
from escalation.sweep import escalation_sweep, starting
from escalation.sweep.starting import planned_escalations, start_escalations

from .conftest import at, request_on, travel

pytestmark = pytest.mark.django_db

TUESDAY = date(2026, 3, 10)
# The real clock in these tests: the morning of the request, before its 12:00 deadline.
REAL_NOW = at(2026, 3, 10, 9, 30)


def escalate(*args):
    out, err = StringIO(), StringIO()
    call_command("escalate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


@pytest.fixture
def lost_tasks(monkeypatch):
    """The delivery tasks are lost (a broker restart) and no outbox run follows: only the outbox row is left."""
    monkeypatch.setattr("escalation.sweep.firing.deliver_after_commit", lambda ids: None)
    monkeypatch.setattr("escalation.management.commands.escalate.deliver_due", lambda **kwargs: 0)


def test_a_rehearsal_of_a_later_moment_writes_email_that_is_due_now(world, chain, lost_tasks, mailoutbox):
    request_on(world, TUESDAY)

    with travel(REAL_NOW):
        escalate("--at", "2026-03-10T13:30")
        email = Notification.objects.get(channel=Notification.Channel.EMAIL)
        in_app = Notification.objects.get(channel=Notification.Channel.IN_APP)
        assert email.status == Notification.Status.PENDING
        assert email.next_attempt_at == REAL_NOW
        assert email.created_at == REAL_NOW
        assert in_app.sent_at == REAL_NOW
        # The next real outbox run sends it, not one 4 hours later.
        assert delivery.deliver_due() == 1

    assert len(mailoutbox) == 1


def test_a_rehearsal_writes_no_heartbeat_and_the_warning_stays(world, chain):
    request_on(world, TUESDAY)

    with travel(REAL_NOW):
        escalate("--at", "2026-03-10T13:30")
        health = sweep_health(world.user("care_coordinator"), since=REAL_NOW - timedelta(days=1))
        assert health.is_late

    assert Escalation.objects.get().current_step == 1  # it did rehearse
    assert not SweepRun.objects.exists()
    assert health.last_run is None


def test_a_heartbeat_from_the_future_is_ignored(world):
    """Written by a rehearsal of an older version: it must not keep the warning silent."""
    with travel(REAL_NOW):
        SweepRun.objects.create(started_at=REAL_NOW - timedelta(minutes=30), finished_at=REAL_NOW)
        SweepRun.objects.create(started_at=REAL_NOW + timedelta(hours=4), finished_at=REAL_NOW)
        health = sweep_health(world.user("care_coordinator"), since=REAL_NOW - timedelta(days=1))
        assert health.is_late

    assert health.last_run.started_at == REAL_NOW - timedelta(minutes=30)


def test_a_real_sweep_still_writes_its_heartbeat(world, chain):
    request_on(world, TUESDAY)

    with travel(at(2026, 3, 10, 12)):
        escalate()
        health = sweep_health(world.user("care_coordinator"), since=REAL_NOW)
        assert not health.is_late

    assert SweepRun.objects.get().started_at == at(2026, 3, 10, 12)


def test_a_failure_in_a_rehearsal_is_retried_an_hour_after_the_real_moment(world, chain, monkeypatch):
    request_on(world, TUESDAY)

    def explode(*args, **kwargs):
        raise RuntimeError("boom")

    monkeypatch.setattr("escalation.sweep.firing._fire_next_step", explode)
    with travel(REAL_NOW):
        escalate("--at", "2026-03-10T16:00")

    escalation = Escalation.objects.get()
    assert escalation.failures == 1
    assert escalation.next_action_at == REAL_NOW + timedelta(hours=1)
    # The event describes the rehearsed moment: it is the escalation's own (rehearsed) timeline.
    assert escalation.events.get(kind=EscalationEvent.Kind.FAILED).at == at(2026, 3, 10, 16)


@pytest.mark.parametrize(
    "value", ["9999-12-31T23:59", "0001-01-01T00:00+14:00", "1999-12-31T23:59", "2027-03-11T09:31"]
)
def test_an_at_out_of_range_is_a_command_error(world, chain, value):
    request_on(world, TUESDAY)

    with travel(REAL_NOW), pytest.raises(CommandError, match=r"--at: .* is out of range"):
        escalate("--at", value)

    assert not Escalation.objects.exists()
    assert not SweepRun.objects.exists()


def test_an_at_a_year_ahead_is_allowed(world, chain):
    with travel(REAL_NOW):
        out, _err = escalate("--at", "2027-03-10T09:00")

    assert out.startswith("[2027-03-10 09:00] started 0")


def test_the_failure_handler_cannot_overflow_at_the_end_of_time(world, chain):
    """Called directly (not through the command's bound): the step's arithmetic overflows, the handler must not."""
    request_on(world, TUESDAY)
    with travel(REAL_NOW):
        result = escalation_sweep(now=at(9999, 12, 31, 23, 59), rehearsal=True)

    assert result.failures == 1
    escalation = Escalation.objects.get()
    assert escalation.last_error.startswith("OverflowError")
    assert escalation.next_action_at == REAL_NOW + timedelta(hours=1)


def test_started_counts_only_the_escalations_this_sweep_inserted(world, chain, monkeypatch):
    """A concurrent sweep inserted one of the planned escalations first: it is not counted here."""
    request_on(world, TUESDAY)
    now = at(2026, 3, 10, 12)
    with travel(now):
        planned = planned_escalations(now)
        assert len(planned) == 1
        (theirs,) = planned_escalations(now)
        theirs.save()
        monkeypatch.setattr(starting, "planned_escalations", lambda moment: planned)

        assert start_escalations(now) == 0

    assert Escalation.objects.count() == 1
