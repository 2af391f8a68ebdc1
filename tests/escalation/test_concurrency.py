"""Races: overlapping sweeps, and an acknowledgement crossing an explanation.

The threaded tests need PostgreSQL (SQLite serialises every writer, so nothing races there): they skip on a laptop
with SQLite and fail in CI (REQUIRE_SERVICES=1) when the suite does not run on PostgreSQL.
"""

import threading
from contextlib import nullcontext
from datetime import date
from functools import partial

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.db.models import Count

from attendance.models import Reason
from attendance.services import explanation_give
from escalation.models import Escalation, EscalationEvent, Notification, SweepRun
from escalation.services import escalation_acknowledge
from escalation.sweep import escalation_sweep
from tests.conftest import require

from .conftest import add_student, at, request_on, sweep

TUESDAY = date(2026, 3, 10)
NOON = at(2026, 3, 10, 12)


def in_parallel(*functions, timeout=60):
    """Run each function in its own thread (own database connection), released together by a barrier."""
    barrier = threading.Barrier(len(functions))
    results, errors = [None] * len(functions), []

    def run(index, function):
        try:
            barrier.wait(timeout=10)
            results[index] = function()
        except BaseException as error:
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(index, function)) for index, function in enumerate(functions)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout)
    assert not any(thread.is_alive() for thread in threads), "a thread hung (deadlock?)"
    return results, errors


def explain(world, escalation):
    return explanation_give(
        request_ids=[escalation.explanation_request_id],
        reason=Reason.MEDICAL_APPOINTMENT,
        remark="Tandarts",
        actor=world.user("guardian"),
    )


def acknowledge(world, escalation):
    try:
        escalation_acknowledge(escalation=escalation, actor=world.user("housing_worker"))
    except ValidationError:
        return "refused"
    return "acknowledged"


def assert_resolved_and_silent_afterwards(world, escalations, sent_before, mailoutbox, *, after_commit=nullcontext):
    for escalation in escalations:
        escalation.refresh_from_db()
        assert escalation.status == Escalation.Status.RESOLVED
        assert escalation.next_action_at is None
    notifications_before = Notification.objects.count()
    assert not Notification.objects.filter(status__in=["pending", "sending"]).exists()
    # Step 2 would have been due at 14:00 and step 3 the next day, and an acknowledgement would have run out.
    for moment in [at(2026, 3, 10, 14), at(2026, 3, 10, 17), at(2026, 3, 11, 13), at(2026, 3, 12, 13)]:
        with after_commit():
            sweep(moment)
    assert Notification.objects.count() == notifications_before
    assert len(mailoutbox) == sent_before


# -- any database: both orders, one after the other ----------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("first", ["acknowledge", "explain"])
def test_acknowledge_and_explanation_in_either_order_end_resolved_without_more_notifications(
    world, chain, mailoutbox, django_capture_on_commit_callbacks, first
):
    after_commit = partial(django_capture_on_commit_callbacks, execute=True)
    request_on(world, TUESDAY)
    with after_commit():
        sweep(NOON)
    assert len(mailoutbox) == 1
    escalation = Escalation.objects.get()

    with after_commit():
        if first == "acknowledge":
            assert acknowledge(world, escalation) == "acknowledged"
            explain(world, escalation)
        else:
            explain(world, escalation)
            assert acknowledge(world, escalation) == "refused"

    assert_resolved_and_silent_afterwards(world, [escalation], 1, mailoutbox, after_commit=after_commit)


# -- PostgreSQL: real concurrency -----------------------------------------------------------------------------


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_two_concurrent_sweeps_notify_exactly_once_per_step_and_recipient(world, chain, mailoutbox):
    require(connection.vendor == "postgresql", "concurrent sweeps need PostgreSQL (row locks, skip_locked)")
    students = [world.ward, *[add_student(world, f"Tegelijk{number}") for number in range(9)]]
    for student in students:
        request_on(world, TUESDAY, student=student)

    results, errors = in_parallel(lambda: escalation_sweep(now=NOON), lambda: escalation_sweep(now=NOON))

    assert not errors, errors
    assert Escalation.objects.count() == 10
    assert sorted(Escalation.objects.values_list("current_step", flat=True)) == [1] * 10
    assert sum(result.fired for result in results) == 10
    assert sum(result.failures for result in results) == 0
    per_key = (
        Notification.objects.values("escalation", "step", "round", "recipient", "channel")
        .annotate(copies=Count("id"))
        .values_list("copies", flat=True)
    )
    assert sorted(per_key) == [1] * 20  # the housing worker of each student, in the app and by e-mail
    assert EscalationEvent.objects.filter(kind="started").count() == 10
    assert EscalationEvent.objects.filter(kind="step_fired").count() == 10
    # Each e-mail went out once, after its sweep committed.
    assert len(mailoutbox) == 10
    assert Notification.objects.filter(channel="email", status="sent").count() == 10
    assert SweepRun.objects.count() == 2

    # Both again at the next step's moment: still one per step and recipient.
    results, errors = in_parallel(
        lambda: escalation_sweep(now=at(2026, 3, 10, 14)), lambda: escalation_sweep(now=at(2026, 3, 10, 14))
    )
    assert not errors, errors
    assert sum(result.fired for result in results) == 10
    assert Notification.objects.filter(step=2).count() == 20
    assert len(mailoutbox) == 20


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_acknowledge_racing_an_explanation_ends_resolved_with_nothing_sent_after(world, chain, mailoutbox):
    require(connection.vendor == "postgresql", "racing transactions need PostgreSQL (row locks)")
    students = [world.ward, *[add_student(world, f"Race{number}") for number in range(4)]]
    for student in students:
        request_on(world, TUESDAY, student=student)
    sweep(NOON)
    escalations = list(Escalation.objects.order_by("id"))
    sent_before = len(mailoutbox)
    assert sent_before == 5

    outcomes = []
    for escalation in escalations:
        results, errors = in_parallel(
            lambda e=escalation: acknowledge(world, e), lambda e=escalation: explain(world, e)
        )
        assert not errors, errors
        outcomes.append(results[0])

    assert set(outcomes) <= {"acknowledged", "refused"}
    assert_resolved_and_silent_afterwards(world, escalations, sent_before, mailoutbox)
