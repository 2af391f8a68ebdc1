"""Stretches of days with an inclusive end that may still be open (a placement, a guardianship, a sick report)."""

from datetime import date

from django.db.models import Q


def running_on_or_after(day: date, *, end: str = "ended_on") -> Q:
    """Rows whose stretch has not ended before `day`: still open, or ending on or after it."""
    return Q(**{f"{end}__isnull": True}) | Q(**{f"{end}__gte": day})


def covering(day: date, *, start: str = "started_on", end: str = "ended_on") -> Q:
    """Rows whose stretch includes `day` (`start` and `end` may be paths such as "placements__started_on")."""
    return running_on_or_after(day, end=end) & Q(**{f"{start}__lte": day})


def covers(started_on: date, ended_on: date | None, day: date) -> bool:
    return started_on <= day and (ended_on is None or day <= ended_on)
