"""The team around a pupil on a day: who is whom to them (mentor, housing, guardian, ...), for the team card and for
whoever must be asked or notified about them.

`TeamRole` is the one list of these roles: the team card groups people by it, and an escalation step names the
roles it notifies with the same values.
"""

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from contacts.models import HOUSING_ROLES, ContactPerson, Role

from .models import Guardianship, Placement, SchoolClass, Student


class TeamRole(models.TextChoices):
    MENTOR = "mentor", _("Mentor")
    CARE_COORDINATOR = "care_coordinator", _("Zorgcoördinator")
    SCHOOL_MANAGEMENT = "school_management", _("Schoolleiding")
    PERSONAL_WORKER = "personal_worker", _("Persoonlijk woonbegeleider")
    HOUSING_WORKER = "housing_worker", _("Woonbegeleider")
    LOCATION_MANAGER = "location_manager", _("Locatiemanager")
    GUARDIAN = "guardian", _("Voogd")
    GUARDIAN_TEAM_MANAGER = "guardian_team_manager", _("Teammanager voogdij")
    ATTENDANCE_OFFICER = "attendance_officer", _("Leerplichtambtenaar")


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

    @property
    def location(self):
        return self.placement.location if self.placement else None

    def people(self, role: str) -> list[ContactPerson]:
        return {
            TeamRole.MENTOR: self.mentors,
            TeamRole.CARE_COORDINATOR: self.care_coordinators,
            TeamRole.SCHOOL_MANAGEMENT: self.school_management,
            TeamRole.PERSONAL_WORKER: [self.personal_worker] if self.personal_worker else [],
            TeamRole.HOUSING_WORKER: self.housing_workers,
            TeamRole.LOCATION_MANAGER: self.location_managers,
            TeamRole.GUARDIAN: [self.guardian] if self.guardian else [],
            TeamRole.GUARDIAN_TEAM_MANAGER: self.guardian_team_managers,
            TeamRole.ATTENDANCE_OFFICER: self.attendance_officers,
        }[role]

    def housing_contacts(self) -> list[ContactPerson]:
        """The personal worker if there is one, otherwise every worker of the location."""
        return self.people(TeamRole.PERSONAL_WORKER) or self.housing_workers

    def contacts(self, role: str) -> list[ContactPerson]:
        """Whom to turn to in `role`: its people, except that the housing worker is the personal worker when the
        pupil has one (as the team card shows it), otherwise every worker of the location."""
        if role == TeamRole.HOUSING_WORKER:
            return self.housing_contacts()
        return self.people(role)

    def members(self, roles) -> list[TeamMember]:
        return [TeamMember(role, TeamRole(role).label, person) for role in roles for person in self.people(role)]

    @property
    def school_members(self):
        return self.members([TeamRole.MENTOR, TeamRole.CARE_COORDINATOR, TeamRole.SCHOOL_MANAGEMENT])

    @property
    def housing_members(self):
        housing = TeamRole.PERSONAL_WORKER if self.personal_worker else TeamRole.HOUSING_WORKER
        return self.members([housing, TeamRole.LOCATION_MANAGER])

    @property
    def guardianship_members(self):
        return self.members([TeamRole.GUARDIAN, TeamRole.GUARDIAN_TEAM_MANAGER])

    @property
    def municipality_members(self):
        return self.members([TeamRole.ATTENDANCE_OFFICER])

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
    _add_school_staff(teams)
    placements = _add_housing(teams, on)
    _add_guardianship_and_municipality(teams, on, placements)
    return teams


def _active_people():
    return ContactPerson.objects.active().select_related("organisation")


def _add_school_staff(teams):
    students = [team.student for team in teams.values()]
    class_ids = {student.school_class_id for student in students if student.school_class_id}
    mentors_by_class = defaultdict(list)
    mentor_links = SchoolClass.mentors.through.objects.filter(
        schoolclass_id__in=class_ids, contactperson__is_active=True
    ).select_related("contactperson__organisation")
    for link in mentor_links:
        mentors_by_class[link.schoolclass_id].append(link.contactperson)
    school_staff = defaultdict(lambda: defaultdict(list))
    for person in _active_people().filter(
        organisation_id__in={student.school_id for student in students},
        role__in=[Role.CARE_COORDINATOR, Role.SCHOOL_MANAGEMENT],
    ):
        school_staff[person.organisation_id][person.role].append(person)
    for team in teams.values():
        team.mentors = mentors_by_class.get(team.student.school_class_id, [])
        team.care_coordinators = school_staff[team.student.school_id][Role.CARE_COORDINATOR]
        team.school_management = school_staff[team.student.school_id][Role.SCHOOL_MANAGEMENT]


def _add_housing(teams, on) -> dict[int, Placement]:
    placements = {
        placement.student_id: placement
        for placement in Placement.objects.on(on)
        .filter(student_id__in=teams)
        .select_related("location__organisation", "location__municipality", "personal_worker__organisation")
    }
    location_staff = defaultdict(lambda: defaultdict(list))
    location_links = ContactPerson.locations.through.objects.filter(
        location_id__in={placement.location_id for placement in placements.values()},
        contactperson__is_active=True,
        contactperson__role__in=HOUSING_ROLES,
    ).select_related("contactperson__organisation")
    for link in location_links:
        location_staff[link.location_id][link.contactperson.role].append(link.contactperson)
    for student_id, placement in placements.items():
        team = teams[student_id]
        team.placement = placement
        worker = placement.personal_worker
        team.personal_worker = worker if worker and worker.is_active else None
        team.housing_workers = location_staff[placement.location_id][Role.HOUSING_WORKER]
        team.location_managers = location_staff[placement.location_id][Role.LOCATION_MANAGER]
    return placements


def _add_guardianship_and_municipality(teams, on, placements):
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
    # One query for both: team managers of the guardians' organisations, attendance officers of the municipalities.
    for person in _active_people().filter(
        Q(role=Role.GUARDIAN_TEAM_MANAGER, organisation_id__in=guardian_org_ids)
        | Q(role=Role.ATTENDANCE_OFFICER, organisation_id__in=municipality_ids)
    ):
        target = managers_by_org if person.role == Role.GUARDIAN_TEAM_MANAGER else officers_by_municipality
        target[person.organisation_id].append(person)
    for student_id, placement in placements.items():
        teams[student_id].attendance_officers = officers_by_municipality.get(placement.location.municipality_id, [])
    for student_id, guardianship in guardianships.items():
        team = teams[student_id]
        team.guardianship = guardianship
        if guardianship.guardian.is_active:
            team.guardian = guardianship.guardian
        team.guardian_team_managers = managers_by_org.get(guardianship.guardian.organisation_id, [])


def student_team(student: Student, *, on: date | None = None) -> StudentTeam:
    return student_teams([student], on=on)[student.id]
