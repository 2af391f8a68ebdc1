"""The access policy: who may see which children and do what with them. The one place a role is tested.

Two declarative tables say what each role has: `ROLE_STUDENTS` (which students, the relationship) and
`ROLE_CAPABILITIES` (what they may do). docs/access.md prints both and tests/amvcoord/test_access_doc.py fails
when the doc and these tables differ. Views, selectors, services and the navigation ask the named predicates and
scoped querysets below; none of them compares a role itself.

Objects of higher apps (attendance records, requests, escalations) are passed in and only their attributes read,
so this module imports nothing above students. Querysets of those apps are scoped with the Q-builders here.
"""

from datetime import date
from enum import StrEnum

from django.core.exceptions import PermissionDenied
from django.db.models import Q, QuerySet
from django.utils import timezone

from contacts.models import ContactPerson, Role
from contacts.selectors import location_ids_of

from .models import Guardianship, Placement, SchoolClass, Student


class Relationship(StrEnum):
    """Which students a role works with (docs/access.md, "Which students")."""

    OWN_CLASSES = "own_classes"  # active students of the classes they mentor
    SCHOOL = "school"  # every student of their own school, plus the classes they mentor
    RESIDENTS = "residents"  # current residents of their location(s)
    WARDS = "wards"  # their current wards
    TEAM_WARDS = "team_wards"  # current wards of the guardians of their organisation


class Capability(StrEnum):
    VIEW_STUDENTS = "view_students"  # student list and page, team card, chronology (within the relationship)
    RECORD_ATTENDANCE = "record_attendance"  # the roster of the classes they mentor
    RECORD_ATTENDANCE_SCHOOL_WIDE = "record_attendance_school_wide"  # the roster of every class of the school
    ANSWER_REQUESTS = "answer_requests"  # explanation requests addressed to their location or to them
    REPORT_ABSENCE = "report_absence"  # sick report, betermelding, appointment for their current students
    SEE_HEALTH_DETAILS = "see_health_details"  # a hospital admission, beyond the reason category
    READ_SCHOOL_REMARKS = "read_school_remarks"  # every free-text remark about their own school's students
    DECIDE_ABSENCES = "decide_absences"  # geoorloofd / ongeoorloofd at their own school
    EXPORT_ABSENCES = "export_absences"  # the CSV export of their own school's absences
    SEE_SCHOOL_ESCALATIONS = "see_school_escalations"  # every escalation of their school, not only notified ones
    VIEW_ESCALATION_DASHBOARD = "view_escalation_dashboard"
    MANAGE_CHAINS = "manage_chains"  # the escalation chains of their own school
    RESOLVE_ESCALATIONS = "resolve_escalations"  # close an escalation of their own school by hand
    FOLLOW_ESCALATIONS = "follow_escalations"  # "Mijn escalaties" in the navigation
    MOVE_STUDENTS = "move_students"  # register an overplaatsing
    OVERSEE_SCHOOL_DAY = "oversee_school_day"  # the start page's summary of the school's day
    WATCH_INCOMPLETE_TEAMS = "watch_incomplete_teams"  # the start page's list of students without housing/guardian
    VIEW_SCHOOL_AUDIT_TRAIL = "view_school_audit_trail"  # inzage of their own school's students
    VIEW_ANY_AUDIT_TRAIL = "view_any_audit_trail"  # inzage of any student, without the care details
    MAINTAIN_REGISTER = "maintain_register"  # the start page's register card (contacts, classes in the admin)


ROLE_STUDENTS: dict[Role, Relationship] = {
    Role.MENTOR: Relationship.OWN_CLASSES,
    Role.CARE_COORDINATOR: Relationship.SCHOOL,
    Role.SCHOOL_MANAGEMENT: Relationship.SCHOOL,
    Role.HOUSING_WORKER: Relationship.RESIDENTS,
    Role.LOCATION_MANAGER: Relationship.RESIDENTS,
    Role.GUARDIAN: Relationship.WARDS,
    Role.GUARDIAN_TEAM_MANAGER: Relationship.TEAM_WARDS,
    # Attendance officers and admins have no relationship with individual children in the app.
}

