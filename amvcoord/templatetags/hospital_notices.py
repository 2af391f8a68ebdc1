"""The unmistakable notice of a hospital admission on the mentor's start page and roster.

The bell alone is a small number; this alert stays until the reader has opened their urgent-housing-news
notification (opening it marks it read and stops the hospital escalation, `escalation.services
.notifications_mark_read`). Only roles that may see health details see it at all. It lives in the wiring layer
because the roster (attendance) may not import escalation; templates of lower apps load it by name.
"""

from django import template

from escalation.models import Notification
from students import access

register = template.Library()


def unseen_hospital_admissions(user):
    """The user's own unread in-app news of a hospital admission, oldest first; none for roles without health
    details."""
    person = access.person_of(user)
    if person is None or not access.can_see_health_details(user):
        return Notification.objects.none()
    return (
        Notification.objects.filter(
            recipient=person,
            channel=Notification.Channel.IN_APP,
            kind=Notification.Kind.URGENT_HOUSING_NEWS,
            read_at__isnull=True,
            sick_report__hospital_admission=True,
        )
        .select_related("student__school_class", "sick_report")
        .order_by("created_at", "id")
    )


@register.inclusion_tag("attendance/_hospital_notice.html", takes_context=True)
def hospital_notices(context):
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"notices": []}
    nav = context.get("nav")
    if nav is not None and not nav.unread:
        # Nothing unread at all (the bell's count, already asked): no need to ask again.
        return {"notices": []}
    return {"notices": list(unseen_hospital_admissions(user)[:10])}
