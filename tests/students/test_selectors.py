from datetime import date, timedelta
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from contacts.models import Role, User
from students import access
from students.access import can_move_students, students_visible_to
from students.models import Placement, Student
from students.selectors import (
    housing_locations_of,
    mentor_classes,
    student_for_user_or_404,
    student_list,
    students_without_placement_or_guardian,
)
from students.services import student_move
from students.team import student_team, student_teams
from tests.conftest import NO_STUDENT_ROLES, STUDENT_ROLES
from tests.factories import (
    ContactPersonFactory,
    GuardianshipFactory,
    HousingLocationFactory,
    MunicipalityFactory,
    NidosFactory,
    PlacementFactory,
    SchoolClassFactory,
    SchoolSiteFactory,
    StudentFactory,
    UserFactory,
)

SEPT_1 = date(2025, 9, 1)


def person(world, role_key):
    return world.user(role_key).person


def user_for(contact_person):
    return UserFactory(person=contact_person)


def names(people):
    return [contact_person.name for contact_person in people]


# -- students_visible_to: every role ----------------------------------------------------------------------------


@pytest.mark.parametrize("role_key", STUDENT_ROLES)
def test_it_shows_each_role_its_own_student_and_not_the_outsider(world, role_key):
    assert list(students_visible_to(world.user(role_key))) == [world.ward]


@pytest.mark.parametrize("role_key", NO_STUDENT_ROLES)
def test_it_shows_roles_without_a_relationship_no_students(world, role_key):
    assert not students_visible_to(world.user(role_key)).exists()


def test_it_shows_a_superuser_without_contact_person_no_students(world):
    root = User.objects.create_superuser(username="root", password="amvcoord-test-password")
    assert not students_visible_to(root).exists()


def test_it_shows_an_inactive_person_no_students(world):
    mentor = person(world, "mentor")
    mentor.is_active, mentor.inactive_since = False, world.today
    mentor.save(update_fields=["is_active", "inactive_since"])
    assert not students_visible_to(User.objects.get(username="mentor")).exists()


def test_it_shows_an_anonymous_visitor_no_students(world):
    assert not students_visible_to(AnonymousUser()).exists()


def test_it_shows_a_mentor_only_the_active_students_of_their_class(world):
    classmate = StudentFactory(school_class=world.school_class)
    StudentFactory(school_class=world.school_class, status=Student.Status.LEFT, left_on=date(2025, 12, 1))
    StudentFactory(school_class=SchoolClassFactory(location=world.site), given_name="Andere klas")
    assert set(students_visible_to(world.user("mentor"))) == {world.ward, classmate}


@pytest.mark.parametrize("role_key", ["care_coordinator", "school_management"])
def test_it_shows_school_staff_every_student_of_their_school(world, role_key):
    other_class = StudentFactory(school_class=SchoolClassFactory(location=world.site))
    other_site = StudentFactory(school_class=SchoolClassFactory(location=SchoolSiteFactory(organisation=world.school)))
    left = StudentFactory(school_class=world.school_class, status=Student.Status.LEFT, left_on=date(2025, 12, 1))
    visible = students_visible_to(world.user(role_key))
    assert set(visible) == {world.ward, other_class, other_site, left}
    assert world.outsider_student not in visible


@pytest.mark.parametrize("role_key", ["housing_worker", "location_manager"])
def test_it_never_shows_housing_staff_a_resident_of_another_location(world, role_key):
    elsewhere = PlacementFactory(location=world.other_location, started_on=SEPT_1).student
    visible = students_visible_to(world.user(role_key))
    assert elsewhere not in visible
    assert world.outsider_student not in visible
    other_worker = ContactPersonFactory(
        role=Role.HOUSING_WORKER, organisation=world.other_location.organisation, locations=[world.other_location]
    )
    assert set(students_visible_to(user_for(other_worker))) == {world.outsider_student, elsewhere}


@pytest.mark.parametrize("role_key", ["housing_worker", "location_manager"])
def test_it_stops_showing_housing_staff_a_resident_who_moved_away(world, role_key):
    student_move(student=world.ward, location=world.other_location, moved_on=world.today)
    assert not students_visible_to(world.user(role_key)).exists()
    assert list(students_visible_to(world.user(role_key), on=world.today - timedelta(days=1))) == [world.ward]


