from datetime import date, time

import pytest
from auditlog.context import set_actor
from django.contrib.auth.models import AnonymousUser
from django.http import Http404

from attendance import roster as rosters
from attendance import selectors
from attendance.chronology import chronology
from attendance.models import AttendanceRecord
from attendance.services import absence_decide, explanation_give, sick_report_close, sick_report_create
from contacts.models import Role
from students import access
from students.models import Guardianship
from students.services import student_move
from tests.factories import (
    ContactPersonFactory,
    GuardianshipFactory,
    PlacementFactory,
    SchoolClassFactory,
    StudentFactory,
    UserFactory,
)

from .factories import AppointmentFactory, AttendanceRecordFactory, SickReportFactory
from .helpers import FRIDAY_BEFORE, MONDAY, SATURDAY, TUESDAY, absent, at, classmates, mark, present


def user_of(role, organisation, *, locations=(), name=None):
    person = ContactPersonFactory(role=role, organisation=organisation, locations=list(locations), name=name or role)
    return UserFactory(person=person)


def other_worker(world):
    """A housing worker of the other location (where only the outsider student lives)."""
    return user_of(
        Role.HOUSING_WORKER, world.other_location.organisation, locations=[world.other_location], name="Woon Elders"
    )


def open_request(world, day=TUESDAY, student=None):
    record = mark(world, student or world.ward, absent(), day=day)
    return record.explanation_request


# -- who keeps which roster -------------------------------------------------------------------------------------


def test_it_gives_a_mentor_the_roster_of_their_own_class(world):
    SchoolClassFactory(location=world.site, name="1B")
    assert list(access.roster_classes_for(world.user("mentor"))) == [world.school_class]


def test_it_gives_the_care_coordinator_every_class_of_the_school(world):
    second = SchoolClassFactory(location=world.site, name="1B")
    names = set(access.roster_classes_for(world.user("care_coordinator")).values_list("name", flat=True))
    assert names == {world.school_class.name, second.name}
    assert world.outsider_student.school_class.name not in names


def test_it_gives_school_management_only_classes_they_mentor(world):
    assert not access.roster_classes_for(world.user("school_management")).exists()
    world.school_class.mentors.add(world.user("school_management").person)
    assert list(access.roster_classes_for(world.user("school_management"))) == [world.school_class]


@pytest.mark.parametrize(
    "role_key",
    ["housing_worker", "location_manager", "guardian", "guardian_team_manager", "attendance_officer", "admin"],
)
def test_it_gives_roles_outside_school_no_roster(world, role_key):
    assert not access.roster_classes_for(world.user(role_key)).exists()


def test_it_gives_an_anonymous_or_inactive_user_no_roster(world):
    assert not access.roster_classes_for(AnonymousUser()).exists()
    mentor = world.user("mentor")
    mentor.person.is_active, mentor.person.inactive_since = False, world.today
    mentor.person.save(update_fields=["is_active", "inactive_since"])
    assert not access.roster_classes_for(mentor).exists()


def test_it_hides_another_class_behind_a_404(world):
    with pytest.raises(Http404):
        selectors.school_class_for_roster_or_404(world.user("mentor"), world.outsider_student.school_class_id)
    with pytest.raises(Http404):
        selectors.school_class_for_roster_or_404(world.user("mentor"), "abc")
    found = selectors.school_class_for_roster_or_404(world.user("care_coordinator"), world.school_class.id)
    assert found == world.school_class


# -- the roster -------------------------------------------------------------------------------------------------


def test_it_lists_the_active_students_of_the_class_by_name(world):
    StudentFactory(school_class=world.school_class, given_name="Abel", family_name="Zewdu")
    StudentFactory(school_class=world.school_class, given_name="Sara", family_name="Amanuel")
    StudentFactory(school_class=world.school_class, family_name="Vertrokken", status="left", left_on=MONDAY)
    roster = rosters.roster(world.school_class, TUESDAY)
    assert [row.student.family_name for row in roster.rows] == ["Amanuel", "Tesfay", "Zewdu"]
    assert roster.default_hours == 6
    assert roster.closed_because is None


