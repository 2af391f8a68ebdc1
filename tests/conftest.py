"""Shared fixtures: one small world with every role, and service checks that fail in CI instead of skipping."""

import os
from dataclasses import dataclass
from datetime import date

import pytest
from django.utils import timezone, translation

from contacts.models import Role

from .factories import (
    ContactPersonFactory,
    GuardianshipFactory,
    HousingLocationFactory,
    MunicipalityFactory,
    NidosFactory,
    PlacementFactory,
    SchoolClassFactory,
    SchoolFactory,
    SchoolSiteFactory,
    StudentFactory,
    UserFactory,
)

# Tests that need PostgreSQL, Redis or Chromium skip on a laptop without them, but fail when CI sets this.
REQUIRE_SERVICES = os.environ.get("REQUIRE_SERVICES") == "1"


@pytest.fixture(autouse=True)
def dutch(settings):
    """Each test starts in Dutch: a request in English leaves English active on the thread (Django activates the
    language per request and never resets it), and service messages would follow it into the next test."""
    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Real hashing is deliberately slow; tests create many users."""
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


def require(condition: bool, reason: str):
    """Skip the test when `condition` is false, or fail it in CI (REQUIRE_SERVICES=1)."""
    if condition:
        return
    if REQUIRE_SERVICES:
        pytest.fail(f"{reason} (REQUIRE_SERVICES=1: this must run in CI)")
    pytest.skip(reason)


@dataclass
class World:
    """Two of everything, so every test can check that side A never sees side B.

    Student `ward` is in `school_class` (mentor `mentor`), lives at `location` (worker `worker`, manager
    `manager`) and has guardian `guardian` (team manager `team_manager`). `outsider_student` is at another
    school, another location, with another guardian.
    """

    today: date
    school: object
    site: object
    school_class: object
    location: object
    other_location: object
    nidos: object
    municipality: object
    ward: object
    outsider_student: object
    users: dict

    def user(self, role_key):
        return self.users[role_key]


@pytest.fixture
def world(db):
    today = timezone.localdate()
    municipality = MunicipalityFactory(name="Gemeente Amersfoort")
    school = SchoolFactory(name="ISK Testschool")
    site = SchoolSiteFactory(organisation=school, name="Testschool Centrum")
    location = HousingLocationFactory(name="COA Wiekenweg", municipality=municipality)
    other_location = HousingLocationFactory(name="COA Elders")
    nidos = NidosFactory(name="Nidos Midden")

    def person(role, organisation, locations=(), name=None):
        return ContactPersonFactory(role=role, organisation=organisation, locations=list(locations), name=name or role)

    mentor = person(Role.MENTOR, school, [site], "Mentor Marieke")
    school_class = SchoolClassFactory(location=site, name="1A", mentors=[mentor])
    people = {
        "mentor": mentor,
        "care_coordinator": person(Role.CARE_COORDINATOR, school, [site], "Zorg Zeynep"),
        "school_management": person(Role.SCHOOL_MANAGEMENT, school, [site], "Directeur Dirk"),
        "housing_worker": person(Role.HOUSING_WORKER, location.organisation, [location], "Woon Wendy"),
        "location_manager": person(Role.LOCATION_MANAGER, location.organisation, [location], "Manager Mo"),
        "guardian": person(Role.GUARDIAN, nidos, name="Voogd Vera"),
        "guardian_team_manager": person(Role.GUARDIAN_TEAM_MANAGER, nidos, name="Team Tom"),
        "attendance_officer": person(Role.ATTENDANCE_OFFICER, municipality, name="Leerplicht Lars"),
        "admin": person(Role.ADMIN, school, name="Beheer Bea"),
    }
    # Vera's own team manager is Tom: the team-manager step notifies him (students/team.py).
    people["guardian"].manager = people["guardian_team_manager"]
    people["guardian"].save(update_fields=["manager"])
    ward = StudentFactory(school_class=school_class, given_name="Yonas", family_name="Tesfay")
    PlacementFactory(
        student=ward, location=location, started_on=date(2025, 9, 1), personal_worker=people["housing_worker"]
    )
    GuardianshipFactory(student=ward, guardian=people["guardian"], started_on=date(2025, 9, 1))

    other_school = SchoolFactory(name="ISK Elders")
    other_nidos = NidosFactory(name="Nidos Noord")
    outsider_student = StudentFactory(
        school_class=SchoolClassFactory(location=SchoolSiteFactory(organisation=other_school)),
        given_name="Ahmad",
        family_name="Haddad",
    )
    PlacementFactory(student=outsider_student, location=other_location, started_on=date(2025, 9, 1))
    GuardianshipFactory(
        student=outsider_student,
        guardian=person(Role.GUARDIAN, other_nidos, name="Voogd Elders"),
        started_on=date(2025, 9, 1),
    )

    users = {key: UserFactory(username=key, person=p) for key, p in people.items()}
    users["admin"].is_staff = users["admin"].is_superuser = True
    users["admin"].save(update_fields=["is_staff", "is_superuser"])
    return World(
        today=today,
        school=school,
        site=site,
        school_class=school_class,
        location=location,
        other_location=other_location,
        nidos=nidos,
        municipality=municipality,
        ward=ward,
        outsider_student=outsider_student,
        users=users,
    )


STUDENT_ROLES = [
    "mentor",
    "care_coordinator",
    "school_management",
    "housing_worker",
    "location_manager",
    "guardian",
    "guardian_team_manager",
]
NO_STUDENT_ROLES = ["attendance_officer", "admin"]


@pytest.fixture
def admin_client(world, client):
    """The world's admin (a superuser with a contact person), instead of pytest-django's anonymous admin."""
    client.force_login(world.user("admin"))
    return client