@pytest.mark.parametrize("role_key", ["housing_worker", "location_manager"])
def test_it_shows_housing_staff_a_future_resident_only_from_the_moving_day(world, role_key):
    newcomer = PlacementFactory(location=world.other_location, started_on=SEPT_1).student
    tomorrow = world.today + timedelta(days=1)
    student_move(student=newcomer, location=world.location, moved_on=tomorrow)
    assert newcomer not in students_visible_to(world.user(role_key))
    assert newcomer in students_visible_to(world.user(role_key), on=tomorrow)


def test_it_shows_a_location_manager_the_residents_of_every_location_they_manage(world):
    manager = person(world, "location_manager")
    manager.locations.add(world.other_location)
    assert set(students_visible_to(world.user("location_manager"))) == {world.ward, world.outsider_student}
    assert set(students_visible_to(world.user("housing_worker"))) == {world.ward}


def test_it_shows_a_guardian_only_current_wards(world):
    guardian = person(world, "guardian")
    former = GuardianshipFactory(guardian=guardian, started_on=SEPT_1, ended_on=date(2025, 12, 31)).student
    future = GuardianshipFactory(guardian=guardian, started_on=world.today + timedelta(days=7)).student
    colleague_ward = GuardianshipFactory(
        guardian=ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos)
    ).student
    visible = students_visible_to(world.user("guardian"))
    assert list(visible) == [world.ward]
    assert {former, future, colleague_ward}.isdisjoint(visible)


def test_it_shows_a_team_manager_the_wards_of_every_guardian_of_their_organisation(world):
    colleague = ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos)
    colleague_ward = GuardianshipFactory(guardian=colleague).student
    GuardianshipFactory(guardian=colleague, started_on=SEPT_1, ended_on=date(2025, 10, 1))
    other_nidos_ward = GuardianshipFactory(
        guardian=ContactPersonFactory(role=Role.GUARDIAN, organisation=NidosFactory())
    ).student
    visible = students_visible_to(world.user("guardian_team_manager"))
    assert set(visible) == {world.ward, colleague_ward}
    assert other_nidos_ward not in visible
    assert world.outsider_student not in visible


# -- student_for_user_or_404 --------------------------------------------------------------------------------------


def test_it_fetches_a_visible_student(world):
    assert student_for_user_or_404(world.user("guardian"), world.ward.id) == world.ward


@pytest.mark.parametrize("student_id", ["outsider", 999_999, "not-a-number"])
def test_it_hides_students_without_a_relationship(world, student_id):
    if student_id == "outsider":
        student_id = world.outsider_student.id
    with pytest.raises(Http404):
        student_for_user_or_404(world.user("guardian"), student_id)


# -- student_list --------------------------------------------------------------------------------------------------


@pytest.fixture
def classmates(world):
    return {
        "amal": StudentFactory(school_class=world.school_class, given_name="Amal", family_name="Saeed"),
        "dawit": StudentFactory(
            school_class=world.school_class, given_name="Dawit", family_name="Haile", student_number="2024077"
        ),
        "left": StudentFactory(
            school_class=world.school_class,
            given_name="Lina",
            family_name="Darwish",
            status=Student.Status.LEFT,
            left_on=date(2025, 12, 1),
        ),
    }


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        pytest.param("", ["amal", "dawit", "ward"], id="everyone"),
        pytest.param("yonas", ["ward"], id="given-name-any-case"),
        pytest.param("SAEED", ["amal"], id="family-name-any-case"),
        pytest.param("hai", ["dawit"], id="part-of-a-name"),
        pytest.param("2024077", ["dawit"], id="student-number"),
        pytest.param("20240", [], id="number-must-match-whole"),
        pytest.param("  dawit   haile ", ["dawit"], id="every-term-matches"),
        pytest.param("dawit saeed", [], id="terms-combine-with-and"),
        pytest.param("Haddad", [], id="outsider-never-found"),
    ],
)
def test_it_searches_students_by_name_and_number(world, classmates, query, expected):
    students = {**classmates, "ward": world.ward}
    found = list(student_list(world.user("mentor"), query=query))
    assert found == sorted((students[key] for key in expected), key=lambda s: (s.family_name, s.given_name))


def test_it_lists_students_who_left_only_on_request(world, classmates):
    coordinator = world.user("care_coordinator")
    assert classmates["left"] not in student_list(coordinator)
    assert classmates["left"] in student_list(coordinator, include_left=True)
    assert list(student_list(coordinator, query="lina", include_left=True)) == [classmates["left"]]


# -- student_teams --------------------------------------------------------------------------------------------------


