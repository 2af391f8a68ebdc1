"""`manage.py escalate` and the schedules that run the sweep: Celery beat and the embedded scheduler."""

import json
import os
import subprocess
import sys
from datetime import date
from io import StringIO

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from amvcoord.scheduler import EmbeddedScheduler
from escalation.models import Escalation, Notification, SweepRun

from .conftest import at, request_on, sweep, travel

pytestmark = pytest.mark.django_db


def escalate(*args):
    out, err = StringIO(), StringIO()
    call_command("escalate", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_a_dry_run_reports_what_would_happen_and_changes_nothing(world, chain):
    request_on(world, date(2026, 3, 10))

    out, _err = escalate("--at", "2026-03-10T13:30", "--dry-run")

    assert out == "[dry run, 2026-03-10 13:30] would start 1 escalations; 0 are due.\n"
    assert not Escalation.objects.exists()
    assert not SweepRun.objects.exists()


def test_a_dry_run_counts_due_escalations(world, chain):
    request_on(world, date(2026, 3, 10))
    sweep(at(2026, 3, 10, 12))

    out, _err = escalate("--at", "2026-03-10T14:00+01:00", "--dry-run")

    assert out == "[dry run, 2026-03-10 14:00] would start 0 escalations; 1 are due.\n"
    assert Escalation.objects.get().current_step == 1


def test_it_runs_the_sweep_as_of_the_given_moment_and_sends_the_mail(world, chain, mailoutbox):
    request_on(world, date(2026, 3, 10))

    out, err = escalate("--at", "2026-03-10T13:30")

    escalation = Escalation.objects.get()
    assert escalation.current_step == 1
    # 13:30 is the local (Amsterdam) time: step 2 follows 120 working minutes later.
    assert escalation.next_action_at == at(2026, 3, 10, 15, 30)
    # A rehearsal writes no heartbeat: the dashboard's warning sees only real sweeps (see test_rehearsal.py).
    assert not SweepRun.objects.exists()
    assert out.startswith("[2026-03-10 13:30] started 1, fired 1 steps, closed 0, exhausted 0, failures 0;")
    assert err == ""
    assert Notification.objects.get(channel="email").status == Notification.Status.SENT
    assert len(mailoutbox) == 1


def test_it_warns_when_escalations_were_overdue(world, chain):
    request_on(world, date(2026, 3, 10))
    sweep(at(2026, 3, 10, 12))

    _out, err = escalate("--at", "2026-03-10T16:00")

    assert "1 escalations were overdue: is beat or the worker down?" in err
    assert Escalation.objects.get().current_step == 2


def test_without_at_it_runs_as_of_now(world, chain):
    request_on(world, date(2026, 3, 10))

    with travel(at(2026, 3, 10, 12, 5)):
        out, _err = escalate()

    assert out.startswith("[2026-03-10 12:05] started 1, fired 1 steps")


@pytest.mark.parametrize("value", ["yesterday", "2026-13-01T10:00", "10-03-2026 13:30", ""])
def test_a_bad_at_is_a_command_error(world, value):
    with pytest.raises(CommandError, match="--at: not an ISO 8601 date-time"):
        escalate("--at", value)

    assert not SweepRun.objects.exists()


def test_beat_runs_the_sweep_every_sweep_interval():
    entries = {entry["task"]: entry for entry in settings.CELERY_BEAT_SCHEDULE.values()}

    assert entries["escalation.tasks.run_sweep"]["schedule"] == float(settings.ESCALATION_SWEEP_SECONDS)
    assert "escalation.tasks.deliver_due" in entries


def test_the_embedded_scheduler_runs_the_sweep_at_start_up(world, chain, mailoutbox):
    request_on(world, date(2026, 3, 10))

    with travel(at(2026, 3, 10, 12)):
        scheduler = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE)
        assert "escalation-sweep" in scheduler.entries
        wait = scheduler.tick()

    assert wait <= settings.ESCALATION_SWEEP_SECONDS
    assert SweepRun.objects.count() == 1
    assert Escalation.objects.get().current_step == 1
    # The outbox job ran in the same tick and sent the e-mail of the step.
    assert len(mailoutbox) == 1


def test_the_embedded_scheduler_of_a_fresh_process_knows_every_scheduled_task():
    """`run_scheduler` is a plain Django process, not a Celery worker: it must find the sweep's task by itself.

    A fresh interpreter, because in this test process some test may already have imported the task modules.
    """
    code = (
        "import json, django; django.setup(); from django.conf import settings; from amvcoord.celery import app; "
        "from amvcoord.scheduler import EmbeddedScheduler; EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE); "
        "print(json.dumps([e['task'] for e in settings.CELERY_BEAT_SCHEDULE.values() if e['task'] not in app.tasks]))"
    )
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": "amvcoord.settings"}
    done = subprocess.run(
        [sys.executable, "-c", code], env=env, cwd=settings.BASE_DIR, capture_output=True, text=True, timeout=60
    )

    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout.strip().splitlines()[-1]) == []
