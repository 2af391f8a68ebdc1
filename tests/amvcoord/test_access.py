"""The access matrix of docs/access.md, walked over every URL of the project with every role.

1. Objects OUTSIDE a role's relationship (another school, another location, another guardian): 404 for every
   role and every method the view accepts, so nobody can even learn that a child exists.
2. Objects INSIDE the relationship: the status each role gets is listed below, per URL; 403 where the person may
   see the child but not take the action.
3. Pages without an object: the status per role.

The statuses of role-only pages are read from the access policy (students/access.py, ROLE_CAPABILITIES).

`test_it_covers_every_url` fails when a URL is added without a line here, so no view slips through untested.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from attendance.models import AttendanceRecord, ExplanationRequest, SickReport
from contacts.models import Role
from escalation.models import Escalation, EscalationChain, EscalationStep, Notification
from students.access import ROLE_CAPABILITIES, Capability
from tests.conftest import NO_STUDENT_ROLES, STUDENT_ROLES
from tests.factories import ContactPersonFactory

ROLES = STUDENT_ROLES + NO_STUDENT_ROLES
NOW = datetime(2026, 3, 10, 10, 0, tzinfo=ZoneInfo("Europe/Amsterdam"))
TODAY = NOW.date()

# Reachable without logging in.
PUBLIC = {"login", "logout", "privacy", "set_language", "two_factor_setup", "two_factor_verify"}

# The statuses of role-only pages come from the access policy: a role with the capability gets `status`, every
# other role 403 (the page is not for them) or, on an object page, 404 when they cannot see the object at all.


def roles_with(*capabilities):
    """The roles of this test that have any of `capabilities`."""
    return tuple(role for role in ROLES if any(c in ROLE_CAPABILITIES[Role(role)] for c in capabilities))


def page_for(*capabilities, status=200):
    return {**dict.fromkeys(roles_with(*capabilities), status), "*": 403}


def action_on_a_visible_object(*capabilities, status):
    """Roles with the capability act (`status`); the rest of the team sees the object (403); the others 404."""
    return {
        **dict.fromkeys(roles_with(Capability.VIEW_STUDENTS), 403),
        **dict.fromkeys(roles_with(*capabilities), status),
        "*": 404,
    }


# The world's school has one class: whoever keeps its roster goes straight there; school management, who mentors
# no class in the world, gets the (empty) list of their classes.
ONE_CLASS_ROSTER = {"mentor": 302, "care_coordinator": 302}

# Pages without an object: role -> status. "*" is every other role.
LIST_PAGES = {
    "home": {"*": 200},
    "students:list": {"*": 200},
    "contacts:directory": {"*": 200},
    "attendance:today": {**page_for(Capability.RECORD_ATTENDANCE), **ONE_CLASS_ROSTER},
    "attendance:inbox": page_for(Capability.ANSWER_REQUESTS),
    "attendance:sick_report_new": page_for(Capability.REPORT_ABSENCE),
    "attendance:appointment_new": page_for(Capability.REPORT_ABSENCE),
    "students:pupil_search": page_for(Capability.REPORT_ABSENCE),
    # Without a (reportable) pupil chosen there is nothing to show: 404, never another pupil's details.
    "students:pupil_details": page_for(Capability.REPORT_ABSENCE, status=404),
    "attendance:decisions": page_for(Capability.DECIDE_ABSENCES),
    "attendance:decisions_export": page_for(Capability.EXPORT_ABSENCES),
    "escalation:notifications": {"*": 200},
    "escalation:dashboard": page_for(Capability.VIEW_ESCALATION_DASHBOARD),
    "escalation:mine": {"*": 200},
    "escalation:chains": page_for(Capability.MANAGE_CHAINS),
    "escalation:chain_new": page_for(Capability.MANAGE_CHAINS),
}
POST_ONLY_LIST_PAGES = {"escalation:notifications_read": {"*": 302}}

TEAM = {**dict.fromkeys(roles_with(Capability.VIEW_STUDENTS), 200), "*": 404}

# Pages about one object inside the relationship: (method, role -> status).
OBJECT_PAGES = {
    "students:detail": ("get", TEAM),
    "students:move": ("get", action_on_a_visible_object(Capability.MOVE_STUDENTS, status=200)),
    "student_audit_trail": (
        "get",
        action_on_a_visible_object(Capability.VIEW_SCHOOL_AUDIT_TRAIL, Capability.VIEW_ANY_AUDIT_TRAIL, status=200),
    ),
    "attendance:chronology": ("get", TEAM),
    # The world's class is mentored by the mentor and at the care coordinator's school; school management keeps
    # only the rosters of classes they mentor themselves.
    "attendance:roster": ("get", {"mentor": 200, "care_coordinator": 200, "*": 404}),
    "attendance:roster_row": ("post", {"mentor": 302, "care_coordinator": 302, "*": 404}),
    "attendance:explain": ("post", page_for(Capability.ANSWER_REQUESTS, status=302)),
    "attendance:sick_report_close": ("post", page_for(Capability.REPORT_ABSENCE, status=302)),
    "attendance:sick_report_hospital": ("post", page_for(Capability.REPORT_ABSENCE, status=302)),
    "attendance:decide": ("post", action_on_a_visible_object(Capability.DECIDE_ABSENCES, status=302)),
    "escalation:notification_open": ("get", {"*": 302}),
    # Who sees the escalation: the school's care coordinator and the housing worker it was notified to.
    "escalation:detail": ("get", {"care_coordinator": 200, "housing_worker": 200, "*": 404}),
    "escalation:acknowledge": ("post", {"care_coordinator": 302, "housing_worker": 302, "*": 404}),
    "escalation:resolve": (
        "post",
        {"housing_worker": 403, **dict.fromkeys(roles_with(Capability.RESOLVE_ESCALATIONS), 302), "*": 404},
    ),
    "escalation:chain_edit": ("get", page_for(Capability.MANAGE_CHAINS)),
    # A failed e-mail is dashboard data: whoever has no dashboard of that school cannot learn it exists.
    "escalation:resend_email": (
        "post",
        {**dict.fromkeys(roles_with(Capability.VIEW_ESCALATION_DASHBOARD), 302), "*": 404},
    ),
}


# Pages whose role check comes before the object: a role that may never use them gets 403 for any object.
ROLE_GATED = {
    "attendance:explain": roles_with(Capability.ANSWER_REQUESTS),
    "attendance:sick_report_close": roles_with(Capability.REPORT_ABSENCE),
    "attendance:sick_report_hospital": roles_with(Capability.REPORT_ABSENCE),
    "escalation:chain_edit": roles_with(Capability.MANAGE_CHAINS),
}


def expected(table, role):
    return table.get(role, table["*"])


def project_url_names():
    def walk(patterns, namespace=None):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                if pattern.app_name == "admin":
                    continue
                yield from walk(pattern.url_patterns, pattern.namespace or namespace)
            elif isinstance(pattern, URLPattern) and pattern.name:
                yield f"{namespace}:{pattern.name}" if namespace else pattern.name

    return set(walk(get_resolver().url_patterns))


def test_it_covers_every_url():
    covered = PUBLIC | set(LIST_PAGES) | set(POST_ONLY_LIST_PAGES) | set(OBJECT_PAGES)
    assert project_url_names() - covered == set(), "add the new URL to the access matrix test"
    assert covered - project_url_names() == set()


@dataclass
class Objects:
    student: object
    school_class: object
    record: object
    sick_report: object
    escalation: object
    chain: object
    notifications: dict
    failed_email: object


def _objects_for(world, student, school_class, location, school_id, notified_role):
    """An absence with an open request, a sick report, an escalation (notified to one role) and a chain."""
    recorder = world.user("mentor")
    day = date(2026, 3, 9)
    record = AttendanceRecord.objects.create(
        student=student,
        day=day,
        school_class=school_class,
        status="absent",
        lesson_hours_missed=5,
        recorded_by=recorder,
        updated_by=recorder,
    )
    guardianship = student.guardianships.first()
    request = ExplanationRequest.objects.create(
        record=record,
        student=student,
        day=day,
        location=location,
        guardian=guardianship.guardian,
        deadline=datetime.combine(day, time(12, 0), tzinfo=ZoneInfo("Europe/Amsterdam")),
    )
    sick_report = SickReport.objects.create(
        student=student, first_day=TODAY - timedelta(days=1), reported_by=world.user("housing_worker")
    )
    chain = EscalationChain.objects.create(school_id=school_id, trigger="request_overdue")
    EscalationStep.objects.create(
        chain=chain, position=1, roles=["housing_worker"], after_minutes=0, channels=["in_app"]
    )
    escalation = Escalation.objects.create(
        trigger="request_overdue",
        trigger_key=f"request:{request.id}",
        student=student,
        school_id=school_id,
        location=location,
        explanation_request=request,
        chain=chain.snapshot(),
        next_action_at=NOW,
        started_at=NOW,
        current_step=1,
    )
    notifications = {}
    if notified_role:
        Notification.objects.create(
            recipient=world.user(notified_role).person,
            channel="in_app",
            kind="escalation",
            student=student,
            escalation=escalation,
            step=1,
            round=0,
            status="sent",
        )
    # To someone without a login: being told about an escalation would let a role of this test see it.
    failed_email = Notification.objects.create(
        recipient=ContactPersonFactory(organisation=location.organisation, name="Onbereikbaar"),
        channel="email",
        kind="escalation",
        student=student,
        escalation=escalation,
        step=1,
        round=0,
        status="failed",
        attempts=5,
    )
    for role in ROLES:
        notifications[role] = Notification.objects.create(
            recipient=world.user(role).person,
            channel="in_app",
            kind="urgent_housing_news",
            student=student,
            status="sent",
        )
    return Objects(student, school_class, record, sick_report, escalation, chain, notifications, failed_email)


@pytest.fixture
def inside(world):
    with time_machine.travel(NOW, tick=False):
        return _objects_for(
            world, world.ward, world.school_class, world.location, world.school.id, notified_role="housing_worker"
        )


@pytest.fixture
def outside(world):
    student = world.outsider_student
    with time_machine.travel(NOW, tick=False):
        objects = _objects_for(
            world, student, student.school_class, world.other_location, student.school_id, notified_role=None
        )
    # Notifications of other people: each role gets someone else's.
    for role in ROLES:
        other = ROLES[(ROLES.index(role) + 1) % len(ROLES)]
        objects.notifications[role] = objects.notifications[other]
    return objects


def url_for(name, objects: Objects, role):
    kwargs = {
        "students:detail": {"student_id": objects.student.id},
        "students:move": {"student_id": objects.student.id},
        "student_audit_trail": {"student_id": objects.student.id},
        "attendance:chronology": {"student_id": objects.student.id},
        "attendance:roster": {"class_id": objects.school_class.id},
        "attendance:roster_row": {
            "class_id": objects.school_class.id,
            "day": date(2026, 3, 9),
            "student_id": objects.student.id,
        },
        "attendance:explain": {"student_id": objects.student.id},
        "attendance:sick_report_close": {"report_id": objects.sick_report.id},
        "attendance:sick_report_hospital": {"report_id": objects.sick_report.id},
        "attendance:decide": {"record_id": objects.record.id},
        "escalation:notification_open": {"notification_id": objects.notifications[role].id},
        "escalation:detail": {"escalation_id": objects.escalation.id},
        "escalation:acknowledge": {"escalation_id": objects.escalation.id},
        "escalation:resolve": {"escalation_id": objects.escalation.id},
        "escalation:chain_edit": {"chain_id": objects.chain.id},
        "escalation:resend_email": {"notification_id": objects.failed_email.id},
    }[name]
    return reverse(name, kwargs=kwargs)


POST_DATA = {
    "attendance:roster_row": lambda objects: {f"s{objects.student.id}-status": "absent"},
    "attendance:explain": lambda objects: {"requests": [objects.record.explanation_request.id], "reason": "sick"},
    "attendance:sick_report_close": lambda objects: {"back_on": TODAY.isoformat()},
    "attendance:decide": lambda objects: {"authorised": "1", "note": "verlof"},
}


def _request(client, method, url, data):
    with time_machine.travel(NOW, tick=False):
        return getattr(client, method)(url, data)


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(OBJECT_PAGES))
def test_it_hides_objects_outside_the_relationship(client, world, outside, name, role):
    client.force_login(world.user(role))
    url = url_for(name, outside, role)
    method, _table = OBJECT_PAGES[name]
    data = POST_DATA.get(name, lambda objects: {})(outside)
    response = _request(client, method, url, data)
    if name in ROLE_GATED and role not in ROLE_GATED[name]:
        assert response.status_code == 403  # the page itself is not for this role, whatever the object
    elif name == "student_audit_trail" and role == "admin":
        assert response.status_code == 200  # admins answer access requests about any student
    else:
        assert response.status_code == 404, f"{role} reached {name} of an outsider: {response.status_code}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(OBJECT_PAGES))
def test_it_gives_each_role_its_own_rights(client, world, inside, name, role):
    client.force_login(world.user(role))
    method, table = OBJECT_PAGES[name]
    data = POST_DATA.get(name, lambda objects: {})(inside)
    response = _request(client, method, url_for(name, inside, role), data)
    assert response.status_code == expected(table, role), f"{role} on {name}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(LIST_PAGES))
def test_it_shows_list_pages_per_role(client, world, name, role):
    client.force_login(world.user(role))
    response = _request(client, "get", reverse(name), {})
    assert response.status_code == expected(LIST_PAGES[name], role), f"{role} on {name}"


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("name", sorted(POST_ONLY_LIST_PAGES))
def test_it_accepts_post_only_pages_per_role(client, world, name, role):
    client.force_login(world.user(role))
    assert _request(client, "post", reverse(name), {}).status_code == expected(POST_ONLY_LIST_PAGES[name], role)
    assert _request(client, "get", reverse(name), {}).status_code == 405


@pytest.mark.parametrize("name", sorted(set(LIST_PAGES) | set(OBJECT_PAGES) | set(POST_ONLY_LIST_PAGES)))
def test_it_sends_anonymous_visitors_to_the_login_page(client, world, inside, name):
    url = url_for(name, inside, "mentor") if name in OBJECT_PAGES else reverse(name)
    method = OBJECT_PAGES[name][0] if name in OBJECT_PAGES else ("post" if name in POST_ONLY_LIST_PAGES else "get")
    response = _request(client, method, url, {})
    assert response.status_code in (302, 405)
    if response.status_code == 302:
        assert response["Location"].startswith(reverse("login"))