C = Capability
_TEAM = {C.VIEW_STUDENTS, C.FOLLOW_ESCALATIONS}
_HOUSING = {*_TEAM, C.ANSWER_REQUESTS, C.REPORT_ABSENCE, C.SEE_HEALTH_DETAILS, C.MOVE_STUDENTS}
ROLE_CAPABILITIES: dict[Role, frozenset[Capability]] = {
    Role.MENTOR: frozenset({*_TEAM, C.RECORD_ATTENDANCE, C.SEE_HEALTH_DETAILS}),
    Role.CARE_COORDINATOR: frozenset(
        {
            *_TEAM,
            C.RECORD_ATTENDANCE,
            C.RECORD_ATTENDANCE_SCHOOL_WIDE,
            C.SEE_HEALTH_DETAILS,
            C.READ_SCHOOL_REMARKS,
            C.DECIDE_ABSENCES,
            C.EXPORT_ABSENCES,
            C.SEE_SCHOOL_ESCALATIONS,
            C.VIEW_ESCALATION_DASHBOARD,
            C.MANAGE_CHAINS,
            C.RESOLVE_ESCALATIONS,
            C.MOVE_STUDENTS,
            C.OVERSEE_SCHOOL_DAY,
            C.WATCH_INCOMPLETE_TEAMS,
            C.VIEW_SCHOOL_AUDIT_TRAIL,
        }
    ),
    Role.SCHOOL_MANAGEMENT: frozenset({*_TEAM, C.RECORD_ATTENDANCE, C.OVERSEE_SCHOOL_DAY, C.WATCH_INCOMPLETE_TEAMS}),
    Role.HOUSING_WORKER: frozenset(_HOUSING),
    Role.LOCATION_MANAGER: frozenset({*_HOUSING, C.WATCH_INCOMPLETE_TEAMS}),
    Role.GUARDIAN: frozenset(_HOUSING),
    Role.GUARDIAN_TEAM_MANAGER: frozenset({*_TEAM, C.MOVE_STUDENTS, C.WATCH_INCOMPLETE_TEAMS}),
    Role.ATTENDANCE_OFFICER: frozenset(),
    Role.ADMIN: frozenset({C.VIEW_ANY_AUDIT_TRAIL, C.MAINTAIN_REGISTER}),
}
del C

# Matches no row, and Django answers it without asking the database.
NOTHING = Q(pk__in=[])


# -- who is asking ----------------------------------------------------------------------------------------------


def person_of(user) -> ContactPerson | None:
    """The active contact person behind a login, or None (anonymous, inactive, or a technical superuser)."""
    if not user.is_authenticated or not user.person_id:
        return None
    person = user.person
    return person if person.is_active else None


def role_of(user) -> Role | None:
    """The role the policy applies: the active person's, or admin for a technical superuser without a person."""
    person = person_of(user)
    if person is not None:
        return Role(person.role)
    if user.is_authenticated and user.is_superuser and not user.person_id:
        return Role.ADMIN
    return None


def has(user, capability: Capability) -> bool:
    role = role_of(user)
    return role is not None and capability in ROLE_CAPABILITIES[role]


def relationship_of(user) -> Relationship | None:
    person = person_of(user)
    return ROLE_STUDENTS.get(person.role) if person else None


def require(allowed: bool) -> None:
    """403 for a person who may see the object (or page) but not take this action."""
    if not allowed:
        raise PermissionDenied


def _is_own_school(user, capability: Capability, school_id) -> bool:
    person = person_of(user)
    return person is not None and has(user, capability) and person.organisation_id == school_id


def own_school_q(user, capability: Capability, *, field: str) -> Q:
    """Rows of the user's own school (`field` names the school id) if their role has `capability`, else none."""
    person = person_of(user)
    if person is None or not has(user, capability):
        return NOTHING
    return Q(**{field: person.organisation_id})


# -- students -----------------------------------------------------------------------------------------------------


def classes_mentored_by(person: ContactPerson) -> QuerySet[SchoolClass]:
    return SchoolClass.objects.filter(mentors=person)


