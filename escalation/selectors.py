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
from attendance.selectors import is_care_coordinator_of
from contacts.models import Location, Role
from students.models import SchoolClass, Student
from students.selectors import person_of

from .models import Escalation, EscalationChain, EscalationEvent, Notification, SweepRun
from .sweep import escalations_overdue, sweep_interval

# -- notifications ----------------------------------------------------------------------------------------------


def notifications_for(user) -> QuerySet[Notification]:
    person = person_of(user)
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


# -- who may act on an escalation -------------------------------------------------------------------------------


def is_care_coordinator(user) -> bool:
    person = person_of(user)
    return person is not None and person.role == Role.CARE_COORDINATOR


def escalations_visible_to(user) -> QuerySet[Escalation]:
    """A care coordinator sees the school's escalations; anyone else those they were notified about."""
    person = person_of(user)
    if person is None:
        return Escalation.objects.none()
    notified = Q(id__in=Notification.objects.filter(recipient=person, escalation__isnull=False).values("escalation_id"))
    if person.role == Role.CARE_COORDINATOR:
        return Escalation.objects.filter(Q(school_id=person.organisation_id) | notified)
    return Escalation.objects.filter(notified)


def escalation_for_user_or_404(user, escalation_id) -> Escalation:
    try:
        return escalations_visible_to(user).get(id=escalation_id)
    except (Escalation.DoesNotExist, ValueError) as missing:
        raise Http404(_("Escalatie niet gevonden.")) from missing


def can_resolve(user, escalation) -> bool:
    return is_care_coordinator_of(user, escalation.school_id)


# -- dashboard --------------------------------------------------------------------------------------------------


def dashboard_escalations(user, *, location_id=None, class_id=None, step=None, now=None) -> QuerySet[Escalation]:
    """Active escalations of the care coordinator's school: overdue first, then by next action."""
    now = now or timezone.now()
    person = person_of(user)
    escalations = Escalation.objects.filter(school_id=person.organisation_id, status__in=Escalation.ACTIVE)
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
    person = person_of(user)
    return (
        Escalation.objects.filter(
            school_id=person.organisation_id, status=Escalation.Status.EXHAUSTED, closed_at__gte=since
        )
        .select_related("student", "location")
        .order_by("-closed_at")[:20]
    )


def counts_by_step(user) -> dict[int, int]:
    person = person_of(user)
    counts = defaultdict(int)
    for step in Escalation.objects.filter(school_id=person.organisation_id, status__in=Escalation.ACTIVE).values_list(
        "current_step", flat=True
    ):
        counts[step] += 1
    return dict(sorted(counts.items()))


def students_nobody_to_notify(user, *, since) -> QuerySet[Student]:
    """Data quality: students for whom a step found nobody to notify (no guardian on file, no worker…)."""
    person = person_of(user)
    escalation_ids = EscalationEvent.objects.filter(
        kind=EscalationEvent.Kind.NO_RECIPIENTS, at__gte=since, escalation__school_id=person.organisation_id
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
    person = person_of(user)
    rows = (
        ExplanationRequest.objects.filter(
            student__school_id=person.organisation_id, created_at__gte=since, location__isnull=False
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
    person = person_of(user)
    school_escalations = Escalation.objects.filter(school_id=person.organisation_id)
    return SweepHealth(
        last_run=SweepRun.objects.order_by("-started_at").first(),
        overdue=escalations_overdue().filter(school_id=person.organisation_id).count(),
        failed_emails=Notification.objects.filter(
            escalation__school_id=person.organisation_id, status=Notification.Status.FAILED, created_at__gte=since
        ).count(),
        failing_escalations=school_escalations.filter(status__in=Escalation.ACTIVE, failures__gt=0).count(),
    )


def dashboard_filter_choices(user):
    person = person_of(user)
    locations = Location.objects.filter(
        id__in=Escalation.objects.filter(school_id=person.organisation_id, status__in=Escalation.ACTIVE).values(
            "location_id"
        )
    ).order_by("name")
    classes = SchoolClass.objects.filter(location__organisation_id=person.organisation_id).order_by("name")
    return locations, classes


def my_escalations(user) -> QuerySet[Escalation]:
    """Escalations this person was notified about: active ones first, then the last closed ones."""
    person = person_of(user)
    if person is None:
        return Escalation.objects.none()
    return (
        Escalation.objects.filter(
            id__in=Notification.objects.filter(recipient=person, escalation__isnull=False).values("escalation_id")
        )
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
    person = person_of(user)
    if person is None or person.role != Role.CARE_COORDINATOR:
        return EscalationChain.objects.none()
    return EscalationChain.objects.filter(school_id=person.organisation_id).prefetch_related("steps")


def chain_for_user_or_404(user, chain_id) -> EscalationChain:
    try:
        return chains_for(user).get(id=chain_id)
    except (EscalationChain.DoesNotExist, ValueError) as missing:
        raise Http404(_("Keten niet gevonden.")) from missing
