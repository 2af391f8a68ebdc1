"""Writes of the escalation app: acknowledging and closing escalations, in-app notifications, chain edits, and
what the escalation app does about events from below (see receivers.py).

Every state change is a compare-and-set (`filter(id=…, status=…).update(…)`): whoever changes the row first wins,
the other gets a clear "already done" instead of overwriting it.
"""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import F, Value
from django.db.models.functions import Greatest
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from attendance.calendar import SchoolCalendar
from attendance.models import AttendanceRecord, ExplanationRequest, SickReport
from contacts.models import ContactPerson
from students.models import Student
from students.team import student_teams

from . import tasks
from .models import (
    Escalation,
    EscalationChain,
    EscalationEvent,
    EscalationStep,
    Notification,
    Trigger,
    validate_step_channels,
    validate_step_roles,
)
from .triggers import trigger_for


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


@transaction.atomic
def notifications_mark_read(*, person: ContactPerson, notification_ids=None) -> int:
    """Mark in-app notifications read. Opening urgent housing news means school has seen it: its escalation stops.

    Without ids ("mark all as read") urgent housing news stays unread: it counts as seen only once opened.
    """
    unread = Notification.objects.filter(recipient=person, channel=Notification.Channel.IN_APP, read_at__isnull=True)
    if notification_ids is None:
        unread = unread.exclude(kind=Notification.Kind.URGENT_HOUSING_NEWS)
    else:
        unread = unread.filter(id__in=notification_ids)
    seen_reports = list(
        unread.filter(kind=Notification.Kind.URGENT_HOUSING_NEWS, sick_report__isnull=False).values_list(
            "sick_report_id", flat=True
        )
    )
    count = unread.update(read_at=timezone.now())
    if seen_reports:
        escalations_close(
            Escalation.objects.filter(trigger=Trigger.HOSPITAL_UNSEEN, sick_report_id__in=seen_reports),
            status=Escalation.Status.RESOLVED,
            actor=getattr(person, "user", None),
            detail=gettext_noop("Gelezen door school."),
        )
    return count


def _cancel_pending(escalation_ids):
    """Unsent e-mail of a closed or acknowledged escalation is never sent (one already being sent goes out)."""
    Notification.objects.filter(escalation_id__in=escalation_ids, status=Notification.Status.PENDING).update(
        status=Notification.Status.CANCELLED
    )


@transaction.atomic
def escalation_acknowledge(*, escalation: Escalation, actor, now=None) -> Escalation:
    """'Ik pak dit op': pause the escalation until the chain's acknowledgement timeout (in working time).

    The pause never ends before the next step was due anyway: acknowledging must not make it escalate sooner.
    """
    now = now or timezone.now()
    minutes = escalation.snapshot.acknowledgement_minutes
    until = SchoolCalendar(escalation.school_id).add_working_time(now, timedelta(minutes=minutes))
    updated = Escalation.objects.filter(id=escalation.id, status=Escalation.Status.OPEN).update(
        status=Escalation.Status.ACKNOWLEDGED,
        acknowledged_by=actor,
        acknowledged_at=now,
        next_action_at=Greatest(F("next_action_at"), Value(until)),
    )
    if not updated:
        raise ValidationError(_("Deze escalatie is al opgepakt of afgehandeld."))
    EscalationEvent.objects.create(
        escalation=escalation,
        at=now,
        kind=EscalationEvent.Kind.ACKNOWLEDGED,
        step=escalation.current_step or None,
        round=escalation.round,
        actor=actor,
    )
    _cancel_pending([escalation.id])
    escalation.refresh_from_db()
    return escalation


@transaction.atomic
def escalation_resolve(*, escalation: Escalation, actor, now=None, detail: str = "") -> bool:
    """Close by hand ("afgehandeld"). Returns False when it was already closed: a safe no-op."""
    return bool(
        escalations_close(
            Escalation.objects.filter(id=escalation.id),
            status=Escalation.Status.RESOLVED,
            actor=actor,
            now=now,
            detail=detail,
        )
    )


def escalations_close(escalations, *, status, actor=None, now=None, detail: str = "") -> int:
    """Close the still-active escalations in a queryset (resolved or cancelled) and cancel their unsent mail."""
    now = now or timezone.now()
    with transaction.atomic():
        # Locked rows cannot change status under us, so every id read here is closed by this call. Only the
        # escalation rows (a filter through a relation would lock the joined request too), in ascending id, and
        # FOR NO KEY UPDATE: see the lock order in `students.services.lock_student`.
        closed_ids = list(
            escalations.filter(status__in=Escalation.ACTIVE)
            .select_for_update(of=("self",), no_key=True)
            .order_by("id")
            .values_list("id", flat=True)
        )
        if not closed_ids:
            return 0
        Escalation.objects.filter(id__in=closed_ids).update(
            status=status, next_action_at=None, closed_at=now, closed_by=actor
        )
        kind = EscalationEvent.Kind.RESOLVED if status == Escalation.Status.RESOLVED else EscalationEvent.Kind.CANCELLED
        EscalationEvent.objects.bulk_create(
            [
                EscalationEvent(escalation_id=escalation_id, at=now, kind=kind, actor=actor, detail=detail[:500])
                for escalation_id in closed_ids
            ]
        )
        _cancel_pending(closed_ids)
        return len(closed_ids)


