"""The escalation sweep: one service function, run every minute by Celery beat (or the embedded scheduler) and
by `manage.py escalate`.

The database is the only timer. Each sweep (1) starts an escalation for every cause that has none yet, one row
per cause thanks to a unique key, and (2) claims escalations whose `next_action_at` has come with
`select_for_update(skip_locked=True)`, re-checks that they are still needed, fires the next step and writes the
events and notification rows in the same transaction. E-mail goes out after commit. A row that raises is
pushed an hour forward and its error recorded, so one bad row cannot stop the others or loop.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import timedelta

from django.conf import settings
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Q
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext_noop

from attendance.calendar import SchoolCalendar
from attendance.models import AttendanceRecord, ExplanationRequest, SickReport
from contacts.models import User
from students.models import Student
from students.selectors import student_teams

from .models import Escalation, EscalationChain, EscalationEvent, Notification, SweepRun, TeamRole, Trigger

logger = logging.getLogger(__name__)

BATCH_SIZE = 200
RETRY_AFTER_FAILURE = timedelta(hours=1)
HOSPITAL_LOOKBACK = timedelta(days=14)
REPEAT_WINDOW = timedelta(days=7)


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


def sweep_interval() -> timedelta:
    return timedelta(seconds=settings.ESCALATION_SWEEP_SECONDS)


def escalations_overdue(now=None):
    """Active escalations whose next action is more than two sweep intervals late: beat or worker is down."""
    now = now or timezone.now()
    return Escalation.objects.filter(status__in=Escalation.ACTIVE, next_action_at__lt=now - 2 * sweep_interval())


def escalation_sweep(*, now=None, dry_run: bool = False) -> SweepResult:
    now = now or timezone.now()
    result = SweepResult(overdue_before=escalations_overdue(now).count())
    if result.overdue_before:
        logger.warning(
            "Escalation sweep: %s escalations were overdue by more than two intervals", result.overdue_before
        )
    if dry_run:
        result.started = len(_planned_escalations(now))
        result.due = Escalation.objects.filter(status__in=Escalation.ACTIVE, next_action_at__lte=now).count()
        return result
    result.started = _start_escalations(now)
    _process_due(now, result)
    SweepRun.objects.create(
        started_at=now,
        finished_at=timezone.now(),
        started_escalations=result.started,
        fired_steps=result.fired,
        failures=result.failures,
    )
    return result


# -- starting ---------------------------------------------------------------------------------------------------


class ChainBook:
    """Active chains by (school, trigger, housing kind), loaded once per sweep."""

    def __init__(self):
        self.chains = {}
        for chain in EscalationChain.objects.filter(is_active=True).prefetch_related("steps"):
            if chain.steps.all():
                self.chains[(chain.school_id, chain.trigger, chain.housing_kind)] = chain

    def find(self, school_id, trigger, housing_kind):
        return self.chains.get((school_id, trigger, housing_kind or "")) or self.chains.get((school_id, trigger, ""))

    def schools(self, trigger):
        return {school_id for school_id, chain_trigger, _kind in self.chains if chain_trigger == trigger}

    def threshold(self, school_id):
        return min(
            chain.threshold
            for (chain_school, trigger, _kind), chain in self.chains.items()
            if chain_school == school_id and trigger == Trigger.REPEATED_ABSENCE
        )


@dataclass
class Cause:
    trigger: str
    key: str
    student: object
    school_class_id: int | None
    since: object
    location: object = None
    request: object = None
    sick_report: object = None
    absences: int = 0


def _new_causes(now, book: ChainBook) -> list[Cause]:
    """What should be escalating and is not yet, for schools that have a chain for it."""
    # A request answered or withdrawn and then opened again (the absence stands after all, a sick report ended
    # earlier) gets a new deadline: its earlier escalation, closed before that deadline, does not cover it. One
    # closed by hand or exhausted after the deadline does: nobody is chased twice for the same deadline.
    covered = Escalation.objects.filter(explanation_request=OuterRef("pk")).filter(
        Q(closed_at__isnull=True) | Q(closed_at__gte=OuterRef("deadline"))
    )
    overdue = (
        ExplanationRequest.objects.filter(
            status=ExplanationRequest.Status.OPEN,
            deadline__lte=now,
            student__school_id__in=book.schools(Trigger.REQUEST_OVERDUE),
        )
        .exclude(Exists(covered))
        .select_related("student", "location", "record")
        .order_by("deadline", "id")
    )
    causes = [
        Cause(
            Trigger.REQUEST_OVERDUE,
            f"request:{request.id}:{request.deadline.timestamp():.0f}",
            request.student,
            request.record.school_class_id,
            request.deadline,
            location=request.location,
            request=request,
        )
        for request in overdue
    ]
    seen = Notification.objects.filter(
        sick_report=OuterRef("pk"), kind=Notification.Kind.URGENT_HOUSING_NEWS, read_at__isnull=False
    )
    unseen_admissions = (
        SickReport.objects.filter(
            hospital_admission=True,
            last_day__isnull=True,
            student__school_id__in=book.schools(Trigger.HOSPITAL_UNSEEN),
        )
        # The clock starts when the admission was reported, which may be days after the sick report itself.
        .annotate(admission_reported_at=Coalesce("hospital_reported_at", "reported_at"))
        .filter(admission_reported_at__gte=now - HOSPITAL_LOOKBACK, admission_reported_at__lte=now)
        .exclude(Exists(seen))
        .exclude(Exists(Escalation.objects.filter(sick_report=OuterRef("pk"))))
        .select_related("student")
    )
    causes += [
        Cause(
            Trigger.HOSPITAL_UNSEEN,
            f"hospital:{report.id}",
            report.student,
            report.student.school_class_id,
            report.admission_reported_at,
            sick_report=report,
        )
        for report in unseen_admissions
    ]
    today = timezone.localdate(now)
    year, week, _weekday = today.isocalendar()
    # The absences of the last 7 days that started an escalation must not start another one next week.
    recently_escalated = Escalation.objects.filter(
        trigger=Trigger.REPEATED_ABSENCE, started_at__gt=now - REPEAT_WINDOW
    ).values("student_id")
    schools = book.schools(Trigger.REPEATED_ABSENCE)
    repeated = (
        _unexplained_absences(today)
        .filter(student__school_id__in=schools)
        .exclude(student_id__in=recently_escalated)
        .values("student_id", "student__school_id")
        .annotate(absences=Count("id"))
        .filter(absences__gte=2)
    )
    counts = {
        f"repeat:{row['student_id']}:{year}-W{week:02d}": (row["student_id"], row["absences"])
        for row in repeated
        if row["absences"] >= book.threshold(row["student__school_id"])
    }
    if counts:
        started = set(Escalation.objects.filter(trigger_key__in=counts).values_list("trigger_key", flat=True))
        students = Student.objects.in_bulk([sid for key, (sid, _count) in counts.items() if key not in started])
        causes += [
            Cause(Trigger.REPEATED_ABSENCE, key, students[sid], students[sid].school_class_id, now, absences=count)
            for key, (sid, count) in counts.items()
            if sid in students
        ]
    return causes


def _unexplained_absences(today):
    """Unexplained absences in the 7 days up to and including `today`."""
    return AttendanceRecord.objects.filter(
        status=AttendanceRecord.Status.ABSENT,
        reason="",
        day__gt=today - REPEAT_WINDOW,
        day__lte=today,
    )


def _start_escalations(now) -> int:
    new = _planned_escalations(now)
    # A concurrent sweep may have started the same cause: the unique key makes the second insert a no-op.
    Escalation.objects.bulk_create(new, ignore_conflicts=True)
    return len(new)


def _planned_escalations(now) -> list[Escalation]:
    """Unsaved escalations for the new causes that a chain covers (by housing kind and, for absences, threshold)."""
    book = ChainBook()
    causes = _new_causes(now, book)
    if not causes:
        return []
    teams = student_teams([cause.student for cause in causes], on=timezone.localdate(now))
    calendars = {}
    new = []
    for cause in causes:
        team = teams[cause.student.id]
        location = cause.location or team.location
        chain = book.find(cause.student.school_id, cause.trigger, location.kind if location else "")
        if chain is None:
            continue
        # The school-wide query used the lowest threshold of its chains; this chain may ask for more.
        if cause.trigger == Trigger.REPEATED_ABSENCE and cause.absences < chain.threshold:
            continue
        snapshot = chain.snapshot()
        school_id = cause.student.school_id
        calendar = calendars.setdefault(school_id, SchoolCalendar(school_id))
        first_delay = timedelta(minutes=snapshot["steps"][0]["after_minutes"])
        new.append(
            Escalation(
                trigger=cause.trigger,
                trigger_key=cause.key,
                student=cause.student,
                school_id=school_id,
                location=location,
                school_class_id=cause.school_class_id,
                explanation_request=cause.request,
                sick_report=cause.sick_report,
                chain=snapshot,
                next_action_at=calendar.add_working_time(cause.since, first_delay),
                started_at=now,
            )
        )
    return new


# -- firing -----------------------------------------------------------------------------------------------------


def _process_due(now, result: SweepResult):
    skipped_ids = set()
    while True:
        with transaction.atomic():
            # Lock only the escalation rows: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins
            # that select_related adds for the request, sick report and location.
            batch = list(
                Escalation.objects.select_for_update(skip_locked=True, of=("self",))
                .filter(status__in=Escalation.ACTIVE, next_action_at__lte=now)
                .exclude(id__in=skipped_ids)
                .select_related("student", "explanation_request", "sick_report", "location")
                .order_by("next_action_at", "id")[:BATCH_SIZE]
            )
            if not batch:
                return
            context = _BatchContext(batch, now)
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
                transaction.on_commit(lambda ids=tuple(email_ids): _enqueue_delivery(ids))


def _enqueue_delivery(ids):
    from .tasks import deliver_notifications

    # One task per batch: each e-mail still succeeds, fails and retries on its own row (see delivery.py).
    deliver_notifications.delay(list(ids))


class _BatchContext:
    """What a batch of escalations needs, loaded in a fixed number of queries."""

    def __init__(self, batch, now):
        self.now = now
        self.today = timezone.localdate(now)
        self.teams = student_teams([escalation.student for escalation in batch], on=self.today)
        people = {
            person.id
            for team in self.teams.values()
            for member in team.members(list(team.KINDS))
            for person in [member.person]
        }
        self.with_login = set(
            User.objects.filter(person_id__in=people, is_active=True).values_list("person_id", flat=True)
        )
        self.calendars = {}
        # The batch's writes, made in three statements at the end instead of a few per escalation.
        self.events = []
        self.notifications = []
        self.changed = {}

    def calendar(self, school_id):
        if school_id not in self.calendars:
            self.calendars[school_id] = SchoolCalendar(school_id)
        return self.calendars[school_id]

    def mark(self):
        return len(self.events), len(self.notifications)

    def forget(self, escalation, mark):
        del self.events[mark[0] :]
        del self.notifications[mark[1] :]
        self.changed.pop(escalation.id, None)

    def write(self) -> list[int]:
        """Save the changed escalations, their events and outbox rows; return the ids of e-mail to deliver."""
        # Escalations fired in one sweep mostly share their new values (the same step, the same next moment):
        # one UPDATE per distinct set of values is much cheaper than bulk_update's CASE per row.
        by_values = defaultdict(list)
        for escalation in self.changed.values():
            by_values[tuple(getattr(escalation, field) for field in ESCALATION_FIELDS)].append(escalation.id)
        for values, ids in by_values.items():
            Escalation.objects.filter(id__in=ids).update(**dict(zip(ESCALATION_FIELDS, values, strict=True)))
        EscalationEvent.objects.bulk_create(self.events)
        inserted_from = timezone.now()
        # Re-running a sweep for the same step cannot notify twice: (escalation, step, round, recipient,
        # channel) is unique and conflicting rows are skipped.
        Notification.objects.bulk_create(self.notifications, ignore_conflicts=True)
        emailed = {n.escalation_id for n in self.notifications if n.channel == Notification.Channel.EMAIL}
        if not emailed:
            return []
        return list(
            Notification.objects.filter(
                escalation_id__in=emailed,
                channel=Notification.Channel.EMAIL,
                status=Notification.Status.PENDING,
                created_at__gte=inserted_from,
            ).values_list("id", flat=True)
        )


ESCALATION_FIELDS = ["status", "current_step", "round", "next_action_at", "closed_at", "failures", "last_error"]


def _still_needed(escalation) -> bool:
    if escalation.trigger == Trigger.REQUEST_OVERDUE:
        request = escalation.explanation_request
        return request is not None and request.status == ExplanationRequest.Status.OPEN
    if escalation.trigger == Trigger.HOSPITAL_UNSEEN:
        report = escalation.sick_report
        if report is None or report.last_day is not None:
            return False
        return not Notification.objects.filter(
            sick_report=report, kind=Notification.Kind.URGENT_HOUSING_NEWS, read_at__isnull=False
        ).exists()
    return repeated_absence_unexplained(escalation)


def repeated_absence_unexplained(escalation) -> bool:
    """Are enough of the absences that started this escalation still unexplained?

    Counted in the week that started it, not in a window sliding with the clock: absences do not expire, they get
    explained (or corrected).
    """
    started_on = timezone.localdate(escalation.started_at)
    unexplained = _unexplained_absences(started_on).filter(student_id=escalation.student_id).count()
    return unexplained >= escalation.chain["threshold"]


def _event(context, escalation, kind, at, *, detail=""):
    context.events.append(
        EscalationEvent(
            escalation=escalation,
            at=at,
            kind=kind,
            step=escalation.current_step or None,
            round=escalation.round,
            detail=detail[:500],
        )
    )


def _advance(escalation, context: _BatchContext, result: SweepResult):
    now = context.now
    if escalation.current_step == 0:
        _event(context, escalation, EscalationEvent.Kind.STARTED, escalation.started_at)
    if not _still_needed(escalation):
        escalation.status = Escalation.Status.RESOLVED
        escalation.next_action_at = None
        escalation.closed_at = now
        context.changed[escalation.id] = escalation
        _event(
            context,
            escalation,
            EscalationEvent.Kind.RESOLVED,
            now,
            detail=gettext_noop("De aanleiding is vervallen of afgehandeld."),
        )
        result.closed += 1
        return
    if escalation.status == Escalation.Status.ACKNOWLEDGED:
        _event(context, escalation, EscalationEvent.Kind.ACK_EXPIRED, now)
        escalation.status = Escalation.Status.OPEN
    steps = escalation.steps
    team = context.teams[escalation.student_id]
    while True:
        if escalation.current_step < len(steps):
            escalation.current_step += 1
        elif escalation.round < escalation.chain["repeat_last_step"]:
            escalation.round += 1
        else:
            _exhaust(escalation, team, context)
            result.exhausted += 1
            return
        step = steps[escalation.current_step - 1]
        recipients = _recipients(step, team)
        created = _notify(escalation, recipients, step["channels"], context)
        if created:
            _event(
                context,
                escalation,
                EscalationEvent.Kind.STEP_FIRED,
                now,
                detail=", ".join(sorted({person.name for person, _channel in created})),
            )
            result.fired += 1
            break
        roles = ", ".join(str(TeamRole(role).label) for role in step["roles"] if role in TeamRole.values)
        logger.warning("Escalation %s, step %s: nobody to notify (%s)", escalation.id, escalation.current_step, roles)
        _event(context, escalation, EscalationEvent.Kind.NO_RECIPIENTS, now, detail=roles)
    if escalation.current_step < len(steps):
        upcoming = steps[escalation.current_step]["after_minutes"]
    else:
        # Before a repeat or giving up: a last step that fires at once (0 minutes) must still leave time to act,
        # or every repeat and the exhaustion would follow in the same sweep.
        upcoming = steps[-1]["after_minutes"] or escalation.chain["acknowledgement_minutes"]
    escalation.next_action_at = context.calendar(escalation.school_id).add_working_time(
        now, timedelta(minutes=upcoming)
    )
    # A step that went through after earlier failures clears the dashboard warning (the FAILED events remain).
    escalation.failures, escalation.last_error = 0, ""
    context.changed[escalation.id] = escalation


def _recipients(step, team):
    people = []
    for role in step["roles"]:
        if role == "housing_worker":
            people.extend(team.housing_contacts())
        else:
            people.extend(team.people(role))
    return list({person.id: person for person in people}.values())


def _notify(escalation, recipients, channels, context: _BatchContext, *, kind=Notification.Kind.ESCALATION):
    """Outbox rows for reachable recipients: in-app needs a login, e-mail an address. Returns (person, channel)."""
    now = context.now
    rows = []
    for person in recipients:
        if Notification.Channel.IN_APP in channels and person.id in context.with_login:
            rows.append((person, Notification.Channel.IN_APP))
        if Notification.Channel.EMAIL in channels and person.email:
            rows.append((person, Notification.Channel.EMAIL))
    notifications = [
        Notification(
            recipient=person,
            channel=channel,
            kind=kind,
            student_id=escalation.student_id,
            escalation=escalation,
            step=escalation.current_step,
            round=escalation.round,
            status=Notification.Status.SENT if channel == Notification.Channel.IN_APP else Notification.Status.PENDING,
            sent_at=now if channel == Notification.Channel.IN_APP else None,
            next_attempt_at=now if channel == Notification.Channel.EMAIL else None,
        )
        for person, channel in rows
    ]
    context.notifications.extend(notifications)
    return rows


def _exhaust(escalation, team, context):
    now = context.now
    escalation.status = Escalation.Status.EXHAUSTED
    escalation.next_action_at = None
    escalation.closed_at = now
    context.changed[escalation.id] = escalation
    _event(context, escalation, EscalationEvent.Kind.EXHAUSTED, now)
    coordinators = [person for person in team.care_coordinators if person.id in context.with_login]
    context.notifications.extend(
        Notification(
            recipient=person,
            channel=Notification.Channel.IN_APP,
            kind=Notification.Kind.EXHAUSTED,
            student_id=escalation.student_id,
            escalation=escalation,
            step=0,
            round=0,
            status=Notification.Status.SENT,
            sent_at=now,
        )
        for person in coordinators
    )


def _record_failure(escalation, error, now):
    message = f"{type(error).__name__}: {error}"[:2000]
    Escalation.objects.filter(id=escalation.id).update(
        failures=escalation.failures + 1, last_error=message, next_action_at=now + RETRY_AFTER_FAILURE
    )
    EscalationEvent.objects.create(
        escalation_id=escalation.id, at=now, kind=EscalationEvent.Kind.FAILED, detail=message[:500]
    )
