"""Every list page runs a fixed number of queries: as many for a full class as for one student, and as many
with months of history in the database as with none. Each test measures once on a small or empty database,
then again after piling on rows that a careless query would drag in."""

import random
from datetime import date, time, timedelta

import pytest
from django.urls import reverse

from attendance.demo import build_attendance_history
from attendance.services import explanation_give
from contacts.models import Role
from tests.factories import ContactPersonFactory, PlacementFactory, SchoolClassFactory, StudentFactory, UserFactory

from .factories import AppointmentFactory, ExplanationRequestFactory, SickReportFactory
from .helpers import MONDAY, TUESDAY, absent, classmates, mark

# Every signed-in page: session, user, contact person (3); the header's unread count (1); saving the session,
# which the settings do on every request (savepoint, update, release: 3). That makes 7 before the page itself.
PAGE = 7

# The class (with its site), school holidays, school policy, students, records of the day (with who saved them
# and the request), open sick reports, appointments of the day, the mentor's other classes.
ROSTER_QUERIES = PAGE + 8
# Open requests (with student, class, record, recorder and location), which of those students still live here
# (for the links), the header's inbox badge, open sick reports; for housing staff also their location ids, read
# once and used as literals (contacts.selectors.location_ids_of).
INBOX_QUERIES = {"guardian": PAGE + 4, "housing_worker": PAGE + 5}
# The page's count and the page of absences (with student, class, explainer and decider).
DECISIONS_QUERIES = PAGE + 2
# The student, logging the read, then per kind one query: records, sick reports, appointments, placements,
# guardianships, and who registered those placements and guardianships (the audit log).
CHRONOLOGY_QUERIES = PAGE + 8
# No page around it, so no header counts: session, user, contact person (3), the absences with students and classes
# (1), one insert logging every exported student as read (1), saving the session (3).
EXPORT_QUERIES = 8


# History ends the week before: this week belongs to the test.
HISTORY_UNTIL = date(2026, 3, 6)


def history(world, *, days=40, seed=7):
    """Weeks of rosters for every class of the world's school, with answers, open requests, closed sick
    reports and appointments, plus a second class and another school's records."""
    other_mentor = ContactPersonFactory(role=Role.MENTOR, organisation=world.school, locations=[world.site])
    other_class = SchoolClassFactory(location=world.site, name="2B", mentors=[other_mentor])
    for student in StudentFactory.create_batch(10, school_class=other_class):
        PlacementFactory(student=student, location=world.location)
    recorder = UserFactory(person=other_mentor)
    result = build_attendance_history(
        school_id=world.school.id,
        days=days,
        rng=random.Random(seed),
        recorder_for_class={world.school_class.id: world.user("mentor").id, other_class.id: recorder.id},
        explainer_for_location={world.location.id: world.user("housing_worker").id},
        today=HISTORY_UNTIL,
        absence_rate=0.3,
    )
    assert result.records >= days * 11
    for student in world.school_class.students.all():
        for weeks_ago in (3, 6, 9):
            first_day = MONDAY - timedelta(weeks=weeks_ago)
            SickReportFactory(student=student, first_day=first_day, last_day=first_day + timedelta(days=2))
            AppointmentFactory(student=student, day=first_day + timedelta(days=1), at_school=weeks_ago % 2 == 0)
    outsider_class = world.outsider_student.school_class
    for day in (HISTORY_UNTIL - timedelta(days=offset) for offset in range(60)):
        if day.weekday() < 5:
            ExplanationRequestFactory(
                record__student=world.outsider_student,
                record__school_class=outsider_class,
                record__day=day,
                location=world.other_location,
            )
    return result


# -- the roster -------------------------------------------------------------------------------------------------


@pytest.fixture
def full_class(world):
    """30 students in the world's class, some pre-marked today, a few already saved."""
    students = [world.ward, *classmates(world, 29)]
    SickReportFactory(student=students[1], first_day=MONDAY)
    AppointmentFactory(student=students[2], day=TUESDAY, at_school=False)
    AppointmentFactory(student=students[3], day=TUESDAY, at_school=True)
    for student in students[4:8]:
        mark(world, student, absent())
    return students


def test_it_shows_one_student_and_thirty_with_the_same_queries(world, client, django_assert_num_queries):
    client.force_login(world.user("mentor"))
    with django_assert_num_queries(ROSTER_QUERIES):
        assert len(client.get(reverse("attendance:roster", args=[world.school_class.id])).context["forms"]) == 1
    classmates(world, 29)
    with django_assert_num_queries(ROSTER_QUERIES):
        assert len(client.get(reverse("attendance:roster", args=[world.school_class.id])).context["forms"]) == 30


