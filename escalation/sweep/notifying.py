"""The outbox rows a firing step or an exhausted chain writes: in-app rows are delivered by existing, e-mail rows
wait for the sender."""

from django.utils import timezone

from ..models import Notification
from .batch import BatchContext


def notify(escalation, recipients, channels, context: BatchContext) -> list[tuple]:
    """Outbox rows for reachable recipients: in-app needs a login, e-mail an address. Returns (person, channel)."""
    rows = []
    for person in recipients:
        if Notification.Channel.IN_APP in channels and person.id in context.with_login:
            rows.append((person, Notification.Channel.IN_APP))
        if Notification.Channel.EMAIL in channels and person.email:
            rows.append((person, Notification.Channel.EMAIL))
    context.notifications.extend(
        _row(escalation, person, channel, Notification.Kind.ESCALATION, context.now) for person, channel in rows
    )
    return rows


def notify_exhausted(escalation, team, context: BatchContext) -> None:
    """The chain ran out without anyone settling it: the care coordinators hear of it in the app."""
    _tell_care_coordinators(escalation, team, context, Notification.Kind.EXHAUSTED, step=0, round=0)


def notify_step_skipped(escalation, team, context: BatchContext) -> None:
    """A step named a role nobody can resolve: the care coordinators hear of it in the app (once per step)."""
    _tell_care_coordinators(escalation, team, context, Notification.Kind.STEP_SKIPPED)


def _tell_care_coordinators(escalation, team, context: BatchContext, kind, **step) -> None:
    coordinators = [person for person in team.care_coordinators if person.id in context.with_login]
    context.notifications.extend(
        _row(escalation, person, Notification.Channel.IN_APP, kind, context.now, **step) for person in coordinators
    )


def _row(escalation, person, channel, kind, now, *, step=None, round=None) -> Notification:
    in_app = channel == Notification.Channel.IN_APP
    # The outbox is real-time state: a row written by a rehearsal of a later moment is due (and sent) now, not
    # then; one rehearsing an earlier moment keeps it (already due).
    now = min(now, timezone.now())
    return Notification(
        recipient=person,
        channel=channel,
        kind=kind,
        student_id=escalation.student_id,
        escalation=escalation,
        step=escalation.current_step if step is None else step,
        round=escalation.round if round is None else round,
        status=Notification.Status.SENT if in_app else Notification.Status.PENDING,
        sent_at=now if in_app else None,
        next_attempt_at=None if in_app else now,
    )
