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

from contacts.models import HOUSING_ROLES, ContactPerson, Location, Role

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
    """Who is around a student on a given day: whom to ask, whom to notify, whom to escalate to.

    The managers are each person's own: the guardian's team manager and the personal worker's location manager
    (else the location's managers), or the organisation's one duty contact where none is set; never every manager
    of the organisation.
    """

    student: Student
    on: date
    mentors: list[ContactPerson] = field(default_factory=list)
    care_coordinators: list[ContactPerson] = field(default_factory=list)
    school_management: list[ContactPerson] = field(default_factory=list)
    placement: Placement | None = None
    housing_location: Location | None = None  # set when the team is of a location without its placement
    personal_worker: ContactPerson | None = None
    housing_workers: list[ContactPerson] = field(default_factory=list)
    location_managers: list[ContactPerson] = field(default_factory=list)
    guardianship: Guardianship | None = None
    guardian: ContactPerson | None = None
    guardian_has_manager: bool = True
    guardian_team_managers: list[ContactPerson] = field(default_factory=list)
    attendance_officers: list[ContactPerson] = field(default_factory=list)

    @property
    def location(self):
        return self.placement.location if self.placement else self.housing_location

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
        members = self.members([TeamRole.GUARDIAN, TeamRole.GUARDIAN_TEAM_MANAGER])
        if self.guardian_has_manager:
            return members
        # No own team manager: the one shown (and notified) is the organisation's duty contact; say so.
        label = _("Dienstdoend teammanager (voogd heeft geen eigen teammanager)")
        return [
            TeamMember(member.kind, label, member.person) if member.kind == TeamRole.GUARDIAN_TEAM_MANAGER else member
            for member in members
        ]

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
        elif not self.guardian_has_manager:
            gaps.append(_("voogd zonder teammanager"))
        return gaps


def student_teams(students, *, on: date | None = None) -> dict[int, StudentTeam]:
    """The team of each student on a day, in a fixed number of queries however many students there are."""
    on = on or timezone.localdate()
    students = list(students)
    teams = {student.id: StudentTeam(student=student, on=on) for student in students}
    if not teams:
        return teams
    _add_school_staff(teams)
    _add_housing(teams, on)
    _add_guardianship_and_municipality(teams, on)
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


def _add_housing(teams, on):
    placements = {
        placement.student_id: placement
        for placement in Placement.objects.on(on).filter(student_id__in=teams).select_related(*PLACEMENT_RELATED)
    }
    staff = _location_staff({placement.location_id for placement in placements.values()})
    for student_id, placement in placements.items():
        _set_housing(teams[student_id], placement.location, placement, staff)


# What a placement brings along: its location with the organisation's duty contact, its worker with their manager.
PLACEMENT_RELATED = (
    "location__organisation__duty_contact",
    "location__municipality",
    "personal_worker__organisation",
    "personal_worker__manager__organisation",
)
GUARDIAN_RELATED = ("guardian__organisation__duty_contact", "guardian__manager__organisation")


def _location_staff(location_ids):
    """{location id: {role: [active housing people]}} in one query."""
    staff = defaultdict(lambda: defaultdict(list))
    links = ContactPerson.locations.through.objects.filter(
        location_id__in=location_ids,
        contactperson__is_active=True,
        contactperson__role__in=HOUSING_ROLES,
    ).select_related("contactperson__organisation")
    for link in links:
        staff[link.location_id][link.contactperson.role].append(link.contactperson)
    return staff


def _set_housing(team, location, placement, staff):
    team.placement, team.housing_location = placement, location
    worker = placement.personal_worker if placement else None
    team.personal_worker = worker if worker and worker.is_active else None
    team.housing_workers = staff[location.id][Role.HOUSING_WORKER]
    team.location_managers = _one_of(
        [worker.manager] if worker and worker.manager_id else [],
        staff[location.id][Role.LOCATION_MANAGER],
        [location.organisation.duty_contact] if location.organisation.duty_contact_id else [],
    )


