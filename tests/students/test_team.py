"""Whom the team names as managers: each person's own, else the organisation's one duty contact, never every
manager of the organisation; and the gap shows on the team card and in `missing`."""

from datetime import date

import pytest

from contacts.models import ContactPerson, Organisation, Role
from students.team import Addressees, TeamRole, addressed_teams, student_team
from tests.factories import ContactPersonFactory

from .test_views import detail_url, text_of

pytestmark = pytest.mark.django_db


def names(people):
    return sorted(person.name for person in people)


def test_the_guardian_team_manager_is_the_guardians_own_not_every_one(world):
    for number in range(5):
        ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=world.nidos, name=f"Ander {number}")
    team = student_team(world.ward)
    assert names(team.guardian_team_managers) == ["Team Tom"]
    assert "voogd zonder teammanager" not in [str(gap) for gap in team.missing]


def test_without_own_team_manager_the_duty_contact_stands_in_and_the_gap_shows(world):
    duty = ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=world.nidos, name="Piket Pam")
    Organisation.objects.filter(id=world.nidos.id).update(duty_contact=duty)
    ContactPerson.objects.filter(name="Voogd Vera").update(manager=None)
    team = student_team(world.ward)
    assert names(team.guardian_team_managers) == ["Piket Pam"]
    assert [str(gap) for gap in team.missing] == ["voogd zonder teammanager"]
    (member,) = [m for m in team.guardianship_members if m.kind == TeamRole.GUARDIAN_TEAM_MANAGER]
    assert str(member.label).startswith("Dienstdoend teammanager")


def test_without_own_team_manager_or_duty_contact_nobody(world):
    ContactPerson.objects.filter(name="Voogd Vera").update(manager=None)
    team = student_team(world.ward)
    assert team.guardian_team_managers == []
    assert [str(gap) for gap in team.missing] == ["voogd zonder teammanager"]


def test_the_location_manager_is_the_workers_own_else_the_locations(world):
    coa = world.location.organisation
    own = ContactPersonFactory(role=Role.LOCATION_MANAGER, organisation=coa, locations=[world.location], name="Eigen")
    assert names(student_team(world.ward).location_managers) == ["Eigen", "Manager Mo"]
    ContactPerson.objects.filter(name="Woon Wendy").update(manager=own)
    assert names(student_team(world.ward).location_managers) == ["Eigen"]


def test_a_location_without_manager_falls_back_to_the_duty_contact(world):
    coa = world.location.organisation
    duty = ContactPersonFactory(role=Role.LOCATION_MANAGER, organisation=coa, name="Piket Piet")
    Organisation.objects.filter(id=coa.id).update(duty_contact=duty)
    ContactPerson.objects.filter(name="Manager Mo").update(is_active=False, inactive_since=world.today)
    assert names(student_team(world.ward).location_managers) == ["Piket Piet"]


def test_addressed_teams_are_of_the_location_and_guardian_addressed(world, django_assert_num_queries):
    other_guardian = ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos, name="Voogd Ander")
    addressees = {
        1: Addressees(world.ward, date(2026, 3, 10), world.location.id, world.user("guardian").person.id),
        2: Addressees(world.ward, date(2026, 3, 10), world.other_location.id, other_guardian.id),
        3: Addressees(world.ward, date(2026, 3, 10), None, None),
    }
    # 2 school staff, 3 locations, 4 guardians (with their managers and duty contacts), 5 placements, 6 the
    # locations' staff, 7 attendance officers.
    with django_assert_num_queries(7):
        teams = addressed_teams(addressees)
    assert (teams[1].personal_worker.name, teams[1].guardian.name) == ("Woon Wendy", "Voogd Vera")
    assert names(teams[1].guardian_team_managers) == ["Team Tom"]
    # No placement of the ward at the other location: its workers (none here), not Wendy.
    assert teams[2].personal_worker is None and teams[2].location == world.other_location
    assert teams[2].guardian.name == "Voogd Ander" and teams[2].guardian_team_managers == []
    assert teams[3].location is None and teams[3].guardian is None
    assert names(teams[3].mentors) == ["Mentor Marieke"]


def test_the_team_card_shows_the_one_team_manager(world, client):
    for number in range(3):
        ContactPersonFactory(role=Role.GUARDIAN_TEAM_MANAGER, organisation=world.nidos, name=f"Ander {number}")
    client.force_login(world.user("mentor"))
    html = text_of(client.get(detail_url(world.ward)))
    card = html[html.index('data-testid="team-card"') : html.index("Woongeschiedenis")]
    assert "Team Tom" in card
    assert "Ander 0" not in card