def test_it_assembles_the_whole_team_of_a_student(world):
    team = student_team(world.ward)
    assert team.on == world.today
    assert names(team.mentors) == ["Mentor Marieke"]
    assert names(team.care_coordinators) == ["Zorg Zeynep"]
    assert names(team.school_management) == ["Directeur Dirk"]
    assert team.location == world.location
    assert team.personal_worker.name == "Woon Wendy"
    assert names(team.housing_workers) == ["Woon Wendy"]
    assert names(team.location_managers) == ["Manager Mo"]
    assert team.guardian.name == "Voogd Vera"
    assert names(team.guardian_team_managers) == ["Team Tom"]
    assert names(team.attendance_officers) == ["Leerplicht Lars"]
    assert team.missing == []


def test_it_groups_the_team_for_the_team_card(world):
    team = student_team(world.ward)
    assert [(m.kind, m.person.name) for m in team.school_members] == [
        ("mentor", "Mentor Marieke"),
        ("care_coordinator", "Zorg Zeynep"),
        ("school_management", "Directeur Dirk"),
    ]
    assert [(m.kind, m.person.name) for m in team.housing_members] == [
        ("personal_worker", "Woon Wendy"),
        ("location_manager", "Manager Mo"),
    ]
    assert [(m.kind, m.person.name) for m in team.guardianship_members] == [
        ("guardian", "Voogd Vera"),
        ("guardian_team_manager", "Team Tom"),
    ]
    assert [(m.kind, m.person.name) for m in team.municipality_members] == [("attendance_officer", "Leerplicht Lars")]


def test_it_offers_every_location_worker_when_there_is_no_personal_worker(world):
    Placement.objects.filter(student=world.ward).update(personal_worker=None)
    colleague = ContactPersonFactory(
        role=Role.HOUSING_WORKER, organisation=world.location.organisation, locations=[world.location], name="Collega"
    )
    team = student_team(world.ward)
    assert set(team.housing_contacts()) == {colleague, person(world, "housing_worker")}
    assert {m.kind for m in team.housing_members} == {"housing_worker", "location_manager"}
    assert colleague in team.housing_workers
    assert [str(gap) for gap in team.missing] == ["geen persoonlijk woonbegeleider"]


def test_it_leaves_out_people_of_other_schools_locations_and_organisations(world):
    team = student_team(world.outsider_student)
    assert team.mentors == [] and team.care_coordinators == [] and team.school_management == []
    assert team.location == world.other_location
    assert team.housing_workers == [] and team.location_managers == []
    assert team.guardian.name == "Voogd Elders"
    assert team.guardian_team_managers == []
    # COA Elders has no municipality, so there is no attendance officer to name.
    assert team.attendance_officers == []


def test_it_finds_the_attendance_officer_through_the_location_municipality(world):
    municipality = MunicipalityFactory(name="Gemeente Leusden")
    world.other_location.municipality = municipality
    world.other_location.save(update_fields=["municipality"])
    officer = ContactPersonFactory(role=Role.ATTENDANCE_OFFICER, organisation=municipality, name="Leerplicht Leusden")
    assert student_team(world.outsider_student).attendance_officers == [officer]
    assert names(student_team(world.ward).attendance_officers) == ["Leerplicht Lars"]


def test_it_shows_the_team_of_a_past_day_after_a_move(world):
    new_worker = ContactPersonFactory(
        role=Role.HOUSING_WORKER,
        organisation=world.other_location.organisation,
        locations=[world.other_location],
        name="Nieuwe Begeleider",
    )
    moved_on = world.today - timedelta(days=10)
    student_move(student=world.ward, location=world.other_location, moved_on=moved_on, personal_worker=new_worker)

    before = student_team(world.ward, on=moved_on - timedelta(days=1))
    after = student_team(world.ward, on=moved_on)
    now = student_team(world.ward)

    assert (before.location, before.personal_worker.name) == (world.location, "Woon Wendy")
    assert names(before.location_managers) == ["Manager Mo"]
    assert names(before.attendance_officers) == ["Leerplicht Lars"]
    assert (after.location, after.personal_worker) == (world.other_location, new_worker)
    assert after.location_managers == [] and after.attendance_officers == []
    assert now.location == world.other_location


def test_it_shows_no_placement_or_guardian_before_they_started(world):
    team = student_team(world.ward, on=date(2025, 8, 31))
    assert team.placement is None and team.guardianship is None
    assert names(team.mentors) == ["Mentor Marieke"]
    assert [str(gap) for gap in team.missing] == ["geen woonlocatie", "geen voogd"]