def test_it_shows_the_roster_of_thirty_with_the_same_queries_after_weeks_of_history(
    world, full_class, client, django_assert_num_queries
):
    client.force_login(world.user("mentor"))
    url = reverse("attendance:roster", args=[world.school_class.id])
    with django_assert_num_queries(ROSTER_QUERIES):
        response = client.get(url)
    assert len(response.context["forms"]) == 30
    history(world)
    with django_assert_num_queries(ROSTER_QUERIES):
        response = client.get(url)
    assert response.context["roster"].saved_count == 4
    assert response.status_code == 200


def test_it_shows_an_earlier_day_with_the_same_queries(world, full_class, client, django_assert_num_queries):
    history(world)
    client.force_login(world.user("mentor"))
    with django_assert_num_queries(ROSTER_QUERIES):
        response = client.get(reverse("attendance:roster", args=[world.school_class.id]), {"datum": "2026-03-05"})
    assert response.context["roster"].saved_count == 30


# -- the housing inbox ------------------------------------------------------------------------------------------


def open_requests_for(world, count, days=(MONDAY, TUESDAY)):
    students = classmates(world, count)
    for student in students:
        for day in days:
            mark(world, student, absent(), day=day)
    return students


@pytest.mark.parametrize("role_key", ["housing_worker", "guardian"])
def test_it_shows_the_inbox_of_three_and_of_ten_students_with_the_same_queries(
    world, client, django_assert_num_queries, role_key
):
    open_requests_for(world, 2)
    mark(world, world.ward, absent())
    client.force_login(world.user(role_key))
    with django_assert_num_queries(INBOX_QUERIES[role_key]):
        response = client.get(reverse("attendance:inbox"))
    expected = 3 if role_key == "housing_worker" else 1  # the guardian has only the ward
    assert len(response.context["entries"]) == expected
    open_requests_for(world, 7)
    history(world)
    SickReportFactory(student=world.ward, first_day=MONDAY)
    with django_assert_num_queries(INBOX_QUERIES[role_key]):
        response = client.get(reverse("attendance:inbox"))
    if role_key == "housing_worker":
        assert len(response.context["entries"]) > 10
        assert len(list(response.context["sick_reports"])) == 1


# -- decisions --------------------------------------------------------------------------------------------------


def test_it_shows_the_decisions_page_with_the_same_queries_however_many_absences(
    world, client, django_assert_num_queries
):
    [other, third] = classmates(world, 2)
    for student in (world.ward, other, third):
        record = mark(world, student, absent())
    explanation_give(
        request_ids=[record.explanation_request.id], reason="sick", remark="", actor=world.user("housing_worker")
    )
    client.force_login(world.user("care_coordinator"))
    url = reverse("attendance:decisions")
    with django_assert_num_queries(DECISIONS_QUERIES):
        response = client.get(url)
    assert len(response.context["page"]) == 3
    history(world)
    with django_assert_num_queries(DECISIONS_QUERIES):
        response = client.get(url, {"weeks": "12"})
    assert len(response.context["page"]) == 50
    with django_assert_num_queries(DECISIONS_QUERIES):
        client.get(url, {"weeks": "4", "only": "unauthorised", "page": "2"})


# -- the chronology ---------------------------------------------------------------------------------------------


def test_it_shows_the_chronology_with_the_same_queries_after_months_of_history(
    world, client, django_assert_num_queries
):
    mark(world, world.ward, absent())
    client.force_login(world.user("care_coordinator"))
    url = reverse("attendance:chronology", args=[world.ward.id])
    with django_assert_num_queries(CHRONOLOGY_QUERIES):
        response = client.get(url)
    before = len(response.context["entries"])
    history(world, days=120)
    for weeks_ago in range(1, 20):
        AppointmentFactory(
            student=world.ward,
            day=TUESDAY - timedelta(weeks=weeks_ago),
            starts_at=time(9, 0),
            ends_at=time(10, 0),
            remark="Opmerking",
            registered_by=world.user("housing_worker"),
        )
    with django_assert_num_queries(CHRONOLOGY_QUERIES):
        response = client.get(url)
    assert len(response.context["entries"]) > before + 50
    assert date(2025, 9, 1) in {entry.day for entry in response.context["entries"]}


def test_it_exports_the_decisions_with_the_same_queries_however_many_absences(world, client, django_assert_num_queries):
    for student in (world.ward, *classmates(world, 2)):
        mark(world, student, absent())
    client.force_login(world.user("care_coordinator"))
    url = reverse("attendance:decisions_export")
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(url)
    assert len(response.content.decode().splitlines()) == 1 + 3
    history(world)
    with django_assert_num_queries(EXPORT_QUERIES):
        response = client.get(url, {"weeks": "12"})
    assert len(response.content.decode().splitlines()) > 100
