"""Chaos on the real stack: every e-mail exactly once, none stuck, no escalation lost.

The test starts everything itself: its own redis-server on a free port, two Celery prefork workers on the
pytest-django PostgreSQL test database (this test commits: transaction=True), and two `manage.py escalate`
sweepers at once over CHAOS_ESCALATIONS overdue explanation requests whose chain's first step e-mails the housing
worker and the guardian. Mid-delivery one worker is killed with SIGKILL (its rows stay in SENDING, its unacked
tasks stay with Redis), then Redis is killed and restarted empty (every queued task is lost). Afterwards only the
outbox is left to recover from: `deliver_due`, run by beat every DELIVER_DUE_SECONDS, must send what was lost
and reclaim what is stuck within the reclaim bound (RECLAIM_SECONDS + DELIVER_DUE_SECONDS, short ones here).

Messages are written by Django's file-based backend; each carries its outbox id in a header, so a duplicate is a
second message with the same id. Skips without PostgreSQL or a redis-server binary on a laptop; fails in CI.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
from collections import Counter
from datetime import time as wall_clock
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.utils import timezone

from attendance.calendar import SchoolCalendar
from attendance.models import AttendanceRecord, ExplanationRequest
from escalation.delivery import NOTIFICATION_HEADER
from escalation.models import Escalation, Notification
from students.team import TeamRole
from tests.conftest import require

from .conftest import EMAIL, add_students_in_bulk, make_chain
from .test_delivery_race import OneFilePerMessageBackend
from .test_integration_celery import database_url, read_messages, start, stop, tail

CHAOS_ESCALATIONS = int(os.environ.get("CHAOS_ESCALATIONS", "1000"))
RECLAIM_SECONDS = 5
DELIVER_DUE_SECONDS = 1
# Until the kill the workers send like a slow mail server, so that the kill lands while one is sending, almost
# never in the instant between a message written and its row marked SENT (a real SIGKILL there sends that one
# twice: at-least-once, by design).
SLOW_SEND_SECONDS = "0.2"
PHASE_SECONDS = 180
QUEUEING_SECONDS = 30
# Production runs the worker and beat under `restart: unless-stopped` (docker-compose.yml): a process that dies on
# its own (kombu can crash on an ack across the Redis restart) is started again, at most this often in a run.
MAX_RESTARTS = 3


class SlowFileBackend(OneFilePerMessageBackend):
    """One file per message, CHAOS_SEND_SECONDS slower while the `slow` file exists; marks the process mid-send."""

    def send_messages(self, email_messages):
        marker = Path(settings.EMAIL_FILE_PATH).parent / "inflight" / f"{os.environ['CHAOS_ROLE']}-{os.getpid()}"
        marker.write_text(" ".join(message.extra_headers[NOTIFICATION_HEADER] for message in email_messages))
        try:
            if (marker.parent.parent / "slow").exists():
                time.sleep(float(os.environ.get("CHAOS_SEND_SECONDS", "0")))  # a slow mail server, not a test clock
            return super().send_messages(email_messages)
        finally:
            marker.unlink(missing_ok=True)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def start_redis(port, log_path):
    log = open(log_path, "ab")  # noqa: SIM115 - closed by stop_redis()
    process = subprocess.Popen(
        ["redis-server", "--port", str(port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,
    )
    process.log = log
    wait_for(lambda: port_open(port), "redis-server to accept connections", seconds=20)
    return process


def stop_redis(process, *, signal_number=signal.SIGTERM):
    if process.poll() is None:
        process.send_signal(signal_number)
        process.wait(timeout=20)
    process.log.close()


def port_open(port) -> bool:
    with socket.socket() as probe:
        return probe.connect_ex(("127.0.0.1", port)) == 0


def wait_for(condition, what, *, seconds=PHASE_SECONDS, every=0.05, alive=()):
    deadline = time.monotonic() + seconds
    while not condition():
        assert all(process.poll() is None for process in alive), f"a process died while waiting for {what}"
        if time.monotonic() > deadline:
            pytest.fail(f"Timed out after {seconds} s waiting for {what}")
        time.sleep(every)


def seed_overdue_requests(world, count) -> list[int]:
    """`count` pupils of the world's class, each with an unexplained absence whose 12:00 deadline has passed."""
    calendar = SchoolCalendar(world.school.id)
    day = calendar.previous_school_day(timezone.localdate() - timedelta(days=1))
    deadline = calendar.at(day, wall_clock(12))
    mentor = world.user("mentor")
    guardian = world.user("guardian").person
    students = add_students_in_bulk(world, count, name="Chaos")
    records = AttendanceRecord.objects.bulk_create(
        AttendanceRecord(
            student=student,
            day=day,
            school_class=world.school_class,
            status=AttendanceRecord.Status.ABSENT,
            lesson_hours_missed=6,
            recorded_by=mentor,
            updated_by=mentor,
        )
        for student in students
    )
    requests = ExplanationRequest.objects.bulk_create(
        ExplanationRequest(
            record=record,
            student=record.student,
            day=day,
            location=world.location,
            guardian=guardian,
            deadline=deadline,
        )
        for record in records
    )
    return [request.id for request in requests]