def test_it_pre_marks_students_with_a_sick_report_or_appointment_elsewhere(world):
    sick, away, at_school, normal = classmates(world, 4)
    SickReportFactory(student=sick, first_day=MONDAY)
    AppointmentFactory(student=away, day=TUESDAY, at_school=False)
    AppointmentFactory(student=at_school, day=TUESDAY, at_school=True)
    rows = {row.student: row for row in rosters.roster(world.school_class, TUESDAY).rows}
    assert rows[sick].status == "absent"
    assert rows[sick].sick_report.student == sick
    assert rows[away].status == "absent"
    assert rows[at_school].status == "present"
    assert len(rows[at_school].appointments) == 1
    assert rows[normal].status == "present"
    assert not rows[normal].explained_in_advance


def test_it_shows_what_was_saved_and_when_last(world, clock):
    [other] = classmates(world, 1)
    mark(world, world.ward, absent())
    clock.move_to(at(2026, 3, 10, 9, 20), tick=False)
    mark(world, other, present(), actor=world.user("care_coordinator"))
    roster = rosters.roster(world.school_class, TUESDAY)
    assert roster.saved_count == 2
    assert roster.last_saved.student_id == other.id
    assert roster.last_saved.updated_at == at(2026, 3, 10, 9, 20)
    rows = {row.student: row for row in roster.rows}
    assert rows[world.ward].status == "absent"
    assert rows[world.ward].request.status == "open"


def test_it_shows_a_record_over_the_pre_marking(world):
    SickReportFactory(student=world.ward, first_day=MONDAY)
    mark(world, world.ward, present())
    [row] = rosters.roster(world.school_class, TUESDAY).rows
    assert row.status == "present"


def test_it_says_why_there_is_no_school(world):
    assert rosters.roster(world.school_class, SATURDAY).closed_because == "weekend"


def test_it_finds_one_roster_row_and_404s_for_a_stranger(world):
    mark(world, world.ward, absent())
    row = rosters.roster_row(world.school_class, TUESDAY, world.ward.id)
    assert row.record.status == "absent"
    with pytest.raises(Http404):
        rosters.roster_row(world.school_class, TUESDAY, world.outsider_student.id)


def test_it_opens_the_roster_on_the_last_school_day(world):
    assert rosters.roster_calendar(world.school_class).previous_school_day(TUESDAY) == TUESDAY
    assert rosters.roster_calendar(world.school_class).previous_school_day(SATURDAY) == date(2026, 3, 13)
    assert rosters.roster_calendar(world.school_class).previous_school_day(date(2026, 4, 27)) == date(2026, 4, 24)


# -- the housing inbox ------------------------------------------------------------------------------------------


def test_it_shows_a_housing_worker_the_open_requests_of_their_location_oldest_first(world):
    [housemate] = classmates(world, 1)
    tuesday = open_request(world, TUESDAY)
    friday = open_request(world, FRIDAY_BEFORE)
    housemate_monday = open_request(world, MONDAY, student=housemate)
    entries = selectors.inbox(world.user("housing_worker"))
    assert [entry.student for entry in entries] == [world.ward, housemate]
    assert [request.id for request in entries[0].requests] == [friday.id, tuesday.id]
    assert [request.id for request in entries[1].requests] == [housemate_monday.id]
    assert selectors.inbox_count(world.user("location_manager")) == 3


def test_it_never_shows_a_worker_the_requests_of_another_location(world):
    elsewhere = StudentFactory(school_class=world.school_class)
    PlacementFactory(student=elsewhere, location=world.other_location)
    mine, theirs = open_request(world), open_request(world, student=elsewhere)
    assert [r.id for e in selectors.inbox(world.user("housing_worker")) for r in e.requests] == [mine.id]
    assert [r.id for e in selectors.inbox(other_worker(world)) for r in e.requests] == [theirs.id]
    assert selectors.inbox_count(other_worker(world)) == 1


