from dataclasses import dataclass

from attendance.selectors import inbox_count
from escalation.selectors import unread_count
from students import access


@dataclass(frozen=True)
class Navigation:
    """What the page header offers this user; every flag comes from the access policy, so the header never shows
    a page the user would get a 403 on (and shows every page they may use)."""

    unread: int
    # The "te beantwoorden" badge; None where the user has no inbox.
    inbox: int | None
    roster: bool
    decisions: bool
    escalation_dashboard: bool
    my_escalations: bool
    django_admin: bool


def navigation(request):
    """The flags and counters of the page header (`nav` in templates): the bell, the inbox badge, the links."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    nav = Navigation(
        unread=unread_count(user),
        inbox=inbox_count(user) if access.can_answer_requests(user) else None,
        roster=access.shows_roster_in_navigation(user),
        decisions=access.can_decide_absences(user),
        escalation_dashboard=access.can_view_escalation_dashboard(user),
        my_escalations=access.follows_escalations_in_navigation(user),
        django_admin=user.is_staff,
    )
    return {"nav": nav}