def sent_once_counts(mail_dir) -> Counter:
    return Counter(int(message[NOTIFICATION_HEADER]) for message in read_messages(mail_dir))


def email_rows():
    return Notification.objects.filter(channel=Notification.Channel.EMAIL)


@pytest.mark.services
@pytest.mark.chaos
@pytest.mark.django_db(transaction=True)
def test_chaos_every_email_exactly_once_none_stuck_no_escalation_lost(world, tmp_path):
    require(connection.vendor == "postgresql", "the chaos test needs PostgreSQL (DATABASE_URL)")
    require(shutil.which("redis-server") is not None, "the chaos test needs the redis-server binary")
    make_chain(world.school, [([TeamRole.HOUSING_WORKER, TeamRole.GUARDIAN], 0, EMAIL)])
    request_ids = seed_overdue_requests(world, CHAOS_ESCALATIONS)
    mail_dir, inflight = tmp_path / "mail", tmp_path / "inflight"
    mail_dir.mkdir()
    inflight.mkdir()
    port = free_port()
    env = {
        **os.environ,
        "DATABASE_URL": database_url(),
        "REDIS_URL": f"redis://127.0.0.1:{port}/0",
        "DEBUG": "0",
        "SECRET_KEY": "chaos-test",
        "EMAIL_BACKEND": f"{__name__}.SlowFileBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
        "EMAIL_TIMEOUT": "2",
        "ESCALATION_EMAIL_RECLAIM_AFTER_SECONDS": str(RECLAIM_SECONDS),
        "ESCALATION_DELIVER_DUE_SECONDS": str(DELIVER_DUE_SECONDS),
        "ESCALATION_SWEEP_SECONDS": "20",
        "PYTHONUNBUFFERED": "1",
    }
    worker_args = ["worker", "-l", "info", "--concurrency=2", "--pool=prefork", "--without-gossip", "--without-mingle"]
    logs = {name: tmp_path / f"{name}.log" for name in ["redis", "worker1", "worker2", "beat", "sweep1", "sweep2"]}
    redis_server = start_redis(port, logs["redis"])
    workers, beat = {}, None
    sweepers, sweeper_logs, restarts = [], [], []
    try:
        (tmp_path / "slow").touch()
        for name in ["worker1", "worker2"]:
            worker_env = {**env, "CHAOS_ROLE": name, "CHAOS_SEND_SECONDS": SLOW_SEND_SECONDS}
            workers[name] = start([*worker_args, "-n", f"{name}@%h"], logs[name], worker_env)
        for worker, log in [(workers["worker1"], logs["worker1"]), (workers["worker2"], logs["worker2"])]:
            wait_for(
                lambda log=log: " ready." in log.read_text(errors="replace"), f"{log.stem} to be ready", alive=[worker]
            )

        sweeper_logs = [logs[f"sweep{number}"].open("wb") for number in (1, 2)]  # closed in the finally below
        sweepers = [
            subprocess.Popen(
                [sys.executable, "manage.py", "escalate"],
                cwd=settings.BASE_DIR,
                env={**env, "CHAOS_ROLE": f"sweep{number}"},
                stdout=log,
                stderr=subprocess.STDOUT,
            )
            for number, log in enumerate(sweeper_logs, start=1)
        ]

        # A SIGKILL to the first worker found sending (its marker exists) once others have already been sent.
        wait_for(
            lambda: any(inflight.glob("worker*")) and email_rows().filter(status="sent").exists(),
            "a worker to be mid-delivery",
            every=0.005,
            alive=list(workers.values()),
        )
        victim_name = next(inflight.glob("worker*")).name.split("-")[0]
        victim = workers[victim_name]
        survivor_name = "worker2" if victim_name == "worker1" else "worker1"
        os.killpg(victim.pid, signal.SIGKILL)
        killed_at = timezone.now()
        victim.wait(timeout=10)
        # What the victim was sending: claims it can no longer finish, each stuck until its reclaim deadline.
        victim_ids = {int(i) for marker in inflight.glob(f"{victim_name}-*") for i in marker.read_text().split()}
        (tmp_path / "slow").unlink()
        stuck_at_kill = dict(
            email_rows().filter(id__in=victim_ids, status="sending").values_list("id", "next_attempt_at")
        )

        # Beat comes in now, not before: its first sweep would otherwise do the two sweepers' work.
        beat = start(
            ["beat", "-l", "info", "--schedule", str(tmp_path / "beat-schedule")],
            logs["beat"],
            {**env, "CHAOS_ROLE": "beat"},
        )

        # Redis dies (every queued task with it) once delivery has moved on, and comes back empty.
        sent_at_kill = email_rows().filter(status="sent").count()
        wait_for(
            lambda: (
                email_rows().filter(status="sent").count() >= sent_at_kill + 50
                or all(sweeper.poll() is not None for sweeper in sweepers)
            ),
            "more e-mails after the worker was killed",
        )
        pending_at_redis_kill = email_rows().filter(status="pending").count()
        stop_redis(redis_server, signal_number=signal.SIGKILL)
        redis_server = start_redis(port, logs["redis"])
        redis_back_at = timezone.now()

        for sweeper in sweepers:
            sweeper.wait(timeout=PHASE_SECONDS)
        sweep_outcomes = [
            (sweeper.returncode, tail(logs[f"sweep{number}"], 3)) for number, sweeper in enumerate(sweepers, 1)
        ]

        # Beat's deliver_due on the surviving worker is all that is left to send what Redis lost and what the
        # victim left in SENDING.
        supervised = {
            survivor_name: ([*worker_args, "-n", f"{survivor_name}@%h"], {**env, "CHAOS_ROLE": survivor_name}),
            "beat": (
                ["beat", "-l", "info", "--schedule", str(tmp_path / "beat-schedule")],
                {**env, "CHAOS_ROLE": "beat"},
            ),
        }

        def outbox_empty():
            nonlocal beat
            for name, (arguments, process_env) in supervised.items():
                process = beat if name == "beat" else workers[name]
                if process.poll() is None:
                    continue
                restarts.append(f"{name} exited {process.returncode}")
                assert len(restarts) <= MAX_RESTARTS, f"processes keep dying: {restarts}"
                process.log.close()
                restarted = start(arguments, logs[name], process_env)
                if name == "beat":
                    beat = restarted
                else:
                    workers[name] = restarted
            return not email_rows().filter(status__in=["pending", "sending"]).exists()

        wait_for(outbox_empty, "the outbox to empty", every=0.5)
        all_sent_at = timezone.now()
    except BaseException:
        print("\n".join(f"--- {name} ---\n{tail(path)}" for name, path in logs.items()))
        raise
    finally:
        for process in sweepers:
            if process.poll() is None:
                process.kill()
                process.wait(timeout=10)
        for process in [beat, *workers.values()]:
            if process is not None:
                stop(process)
        stop_redis(redis_server)
        for log in sweeper_logs:
            log.close()

    sends = sent_once_counts(mail_dir)
    rows = dict(email_rows().values_list("id", "status"))
    duplicates = {notification_id: count for notification_id, count in sends.items() if count > 1}
    never_sent = [notification_id for notification_id in rows if notification_id not in sends]
    strangers = set(sends) - set(rows)
    stuck = [notification_id for notification_id, status in rows.items() if status in ("pending", "sending")]
    not_sent_status = Counter(status for status in rows.values() if status != Notification.Status.SENT)
    advanced = Escalation.objects.filter(
        explanation_request_id__in=request_ids, status=Escalation.Status.OPEN, current_step__gte=1
    ).count()
    lost = len(request_ids) - advanced
    reclaimed = dict(Notification.objects.filter(id__in=stuck_at_kill, attempts__gte=2).values_list("id", "sent_at"))
    reclaim_seconds = max(((sent - killed_at).total_seconds() for sent in reclaimed.values()), default=0)
    after_deadline = max(((sent - stuck_at_kill[row]).total_seconds() for row, sent in reclaimed.items()), default=0)
    print(
        f"\nchaos: {len(request_ids)} escalations, {len(rows)} e-mails; sent {len(sends)}, duplicates "
        f"{len(duplicates)}, never sent {len(never_sent)}, stuck {len(stuck)}, lost escalations {lost}; "
        f"stuck in SENDING at the kill {len(stuck_at_kill)}, reclaimed {len(reclaimed)}, the last sent "
        f"{reclaim_seconds:.1f} s after the kill, {after_deadline:.1f} s after its reclaim deadline (bound "
        f"{RECLAIM_SECONDS} + {DELIVER_DUE_SECONDS} s + queueing); pending when Redis died {pending_at_redis_kill}, "
        f"Redis back {(redis_back_at - killed_at).total_seconds():.1f} s after the kill; "
        f"all sent {(all_sent_at - killed_at).total_seconds():.1f} s after the kill; sweepers {sweep_outcomes}; "
        f"restarted by the supervisor {restarts or 'none'}"
    )
    assert len(rows) == 2 * len(request_ids)
    assert not duplicates, f"{len(duplicates)} e-mails were sent more than once"
    assert not never_sent and not strangers
    assert not stuck and not not_sent_status, not_sent_status
    assert lost == 0
    assert stuck_at_kill, "the kill did not land during delivery"
    assert set(reclaimed) == set(stuck_at_kill)
    # One deliver_due period after the deadline, plus the time beat's task waits for the broker to come back and
    # for a free worker process on a busy machine (printed above: the real figure).
    assert after_deadline <= DELIVER_DUE_SECONDS + QUEUEING_SECONDS
