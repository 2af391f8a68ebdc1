"""Reads of the escalation app, scoped to the asking user."""

from collections import defaultdict
from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db.models import Case, IntegerField, Q, QuerySet, Value, When
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from attendance.models import ExplanationRequest
from contacts.models import Location
from students import access
from students.models import SchoolClass, Student

from .models import Escalation, EscalationChain, EscalationEvent, Notification, SweepRun
from .sweep import escalations_overdue, sweep_interval
from .triggers import DASHBOARD_TRIGGERS

# -- notifications ----------------------------------------------------------------------------------------------


def notifications_for(user) -> QuerySet[Notification]:
    person = access.person_of(user)
    if person is None:
        return Notification.objects.none()
    return (
        Notification.objects.filter(recipient=person, channel=Notification.Channel.IN_APP)
        .select_related("student", "escalation__explanation_request")
        .order_by("-created_at", "-id")
    )


def notification_for_user_or_404(user, notification_id) -> Notification:
    try:
        return notifications_for(user).get(id=notification_id)
    except (Notification.DoesNotExist, ValueError) as missing:
        raise Http404(_("Melding niet gevonden.")) from missing


def unread_count(user) -> int:
    return notifications_for(user).filter(read_at__isnull=True).count()


# -- escalations ------------------------------------------------------------------------------------------------


def _notified_q(person) -> Q:
    return Q(id__in=Notification.objects.filter(recipient=person, escalation__isnull=False).values("escalation_id"))


def escalations_visible_to(user) -> QuerySet[Escalation]:
    """A care coordinator sees the school's escalations; anyone else those they were notified about."""
    person = access.person_of(user)
    if person is None:
        return Escalation.objects.none()
    return Escalation.objects.filter(access.school_escalations_q(user) | _notified_q(person))


def escalation_for_user_or_404(user, escalation_id) -> Escalation:
    try:
        return escalations_visible_to(user).get(id=escalation_id)
    except (Escalation.DoesNotExist, ValueError) as missing:
        raise Http404(_("Escalatie niet gevonden.")) from missing


# -- dashboard --------------------------------------------------------------------------------------------------


def _on_dashboard(user) -> QuerySet[Escalation]:
    """Escalations of the user's school that ask the care coordinator's attention (no reminders)."""
    return Escalation.objects.filter(access.dashboard_escalations_q(user), trigger__in=DASHBOARD_TRIGGERS)