def test_it_shows_a_guardian_only_the_requests_of_their_wards(world):
    request = open_request(world)
    assert [r.id for e in selectors.inbox(world.user("guardian")) for r in e.requests] == [request.id]
    other_guardian = user_of(Role.GUARDIAN, world.nidos, name="Voogd Anders")
    assert selectors.inbox(other_guardian) == []
    assert selectors.inbox_count(other_guardian) == 0


def test_it_drops_answered_and_cancelled_requests_from_the_inbox(world):
    [other] = classmates(world, 1)
    answered, cancelled = open_request(world), open_request(world, student=other)
    explanation_give(request_ids=[answered.id], reason="sick", remark="", actor=world.user("guardian"))
    mark(world, other, present())
    cancelled.refresh_from_db()
    assert cancelled.status == "cancelled"
    assert selectors.inbox(world.user("housing_worker")) == []
    assert selectors.inbox_count(world.user("housing_worker")) == 0


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager", "attendance_officer"])
def test_it_has_no_inbox_for_roles_that_are_not_asked(world, role_key):
    open_request(world)
    assert selectors.inbox(world.user(role_key)) == []
    assert selectors.inbox_count(world.user(role_key)) == 0


def test_it_keeps_a_former_residents_request_in_the_old_locations_inbox(world):
    request = open_request(world, MONDAY)
    student_move(student=world.ward, location=world.other_location, moved_on=TUESDAY)
    assert [r.id for e in selectors.inbox(world.user("housing_worker")) for r in e.requests] == [request.id]
    assert selectors.inbox(other_worker(world)) == []
    assert access.can_answer_request(world.user("housing_worker"), request)
    assert not access.can_answer_request(other_worker(world), request)


def test_it_knows_who_may_answer_a_request(world):
    request = open_request(world)
    assert access.can_answer_request(world.user("housing_worker"), request)
    assert access.can_answer_request(world.user("location_manager"), request)
    assert access.can_answer_request(world.user("guardian"), request)
    assert not access.can_answer_request(world.user("mentor"), request)
    assert not access.can_answer_request(world.user("guardian_team_manager"), request)
    assert not access.can_answer_request(AnonymousUser(), request)


def test_it_finds_only_requests_addressed_to_the_user_for_answering(world):
    request = open_request(world)
    assert selectors.requests_for_answer(world.user("housing_worker"), [request.id]) == [request]
    assert selectors.requests_for_answer(other_worker(world), [request.id]) == []
    assert selectors.requests_for_answer(world.user("mentor"), [request.id]) == []


# -- sick reports and appointments: who reports for whom -------------------------------------------------------


def test_it_lets_housing_and_guardian_report_for_current_residents_and_wards(world):
    for role_key in ("housing_worker", "location_manager", "guardian"):
        assert access.can_report_for(world.user(role_key), world.ward)
        assert list(access.reportable_students(world.user(role_key))) == [world.ward]
        assert not access.can_report_for(world.user(role_key), world.outsider_student)
    for role_key in ("mentor", "care_coordinator", "guardian_team_manager", "attendance_officer"):
        assert not access.can_report_for(world.user(role_key), world.ward)
        assert not access.reportable_students(world.user(role_key)).exists()


def test_it_stops_reporting_for_a_resident_who_moved_away(world):
    student_move(student=world.ward, location=world.other_location, moved_on=TUESDAY)
    assert not access.can_report_for(world.user("housing_worker"), world.ward)
    assert access.can_report_for(other_worker(world), world.ward)


