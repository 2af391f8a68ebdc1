"""Dashboard reads: the housing-location figures, counts by step, sweep health."""

from datetime import date, timedelta

import pytest

from attendance.models import AttendanceRecord, ExplanationRequest, Reason
from attendance.services import RowInput, attendance_save, explanation_give
from escalation import selectors
from escalation.models import Escalation, Notification, SweepRun
from escalation.selectors import counts_by_step, location_figures, sweep_health

from .conftest import add_student, at, request_on, sweep, travel

pytestmark = pytest.mark.django_db


def answer(world, request, moment):
    with travel(moment):
        explanation_give(request_ids=[request.id], reason=Reason.SICK, remark="", actor=world.user("guardian"))


def test_location_figures_count_only_requests_whose_outcome_is_known(world):
    samir = add_student(world, "Samir")
    in_time = request_on(world, date(2026, 3, 9))
    answer(world, in_time, at(2026, 3, 9, 10))  # 60 minutes, before the 12:00 deadline
    late = request_on(world, date(2026, 3, 10))
    answer(world, late, at(2026, 3, 10, 15))  # 360 minutes, after the deadline
    request_on(world, date(2026, 3, 10), student=samir)  # still open, deadline passed: counts as not in time
    request_on(world, date(2026, 3, 11))  # still open, deadline 12:00 not reached: may yet be in time
    withdrawn = request_on(world, date(2026, 3, 11), student=samir)
    with travel(at(2026, 3, 11, 9, 30)):
        attendance_save(
            school_class=world.school_class,
            day=date(2026, 3, 11),
            rows={samir.id: RowInput(status=AttendanceRecord.Status.PRESENT)},
            actor=world.user("mentor"),
        )
    assert ExplanationRequest.objects.get(id=withdrawn.id).status == ExplanationRequest.Status.CANCELLED

    (figure,) = location_figures(world.user("care_coordinator"), since=at(2026, 3, 1), now=at(2026, 3, 11, 10))

    assert figure.location == world.location
    assert figure.requests == 4
    assert figure.decided == 3
    assert figure.answered_in_time == 1
    assert figure.percent_in_time == 33
    assert figure.median_minutes == 210


def test_location_figures_leave_out_older_requests_and_other_schools(world):
    request_on(world, date(2026, 2, 2))

    assert location_figures(world.user("care_coordinator"), since=at(2026, 3, 1), now=at(2026, 3, 11, 10)) == []


def test_counts_by_step(world, chain):
    samir, lina = add_student(world, "Samir"), add_student(world, "Lina")
    request_on(world, date(2026, 3, 10))
    sweep(at(2026, 3, 10, 12))
    request_on(world, date(2026, 3, 10), student=samir)
    request_on(world, date(2026, 3, 10), student=lina)
    Escalation.objects.update(next_action_at=at(2026, 3, 10, 12, 30))
    sweep(at(2026, 3, 10, 12, 30))

    assert counts_by_step(world.user("care_coordinator")) == {1: 2, 2: 1}


def test_sweep_health_reports_lateness_overdue_and_failures(world, chain, settings):
    settings.ESCALATION_SWEEP_SECONDS = 60
    coordinator = world.user("care_coordinator")
    with travel(at(2026, 3, 10, 12)):
        assert sweep_health(coordinator, since=at(2026, 2, 10)).is_late  # never ran
    request_on(world, date(2026, 3, 10))
    sweep(at(2026, 3, 10, 12))
    Notification.objects.filter(channel="email").update(status=Notification.Status.FAILED)
    Escalation.objects.update(failures=1, last_error="boom")

    with travel(at(2026, 3, 10, 12, 2)):
        health = sweep_health(coordinator, since=at(2026, 2, 10))
        assert not health.is_late
    assert health.last_run == SweepRun.objects.get()
    assert (health.overdue, health.failed_emails, health.failing_escalations) == (0, 1, 1)

    with travel(at(2026, 3, 10, 14, 3)):
        health = sweep_health(coordinator, since=at(2026, 2, 10))
        assert health.is_late
    assert health.overdue == 1

    # A failure from before the dashboard's period no longer raises the alarm.
    later = sweep_health(coordinator, since=at(2026, 3, 10, 12) + timedelta(minutes=1))
    assert later.failed_emails == 0


@pytest.mark.parametrize("role_key", ["mentor", "school_management", "housing_worker", "guardian", "admin"])
def test_the_dashboard_reads_scope_themselves_to_the_dashboard_role(world, chain, role_key):
    """Reused outside the dashboard view, they show nothing to a role without the dashboard: no school's data."""
    request_on(world, date(2026, 3, 10))
    sweep(at(2026, 3, 10, 12))
    user, since = world.user(role_key), at(2026, 3, 1)
    assert Escalation.objects.filter(school_id=world.school.id).exists()
    assert not selectors.dashboard_escalations(user).exists()
    assert not selectors.recently_exhausted(user, since=since).exists()
    assert counts_by_step(user) == {}
    assert not selectors.students_nobody_to_notify(user, since=since).exists()
    assert location_figures(user, since=since, now=at(2026, 3, 11, 10)) == []
    health = sweep_health(user, since=since)
    assert (health.overdue, health.failed_emails, health.failing_escalations) == (0, 0, 0)
    locations, classes = selectors.dashboard_filter_choices(user)
    assert not locations.exists()
    assert not classes.exists()
    assert not selectors.chains_for(user).exists()