def _relationship_q(person: ContactPerson, relationship: Relationship, on: date) -> Q:
    mentored = Q(school_class__in=classes_mentored_by(person).values("id"))
    if relationship == Relationship.OWN_CLASSES:
        return mentored & Q(status=Student.Status.ACTIVE)
    if relationship == Relationship.SCHOOL:
        return Q(school_id=person.organisation_id) | mentored
    if relationship == Relationship.RESIDENTS:
        residents = Placement.objects.on(on).filter(location_id__in=location_ids_of(person))
        return Q(id__in=residents.values("student_id"))
    if relationship == Relationship.WARDS:
        wards = Guardianship.objects.on(on).filter(guardian=person)
        return Q(id__in=wards.values("student_id"))
    team_wards = Guardianship.objects.on(on).filter(guardian__organisation_id=person.organisation_id)
    return Q(id__in=team_wards.values("student_id"))


def students_visible_to(user, *, on: date | None = None) -> QuerySet[Student]:
    """Every student the user has a relationship with today (or on `on`)."""
    relationship = relationship_of(user)
    if relationship is None or not has(user, Capability.VIEW_STUDENTS):
        return Student.objects.none()
    return Student.objects.filter(_relationship_q(person_of(user), relationship, on or timezone.localdate()))


def can_move_students(user) -> bool:
    """Whoever arranges or first hears of an overplaatsing: the housing side, guardians and school care staff."""
    return has(user, Capability.MOVE_STUDENTS)


def can_view_any_audit_trail(user) -> bool:
    """An admin answers access requests about any student, relationship or not."""
    return has(user, Capability.VIEW_ANY_AUDIT_TRAIL)


def can_view_audit_trail(user, student: Student) -> bool:
    """Inzage: a care coordinator for their own school's students, an admin for any student."""
    return can_view_any_audit_trail(user) or _is_own_school(user, Capability.VIEW_SCHOOL_AUDIT_TRAIL, student.school_id)


def audit_trail_shows_details(user) -> bool:
    """An admin answers an access request (who read or changed what, when) without seeing the care details."""
    return not can_view_any_audit_trail(user)


# -- attendance ---------------------------------------------------------------------------------------------------


def can_record_attendance(user) -> bool:
    """Whether the user keeps rosters at all ("Vandaag"); which classes is `roster_classes_for`."""
    return has(user, Capability.RECORD_ATTENDANCE)


def roster_classes_for(user) -> QuerySet[SchoolClass]:
    """Classes whose roster the user keeps: the classes they mentor; a care coordinator every class of the school."""
    if not can_record_attendance(user):
        return SchoolClass.objects.none()
    person = person_of(user)
    classes = Q(mentors=person)
    if has(user, Capability.RECORD_ATTENDANCE_SCHOOL_WIDE):
        classes |= Q(location__organisation_id=person.organisation_id)
        return SchoolClass.objects.filter(classes).distinct()
    return SchoolClass.objects.filter(classes)


def shows_roster_in_navigation(user) -> bool:
    """ "Vandaag" in the header for whoever has a roster to keep. A mentor or school-wide recorder always does (no
    query on their every page); school management only when they mentor a class themselves."""
    if not can_record_attendance(user):
        return False
    if has(user, Capability.RECORD_ATTENDANCE_SCHOOL_WIDE) or relationship_of(user) == Relationship.OWN_CLASSES:
        return True
    return roster_classes_for(user).exists()


def can_report_absence(user) -> bool:
    """Whether the user may send sick reports, betermeldingen and appointments at all."""
    return has(user, Capability.REPORT_ABSENCE)


def can_report_for(user, student: Student) -> bool:
    """Sick reports and appointments come from the student's current housing location or guardian."""
    return can_report_absence(user) and students_visible_to(user).filter(id=student.id).exists()


def reportable_students(user) -> QuerySet[Student]:
    if not can_report_absence(user):
        return Student.objects.none()
    return students_visible_to(user).active().order_by("family_name", "given_name")


def can_answer_requests(user) -> bool:
    """Whether the user has a "Te beantwoorden" inbox at all."""
    return has(user, Capability.ANSWER_REQUESTS)