def escalations_close_for_requests(request_ids, *, answered: bool, actor=None) -> int:
    """An explanation resolves the escalation of its request; a withdrawn absence cancels it.

    A repeated-absence escalation of the same student is resolved too once too few of its absences are left
    unexplained (called after the record was explained or corrected).
    """
    closed = escalations_close(
        Escalation.objects.filter(explanation_request_id__in=request_ids),
        status=Escalation.Status.RESOLVED if answered else Escalation.Status.CANCELLED,
        actor=actor,
        detail=gettext_noop("Toegelicht door de woonlocatie of voogd.")
        if answered
        else gettext_noop("Afwezigheid gecorrigeerd door school."),
    )
    students = ExplanationRequest.objects.filter(id__in=request_ids).values("student_id")
    return closed + _resolve_repeated_absence_no_longer_needed(students, actor=actor)


def escalations_settle_by_decision(*, record: AttendanceRecord, actor) -> int:
    """The care coordinator decided the absence (geoorloofd or not): that settles it. The escalation of its request
    stops, and it no longer counts towards repeated absence."""
    closed = escalations_close(
        Escalation.objects.filter(trigger=Trigger.REQUEST_OVERDUE, explanation_request__record_id=record.id),
        status=Escalation.Status.RESOLVED,
        actor=actor,
        detail=gettext_noop("Beoordeeld door de zorgcoördinator."),
    )
    return closed + _resolve_repeated_absence_no_longer_needed([record.student_id], actor=actor)


def _resolve_repeated_absence_no_longer_needed(student_ids, *, actor) -> int:
    repeated = Escalation.objects.filter(
        trigger=Trigger.REPEATED_ABSENCE, status__in=Escalation.ACTIVE, student_id__in=student_ids
    )
    trigger = trigger_for(Trigger.REPEATED_ABSENCE)
    no_longer_needed = [escalation.id for escalation in repeated if not trigger.still_needed(escalation)]
    if not no_longer_needed:
        return 0
    return escalations_close(
        Escalation.objects.filter(id__in=no_longer_needed),
        status=Escalation.Status.RESOLVED,
        actor=actor,
        detail=gettext_noop("Er zijn niet meer genoeg onverklaarde afwezigheden."),
    )


def escalations_cancel_for_student(*, student: Student, actor=None) -> int:
    """A pupil who left is no longer escalated about: every active escalation of theirs is cancelled, unsent
    e-mail with it."""
    return escalations_close(
        Escalation.objects.filter(student_id=student.id),
        status=Escalation.Status.CANCELLED,
        actor=actor,
        detail=gettext_noop("Leerling uitgeschreven."),
    )


def urgent_housing_news_create(*, sick_report: SickReport) -> list[Notification]:
    """A hospital admission: the mentors and care coordinators hear at once, in the app (the escalation by e-mail
    follows while nobody at school opened it)."""
    team = student_teams([sick_report.student])[sick_report.student_id]
    return notifications_create(
        recipients=team.mentors + team.care_coordinators,
        kind=Notification.Kind.URGENT_HOUSING_NEWS,
        student=sick_report.student,
        sick_report=sick_report,
    )


@transaction.atomic
def notification_resend(*, notification: Notification, actor, now=None) -> Notification:
    """Send an e-mail that failed for good once more: back in the outbox with fresh attempts, delivered after commit.

    If it fails for good again, the care coordinators hear of it again: their alerts about this failure go.
    """
    now = now or timezone.now()
    updated = Notification.objects.filter(
        id=notification.id, channel=Notification.Channel.EMAIL, status=Notification.Status.FAILED
    ).update(status=Notification.Status.PENDING, attempts=0, next_attempt_at=now, last_error="")
    if not updated:
        raise ValidationError(_("Deze e-mail is al opnieuw verstuurd of niet mislukt."))
    Notification.objects.filter(kind=Notification.Kind.DELIVERY_FAILED, failed_delivery=notification).delete()
    if notification.escalation_id:
        EscalationEvent.objects.create(
            escalation_id=notification.escalation_id,
            at=now,
            kind=EscalationEvent.Kind.EMAIL_RESENT,
            step=notification.step,
            round=notification.round,
            actor=actor,
            detail=notification.recipient.name[:500],
        )
    transaction.on_commit(lambda: tasks.deliver_notification.delay(notification.id))
    notification.refresh_from_db()
    return notification


@transaction.atomic
def chain_save_steps(*, chain: EscalationChain, steps: list[dict]) -> EscalationChain:
    """Replace a chain's steps. Running escalations keep the copy they started with."""
    if not steps:
        raise ValidationError(_("Een keten heeft minstens één stap."))
    for step in steps:
        validate_step_roles(step["roles"])
        validate_step_channels(step["channels"])
    chain.full_clean()
    chain.save()
    chain.steps.all().delete()
    EscalationStep.objects.bulk_create(
        [
            EscalationStep(
                chain=chain,
                position=position,
                roles=step["roles"],
                after_minutes=step["after_minutes"],
                channels=step["channels"],
            )
            for position, step in enumerate(steps, start=1)
        ]
    )
    return chain