def _one_of(*candidates) -> list[ContactPerson]:
    """The first candidate list with an active person in it (only its active people), or nobody."""
    for people in candidates:
        active = [person for person in people if person.is_active]
        if active:
            return active
    return []


def _set_guardian(team, guardian):
    """The guardian (if still active), their own team manager, else their organisation's one duty contact."""
    team.guardian = guardian if guardian.is_active else None
    manager = guardian.manager if guardian.manager_id and guardian.manager.is_active else None
    team.guardian_has_manager = manager is not None
    duty = guardian.organisation.duty_contact
    team.guardian_team_managers = _one_of([manager] if manager else [], [duty] if duty else [])


def _add_guardianship_and_municipality(teams, on):
    guardianships = {
        guardianship.student_id: guardianship
        for guardianship in Guardianship.objects.on(on).filter(student_id__in=teams).select_related(*GUARDIAN_RELATED)
    }
    for student_id, guardianship in guardianships.items():
        teams[student_id].guardianship = guardianship
        _set_guardian(teams[student_id], guardianship.guardian)
    _add_attendance_officers(teams.values())


def _add_attendance_officers(teams):
    teams = [team for team in teams if team.location and team.location.municipality_id]
    officers = defaultdict(list)
    for person in _active_people().filter(
        role=Role.ATTENDANCE_OFFICER, organisation_id__in={team.location.municipality_id for team in teams}
    ):
        officers[person.organisation_id].append(person)
    for team in teams:
        team.attendance_officers = officers.get(team.location.municipality_id, [])


@dataclass(frozen=True)
class Addressees:
    """Whom something about a pupil was addressed to on a day (an explanation request): that day's housing
    location and guardian, who stay its addressees after a move or a change of guardian."""

    student: Student
    on: date
    location_id: int | None
    guardian_id: int | None


def addressed_teams(addressees: dict) -> dict:
    """{key: StudentTeam} of the addressees of each key, in a fixed number of queries however many there are.

    Housing: the location addressed and its placement of that day (its personal worker, if it had one); the
    guardian addressed and their own manager; the school staff as today."""
    teams = {key: StudentTeam(student=item.student, on=item.on) for key, item in addressees.items()}
    if not teams:
        return teams
    _add_school_staff(teams)
    locations = Location.objects.select_related(*(name.removeprefix("location__") for name in PLACEMENT_RELATED[:2]))
    locations = locations.in_bulk({item.location_id for item in addressees.values() if item.location_id})
    guardians = ContactPerson.objects.select_related(*(name.removeprefix("guardian__") for name in GUARDIAN_RELATED))
    guardians = guardians.in_bulk({item.guardian_id for item in addressees.values() if item.guardian_id})
    placements = _placements_at(addressees.values())
    staff = _location_staff(set(locations))
    for key, item in addressees.items():
        if item.location_id:
            placement = placements.get((item.student.id, item.location_id, item.on))
            _set_housing(teams[key], locations[item.location_id], placement, staff)
        if item.guardian_id:
            _set_guardian(teams[key], guardians[item.guardian_id])
    _add_attendance_officers(teams.values())
    return teams


def _placements_at(addressees) -> dict:
    """{(student id, location id, day): the placement there on that day}, in one query."""
    addressees = [item for item in addressees if item.location_id]
    if not addressees:
        return {}
    found = {}
    candidates = Placement.objects.filter(
        Q(ended_on__isnull=True) | Q(ended_on__gte=min(item.on for item in addressees)),
        student_id__in={item.student.id for item in addressees},
        location_id__in={item.location_id for item in addressees},
        started_on__lte=max(item.on for item in addressees),
    ).select_related(*PLACEMENT_RELATED)
    by_student = defaultdict(list)
    for placement in candidates:
        by_student[placement.student_id].append(placement)
    for item in addressees:
        for placement in by_student[item.student.id]:
            if placement.location_id == item.location_id and placement.covers(item.on):
                found[(item.student.id, item.location_id, item.on)] = placement
    return found


def student_team(student: Student, *, on: date | None = None) -> StudentTeam:
    return student_teams([student], on=on)[student.id]
