"""End to end with the real moving parts: a Celery worker and Celery beat (subprocesses) on Redis and PostgreSQL.

Beat schedules the sweep every 2 seconds; the worker runs it against the pytest-django test database (this test
commits its data: transaction=True), the sweep enqueues the e-mail after its commit, the worker sends it with
Django's file-based backend into a temporary folder. Skips without PostgreSQL or Redis on a laptop; fails in CI.
"""

import email
import os
import signal
import subprocess
import sys
import time
from datetime import time as wall_clock
from datetime import timedelta
from email import policy
from urllib.parse import quote

import pytest
import redis
from django.conf import settings
from django.db import connection
from django.utils import timezone

from attendance.calendar import SchoolCalendar
from attendance.models import AttendanceRecord, ExplanationRequest, Reason
from escalation.models import Escalation, Notification, SweepRun
from tests.conftest import require

REDIS_URL = os.environ.get("CELERY_TEST_REDIS_URL", "redis://127.0.0.1:6379/15")
SITE_URL = "https://amvcoord.test"
WAIT_SECONDS = 60
SECRET_REMARK = "Vermoedelijk opgenomen, astma-aanval"


def redis_client():
    client = redis.Redis.from_url(REDIS_URL, socket_connect_timeout=2, socket_timeout=5)
    try:
        client.ping()
    except redis.RedisError:
        return None
    return client


def database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"]) + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{quote(db['NAME'])}"


def overdue_request(world):
    """An unexplained absence on the last school day before today, its 12:00 deadline long past.

    Built directly rather than through the roster, whose correction window could refuse a day before a holiday.
    """
    calendar = SchoolCalendar(world.school.id)
    day = calendar.previous_school_day(timezone.localdate() - timedelta(days=1))
    mentor = world.user("mentor")
    record = AttendanceRecord.objects.create(
        student=world.ward,
        day=day,
        school_class=world.school_class,
        status=AttendanceRecord.Status.ABSENT,
        lesson_hours_missed=6,
        remark=SECRET_REMARK,
        recorded_by=mentor,
        updated_by=mentor,
    )
    return ExplanationRequest.objects.create(
        record=record,
        student=world.ward,
        day=day,
        location=world.location,
        guardian=world.user("guardian").person,
        deadline=calendar.at(day, wall_clock(12)),
    )


def start(arguments, log_path, env):
    """A Celery process in a process group of its own (SIGKILL takes its children); its log is appended to, so a
    process started again keeps what the one before it wrote."""
    log = open(log_path, "ab")  # noqa: SIM115 - closed by stop()
    process = subprocess.Popen(
        # The running interpreter's Celery: works from any virtualenv (tox, a developer's own), not only .venv.
        [sys.executable, "-m", "celery", "-A", "amvcoord", *arguments],
        cwd=settings.BASE_DIR,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    return process


def stop(process):
    """TERM the process group (the prefork worker has children), then KILL what is left after 20 seconds."""
    if process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait(timeout=10)
    process.log.close()


def tail(path, lines=40):
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:]) if path.exists() else "(no log)"


def read_messages(mail_dir):
    """Every message the file-based backend wrote (one file per connection, messages separated by dashes)."""
    messages = []
    for path in sorted(mail_dir.glob("*.log")):
        for chunk in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
            if chunk.strip():
                messages.append(email.message_from_bytes(chunk, policy=policy.default))
    return messages


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_a_real_worker_and_beat_escalate_an_overdue_request_and_send_a_discreet_email(world, chain, tmp_path):
    require(connection.vendor == "postgresql", "the Celery integration test needs PostgreSQL (DATABASE_URL)")
    broker = redis_client()
    require(broker is not None, f"the Celery integration test needs Redis at {REDIS_URL}")
    broker.flushdb()  # a database number of its own: no tasks left over from an earlier run
    overdue_request(world)
    mail_dir = tmp_path / "mail"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": REDIS_URL,
        "DEBUG": "0",
        "SECRET_KEY": "celery-integration-test",
        "ESCALATION_SWEEP_SECONDS": "2",
        "EMAIL_BACKEND": "django.core.mail.backends.filebased.EmailBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "SITE_URL": SITE_URL,
        "PYTHONUNBUFFERED": "1",
    }
    worker_log, beat_log = tmp_path / "worker.log", tmp_path / "beat.log"
    processes = []
    try:
        processes.append(start(["worker", "-l", "info", "--concurrency=1"], worker_log, env))
        processes.append(start(["beat", "-l", "info", "--schedule", str(tmp_path / "beat-schedule")], beat_log, env))
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline:
            sent = Notification.objects.filter(channel=Notification.Channel.EMAIL, status="sent").exists()
            if sent and read_messages(mail_dir):
                break
            assert all(process.poll() is None for process in processes), "a Celery process died"
            time.sleep(0.5)
        else:
            logs = f"--- worker ---\n{tail(worker_log)}\n--- beat ---\n{tail(beat_log)}"
            pytest.fail(f"No e-mail within {WAIT_SECONDS} s.\n{logs}")
    finally:
        for process in processes:
            stop(process)
        broker.flushdb()

    escalation = Escalation.objects.get()
    assert (escalation.status, escalation.current_step) == (Escalation.Status.OPEN, 1)
    assert SweepRun.objects.exists()
    notification = Notification.objects.get(channel=Notification.Channel.EMAIL)
    assert (notification.status, notification.attempts, notification.last_error) == ("sent", 1, "")
    assert Notification.objects.get(channel=Notification.Channel.IN_APP).recipient == notification.recipient

    (message,) = read_messages(mail_dir)
    body = message.get_body(preferencelist=("plain",)).get_content()
    text = f"{message['subject']}\n{body}".lower()
    assert message["to"] == world.user("housing_worker").person.email
    assert "Yonas Tesfay" in message["subject"]
    assert f"{SITE_URL}/escalaties/mijn/" in body
    for secret in ["astma", "opgenomen", SECRET_REMARK.lower(), *(str(label).lower() for label in Reason.labels)]:
        assert secret not in text, secret
