"""What the start page shows: per role what it needs first thing in the morning, asked of the access policy."""

from dataclasses import dataclass, field

from django.db.models import QuerySet
from django.utils import timezone

from attendance.overview import SchoolDay, roster_progress, school_day_summary
from attendance.selectors import open_sick_reports_for
from contacts.models import ContactPerson
from escalation.models import Escalation
from escalation.selectors import escalations_visible_to
from students import access
from students.models import Student
from students.selectors import housing_locations_of, mentor_classes, students_without_placement_or_guardian


@dataclass
class StartPage:
    person: ContactPerson | None
    student_count: int = 0
    classes: list = field(default_factory=list)
    school_day: SchoolDay | None = None
    # None where the role has no such card; a number (maybe 0) where it has.
    open_escalations: int | None = None
    open_sick_reports: int | None = None
    locations: QuerySet | None = None
    incomplete_teams: QuerySet | None = None
    wards: QuerySet | None = None
    wards_are_own: bool = False
    # The register card of an admin: contact persons not checked lately, students without housing or guardian.
    stale_contacts: int | None = None
    incomplete_students: int | None = None
    # Someone with an account but no relationship with any child (an attendance officer): say why the app is empty.
    sees_no_students: bool = False


def start_page(user) -> StartPage:
    person = access.person_of(user)
    page = StartPage(person=person)
    if person is not None:
        _fill_for_person(page, user, person)
    if access.maintains_register(user):
        page.stale_contacts = ContactPerson.objects.active().stale().count()
        page.incomplete_students = students_without_placement_or_guardian(Student.objects.all()).count()
    page.sees_no_students = person is not None and access.relationship_of(user) is None and page.stale_contacts is None
    return page


def _fill_for_person(page: StartPage, user, person: ContactPerson) -> None:
    today = timezone.localdate()
    students = access.students_visible_to(user).filter(status=Student.Status.ACTIVE)
    page.student_count = students.count()
    page.classes = list(mentor_classes(person))
    progress = roster_progress(page.classes, today) if page.classes else {}
    for school_class in page.classes:
        school_class.saved_today = progress.get(school_class.id, 0)
    page.school_day = school_day_summary(user, today)
    if access.can_view_escalation_dashboard(user):
        page.open_escalations = (
            escalations_visible_to(user)
            .filter(access.dashboard_escalations_q(user), status__in=Escalation.ACTIVE)
            .count()
        )
    if access.can_report_absence(user):
        page.open_sick_reports = open_sick_reports_for(user).count()
    relationship = access.relationship_of(user)
    if relationship == access.Relationship.RESIDENTS:
        page.locations = housing_locations_of(person)
    if access.watches_incomplete_teams(user):
        page.incomplete_teams = students_without_placement_or_guardian(students).select_related("school_class")[:20]
    if relationship in (access.Relationship.WARDS, access.Relationship.TEAM_WARDS):
        page.wards = students.select_related("school_class").order_by("family_name", "given_name")[:50]
        page.wards_are_own = relationship == access.Relationship.WARDS
