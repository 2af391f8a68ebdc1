"""What tells look-alike pupils apart, for every page that lists or picks one (`students/_pupil_label.html`)."""

from datetime import date

from django import template
from django.utils import timezone

register = template.Library()


@register.filter
def age(date_of_birth: date | None) -> int | None:
    """Age in whole years today (Europe/Amsterdam)."""
    if date_of_birth is None:
        return None
    today = timezone.localdate()
    return today.year - date_of_birth.year - ((today.month, today.day) < (date_of_birth.month, date_of_birth.day))
