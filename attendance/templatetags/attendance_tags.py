"""Attendance facts shown on pages of lower apps: the student page asks here instead of importing attendance."""

from django import template
from django.utils import timezone
from django.utils.formats import date_format, time_format
from django.utils.translation import pgettext

from ..overview import current_situation as situation_of

register = template.Library()


@register.inclusion_tag("attendance/_current_situation.html", takes_context=True)
def current_situation(context, student):
    """An open sick report and today's and tomorrow's appointments, for a student the page already scoped."""
    return {"situation": situation_of(context["request"].user, student)}


@register.filter
def short_day(day):
    """A day as people write it: "ma 30 nov" in Dutch, "Mon 30 Nov" in English."""
    if day is None:
        return ""
    return date_format(day, pgettext("date format of a short day", "D j b"))


@register.filter
def deadline(moment):
    """A deadline always with its day, in Europe/Amsterdam and the reader's language: "di 2 dec, 12:00"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    return f"{short_day(local)}, {time_format(local, 'H:i')}"
