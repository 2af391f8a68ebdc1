import json
import logging
import subprocess
import sys
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from celery import shared_task
from celery.schedules import crontab
from django.conf import settings
from django.contrib.sessions.backends.db import SessionStore
from django.contrib.sessions.models import Session

from amvcoord.scheduler import EmbeddedScheduler

AMSTERDAM = ZoneInfo("Europe/Amsterdam")
MORNING = datetime(2026, 3, 10, 10, 0, tzinfo=AMSTERDAM)

runs = []


@shared_task(name="tests.scheduler.record")
def record(label="ran"):
    runs.append(label)


@shared_task(name="tests.scheduler.explode")
def explode():
    raise RuntimeError("kapot")


@pytest.fixture(autouse=True)
def no_runs_yet():
    runs.clear()


def every(seconds, task="tests.scheduler.record", **extra):
    return {"task": task, "schedule": float(seconds), **extra}


def test_it_runs_an_interval_job_at_start_up(db):
    with time_machine.travel(MORNING, tick=False):
        scheduler = EmbeddedScheduler({"sweep": every(60)})
        wait = scheduler.tick()
    assert runs == ["ran"]
    assert wait == 60.0


def test_it_runs_an_interval_job_again_only_when_its_interval_has_passed(db):
    with time_machine.travel(MORNING, tick=False) as traveller:
        scheduler = EmbeddedScheduler({"sweep": every(60)})
        scheduler.tick()
        scheduler.tick()
        assert runs == ["ran"]

        traveller.shift(timedelta(seconds=59))
        assert scheduler.tick() == pytest.approx(1.0)
        assert runs == ["ran"]

        traveller.shift(timedelta(seconds=1))
        scheduler.tick()
        assert runs == ["ran", "ran"]

        traveller.shift(timedelta(seconds=30))
        scheduler.tick()
        assert runs == ["ran", "ran"]


def test_it_passes_arguments_to_the_job(db):
    with time_machine.travel(MORNING, tick=False):
        EmbeddedScheduler({"sweep": every(60, kwargs={"label": "met argument"})}).tick()
    assert runs == ["met argument"]


def test_it_waits_for_the_time_of_a_daily_job(db):
    schedule = {"nightly": {"task": "tests.scheduler.record", "schedule": crontab(hour=3, minute=15)}}
    with time_machine.travel(MORNING, tick=False) as traveller:
        scheduler = EmbeddedScheduler(schedule)
        scheduler.tick()
        assert runs == []

        traveller.move_to(datetime(2026, 3, 11, 3, 14, tzinfo=AMSTERDAM))
        scheduler.tick()
        assert runs == []

        traveller.move_to(datetime(2026, 3, 11, 3, 15, 30, tzinfo=AMSTERDAM))
        scheduler.tick()
        scheduler.tick()
        assert runs == ["ran"]


def test_it_never_waits_longer_than_a_minute(db):
    schedule = {"nightly": {"task": "tests.scheduler.record", "schedule": crontab(hour=3, minute=15)}}
    with time_machine.travel(MORNING, tick=False):
        assert EmbeddedScheduler(schedule).tick() == 60.0


def make_session(expires):
    session = SessionStore()
    session["probe"] = True
    session.create()
    Session.objects.filter(session_key=session.session_key).update(expire_date=expires)
    return session.session_key


def test_it_clears_expired_sessions_with_the_configured_nightly_job(db):
    schedule = {"clear-expired-sessions": settings.CELERY_BEAT_SCHEDULE["clear-expired-sessions"]}
    with time_machine.travel(MORNING, tick=False) as traveller:
        expired = make_session(MORNING - timedelta(hours=1))
        valid = make_session(MORNING + timedelta(days=30))
        scheduler = EmbeddedScheduler(schedule)
        scheduler.tick()
        assert set(Session.objects.values_list("session_key", flat=True)) == {expired, valid}

        traveller.move_to(datetime(2026, 3, 11, 3, 15, tzinfo=AMSTERDAM))
        scheduler.tick()
    assert list(Session.objects.values_list("session_key", flat=True)) == [valid]


def test_it_clears_expired_sessions_at_start_up_when_run_as_an_interval_job(db):
    with time_machine.travel(MORNING, tick=False):
        expired = make_session(MORNING - timedelta(seconds=1))
        valid = make_session(MORNING + timedelta(hours=2))
        EmbeddedScheduler({"sessions": every(3600, task="amvcoord.tasks.clear_expired_sessions")}).tick()
    assert not Session.objects.filter(session_key=expired).exists()
    assert Session.objects.filter(session_key=valid).exists()


def test_it_logs_a_failing_job_and_runs_the_others(db, caplog):
    schedule = {"boom": every(60, task="tests.scheduler.explode"), "sweep": every(60)}
    with time_machine.travel(MORNING, tick=False), caplog.at_level(logging.INFO, logger="amvcoord.scheduler"):
        scheduler = EmbeddedScheduler(schedule)
        scheduler.tick()
    assert runs == ["ran"]
    failures = [r for r in caplog.records if r.name == "amvcoord.scheduler" and r.levelno == logging.ERROR]
    assert len(failures) == 1
    assert "Scheduled job boom failed" in failures[0].getMessage()
    assert "kapot" in failures[0].getMessage()
    assert any(record.getMessage() == "Scheduled job sweep done" for record in caplog.records)


def test_it_keeps_running_a_job_that_failed_before(db):
    schedule = {"boom": every(60, task="tests.scheduler.explode"), "sweep": every(60)}
    with time_machine.travel(MORNING, tick=False) as traveller:
        scheduler = EmbeddedScheduler(schedule)
        scheduler.tick()
        traveller.shift(timedelta(seconds=60))
        scheduler.tick()
    assert runs == ["ran", "ran"]


def test_it_logs_a_job_with_an_unknown_task_and_runs_the_others(db, caplog):
    schedule = {"typo": every(60, task="tests.scheduler.does_not_exist"), "sweep": every(60)}
    with time_machine.travel(MORNING, tick=False), caplog.at_level(logging.ERROR, logger="amvcoord.scheduler"):
        EmbeddedScheduler(schedule).tick()
    assert runs == ["ran"]
    assert "typo" in caplog.text


FIND_TASKS = """
import json
import django

django.setup()
from django.conf import settings
from amvcoord.celery import app
from amvcoord.scheduler import EmbeddedScheduler

scheduler = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE)
tasks = [state["entry"]["task"] for state in scheduler.entries.values()]
print(json.dumps(sorted(task for task in tasks if task not in app.tasks)))
"""


def test_it_finds_the_project_tasks_without_help():
    # A fresh process, like `manage.py run_scheduler`: here pytest has already imported the task modules.
    result = subprocess.run([sys.executable, "-c", FIND_TASKS], capture_output=True, text=True, check=True, timeout=60)
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
