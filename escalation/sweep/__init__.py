"""The escalation sweep: one service function, run every minute by Celery beat (or the embedded scheduler) and
by `manage.py escalate`.

The database is the only timer. Each sweep (1) starts an escalation for every cause that has none yet, one row
per cause thanks to a unique key (starting.py, asking each trigger of `escalation.triggers` for its causes), and
(2) claims escalations whose `next_action_at` has come with `select_for_update(skip_locked=True)`, re-checks that
they are still needed, fires the next step and writes the events and notification rows in the same transaction
(firing.py, batch.py, notifying.py). E-mail goes out after commit. A row that raises is pushed an hour forward and
its error recorded, so one bad row cannot stop the others or loop.

A rehearsal (`manage.py escalate --at <moment>`, `rehearsal=True`) fires as of another moment but leaves the
real-time state true: the outbox rows it writes are due by the real clock (notifying.py), a failure is retried an
hour after the real moment (firing.py), and it writes no heartbeat, so the dashboard's "sweep not running" warning
still sees only the real sweeps. Its escalations' own timeline (events, next steps) is the rehearsed one: that is
what it rehearses.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone

from ..models import Escalation, SweepRun
from .firing import SweepResult, process_due
from .starting import planned_escalations, start_escalations

logger = logging.getLogger(__name__)

__all__ = ["SweepResult", "escalation_sweep", "escalations_overdue", "sweep_interval"]


def sweep_interval() -> timedelta:
    return timedelta(seconds=settings.ESCALATION_SWEEP_SECONDS)


def escalations_overdue(now=None):
    """Active escalations whose next action is more than two sweep intervals late: beat or worker is down."""
    now = now or timezone.now()
    return Escalation.objects.filter(status__in=Escalation.ACTIVE, next_action_at__lt=now - 2 * sweep_interval())


def escalation_sweep(*, now=None, dry_run: bool = False, rehearsal: bool = False) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult(overdue_before=escalations_overdue(now).count())
    if result.overdue_before:
        logger.warning(
            "Escalation sweep: %s escalations were overdue by more than two intervals", result.overdue_before
        )
    if dry_run:
        result.started = len(planned_escalations(now))
        result.due = Escalation.objects.filter(status__in=Escalation.ACTIVE, next_action_at__lte=now).count()
        return result
    result.started = start_escalations(now)
    process_due(now, result)
    if rehearsal:
        return result
    SweepRun.objects.create(
        started_at=now,
        finished_at=timezone.now(),
        started_escalations=result.started,
        fired_steps=result.fired,
        failures=result.failures,
    )
    return result
