"""Reads about students, always scoped to what the asking user has a relationship with."""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import HOUSING_ROLES, ContactPerson, Role

from .access import classes_mentored_by, students_visible_to
from .models import Guardianship, Placement, SchoolClass, Student


def student_list(user, *, query: str = "", include_left: bool = False) -> QuerySet[Student]:
    students = students_visible_to(user).select_related("school_class")
    if not include_left:
        students = students.filter(status=Student.Status.ACTIVE)
    query = query.strip()
    if query:
        for term in query.split()[:5]:
            students = students.filter(
                Q(given_name__icontains=term) | Q(family_name__icontains=term) | Q(student_number__iexact=term)
            )
    return students.order_by("family_name", "given_name", "id")


def student_for_user_or_404(user, student_id) -> Student:
    """The student if the user has a relationship with them; 404 otherwise, so outsiders cannot probe ids."""
    try:
        return students_visible_to(user).select_related("school", "school_class__location").get(id=student_id)
    except (Student.DoesNotExist, ValueError) as missing:
        raise Http404(_("Leerling niet gevonden.")) from missing


def students_without_placement_or_guardian(students: QuerySet[Student], *, on: date | None = None):
    """Active students whose team has a hole nobody can be asked about: no current housing or no guardian."""
    on = on or timezone.localdate()
    housed = Placement.objects.on(on).values("student_id")
    guarded = Guardianship.objects.on(on).values("student_id")
    return students.filter(status=Student.Status.ACTIVE).filter(~Q(id__in=housed) | ~Q(id__in=guarded))


def mentor_classes(person: ContactPerson) -> QuerySet[SchoolClass]:
    return (
        classes_mentored_by(person)
        .select_related("location")
        .annotate(active_students=Count("students", filter=Q(students__status=Student.Status.ACTIVE)))
        .order_by("name")
    )


def housing_locations_of(person: ContactPerson, *, on: date | None = None):
    on = on or timezone.localdate()
    current = Q(placements__started_on__lte=on) & (
        Q(placements__ended_on__isnull=True) | Q(placements__ended_on__gte=on)
    )
    return person.locations.annotate(residents=Count("placements", filter=current)).order_by("name")


def placement_history(student: Student) -> QuerySet[Placement]:
    return student.placements.select_related("location__organisation", "personal_worker").order_by("-started_on")


def guardianship_history(student: Student) -> QuerySet[Guardianship]:
    return student.guardianships.select_related("guardian__organisation").order_by("-started_on")


@dataclass(frozen=True)
class TeamMember:
    kind: str
    label: str
    person: ContactPerson


@dataclass
class StudentTeam:
    """Who is around a student on a given day: whom to ask, whom to notify, whom to escalate to."""

    student: Student
    on: date
    mentors: list[ContactPerson] = field(default_factory=list)
    care_coordinators: list[ContactPerson] = field(default_factory=list)
    school_management: list[ContactPerson] = field(default_factory=list)
    placement: Placement | None = None
    personal_worker: ContactPerson | None = None
    housing_workers: list[ContactPerson] = field(default_factory=list)
    location_managers: list[ContactPerson] = field(default_factory=list)
    guardianship: Guardianship | None = None
    guardian: ContactPerson | None = None
    guardian_team_managers: list[ContactPerson] = field(default_factory=list)
    attendance_officers: list[ContactPerson] = field(default_factory=list)

    KINDS = {
        "mentor": _("Mentor"),
        "care_coordinator": _("Zorgcoördinator"),
        "school_management": _("Schoolleiding"),
        "personal_worker": _("Persoonlijk woonbegeleider"),
        "housing_worker": _("Woonbegeleider"),
        "location_manager": _("Locatiemanager"),
        "guardian": _("Voogd"),
        "guardian_team_manager": _("Teammanager voogdij"),
        "attendance_officer": _("Leerplichtambtenaar"),
    }

    @property
    def location(self):
        return self.placement.location if self.placement else None

    def people(self, kind: str) -> list[ContactPerson]:
        return {
            "mentor": self.mentors,
            "care_coordinator": self.care_coordinators,
            "school_management": self.school_management,
            "personal_worker": [self.personal_worker] if self.personal_worker else [],
            "housing_worker": self.housing_workers,
            "location_manager": self.location_managers,
            "guardian": [self.guardian] if self.guardian else [],
            "guardian_team_manager": self.guardian_team_managers,
            "attendance_officer": self.attendance_officers,
        }[kind]

    def housing_contacts(self) -> list[ContactPerson]:
        """The personal worker if there is one, otherwise every worker of the location."""
        return self.people("personal_worker") or self.housing_workers

    def members(self, kinds) -> list[TeamMember]:
        return [TeamMember(kind, self.KINDS[kind], person) for kind in kinds for person in self.people(kind)]

    @property
    def school_members(self):
        return self.members(["mentor", "care_coordinator", "school_management"])

    @property
    def housing_members(self):
        housing = "personal_worker" if self.personal_worker else "housing_worker"
        return self.members([housing, "location_manager"])

    @property
    def guardianship_members(self):
        return self.members(["guardian", "guardian_team_manager"])

    @property
    def municipality_members(self):
        return self.members(["attendance_officer"])

    @property
    def missing(self) -> list[str]:
        """What a complete team has and this one lacks, for data-quality warnings."""
        gaps = []
        if not self.mentors:
            gaps.append(_("geen mentor"))
        if self.placement is None:
            gaps.append(_("geen woonlocatie"))
        elif self.personal_worker is None:
            gaps.append(_("geen persoonlijk woonbegeleider"))
        if self.guardian is None:
            gaps.append(_("geen voogd"))
        return gaps


