"""Writes of the escalation app: notifications now; the escalation engine builds on them."""

from django.db import transaction
from django.utils import timezone

from contacts.models import ContactPerson

from .models import Notification


@transaction.atomic
def notifications_create(
    *, recipients: list[ContactPerson], kind: str, student=None, sick_report=None
) -> list[Notification]:
    """In-app notifications, at most one per recipient for the same sick report (re-running is a no-op)."""
    now = timezone.now()
    unique_recipients = {person.id: person for person in recipients}.values()
    notifications = [
        Notification(
            recipient=person,
            channel=Notification.Channel.IN_APP,
            kind=kind,
            student=student,
            sick_report=sick_report,
            status=Notification.Status.SENT,
            sent_at=now,
        )
        for person in unique_recipients
    ]
    return Notification.objects.bulk_create(notifications, ignore_conflicts=True)


def notifications_mark_read(*, person: ContactPerson, notification_ids=None) -> int:
    unread = Notification.objects.filter(recipient=person, channel=Notification.Channel.IN_APP, read_at__isnull=True)
    if notification_ids is not None:
        unread = unread.filter(id__in=notification_ids)
    return unread.update(read_at=timezone.now())