def requests_addressed_to_q(user) -> Q:
    """Explanation requests addressed to the user: to their housing location(s), or to them as guardian."""
    if not can_answer_requests(user):
        return NOTHING
    person = person_of(user)
    if relationship_of(user) == Relationship.RESIDENTS:
        return Q(location_id__in=location_ids_of(person))
    return Q(guardian=person)


def can_answer_request(user, request) -> bool:
    """`request` is an explanation request: addressed to the user's location, or to them as guardian."""
    if not can_answer_requests(user):
        return False
    person = person_of(user)
    if relationship_of(user) == Relationship.RESIDENTS:
        return request.location_id in location_ids_of(person)
    return request.guardian_id == person.id


def can_see_health_details(user) -> bool:
    """A hospital admission, beyond the reason category: only for the people who act on it."""
    return has(user, Capability.SEE_HEALTH_DETAILS)


def can_read_remark(user, *, writer, school_id) -> bool:
    """Free text is for the writer's own organisation and the school's care coordinators, not the whole team."""
    person = person_of(user)
    if person is None or writer is None:
        return False
    writer_organisation = writer.person.organisation_id if writer.person_id else None
    return person.organisation_id == writer_organisation or _is_own_school(
        user, Capability.READ_SCHOOL_REMARKS, school_id
    )


def can_decide_absences(user) -> bool:
    """Whether the user has the decisions page at all; which absences is `absences_to_decide_q`."""
    return has(user, Capability.DECIDE_ABSENCES)


def can_decide_absence(user, record) -> bool:
    """`record` is an attendance record: only the care coordinator of the student's school judges it."""
    return _is_own_school(user, Capability.DECIDE_ABSENCES, record.student.school_id)


def absences_to_decide_q(user) -> Q:
    """Attendance records the user may judge: those of their own school's students."""
    return own_school_q(user, Capability.DECIDE_ABSENCES, field="student__school_id")


def can_export_absences(user) -> bool:
    return has(user, Capability.EXPORT_ABSENCES)


# -- escalation ---------------------------------------------------------------------------------------------------


def can_view_escalation_dashboard(user) -> bool:
    return has(user, Capability.VIEW_ESCALATION_DASHBOARD)


def dashboard_escalations_q(user, *, field: str = "school_id") -> Q:
    """Rows of the escalation dashboard: of the user's own school, and only for a dashboard role."""
    return own_school_q(user, Capability.VIEW_ESCALATION_DASHBOARD, field=field)


def school_escalations_q(user) -> Q:
    """Escalations the user sees without having been notified: those of their school, for a care coordinator."""
    return own_school_q(user, Capability.SEE_SCHOOL_ESCALATIONS, field="school_id")


def follows_escalations_in_navigation(user) -> bool:
    """ "Mijn escalaties" in the header; whoever has the dashboard finds them there instead."""
    return has(user, Capability.FOLLOW_ESCALATIONS) and not can_view_escalation_dashboard(user)


def can_resolve_escalations(user) -> bool:
    """Whether the user closes escalations by hand at all; which ones is `can_resolve_escalation`."""
    return has(user, Capability.RESOLVE_ESCALATIONS)


def can_resolve_escalation(user, escalation) -> bool:
    """`escalation` is an escalation: only the care coordinator of its school closes it by hand."""
    return _is_own_school(user, Capability.RESOLVE_ESCALATIONS, escalation.school_id)


def can_manage_chains(user) -> bool:
    return has(user, Capability.MANAGE_CHAINS)


def chains_q(user) -> Q:
    """Escalation chains the user may edit: their own school's."""
    return own_school_q(user, Capability.MANAGE_CHAINS, field="school_id")


# -- the start page -----------------------------------------------------------------------------------------------


def oversees_school_day(user) -> bool:
    return has(user, Capability.OVERSEE_SCHOOL_DAY)


def watches_incomplete_teams(user) -> bool:
    return has(user, Capability.WATCH_INCOMPLETE_TEAMS)


def maintains_register(user) -> bool:
    return has(user, Capability.MAINTAIN_REGISTER)
