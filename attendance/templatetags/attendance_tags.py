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
def deadline(moment):
    """A deadline always with its day, in Europe/Amsterdam and the reader's language: "di 2 dec, 12:00"."""
    if moment is None:
        return ""
    local = timezone.localtime(moment)
    # Dutch writes "di 2 dec" (lower case month); English "Tue 2 Dec".
    day_format = pgettext("date format of a deadline's day", "D j b")
    return f"{date_format(local, day_format)}, {time_format(local, 'H:i')}"
