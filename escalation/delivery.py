"""E-mail delivery from the notification outbox: claim, re-check, send, record; retry with backoff.

At-least-once: a row stuck in SENDING (worker killed mid-send) is reclaimed after STUCK_AFTER. Failures stay
visible (status FAILED, last_error) on the dashboard instead of disappearing in a log.
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.core.mail import send_mail
from django.db.models import F, Q
from django.template.loader import render_to_string
from django.utils import timezone, translation

from .models import Escalation, Notification

logger = logging.getLogger(__name__)

MAX_ATTEMPTS = 5
BACKOFF_MINUTES = (1, 5, 15, 60)
STUCK_AFTER = timedelta(minutes=10)


def _sendable():
    """Unsent rows whose escalation still wants them: an acknowledged, resolved or cancelled one sends nothing more.

    An exhausted escalation still does: nobody acted, so its last messages (perhaps still retrying) must arrive.
    """
    return Notification.objects.filter(channel=Notification.Channel.EMAIL).filter(
        Q(escalation__isnull=True) | Q(escalation__status__in=[Escalation.Status.OPEN, Escalation.Status.EXHAUSTED])
    )


def deliver_notification(notification_id: int, *, now=None) -> str:
    """Send one e-mail notification if it is still due. Returns its resulting status."""
    now = now or timezone.now()
    claimed = (
        _sendable()
        .filter(id=notification_id, status=Notification.Status.PENDING)
        .update(status=Notification.Status.SENDING, attempts=F("attempts") + 1, next_attempt_at=now + STUCK_AFTER)
    )
    if not claimed:
        Notification.objects.filter(id=notification_id, status=Notification.Status.PENDING).exclude(
            id__in=_sendable().values("id")
        ).update(status=Notification.Status.CANCELLED)
        return Notification.objects.filter(id=notification_id).values_list("status", flat=True).first() or ""
    notification = Notification.objects.select_related("recipient", "student", "escalation__explanation_request").get(
        id=notification_id
    )
    try:
        with translation.override(settings.LANGUAGE_CODE):
            subject = str(notification.text)
            body = render_to_string(
                "escalation/email/notification.txt",
                {"notification": notification, "link": settings.SITE_URL + notification.url},
            )
        send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [notification.recipient.email])
    except Exception as error:  # any transport error is recorded and retried
        message = f"{type(error).__name__}: {error}"[:2000]
        if notification.attempts >= MAX_ATTEMPTS:
            status, next_attempt = Notification.Status.FAILED, None
            logger.error("E-mail notification %s failed for good: %s", notification_id, message)
        else:
            delay = BACKOFF_MINUTES[min(notification.attempts, len(BACKOFF_MINUTES)) - 1]
            status, next_attempt = Notification.Status.PENDING, now + timedelta(minutes=delay)
            logger.warning("E-mail notification %s failed, retry in %s min: %s", notification_id, delay, message)
        Notification.objects.filter(id=notification_id, status=Notification.Status.SENDING).update(
            status=status, next_attempt_at=next_attempt, last_error=message
        )
        return status
    Notification.objects.filter(id=notification_id, status=Notification.Status.SENDING).update(
        status=Notification.Status.SENT, sent_at=timezone.now(), next_attempt_at=None, last_error=""
    )
    return Notification.Status.SENT


def deliver_due(*, now=None) -> int:
    """Retry e-mail whose backoff has passed and reclaim rows stuck in SENDING. Returns how many were tried."""
    now = now or timezone.now()
    Notification.objects.filter(
        channel=Notification.Channel.EMAIL, status=Notification.Status.SENDING, next_attempt_at__lte=now
    ).update(status=Notification.Status.PENDING)
    due = list(
        Notification.objects.filter(
            channel=Notification.Channel.EMAIL, status=Notification.Status.PENDING, next_attempt_at__lte=now
        )
        .order_by("next_attempt_at")
        .values_list("id", flat=True)[:500]
    )
    for notification_id in due:
        deliver_notification(notification_id, now=now)
    return len(due)
