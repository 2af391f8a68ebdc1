from attendance.selectors import REPORTER_ROLES, inbox_count
from escalation.selectors import unread_count


def navigation(request):
    """Role and counters for the page header: the bell and the 'te beantwoorden' badge."""
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = user.role
    return {
        "nav_role": role,
        "nav_unread": unread_count(user),
        "nav_inbox": inbox_count(user) if role in REPORTER_ROLES else None,
    }
