"""What one batch of due escalations needs, read in a fixed number of queries, and its writes, made at the end."""

from collections import defaultdict

from django.utils import timezone

from attendance.calendar import SchoolCalendar
from contacts.models import User
from students.team import TeamRole, addressed_teams, student_teams

from ..models import Escalation, EscalationEvent, Notification
from ..triggers import trigger_for

ESCALATION_FIELDS = ["status", "current_step", "round", "next_action_at", "closed_at", "failures", "last_error"]


class BatchContext:
    def __init__(self, batch, now):
        self.now = now
        self.today = timezone.localdate(now)
        self.teams = student_teams([escalation.student for escalation in batch], on=self.today)
        # Escalations of something addressed to particular people (a request: that day's location and guardian)
        # go to those people and their managers, not to whoever is around the pupil today.
        addressees = {escalation.id: trigger_for(escalation.trigger).addressees(escalation) for escalation in batch}
        self.addressed = addressed_teams({key: item for key, item in addressees.items() if item})
        teams = [*self.teams.values(), *self.addressed.values()]
        people = {person.id for team in teams for role in TeamRole for person in team.people(role)}
        self.with_login = set(
            User.objects.filter(person_id__in=people, is_active=True).values_list("person_id", flat=True)
        )
        self.calendars = {}
        # The batch's writes, made in three statements at the end instead of a few per escalation.
        self.events = []
        self.notifications = []
        self.changed = {}

    def team(self, escalation):
        return self.addressed.get(escalation.id) or self.teams[escalation.student_id]

    def calendar(self, school_id):
        if school_id not in self.calendars:
            self.calendars[school_id] = SchoolCalendar(school_id)
        return self.calendars[school_id]

    def event(self, escalation, kind, at, *, detail=""):
        self.events.append(
            EscalationEvent(
                escalation=escalation,
                at=at,
                kind=kind,
                step=escalation.current_step or None,
                round=escalation.round,
                detail=detail[:500],
            )
        )

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