def student_teams(students, *, on: date | None = None) -> dict[int, StudentTeam]:
    """The team of each student on a day, in a fixed number of queries however many students there are."""
    on = on or timezone.localdate()
    students = list(students)
    teams = {student.id: StudentTeam(student=student, on=on) for student in students}
    if not teams:
        return teams
    active_people = ContactPerson.objects.active().select_related("organisation")

    class_ids = {student.school_class_id for student in students if student.school_class_id}
    mentors_by_class = defaultdict(list)
    mentor_links = SchoolClass.mentors.through.objects.filter(
        schoolclass_id__in=class_ids, contactperson__is_active=True
    ).select_related("contactperson__organisation")
    for link in mentor_links:
        mentors_by_class[link.schoolclass_id].append(link.contactperson)

    school_ids = {student.school_id for student in students}
    school_staff = defaultdict(lambda: defaultdict(list))
    for person in active_people.filter(
        organisation_id__in=school_ids, role__in=[Role.CARE_COORDINATOR, Role.SCHOOL_MANAGEMENT]
    ):
        school_staff[person.organisation_id][person.role].append(person)

    placements = {
        placement.student_id: placement
        for placement in Placement.objects.on(on)
        .filter(student_id__in=teams)
        .select_related("location__organisation", "location__municipality", "personal_worker__organisation")
    }
    location_ids = {placement.location_id for placement in placements.values()}
    location_staff = defaultdict(lambda: defaultdict(list))
    location_links = ContactPerson.locations.through.objects.filter(
        location_id__in=location_ids, contactperson__is_active=True, contactperson__role__in=HOUSING_ROLES
    ).select_related("contactperson__organisation")
    for link in location_links:
        location_staff[link.location_id][link.contactperson.role].append(link.contactperson)

    guardianships = {
        guardianship.student_id: guardianship
        for guardianship in Guardianship.objects.on(on)
        .filter(student_id__in=teams)
        .select_related("guardian__organisation")
    }
    guardian_org_ids = {g.guardian.organisation_id for g in guardianships.values()}
    municipality_ids = {p.location.municipality_id for p in placements.values() if p.location.municipality_id}
    managers_by_org = defaultdict(list)
    officers_by_municipality = defaultdict(list)
    for person in active_people.filter(
        Q(role=Role.GUARDIAN_TEAM_MANAGER, organisation_id__in=guardian_org_ids)
        | Q(role=Role.ATTENDANCE_OFFICER, organisation_id__in=municipality_ids)
    ):
        target = managers_by_org if person.role == Role.GUARDIAN_TEAM_MANAGER else officers_by_municipality
        target[person.organisation_id].append(person)

    for student in students:
        team = teams[student.id]
        team.mentors = mentors_by_class.get(student.school_class_id, [])
        team.care_coordinators = school_staff[student.school_id][Role.CARE_COORDINATOR]
        team.school_management = school_staff[student.school_id][Role.SCHOOL_MANAGEMENT]
        placement = placements.get(student.id)
        if placement:
            team.placement = placement
            worker = placement.personal_worker
            team.personal_worker = worker if worker and worker.is_active else None
            team.housing_workers = location_staff[placement.location_id][Role.HOUSING_WORKER]
            team.location_managers = location_staff[placement.location_id][Role.LOCATION_MANAGER]
            team.attendance_officers = officers_by_municipality.get(placement.location.municipality_id, [])
        guardianship = guardianships.get(student.id)
        if guardianship:
            team.guardianship = guardianship
            if guardianship.guardian.is_active:
                team.guardian = guardianship.guardian
            team.guardian_team_managers = managers_by_org.get(guardianship.guardian.organisation_id, [])
    return teams


def student_team(student: Student, *, on: date | None = None) -> StudentTeam:
    return student_teams([student], on=on)[student.id]
