"""Starting escalations: every trigger's new causes that a school's chain covers become an escalation row."""

import uuid
from datetime import timedelta

from django.utils import timezone

from attendance.calendar import SchoolCalendar
from students.team import student_teams

from ..models import Escalation
from ..triggers import TRIGGERS, Cause, ChainBook

COUNT_CHUNK = 500


def start_escalations(now) -> int:
    """Start the escalations of new causes; returns how many this sweep inserted itself."""
    new = planned_escalations(now)
    if not new:
        return 0
    # A concurrent sweep may have started the same cause: the unique key makes the second insert a no-op. Such
    # a skipped row is not reported (on either database), so each row carries this sweep's token and the rows that
    # kept it are the ones this sweep inserted.
    token = uuid.uuid4()
    for escalation in new:
        escalation.sweep_token = token
    Escalation.objects.bulk_create(new, ignore_conflicts=True)
    keys = [escalation.trigger_key for escalation in new]
    return sum(
        Escalation.objects.filter(trigger_key__in=keys[first : first + COUNT_CHUNK], sweep_token=token).count()
        for first in range(0, len(keys), COUNT_CHUNK)
    )


def planned_escalations(now) -> list[Escalation]:
    """Unsaved escalations for the new causes that a chain covers (by housing kind and whatever the trigger asks)."""
    book = ChainBook()
    causes = [cause for trigger in TRIGGERS for cause in trigger.causes(now, book)]
    if not causes:
        return []
    teams = student_teams([cause.student for cause in causes], on=timezone.localdate(now))
    calendars = {}
    new = []
    for cause in causes:
        location = cause.location or teams[cause.student.id].location
        snapshot = cause.trigger.snapshot_for(cause, book, location.kind if location else "")
        if snapshot is None:
            continue
        school_id = cause.student.school_id
        calendar = calendars.setdefault(school_id, SchoolCalendar(school_id))
        new.append(_escalation(cause, snapshot, location, calendar, now))
    return new


def _escalation(cause: Cause, snapshot, location, calendar, now) -> Escalation:
    first_delay = timedelta(minutes=snapshot.step(1).after_minutes)
    return Escalation(
        trigger=cause.trigger.code,
        trigger_key=cause.key,
        student=cause.student,
        school_id=cause.student.school_id,
        location=location,
        school_class_id=cause.school_class_id,
        explanation_request=cause.request,
        sick_report=cause.sick_report,
        chain=snapshot.to_json(),
        next_action_at=calendar.add_working_time(cause.since, first_delay),
        started_at=now,
    )
