"""E-mail delivery from the notification outbox: claim, re-check, send, record; retry with backoff.

Exactly one deliverer sends a row: the claim PENDING → SENDING is a compare-and-set whose WHERE is on the
notification row itself. (Filtering an UPDATE through a relation makes Django emit `WHERE id IN (SELECT …)`; the
status test then sits in the subquery, which READ COMMITTED does not re-evaluate after waiting for the row lock,
so two racing claims both succeeded.)

At-least-once: a row stuck in SENDING (worker killed mid-send) is reclaimed after STUCK_AFTER
(settings.ESCALATION_EMAIL_RECLAIM_AFTER_SECONDS), counted from its claim. Failures stay visible (status FAILED,
last_error) on the dashboard, and the school's care coordinators get an in-app alert per e-mail that failed for
good.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import EmailMessage
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from contacts.models import ContactPerson, Role

from .models import Escalation, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_MINUTES = (1, 5, 15, 60)
STUCK_AFTER = timedelta(seconds=settings.ESCALATION_EMAIL_RECLAIM_AFTER_SECONDS)
DUE_PER_RUN = 500
DUE_CHUNK = 50
# Every message names its outbox row, so a mail log or sink can tell a duplicate from a second message.
NOTIFICATION_HEADER = "X-Amvcoord-Notification"


def _sendable() -> Q:
    """Unsent rows whose escalation still wants them: an acknowledged, resolved or cancelled one sends nothing more.

    An exhausted escalation still does: nobody acted, so its last messages (perhaps still retrying) must arrive.
    A condition on the row's own columns (no join), so that an UPDATE filtered by it stays one plain UPDATE.
    """
    wanting = Escalation.objects.filter(status__in=[Escalation.Status.OPEN, Escalation.Status.EXHAUSTED])
    return Q(channel=Notification.Channel.EMAIL) & (
        Q(escalation__isnull=True) | Q(escalation_id__in=wanting.values("id"))
    )


def send_mail(subject, body, from_email, recipient_list, *, headers):
    """Django's send_mail with headers, which it cannot take (and one place to replace a transport in tests)."""
    EmailMessage(subject, body, from_email, recipient_list, headers=headers).send()


def deliver_notification(notification_id: int, *, now=None) -> str:
    """Send one e-mail notification if it is still due. Returns its resulting status."""
    now = now or timezone.now()
    if not _claim(notification_id):
        Notification.objects.filter(id=notification_id, status=Notification.Status.PENDING).exclude(_sendable()).update(
            status=Notification.Status.CANCELLED
        )
        return Notification.objects.filter(id=notification_id).values_list("status", flat=True).first() or ""
    return _send(notification_id, now)


def _claim(notification_id: int) -> bool:
    """PENDING → SENDING, for exactly one caller.

    The stuck deadline counts from the real claim, not from `now` (the start of a long deliver_due run, or a
    rehearsed moment): otherwise a row could look stuck while its worker is still sending it.
    """
    return bool(
        Notification.objects.filter(_sendable(), id=notification_id, status=Notification.Status.PENDING).update(
            status=Notification.Status.SENDING,
            attempts=F("attempts") + 1,
            next_attempt_at=timezone.now() + STUCK_AFTER,
        )
    )


def _send(notification_id: int, now) -> str:
    """Send a row this caller has claimed and record the outcome."""
    notification = Notification.objects.select_related("recipient", "student", "escalation__explanation_request").get(
        id=notification_id
    )
    # Only this claim may record the outcome: should the row have been reclaimed meanwhile, the later claim owns it.
    mine = Notification.objects.filter(
        id=notification_id, status=Notification.Status.SENDING, attempts=notification.attempts
    )
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(notification.text)
            body = render_to_string(
                "escalation/email/notification.txt",
                {"notification": notification, "link": settings.SITE_URL + notification.url},
            )
        send_mail(
            subject,
            body,
            settings.DEFAULT_FROM_EMAIL,
            [notification.recipient.email],
            headers={NOTIFICATION_HEADER: str(notification_id)},
        )
    except Exception as error:  # any transport error is recorded and retried
        message = f"{type(error).__name__}: {error}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            status, next_attempt = Notification.Status.FAILED, None
            logger.error("E-mail notification %s failed for good: %s", notification_id, message)
        else:
            delay = BACKOFF_MINUTES[min(notification.attempts, len(BACKOFF_MINUTES)) - 1]
            status, next_attempt = Notification.Status.PENDING, now + timedelta(minutes=delay)
            logger.warning("E-mail notification %s failed, retry in %s min: %s", notification_id, delay, message)
        recorded = mine.update(status=status, next_attempt_at=next_attempt, last_error=message)
        if recorded and status == Notification.Status.FAILED:
            _alert_care_coordinators(notification)
        return status
    mine.update(status=Notification.Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error="")
    return Notification.Status.SENT


def _alert_care_coordinators(failed: Notification):
    """An e-mail that failed for good must reach a person: each care coordinator of the school with a login."""
    if failed.escalation_id:
        school_id = failed.escalation.school_id
    else:
        school_id = failed.student.school_id if failed.student_id else None
    coordinators = ContactPerson.objects.active().filter(
        role=Role.CARE_COORDINATOR, organisation_id=school_id, user__is_active=True
    )
    Notification.objects.bulk_create(
        [
            Notification(
                recipient=person,
                channel=Notification.Channel.IN_APP,
                kind=Notification.Kind.DELIVERY_FAILED,
                student=failed.student,
                failed_delivery=failed,
                status=Notification.Status.SENT,
                sent_at=timezone.now(),
            )
            for person in coordinators
        ],
        ignore_conflicts=True,
    )


def deliver_due(*, now=None) -> int:
    """Retry e-mail whose backoff has passed and reclaim rows stuck in SENDING. Returns how many were tried.

    This is also what sends rows whose task was lost (a broker restart): they wait PENDING and due in the outbox.
    A run tries at most DUE_PER_RUN rows, in chunks: each chunk first reclaims what has become stuck meanwhile and
    sends it first, so that a long run behind a backlog does not delay a reclaim by more than one chunk.
    """
    now = now or timezone.now()
    tried = 0
    while tried < DUE_PER_RUN:
        chunk = _due_chunk(now, size=min(DUE_CHUNK, DUE_PER_RUN - tried))
        if not chunk:
            break
        # One statement for a row that another deliverer got first, so that a run stays short while others race.
        for notification_id in chunk:
            if _claim(notification_id):
                _send(notification_id, now)
        tried += len(chunk)
    return tried


def _due_chunk(now, *, size) -> list[int]:
    # Stuck by the real clock too: a rehearsal run (`escalate --at <future>`) must not take over a live send.
    stuck = Notification.objects.filter(
        channel=Notification.Channel.EMAIL,
        status=Notification.Status.SENDING,
        next_attempt_at__lte=min(now, timezone.now()),
    )
    reclaimed = list(stuck.values_list("id", flat=True)[:size])
    # Compare-and-set on the row: a row claimed again meanwhile (its deadline moved on) stays with its claimer.
    stuck.filter(id__in=reclaimed).update(status=Notification.Status.PENDING)
    due_rows = Notification.objects.filter(
        channel=Notification.Channel.EMAIL, status=Notification.Status.PENDING, next_attempt_at__lte=now
    )
    due_rows.exclude(_sendable()).update(status=Notification.Status.CANCELLED)
    due = list(due_rows.exclude(id__in=reclaimed).order_by("next_attempt_at").values_list("id", flat=True)[:size])
    return (reclaimed + due)[:size]