def test_it_skips_inactive_people(world):
    for role_key in ["mentor", "care_coordinator", "housing_worker", "location_manager", "guardian_team_manager"]:
        contact_person = person(world, role_key)
        contact_person.is_active, contact_person.inactive_since = False, world.today
        contact_person.save(update_fields=["is_active", "inactive_since"])
    team = student_team(world.ward)
    assert team.mentors == [] and team.care_coordinators == []
    assert names(team.school_management) == ["Directeur Dirk"]
    assert team.personal_worker is None and team.housing_workers == [] and team.location_managers == []
    assert team.guardian_team_managers == []
    assert team.guardian.name == "Voogd Vera"
    # Vera's team manager is inactive and Nidos has no duty contact: nobody stands in, and the gap shows.
    assert [str(gap) for gap in team.missing] == [
        "geen mentor",
        "geen persoonlijk woonbegeleider",
        "voogd zonder teammanager",
    ]


def test_it_keeps_the_guardianship_of_an_inactive_guardian_but_not_the_guardian(world):
    guardian = person(world, "guardian")
    guardian.is_active, guardian.inactive_since = False, world.today
    guardian.save(update_fields=["is_active", "inactive_since"])
    team = student_team(world.ward)
    assert team.guardianship is not None and team.guardianship.guardian == guardian
    assert team.guardian is None
    assert names(team.guardian_team_managers) == ["Team Tom"]
    assert [str(gap) for gap in team.missing] == ["geen voogd"]


def test_it_returns_no_teams_for_no_students(db, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert student_teams([]) == {}


def make_students_with_own_teams(count):
    """`count` students, each with a team of their own: school, class, housing, guardian, municipality."""
    students = []
    for number in range(count):
        site = SchoolSiteFactory()
        school = site.organisation
        mentor = ContactPersonFactory(role=Role.MENTOR, organisation=school, name=f"Mentor {number}")
        ContactPersonFactory(role=Role.CARE_COORDINATOR, organisation=school, name=f"Zorg {number}")
        ContactPersonFactory(role=Role.SCHOOL_MANAGEMENT, organisation=school, name=f"Directie {number}")
        municipality = MunicipalityFactory()
        ContactPersonFactory(role=Role.ATTENDANCE_OFFICER, organisation=municipality, name=f"Leerplicht {number}")
        location = HousingLocationFactory(municipality=municipality)
        worker = ContactPersonFactory(
            role=Role.HOUSING_WORKER, organisation=location.organisation, locations=[location], name=f"Woon {number}"
        )
        ContactPersonFactory(
            role=Role.LOCATION_MANAGER, organisation=location.organisation, locations=[location], name=f"LM {number}"
        )
        nidos = NidosFactory()
        team_manager = ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=nidos, name=f"Team {number}")
        guardian = ContactPersonFactory(
            role=Role.GUARDIAN, organisation=nidos, name=f"Voogd {number}", manager=team_manager
        )
        student = StudentFactory(school_class=SchoolClassFactory(location=site, mentors=[mentor]))
        PlacementFactory(student=student, location=location, personal_worker=worker)
        GuardianshipFactory(student=student, guardian=guardian)
        students.append(student)
    return students


@pytest.mark.parametrize("count", [1, 10])
def test_it_builds_teams_in_a_fixed_number_of_queries(db, django_assert_num_queries, count):
    students = make_students_with_own_teams(count)
    with django_assert_num_queries(7):
        # 1 the students, 2 mentors of their classes, 3 care coordinators and management of their schools,
        # 4 placements on the day, 5 workers and managers of those locations, 6 guardianships on the day,
        # 7 attendance officers (each guardian's team manager and each worker's manager come with 4 and 6).
        teams = student_teams(Student.objects.filter(id__in=[student.id for student in students]))
        complete = [team for team in teams.values() if not team.missing and team.attendance_officers]
    assert len(complete) == count
    for number, student in enumerate(students):
        team = teams[student.id]
        assert names(team.mentors) == [f"Mentor {number}"]
        assert names(team.care_coordinators) == [f"Zorg {number}"]
        assert names(team.location_managers) == [f"LM {number}"]
        assert names(team.guardian_team_managers) == [f"Team {number}"]
        assert names(team.attendance_officers) == [f"Leerplicht {number}"]


# -- students_without_placement_or_guardian ------------------------------------------------------------------------


