"""Exactly once on PostgreSQL: separate processes deliver the same outbox rows at the same moment.

Each process has its own database connection and sends with Django's file-based backend into one folder; every
message carries the id of its outbox row in a header, so a duplicate send shows as a second file entry with the
same id. Skips without PostgreSQL on a laptop; fails in CI.
"""

import os
import subprocess
import sys
import uuid
from collections import Counter
from datetime import date

import pytest
from django.conf import settings
from django.core.mail.backends import filebased
from django.db import connection
from django.utils import timezone

from escalation.delivery import NOTIFICATION_HEADER, STUCK_AFTER
from escalation.models import Notification
from tests.conftest import require

from .conftest import at, request_on, sweep
from .test_integration_celery import database_url, read_messages

PROCESSES = 4


class OneFilePerMessageBackend(filebased.EmailBackend):
    """Django's file-based backend names a file by the second and the backend's id(), which forked or twin
    processes share: their messages would interleave in one file and be miscounted. One file per connection here."""

    def _get_filename(self):
        if self._fname is None:
            self._fname = os.path.join(self.file_path, f"{os.getpid()}-{uuid.uuid4().hex}.log")
        return self._fname


ROWS = 150

# Each deliverer waits for the go file, so that all of them race over the same rows from the first one.
DELIVERER = """
import os, sys, time
import django
django.setup()
from escalation.delivery import deliver_due, deliver_notification
go, mode, ids = sys.argv[1], sys.argv[2], [int(i) for i in sys.argv[3:]]
while not os.path.exists(go):
    time.sleep(0.01)
if mode == "due":
    deliver_due()
else:
    for notification_id in ids:
        deliver_notification(notification_id)
"""


def sent_ids(mail_dir) -> Counter:
    return Counter(int(message[NOTIFICATION_HEADER]) for message in read_messages(mail_dir))


@pytest.fixture
def outbox(world, chain):
    """ROWS pending e-mails of one open escalation (one per round, so the outbox's uniqueness allows them)."""
    request_on(world, date(2026, 3, 10))
    sweep(at(2026, 3, 10, 12))
    email = Notification.objects.get(channel=Notification.Channel.EMAIL)
    # Without a broker the sweep has already sent it in-process: back to the outbox with the others.
    Notification.objects.filter(id=email.id).update(status=Notification.Status.PENDING, attempts=0, sent_at=None)
    Notification.objects.bulk_create(
        Notification(
            recipient=email.recipient,
            channel=email.channel,
            kind=email.kind,
            student=email.student,
            escalation=email.escalation,
            step=email.step,
            round=round_,
            next_attempt_at=email.next_attempt_at,
        )
        for round_ in range(1, ROWS)
    )
    return list(Notification.objects.filter(channel=Notification.Channel.EMAIL).values_list("id", flat=True))


def race(mode, outbox, tmp_path):
    """PROCESSES deliverers at once; returns how often each outbox row was sent."""
    mail_dir, go = tmp_path / "mail", tmp_path / "go"
    mail_dir.mkdir()
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amvcoord.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "DEBUG": "0",
        "SECRET_KEY": "delivery-race-test",
        "EMAIL_BACKEND": f"{__name__}.OneFilePerMessageBackend",
        "EMAIL_FILE_PATH": str(mail_dir),
    }
    ids = [str(notification_id) for notification_id in outbox]
    deliverers = [
        subprocess.Popen(
            [sys.executable, "-c", DELIVERER, str(go), mode, *ids],
            cwd=settings.BASE_DIR,
            env=env,
            stderr=subprocess.PIPE,
        )
        for _ in range(PROCESSES)
    ]
    go.touch()
    errors = [deliverer.communicate(timeout=120)[1].decode() for deliverer in deliverers]
    assert all(deliverer.returncode == 0 for deliverer in deliverers), "\n".join(errors)
    return sent_ids(mail_dir)


def assert_each_sent_once(sends, outbox, *, attempts):
    duplicates = {notification_id: count for notification_id, count in sends.items() if count > 1}
    assert not duplicates, f"{len(duplicates)} of {len(outbox)} e-mails were sent more than once"
    assert set(sends) == set(outbox)
    statuses = Counter(Notification.objects.filter(id__in=outbox).values_list("status", "attempts"))
    assert statuses == {(Notification.Status.SENT, attempts): len(outbox)}


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_racing_deliverers_in_separate_processes_send_each_email_exactly_once(outbox, tmp_path):
    require(connection.vendor == "postgresql", "the delivery race test needs PostgreSQL (DATABASE_URL)")

    sends = race("claim", outbox, tmp_path)

    assert_each_sent_once(sends, outbox, attempts=1)


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_racing_deliver_due_runs_reclaim_and_send_each_stuck_email_exactly_once(outbox, tmp_path):
    """Their workers died mid-send long ago: every deliver_due run sees every row stuck, one may send it."""
    require(connection.vendor == "postgresql", "the delivery race test needs PostgreSQL (DATABASE_URL)")
    Notification.objects.filter(id__in=outbox).update(
        status=Notification.Status.SENDING, attempts=1, next_attempt_at=timezone.now() - STUCK_AFTER
    )

    sends = race("due", outbox, tmp_path)

    assert_each_sent_once(sends, outbox, attempts=2)
