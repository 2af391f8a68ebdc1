"""Attendance facts shown on pages of lower apps: the student page asks here instead of importing attendance."""

from django import template

from ..overview import current_situation as situation_of

register = template.Library()


@register.inclusion_tag("attendance/_current_situation.html", takes_context=True)
def current_situation(context, student):
    """An open sick report and today's and tomorrow's appointments, for a student the page already scoped."""
    return {"situation": situation_of(context["request"].user, student)}