def test_it_lists_active_students_with_a_hole_in_their_team(world):
    school_class = world.school_class
    homeless = StudentFactory(school_class=school_class, given_name="Zonder woonplek")
    GuardianshipFactory(student=homeless)
    unguarded = PlacementFactory(student=StudentFactory(school_class=school_class, given_name="Zonder voogd")).student
    nothing = StudentFactory(school_class=school_class, given_name="Zonder iets")
    moved_out = PlacementFactory(
        student=StudentFactory(school_class=school_class, given_name="Verhuisd"), ended_on=date(2025, 10, 31)
    ).student
    GuardianshipFactory(student=moved_out)
    StudentFactory(school_class=school_class, status=Student.Status.LEFT, left_on=date(2025, 12, 1))

    incomplete = students_without_placement_or_guardian(Student.objects.all())
    assert set(incomplete) == {homeless, unguarded, nothing, moved_out}
    on_last_day_there = students_without_placement_or_guardian(Student.objects.all(), on=date(2025, 10, 31))
    assert set(on_last_day_there) == {homeless, unguarded, nothing}


def test_it_limits_the_incomplete_list_to_the_given_students(world):
    nothing = StudentFactory(school_class=world.school_class)
    StudentFactory()
    assert list(students_without_placement_or_guardian(students_visible_to(world.user("mentor")))) == [nothing]


# -- smaller reads ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("role_key", "allowed"),
    [
        ("mentor", False),
        ("care_coordinator", True),
        ("school_management", False),
        ("housing_worker", True),
        ("location_manager", True),
        ("guardian", True),
        ("guardian_team_manager", True),
        ("attendance_officer", False),
        ("admin", False),
    ],
)
def test_it_lets_the_people_who_arrange_moves_register_them(world, role_key, allowed):
    assert can_move_students(world.user(role_key)) is allowed


def test_it_counts_active_students_per_mentored_class(world):
    StudentFactory(school_class=world.school_class)
    StudentFactory(school_class=world.school_class, status=Student.Status.LEFT, left_on=date(2025, 12, 1))
    assert [(c.name, c.active_students) for c in mentor_classes(person(world, "mentor"))] == [("1A", 2)]


def test_it_counts_current_residents_per_location(world):
    manager = person(world, "location_manager")
    manager.locations.add(world.other_location)
    PlacementFactory(location=world.location, started_on=SEPT_1, ended_on=date(2025, 10, 31))
    PlacementFactory(location=world.location, started_on=world.today + timedelta(days=3))
    counts = {location.name: location.residents for location in housing_locations_of(manager)}
    assert counts == {"COA Wiekenweg": 1, "COA Elders": 1}


def test_it_knows_whom_a_login_belongs_to(world):
    assert access.person_of(world.user("guardian")).name == "Voogd Vera"
    assert access.person_of(AnonymousUser()) is None


# -- the access policy's object predicates (students.access) ----------------------------------------------------


def test_it_gives_every_role_a_line_in_the_capability_table():
    assert set(access.ROLE_CAPABILITIES) == set(Role)


def test_it_treats_a_superuser_without_contact_person_as_admin(db):
    root = User.objects.create_superuser("root2", password="x")
    assert access.role_of(root) == Role.ADMIN
    assert access.can_view_any_audit_trail(root)
    assert access.role_of(AnonymousUser()) is None


@pytest.mark.parametrize(
    ("role_key", "own_school", "other_school"),
    [("care_coordinator", True, False), ("mentor", False, False), ("school_management", False, False)],
)
def test_it_lets_only_the_schools_care_coordinator_decide_and_resolve(world, role_key, own_school, other_school):
    user = world.user(role_key)
    record_here = SimpleNamespace(student=world.ward)
    record_elsewhere = SimpleNamespace(student=world.outsider_student)
    assert access.can_decide_absence(user, record_here) is own_school
    assert access.can_decide_absence(user, record_elsewhere) is other_school
    assert access.can_resolve_escalation(user, SimpleNamespace(school_id=world.ward.school_id)) is own_school
    assert access.can_resolve_escalation(user, SimpleNamespace(school_id=world.outsider_student.school_id)) is False


def test_it_shows_the_audit_trail_of_the_care_coordinators_own_school_only(world):
    coordinator = world.user("care_coordinator")
    # A care coordinator who also mentors a class at another school sees those pupils, not their inzage.
    world.outsider_student.school_class.mentors.add(coordinator.person)
    assert world.outsider_student in students_visible_to(coordinator)
    assert access.can_view_audit_trail(coordinator, world.ward)
    assert not access.can_view_audit_trail(coordinator, world.outsider_student)
    assert access.can_view_audit_trail(world.user("admin"), world.outsider_student)
    assert not access.can_view_audit_trail(world.user("mentor"), world.ward)
