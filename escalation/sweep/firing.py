"""Firing due escalations: claim a batch, re-check each cause, fire the next step or close, write it all at once."""

import logging
from dataclasses import dataclass, field, replace
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext_noop

from ..models import Escalation, EscalationEvent, StepRole, roles_label
from ..outbox import deliver_after_commit
from ..triggers import TRIGGERS, trigger_for
from .batch import BatchContext
from .notifying import notify, notify_exhausted, notify_step_skipped

logger = logging.getLogger("escalation.sweep")

BATCH_SIZE = 200
RETRY_AFTER_FAILURE = timedelta(hours=1)
# Loaded with each batch: what the step needs and what the triggers read to re-check their causes.
RELATED = sorted({"student", "location", *(name for trigger in TRIGGERS for name in trigger.related)})


@dataclass
class SweepResult:
    started: int = 0
    fired: int = 0
    closed: int = 0
    exhausted: int = 0
    failures: int = 0
    overdue_before: int = 0
    email_ids: list[int] = field(default_factory=list)
    due: int = 0


def process_due(now, result: SweepResult):
    skipped_ids = set()
    while _process_batch(now, result, skipped_ids):
        pass


def _process_batch(now, result: SweepResult, skipped_ids: set) -> bool:
    """Claim and advance one batch in one transaction. False when nothing (else) is due."""
    with transaction.atomic():
        # Lock only the escalation rows: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins
        # that select_related adds for the request, sick report and location.
        batch = list(
            Escalation.objects.select_for_update(skip_locked=True, of=("self",))
            .filter(status__in=Escalation.ACTIVE, next_action_at__lte=now)
            .exclude(id__in=skipped_ids)
            .select_related(*RELATED)
            .order_by("next_action_at", "id")[:BATCH_SIZE]
        )
        if not batch:
            return False
        context = BatchContext(batch, now)
        for escalation in batch:
            mark = context.mark()
            try:
                # A savepoint: a database error while reading for one escalation would otherwise abort the
                # whole batch's transaction on PostgreSQL.
                with transaction.atomic():
                    _advance(escalation, context, result)
            except Exception as error:  # one bad row must not stop the sweep
                logger.exception("Escalation %s failed", escalation.id)
                context.forget(escalation, mark)  # nothing of a failed escalation is written or delivered
                _record_failure(escalation, error, now)
                result.failures += 1
                skipped_ids.add(escalation.id)
        email_ids = context.write()
        if email_ids:
            result.email_ids.extend(email_ids)
            deliver_after_commit(email_ids)
    return True


def _advance(escalation, context: BatchContext, result: SweepResult):
    now = context.now
    if escalation.current_step == 0:
        context.event(escalation, EscalationEvent.Kind.STARTED, escalation.started_at)
    trigger = trigger_for(escalation.trigger)
    if not trigger.still_needed(escalation):
        _close(escalation, Escalation.Status.RESOLVED, context)
        context.event(
            escalation,
            EscalationEvent.Kind.RESOLVED,
            now,
            detail=gettext_noop("De aanleiding is vervallen of afgehandeld."),
        )
        result.closed += 1
        return
    if escalation.status == Escalation.Status.ACKNOWLEDGED:
        context.event(escalation, EscalationEvent.Kind.ACK_EXPIRED, now)
        escalation.status = Escalation.Status.OPEN
    team = context.team(escalation)
    if not _fire_next_step(escalation, trigger, team, context):
        _close(escalation, Escalation.Status.EXHAUSTED, context)
        context.event(escalation, EscalationEvent.Kind.EXHAUSTED, now)
        notify_exhausted(escalation, team, context)
        result.exhausted += 1
        return
    result.fired += 1
    escalation.next_action_at = context.calendar(escalation.school_id).add_working_time(
        now, timedelta(minutes=_minutes_to_next_action(escalation))
    )
    # A step that went through after earlier failures clears the dashboard warning (the FAILED events remain).
    escalation.failures, escalation.last_error = 0, ""
    context.changed[escalation.id] = escalation


def _fire_next_step(escalation, trigger, team, context: BatchContext) -> bool:
    """Move on to the next step (or round) and notify its people; a step with nobody to notify is recorded and
    the one after it follows at once. False when the chain has no step left."""
    chain = escalation.snapshot
    while True:
        if escalation.current_step < len(chain.steps):
            escalation.current_step += 1
        elif escalation.round < chain.repeat_last_step:
            escalation.round += 1
        else:
            return False
        step = _known_roles(escalation, chain.step(escalation.current_step), context)
        created = notify(escalation, trigger.recipients(escalation, step, team), step.channels, context)
        if created:
            names = ", ".join(sorted({person.name for person, _channel in created}))
            context.event(escalation, EscalationEvent.Kind.STEP_FIRED, context.now, detail=names)
            return True
        roles = roles_label(step.roles)
        logger.warning("Escalation %s, step %s: nobody to notify (%s)", escalation.id, escalation.current_step, roles)
        context.event(escalation, EscalationEvent.Kind.NO_RECIPIENTS, context.now, detail=roles)


def _known_roles(escalation, step, context: BatchContext):
    """The step with only roles a chain may use. A role stored before roles were validated (a typo in the admin)
    cannot be resolved: it is recorded visibly and the care coordinators are told, instead of failing every hour;
    the step's other roles (if any) are notified, else the chain moves on to its next step."""
    unknown = [role for role in step.roles if role not in StepRole.values]
    if not unknown:
        return step
    logger.warning("Escalation %s, step %s: unknown roles %s", escalation.id, escalation.current_step, unknown)
    context.event(escalation, EscalationEvent.Kind.STEP_SKIPPED, context.now, detail=", ".join(unknown))
    notify_step_skipped(escalation, context.teams[escalation.student_id], context)
    return replace(step, roles=tuple(role for role in step.roles if role in StepRole.values))


def _minutes_to_next_action(escalation) -> int:
    chain = escalation.snapshot
    if escalation.current_step < len(chain.steps):
        return chain.step(escalation.current_step + 1).after_minutes
    # Before a repeat or giving up: a last step that fires at once (0 minutes) must still leave time to act, or
    # every repeat and the exhaustion would follow in the same sweep.
    return chain.steps[-1].after_minutes or chain.acknowledgement_minutes


def retry_at(now):
    """When a failed escalation is tried again: an hour after the real moment, or after `now` if that is earlier
    (a rehearsal of a later moment must not hold real retries back, nor overflow near datetime.max)."""
    return min(now, timezone.now()) + RETRY_AFTER_FAILURE


def _close(escalation, status, context: BatchContext):
    escalation.status = status
    escalation.next_action_at = None
    escalation.closed_at = context.now
    context.changed[escalation.id] = escalation


def _record_failure(escalation, error, now):
    message = f"{type(error).__name__}: {error}"[:2000]
    Escalation.objects.filter(id=escalation.id).update(
        failures=escalation.failures + 1, last_error=message, next_action_at=retry_at(now)
    )
    EscalationEvent.objects.create(
        escalation_id=escalation.id, at=now, kind=EscalationEvent.Kind.FAILED, detail=message[:500]
    )