def dashboard_escalations(user, *, location_id=None, class_id=None, step=None, now=None) -> QuerySet[Escalation]:
    """Active escalations of the care coordinator's school: overdue first, then by next action."""
    now = now or timezone.now()
    escalations = _on_dashboard(user).filter(status__in=Escalation.ACTIVE)
    if location_id:
        escalations = escalations.filter(location_id=location_id)
    if class_id:
        escalations = escalations.filter(school_class_id=class_id)
    if step:
        escalations = escalations.filter(current_step=step)
    return (
        escalations.select_related(
            "student", "location", "school_class", "explanation_request", "acknowledged_by__person"
        )
        .annotate(
            overdue_first=Case(
                When(next_action_at__lt=now, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("overdue_first", "next_action_at", "id")
    )


def recently_exhausted(user, *, since) -> QuerySet[Escalation]:
    return (
        Escalation.objects.filter(
            access.dashboard_escalations_q(user), status=Escalation.Status.EXHAUSTED, closed_at__gte=since
        )
        .select_related("student", "location")
        .order_by("-closed_at")[:20]
    )


def failed_emails(user) -> QuerySet[Notification]:
    """E-mails of the user's school that failed for good (every attempt used), newest first: to send again."""
    return (
        Notification.objects.filter(
            access.dashboard_escalations_q(user, field="student__school_id"),
            channel=Notification.Channel.EMAIL,
            status=Notification.Status.FAILED,
        )
        .select_related("recipient", "student")
        .order_by("-created_at", "-id")
    )


def failed_email_for_user_or_404(user, notification_id) -> Notification:
    try:
        return failed_emails(user).get(id=notification_id)
    except (Notification.DoesNotExist, ValueError) as missing:
        raise Http404(_("Mislukte e-mail niet gevonden.")) from missing


def counts_by_step(user) -> dict[int, int]:
    counts = defaultdict(int)
    active = _on_dashboard(user).filter(status__in=Escalation.ACTIVE)
    for step in active.values_list("current_step", flat=True):
        counts[step] += 1
    return dict(sorted(counts.items()))


def students_nobody_to_notify(user, *, since) -> QuerySet[Student]:
    """Data quality: students for whom a step found nobody to notify (no guardian on file, no worker…)."""
    escalation_ids = EscalationEvent.objects.filter(
        access.dashboard_escalations_q(user, field="escalation__school_id"),
        kind=EscalationEvent.Kind.NO_RECIPIENTS,
        at__gte=since,
    ).values("escalation_id")
    return (
        Student.objects.filter(escalations__id__in=escalation_ids)
        .distinct()
        .select_related("school_class")
        .order_by("family_name", "given_name")[:50]
    )


@dataclass
class LocationFigures:
    location: Location
    requests: int
    # Requests whose outcome is known: answered, or still open after their deadline.
    decided: int
    answered_in_time: int
    median_minutes: float | None
    still_open: int

    @property
    def percent_in_time(self):
        return round(100 * self.answered_in_time / self.decided) if self.decided else None


def location_figures(user, *, since, now=None) -> list[LocationFigures]:
    """Per housing location over the period: requests, % answered before the deadline, median response time —
    'short communication lines' made measurable.

    A request the school withdrew (absence corrected) was never the location's to answer, and one still open
    before its deadline may yet be answered in time: neither counts for or against the percentage.
    """
    now = now or timezone.now()
    rows = (
        ExplanationRequest.objects.filter(
            access.dashboard_escalations_q(user, field="student__school_id"),
            created_at__gte=since,
            location__isnull=False,
        )
        .exclude(status=ExplanationRequest.Status.CANCELLED)
        .values_list("location_id", "status", "created_at", "closed_at", "deadline")
    )
    by_location = defaultdict(list)
    for location_id, status, created_at, closed_at, deadline in rows:
        by_location[location_id].append((status, created_at, closed_at, deadline))
    locations = Location.objects.in_bulk(list(by_location))
    figures = []
    for location_id, requests in by_location.items():
        answered = [r for r in requests if r[0] == ExplanationRequest.Status.ANSWERED and r[2]]
        overdue = [r for r in requests if r[0] == ExplanationRequest.Status.OPEN and r[3] <= now]
        response_minutes = [(closed - created).total_seconds() / 60 for _s, created, closed, _d in answered]
        figures.append(
            LocationFigures(
                location=locations[location_id],
                requests=len(requests),
                decided=len(answered) + len(overdue),
                answered_in_time=sum(1 for _s, _c, closed, deadline in answered if closed <= deadline),
                median_minutes=round(median(response_minutes)) if response_minutes else None,
                still_open=sum(1 for r in requests if r[0] == ExplanationRequest.Status.OPEN),
            )
        )
    return sorted(figures, key=lambda figure: (figure.percent_in_time or 0, figure.location.name))


@dataclass
class SweepHealth:
    last_run: SweepRun | None
    overdue: int
    failed_emails: int
    failing_escalations: int

    @property
    def is_late(self):
        if self.last_run is None:
            return True
        return timezone.now() - self.last_run.started_at > 2 * sweep_interval()


def sweep_health(user, *, since) -> SweepHealth:
    """Is the sweep running, and what failed: e-mails that failed for good since `since`, escalations whose last
    attempt raised (they are retried)."""
    school_escalations = Escalation.objects.filter(access.dashboard_escalations_q(user))
    return SweepHealth(
        # A heartbeat from the future (an `escalate --at` rehearsal of an older version) must not hide a sweep
        # that is not running: only beats up to now count.
        last_run=SweepRun.objects.filter(started_at__lte=timezone.now()).order_by("-started_at").first(),
        overdue=escalations_overdue().filter(access.dashboard_escalations_q(user)).count(),
        failed_emails=Notification.objects.filter(
            access.dashboard_escalations_q(user, field="escalation__school_id"),
            status=Notification.Status.FAILED,
            created_at__gte=since,
        ).count(),
        failing_escalations=school_escalations.filter(status__in=Escalation.ACTIVE, failures__gt=0).count(),
    )


def dashboard_filter_choices(user):
    active = Escalation.objects.filter(access.dashboard_escalations_q(user), status__in=Escalation.ACTIVE)
    locations = Location.objects.filter(id__in=active.values("location_id")).order_by("name")
    classes = SchoolClass.objects.filter(
        access.dashboard_escalations_q(user, field="location__organisation_id")
    ).order_by("name")
    return locations, classes


def my_escalations(user) -> QuerySet[Escalation]:
    """Escalations this person was notified about: active ones first, then the last closed ones."""
    person = access.person_of(user)
    if person is None:
        return Escalation.objects.none()
    return (
        Escalation.objects.filter(_notified_q(person))
        .filter(Q(status__in=Escalation.ACTIVE) | Q(closed_at__gte=timezone.now() - timedelta(days=14)))
        .select_related("student", "location", "explanation_request", "acknowledged_by__person")
        .annotate(
            active_first=Case(
                When(status__in=Escalation.ACTIVE, then=Value(0)), default=Value(1), output_field=IntegerField()
            )
        )
        .order_by("active_first", "next_action_at", "-closed_at")
    )


def escalation_events(escalation) -> QuerySet[EscalationEvent]:
    return escalation.events.select_related("actor__person").order_by("at", "id")


# -- chain configuration ----------------------------------------------------------------------------------------


def chains_for(user) -> QuerySet[EscalationChain]:
    return EscalationChain.objects.filter(access.chains_q(user)).prefetch_related("steps")


def chain_for_user_or_404(user, chain_id) -> EscalationChain:
    try:
        return chains_for(user).get(id=chain_id)
    except (EscalationChain.DoesNotExist, ValueError) as missing:
        raise Http404(_("Keten niet gevonden.")) from missing