def test_it_lists_the_open_sick_reports_of_my_residents_only(world):
    report = SickReportFactory(student=world.ward, first_day=MONDAY)
    SickReportFactory(student=world.ward, first_day=date(2026, 2, 2), last_day=date(2026, 2, 3))
    SickReportFactory(student=world.outsider_student, first_day=MONDAY)
    assert list(selectors.open_sick_reports_for(world.user("housing_worker"))) == [report]
    assert selectors.sick_report_for_user_or_404(world.user("guardian"), report.id) == report
    with pytest.raises(Http404):
        selectors.sick_report_for_user_or_404(other_worker(world), report.id)
    with pytest.raises(Http404):
        selectors.sick_report_for_user_or_404(world.user("mentor"), report.id)


def test_it_finds_only_appointments_away_from_school_as_explanations(world):
    at_school = AppointmentFactory(student=world.ward, day=TUESDAY, at_school=True, starts_at=time(9, 0))
    later = AppointmentFactory(
        student=world.ward, day=TUESDAY, at_school=False, starts_at=time(13, 0), ends_at=time(14, 0)
    )
    earlier = AppointmentFactory(student=world.ward, day=TUESDAY, at_school=False, starts_at=time(10, 0))
    assert selectors.appointments_explaining([world.ward.id], TUESDAY) == {world.ward.id: earlier}
    assert list(selectors.appointments_on([world.ward.id], TUESDAY)) == [at_school, earlier, later]


# -- the care coordinator's decisions ---------------------------------------------------------------------------


def test_it_lists_the_absences_of_the_care_coordinators_school_newest_first(world):
    mark(world, world.ward, absent(), day=MONDAY)
    mark(world, world.ward, absent())
    mark(world, world.ward, present(), day=FRIDAY_BEFORE)
    AttendanceRecordFactory(student=world.outsider_student, absent=True)
    absences = selectors.absences_for_decision(world.user("care_coordinator"), since=date(2026, 3, 1))
    assert [(record.student, record.day) for record in absences] == [(world.ward, TUESDAY), (world.ward, MONDAY)]
    assert (
        not selectors.absences_for_decision(world.user("care_coordinator"), since=TUESDAY).filter(day=MONDAY).exists()
    )


@pytest.mark.parametrize("role_key", ["mentor", "school_management", "housing_worker", "guardian"])
def test_it_lists_no_decisions_for_other_roles(world, role_key):
    mark(world, world.ward, absent())
    assert not selectors.absences_for_decision(world.user(role_key), since=MONDAY).exists()


def test_it_filters_the_decisions(world):
    [second, third] = classmates(world, 2)
    unexplained = mark(world, world.ward, absent())
    explained = mark(world, second, absent())
    explanation_give(
        request_ids=[explained.explanation_request.id], reason="sick", remark="", actor=world.user("housing_worker")
    )
    overridden = mark(world, third, absent())
    explanation_give(
        request_ids=[overridden.explanation_request.id], reason="legal", remark="", actor=world.user("housing_worker")
    )
    absence_decide(record=overridden, authorised=False, note="Geen bewijs", actor=world.user("care_coordinator"))

    def ids(only):
        user = world.user("care_coordinator")
        return {record.id for record in selectors.absences_for_decision(user, since=MONDAY, only=only)}

    assert ids("") == {unexplained.id, explained.id, overridden.id}
    assert ids("unexplained") == {unexplained.id}
    assert ids("unauthorised") == {unexplained.id, overridden.id}
    assert ids("overridden") == {overridden.id}


def test_it_finds_an_absence_for_the_team_and_404s_for_others(world):
    record = mark(world, world.ward, absent())
    assert selectors.absence_for_user_or_404(world.user("care_coordinator"), record.id) == record
    assert selectors.absence_for_user_or_404(world.user("mentor"), record.id) == record
    with pytest.raises(Http404):
        selectors.absence_for_user_or_404(user_of(Role.CARE_COORDINATOR, world.outsider_student.school), record.id)
    present_record = mark(world, world.ward, present(), day=MONDAY)
    with pytest.raises(Http404):
        selectors.absence_for_user_or_404(world.user("care_coordinator"), present_record.id)


