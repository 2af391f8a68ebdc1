"""A reminder before an explanation request's deadline: the cheapest step of the chain, and the one that saves the
rest.

`settings.ESCALATION_REMINDER_MINUTES_BEFORE` working minutes (the school's calendar) before the deadline of an
open request, the people it is addressed to (the housing location: the personal worker, else the location's
workers; and the guardian) get one in-app message and one e-mail. Once per request and deadline (the escalation's
unique key); none when the request is answered or decided first, or when it was made less than that time before
its deadline (its addressees have just been asked).

A trigger of its own rather than a step 0 of the request-overdue chain: that chain starts at the deadline and
everything in it (the dashboard's "overdue", acknowledging, exhaustion) means "too late"; a reminder is sent before
anything is late, for every request, and must not count as an overdue escalation or hold one back. It follows a
built-in one-step chain, for the schools that escalate overdue requests, unless a school configures a chain for
it; its escalation resolves at its next look (at the deadline), where the overdue trigger takes over.
"""

from datetime import timedelta

from django.conf import settings
from django.db.models import F
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import gettext as _

from attendance.calendar import SchoolCalendar
from attendance.models import ExplanationRequest
from students.team import TeamRole

from ..models import Channel, Escalation, Trigger
from ..snapshots import DEFAULT_THRESHOLD, ChainSnapshot, StepSnapshot
from .base import Cause
from .request_overdue import RequestOverdue


def reminder_lead() -> timedelta:
    return timedelta(minutes=settings.ESCALATION_REMINDER_MINUTES_BEFORE)


class RequestDueSoon(RequestOverdue):
    """Whom it reaches and what it reads are those of the overdue request (`RequestOverdue.recipients`, `related`):
    the request's addressees."""

    # A reminder is sent before anything is late: nothing for the care coordinator to act on yet.
    on_dashboard = False

    code = Trigger.REQUEST_DUE_SOON

    def causes(self, now, book):
        lead = reminder_lead()
        schools = book.schools(self.code) | book.schools(Trigger.REQUEST_OVERDUE)
        if not lead or not schools:
            return []
        candidates = ExplanationRequest.objects.filter(
            status=ExplanationRequest.Status.OPEN,
            deadline__gt=now,
            # Less than `lead` of wall-clock time is certainly less than `lead` of working time.
            created_at__lte=F("deadline") - lead,
            record__decided_at__isnull=True,
            student__school_id__in=schools,
        ).select_related("student", "location", "record")
        by_key = {f"due_soon:{request.id}:{request.deadline.timestamp():.0f}": request for request in candidates}
        started = set(Escalation.objects.filter(trigger_key__in=by_key).values_list("trigger_key", flat=True))
        calendars = {}
        causes = []
        for key, request in by_key.items():
            school_id = request.student.school_id
            calendar = calendars.setdefault(school_id, SchoolCalendar(school_id))
            if key in started or not _reminder_due(calendar, request, now, lead):
                continue
            causes.append(
                Cause(
                    self,
                    key,
                    request.student,
                    request.record.school_class_id,
                    now,
                    location=request.location,
                    request=request,
                )
            )
        return causes

    def snapshot_for(self, cause, book, housing_kind):
        own = super().snapshot_for(cause, book, housing_kind)
        if own is not None or book.find(cause.student.school_id, Trigger.REQUEST_OVERDUE, housing_kind) is None:
            return own
        lead_minutes = settings.ESCALATION_REMINDER_MINUTES_BEFORE
        return ChainSnapshot(
            chain_id=None,
            repeat_last_step=0,
            threshold=DEFAULT_THRESHOLD,
            # The reminder's next look is at the deadline: it then resolves (see still_needed).
            acknowledgement_minutes=lead_minutes,
            steps=(
                StepSnapshot(
                    roles=(TeamRole.HOUSING_WORKER.value, TeamRole.GUARDIAN.value),
                    after_minutes=0,
                    channels=(Channel.IN_APP.value, Channel.EMAIL.value),
                ),
            ),
        )

    def notification_text(self, notification, student_name):
        request = notification.escalation.explanation_request
        return _("Herinnering: geef vóór %(time)s uitleg over de afwezigheid van %(student)s op %(date)s.") % {
            "time": time_format(timezone.localtime(request.deadline)),
            "student": student_name,
            "date": date_format(request.day),
        }

    def still_needed(self, escalation):
        """Until its reminder is sent (the last step of its chain: a school's own reminder chain does not repeat),
        while the request is still open: after that the overdue chain (if the request is still open at its
        deadline) takes over."""
        return escalation.current_step < len(escalation.snapshot.steps) and super().still_needed(escalation)


def _reminder_due(calendar: SchoolCalendar, request, now, lead) -> bool:
    """Is less than `lead` of working time left before the deadline, while the request had at least that much?"""
    made_in_time = calendar.add_working_time(request.created_at, lead) <= request.deadline
    return made_in_time and calendar.add_working_time(now, lead) >= request.deadline
