"""Handing e-mail from the outbox to the sender: after the commit that wrote it, one Celery task per batch.

Its own module so that the sweep can enqueue delivery without importing `tasks` (which runs the sweep).
"""

from celery import shared_task
from django.db import transaction

from . import delivery


# Named as it was when it lived in tasks.py: messages queued before an upgrade still find it.
@shared_task(acks_late=True, name="escalation.tasks.deliver_notifications")
def deliver_notifications(notification_ids):
    return [delivery.deliver_notification(notification_id) for notification_id in notification_ids]


def deliver_after_commit(notification_ids) -> None:
    """Send these e-mail notifications once the current transaction commits (never if it rolls back)."""
    ids = list(notification_ids)
    # One task per batch: each e-mail still succeeds, fails and retries on its own row (see delivery.py).
    transaction.on_commit(lambda: deliver_notifications.delay(ids))
