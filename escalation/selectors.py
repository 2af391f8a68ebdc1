"""Reads of the escalation app, scoped to the asking user."""

from django.db.models import QuerySet

from students.selectors import person_of

from .models import Notification


def notifications_for(user) -> QuerySet[Notification]:
    person = person_of(user)
    if person is None:
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=person, channel=Notification.Channel.IN_APP)
        .select_related("student")
        .order_by("-created_at", "-id")
    )


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()