# -- privacy of free text ---------------------------------------------------------------------------------------


def test_it_shows_free_text_to_the_writers_organisation_and_the_care_coordinator_only(world):
    writer = world.user("housing_worker")
    school_id = world.school.id
    assert access.can_read_remark(writer, writer=writer, school_id=school_id)
    assert access.can_read_remark(world.user("location_manager"), writer=writer, school_id=school_id)
    assert access.can_read_remark(world.user("care_coordinator"), writer=writer, school_id=school_id)
    for role_key in ("mentor", "school_management", "guardian", "guardian_team_manager"):
        assert not access.can_read_remark(world.user(role_key), writer=writer, school_id=school_id)
    other_care = user_of(Role.CARE_COORDINATOR, world.outsider_student.school)
    assert not access.can_read_remark(other_care, writer=writer, school_id=school_id)
    assert not access.can_read_remark(world.user("mentor"), writer=None, school_id=school_id)


# -- the chronology ---------------------------------------------------------------------------------------------


@pytest.fixture
def history(world, clock):
    """A week in the life of the ward: absences, an answer, a sick report with betermelding, an appointment,
    a decision, a move and a new guardian. Every writer leaves a remark."""
    clock.move_to(at(2026, 3, 6, 9, 0), tick=False)
    friday = mark(world, world.ward, absent(remark="Mentor: toets gemist"), day=FRIDAY_BEFORE)
    explanation_give(
        request_ids=[friday.explanation_request.id],
        reason="legal",
        remark="Woon: gesprek advocaat",
        actor=world.user("housing_worker"),
    )
    absence_decide(
        record=AttendanceRecord.objects.get(id=friday.id),
        authorised=False,
        note="Zorg: had op school gekund",
        actor=world.user("care_coordinator"),
    )
    clock.move_to(at(2026, 3, 9, 8, 0), tick=False)
    report = sick_report_create(
        student=world.ward,
        first_day=MONDAY,
        expected_back=TUESDAY,
        hospital_admission=False,
        remark="Voogd: koorts",
        actor=world.user("guardian"),
    )
    mark(world, world.ward, absent(), day=MONDAY)
    clock.move_to(at(2026, 3, 9, 17, 0), tick=False)
    sick_report_close(report=report, back_on=TUESDAY, actor=world.user("guardian"))
    AppointmentFactory(
        student=world.ward,
        day=TUESDAY,
        at_school=True,
        remark="Woon: IND-gesprek",
        registered_by=world.user("housing_worker"),
    )
    clock.move_to(at(2026, 3, 10, 9, 0), tick=False)
    student_move(student=world.ward, location=world.other_location, moved_on=TUESDAY)
    new_guardian = ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos, name="Voogd Nieuw")
    Guardianship.objects.filter(student=world.ward).update(ended_on=MONDAY)
    GuardianshipFactory(student=world.ward, guardian=new_guardian, started_on=TUESDAY)
    return world


ALL_REMARKS = [
    "Mentor: toets gemist",
    "Woon: gesprek advocaat",
    "Zorg: had op school gekund",
    "Voogd: koorts",
    "Woon: IND-gesprek",
]


def remarks(entries):
    return sorted(entry.remark for entry in entries if entry.remark)


def test_it_tells_the_whole_story_newest_first(history):
    entries = chronology(history.user("care_coordinator"), history.ward)
    kinds = [entry.kind for entry in entries]
    for kind in (
        "attendance",
        "explanation",
        "decision",
        "sick_report",
        "sick_report_closed",
        "appointment",
        "placement",
        "guardianship",
    ):
        assert kind in kinds
    days = [entry.day for entry in entries]
    assert days == sorted(days, reverse=True)
    titles = [entry.title for entry in entries]
    assert f"Woont op {history.other_location.name}" in titles
    assert "Voogd: Voogd Nieuw" in titles
    assert "Toelichting: IND / advocaat / juridisch" in titles
    assert "Beoordeeld: ongeoorloofd" in titles


