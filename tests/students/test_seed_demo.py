from datetime import datetime
from io import StringIO
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.apps import apps
from django.core.management import CommandError, call_command

from contacts.models import Organisation, Role, User
from students.access import students_visible_to
from students.demo import DEMO_PASSWORD, DEMO_SCHOOL
from students.models import Student
from students.team import student_teams

# A Tuesday in term time, so the demo's attendance history has school days behind it.
SCHOOL_DAY = datetime(2026, 3, 10, 7, 30, tzinfo=ZoneInfo("Europe/Amsterdam"))

DEMO_LOGIN_ROLES = {
    "mentor": Role.MENTOR,
    "zorgcoordinator": Role.CARE_COORDINATOR,
    "directie": Role.SCHOOL_MANAGEMENT,
    "woonbegeleider": Role.HOUSING_WORKER,
    "locatiemanager": Role.LOCATION_MANAGER,
    "voogd": Role.GUARDIAN,
    "teammanager": Role.GUARDIAN_TEAM_MANAGER,
    "leerplicht": Role.ATTENDANCE_OFFICER,
    "beheerder": Role.ADMIN,
}


@pytest.fixture
def school_day():
    with time_machine.travel(SCHOOL_DAY, tick=False):
        yield


def seed(*args):
    out = StringIO()
    call_command("seed_demo", *args, stdout=out)
    return out.getvalue()


def row_counts():
    return {model._meta.label: model.objects.count() for model in apps.get_models()}


def test_it_seeds_two_hundred_students_at_the_demo_school(db, school_day):
    output = seed()
    school = Organisation.objects.get(name=DEMO_SCHOOL)
    assert Student.objects.filter(school=school).count() == 200
    assert Student.objects.filter(school=school).values("student_number").distinct().count() == 200
    assert "Created 200 students" in output


def test_it_creates_the_demo_logins_with_the_demo_password(db, school_day):
    output = seed()
    for username, role in DEMO_LOGIN_ROLES.items():
        user = User.objects.get(username=username)
        assert user.role == role, username
        assert user.check_password(DEMO_PASSWORD), username
        assert user.is_active
        assert username in output
    admin = User.objects.get(username="beheerder")
    assert admin.is_staff and admin.is_superuser
    assert not User.objects.filter(username="mentor", is_staff=True).exists()


def test_it_gives_the_demo_logins_the_same_children_from_each_side(db, school_day):
    seed()
    mentor, worker, guardian = (User.objects.get(username=name) for name in ("mentor", "woonbegeleider", "voogd"))
    mentor_students = students_visible_to(mentor)
    teams = student_teams(mentor_students)
    shared = [
        team.student
        for team in teams.values()
        if worker.person in team.housing_contacts() and team.guardian == guardian.person
    ]
    assert len(shared) >= 10
    assert set(shared) <= set(students_visible_to(worker))
    assert set(shared) <= set(students_visible_to(guardian))
    for username in ("zorgcoordinator", "directie", "locatiemanager", "teammanager"):
        assert set(shared) <= set(students_visible_to(User.objects.get(username=username))), username
    assert not students_visible_to(User.objects.get(username="leerplicht")).exists()


def test_it_changes_nothing_when_run_again(db, school_day):
    seed()
    first = row_counts()
    output = seed()
    assert row_counts() == first
    assert "Created 0 students and 0 contact persons" in output


def test_it_seeds_volume_schools(db, school_day):
    output = seed("--schools", "2", "--students", "60")
    volume_schools = Organisation.objects.filter(name__startswith="ISK Volume").order_by("name")
    assert [school.name for school in volume_schools] == ["ISK Volume 001", "ISK Volume 002"]
    assert [Student.objects.filter(school=school).count() for school in volume_schools] == [30, 30]
    assert not Organisation.objects.filter(name=DEMO_SCHOOL).exists()
    assert "school 2/2" in output


def test_it_gives_every_volume_student_a_complete_team(db, school_day):
    seed("--schools", "2", "--students", "60")
    teams = student_teams(Student.objects.all())
    assert len(teams) == 60
    assert [team.student for team in teams.values() if team.missing or not team.attendance_officers] == []


def test_it_adds_no_volume_when_run_again(db, school_day):
    seed("--schools", "2", "--students", "60")
    first = row_counts()
    seed("--schools", "2", "--students", "60")
    assert row_counts() == first


@pytest.mark.parametrize("args", [["--schools", "0", "--students", "10"], ["--schools", "3", "--students", "2"]])
def test_it_refuses_impossible_volume(db, args):
    with pytest.raises(CommandError, match="--schools must be at least 1"):
        seed(*args)
    assert not Student.objects.exists()