def test_it_says_who_did_what_and_when(history):
    entries = {entry.kind: entry for entry in chronology(history.user("care_coordinator"), history.ward)}
    assert entries["explanation"].actor == history.user("housing_worker")
    assert entries["explanation"].at == at(2026, 3, 6, 9, 0)
    assert entries["decision"].actor == history.user("care_coordinator")
    assert entries["sick_report_closed"].actor == history.user("guardian")
    assert entries["sick_report_closed"].at == at(2026, 3, 9, 17, 0)
    assert entries["sick_report_closed"].day == TUESDAY


def test_it_shows_every_remark_to_the_care_coordinator(history):
    assert remarks(chronology(history.user("care_coordinator"), history.ward)) == sorted(ALL_REMARKS)


def test_it_shows_a_mentor_the_categories_but_only_the_schools_own_remarks(history):
    entries = chronology(history.user("mentor"), history.ward)
    assert remarks(entries) == ["Mentor: toets gemist", "Zorg: had op school gekund"]
    assert any(entry.title == "Toelichting: IND / advocaat / juridisch" for entry in entries)


def test_it_shows_housing_its_own_remarks_only(history):
    entries = chronology(history.user("housing_worker"), history.ward)
    assert remarks(entries) == ["Woon: IND-gesprek", "Woon: gesprek advocaat"]


def test_it_shows_the_guardians_organisation_its_own_remarks_only(history):
    entries = chronology(history.user("guardian_team_manager"), history.ward)
    assert remarks(entries) == ["Voogd: koorts"]


def test_it_leaves_out_present_days_and_history_older_than_a_year(world):
    mark(world, world.ward, present())
    old = AttendanceRecordFactory(
        student=world.ward, absent=True, day=date(2025, 3, 3), recorded_by=world.user("mentor")
    )
    entries = chronology(world.user("mentor"), world.ward)
    assert not [entry for entry in entries if entry.kind == "attendance"]
    assert old.day not in [entry.day for entry in entries]


def test_it_marks_a_hospital_admission_in_the_chronology(world):
    sick_report_create(
        student=world.ward,
        first_day=TUESDAY,
        expected_back=None,
        hospital_admission=True,
        remark="",
        actor=world.user("housing_worker"),
    )
    entries = chronology(world.user("mentor"), world.ward)
    assert [entry.title for entry in entries if entry.kind == "sick_report"] == [
        "Ziek gemeld – opgenomen in ziekenhuis"
    ]


def test_it_says_who_registered_a_move_and_a_new_guardian(world, clock):
    clock.move_to(at(2026, 3, 9, 15, 30), tick=False)
    new_guardian = ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos, name="Voogd Nieuw")
    with set_actor(world.user("location_manager")):
        student_move(student=world.ward, location=world.other_location, moved_on=TUESDAY)
    with set_actor(world.user("guardian_team_manager")):
        Guardianship.objects.filter(student=world.ward).update(ended_on=MONDAY)
        GuardianshipFactory(student=world.ward, guardian=new_guardian, started_on=TUESDAY)
    clock.move_to(at(2026, 3, 10, 9, 0), tick=False)
    entries = {(entry.kind, entry.day): entry for entry in chronology(world.user("mentor"), world.ward)}
    move = entries[("placement", TUESDAY)]
    assert (move.actor, move.at) == (world.user("location_manager"), at(2026, 3, 9, 15, 30))
    assert entries[("guardianship", TUESDAY)].actor == world.user("guardian_team_manager")
    # The world's first placement was registered by no one signed in: it shows when, without an author.
    first = entries[("placement", date(2025, 9, 1))]
    assert (first.actor, first.at) == (None, at(2026, 3, 10, 9, 0))
