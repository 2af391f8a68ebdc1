import re
from datetime import date

import pytest
from django.urls import reverse

from attendance.models import Appointment, AttendanceRecord, ExplanationRequest, SickReport
from attendance.services import RowInput, absence_decide, explanation_give
from contacts.models import Role
from escalation.models import Notification
from students.services import student_move
from tests.factories import ContactPersonFactory, SchoolClassFactory, UserFactory
from tests.support import text_of

from .factories import SickReportFactory
from .helpers import FRIDAY_BEFORE, MONDAY, TUESDAY, WEDNESDAY, absent, at, classmates, mark, present

LOGIN = reverse("login")
LAST_SATURDAY = date(2026, 3, 7)


def user_of(role, organisation, *, locations=(), name=None):
    person = ContactPersonFactory(role=role, organisation=organisation, locations=list(locations), name=name or role)
    return UserFactory(person=person)


def as_role(client, world, role_key):
    client.force_login(world.user(role_key))
    return client


def roster_url(world, school_class=None):
    return reverse("attendance:roster", args=[(school_class or world.school_class).id])


def row_url(world, student=None, day=TUESDAY, school_class=None):
    return reverse(
        "attendance:roster_row", args=[(school_class or world.school_class).id, day, (student or world.ward).id]
    )


def row_data(student, status="present", **fields):
    return {f"s{student.id}-{name}": value for name, value in {"status": status, **fields}.items()}


def messages_of(response):
    return [str(message) for message in response.context["messages"]]


def assert_login_redirect(response):
    assert response.status_code == 302
    assert response.url.startswith(LOGIN)


# -- "Vandaag" --------------------------------------------------------------------------------------------------


def test_it_takes_a_mentor_with_one_class_straight_to_the_roster(world, client):
    response = as_role(client, world, "mentor").get(reverse("attendance:today"))
    assert response.status_code == 302
    assert response.url == roster_url(world)


def test_it_lets_the_care_coordinator_choose_a_class(world, client):
    SchoolClassFactory(location=world.site, name="2B")
    response = as_role(client, world, "care_coordinator").get(reverse("attendance:today"))
    assert response.status_code == 200
    assert [c.name for c in response.context["classes"]] == ["1A", "2B"]


def test_it_tells_school_staff_without_a_class_to_ask_for_one(world, client):
    response = as_role(client, world, "school_management").get(reverse("attendance:today"))
    assert response.status_code == 200
    assert "geen mentor van een klas" in text_of(response)


@pytest.mark.parametrize("role_key", ["housing_worker", "guardian", "attendance_officer"])
def test_it_refuses_today_to_other_roles(world, client, role_key):
    assert as_role(client, world, role_key).get(reverse("attendance:today")).status_code == 403


def test_it_answers_today_only_to_get(world, client):
    assert as_role(client, world, "mentor").post(reverse("attendance:today")).status_code == 405


def test_it_sends_an_anonymous_visitor_of_today_to_the_login(world, client):
    assert_login_redirect(client.get(reverse("attendance:today")))


# -- the roster -------------------------------------------------------------------------------------------------


def test_it_shows_the_roster_of_today(world, client):
    SickReportFactory(student=classmates(world, 1)[0], first_day=MONDAY)
    response = as_role(client, world, "mentor").get(roster_url(world))
    assert response.status_code == 200
    assert response.context["day"] == TUESDAY
    html = text_of(response)
    assert world.ward.full_name in html
    assert "Ziek gemeld sinds" in html
    assert "0 van 2 leerlingen geregistreerd" in html
    assert "Hele klas opslaan" in html


def test_it_says_when_the_roster_was_last_saved(world, client):
    mark(world, world.ward, absent())
    html = text_of(as_role(client, world, "mentor").get(roster_url(world)))
    assert "laatst opgeslagen om 09:00 door Mentor Marieke" in html
    assert "Uitleg gevraagd, vóór di 10 mrt, 12:00" in html


def test_it_shows_the_last_school_day_on_a_saturday(world, client, clock):
    clock.move_to(at(2026, 3, 14, 10, 0), tick=False)
    response = as_role(client, world, "mentor").get(roster_url(world))
    assert response.context["day"] == date(2026, 3, 13)


def test_it_shows_an_earlier_day_on_request(world, client):
    mark(world, world.ward, absent(), day=MONDAY)
    response = as_role(client, world, "mentor").get(roster_url(world), {"datum": MONDAY.isoformat()})
    assert response.context["day"] == MONDAY
    assert response.context["roster"].rows[0].record.status == "absent"
    assert response.context["next_day"] == TUESDAY


@pytest.mark.parametrize(
    ("day", "words"),
    [(LAST_SATURDAY, "geen schooldag"), (WEDNESDAY, "toekomst"), (date(2026, 2, 2), "ouder dan")],
)
def test_it_warns_on_a_day_that_cannot_be_registered(world, client, day, words):
    response = as_role(client, world, "mentor").get(roster_url(world), {"datum": day.isoformat()})
    assert response.status_code == 200
    assert words in response.context["problem"]


def test_it_saves_the_whole_class_in_one_submit(world, client):
    [other] = classmates(world, 1)
    data = {"datum": TUESDAY.isoformat(), **row_data(world.ward, "absent"), **row_data(other, "late", minutes_late=10)}
    response = as_role(client, world, "mentor").post(roster_url(world), data)
    assert response.status_code == 302
    assert response.url == f"{roster_url(world)}?datum=2026-03-10"
    records = {record.student: record for record in AttendanceRecord.objects.all()}
    assert records[world.ward].status == "absent"
    assert records[world.ward].lesson_hours_missed == 6
    assert records[other].minutes_late == 10
    assert ExplanationRequest.objects.get().student == world.ward
    assert "opgeslagen" in messages_of(client.get(response.url))[0]


def test_it_saves_the_whole_class_twice_without_duplicates(world, client):
    as_role(client, world, "mentor")
    data = {"datum": TUESDAY.isoformat(), **row_data(world.ward, "absent")}
    client.post(roster_url(world), data)
    client.post(roster_url(world), data)
    assert AttendanceRecord.objects.count() == 1
    assert ExplanationRequest.objects.count() == 1


def test_it_refuses_a_roster_with_a_bad_row_and_saves_nobody(world, client):
    [other] = classmates(world, 1)
    data = {"datum": TUESDAY.isoformat(), **row_data(world.ward, "absent"), **row_data(other, "late")}
    response = as_role(client, world, "mentor").post(roster_url(world), data)
    assert response.status_code == 400
    html = text_of(response)
    assert "Niet opgeslagen: controleer de rijen" in html
    assert "Hoeveel minuten te laat?" in html
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(("day", "words"), [(WEDNESDAY, "toekomst"), (LAST_SATURDAY, "schooldag")])
def test_it_refuses_to_save_a_roster_for_a_day_without_registration(world, client, day, words):
    data = {"datum": day.isoformat(), **row_data(world.ward, "absent")}
    response = as_role(client, world, "mentor").post(roster_url(world), data)
    assert response.status_code == 400
    assert words in text_of(response)
    assert not AttendanceRecord.objects.exists()


def test_it_lets_the_care_coordinator_keep_any_roster_of_the_school(world, client):
    data = {"datum": TUESDAY.isoformat(), **row_data(world.ward, "absent")}
    response = as_role(client, world, "care_coordinator").post(roster_url(world), data)
    assert response.status_code == 302
    assert AttendanceRecord.objects.get().recorded_by == world.user("care_coordinator")


def test_it_hides_the_roster_of_another_schools_class(world, client):
    other_class = world.outsider_student.school_class
    assert as_role(client, world, "mentor").get(roster_url(world, other_class)).status_code == 404
    assert as_role(client, world, "care_coordinator").get(roster_url(world, other_class)).status_code == 404


def test_it_hides_a_colleagues_class_from_a_mentor(world, client):
    colleague_class = SchoolClassFactory(location=world.site, name="1B")
    assert as_role(client, world, "mentor").get(roster_url(world, colleague_class)).status_code == 404


@pytest.mark.parametrize("role_key", ["housing_worker", "guardian", "school_management", "attendance_officer"])
def test_it_shows_no_roster_to_roles_that_do_not_keep_it(world, client, role_key):
    # Not even that the class exists: the same 404 an outsider gets (see tests/amvcoord/test_access.py).
    assert as_role(client, world, role_key).get(roster_url(world)).status_code == 404


def test_it_answers_the_roster_only_to_get_and_post(world, client):
    assert as_role(client, world, "mentor").put(roster_url(world)).status_code == 405


def test_it_sends_an_anonymous_visitor_of_the_roster_to_the_login(world, client):
    assert_login_redirect(client.get(roster_url(world)))
    assert_login_redirect(client.post(roster_url(world), row_data(world.ward, "absent")))
    assert not AttendanceRecord.objects.exists()


# -- one roster row ---------------------------------------------------------------------------------------------


def test_it_saves_one_row_with_htmx_and_answers_with_the_row(world, client):
    response = as_role(client, world, "mentor").post(
        row_url(world), row_data(world.ward, "absent", remark="Bus gemist?"), HTTP_HX_REQUEST="true"
    )
    assert response.status_code == 200
    html = text_of(response)
    assert html.startswith(f'<tr id="row-{world.ward.id}"')
    assert "opgeslagen om 09:00" in html
    assert "Uitleg gevraagd" in html
    record = AttendanceRecord.objects.get()
    assert (record.status, record.remark, record.day) == ("absent", "Bus gemist?", TUESDAY)


def test_it_saves_one_row_without_javascript_and_returns_to_the_roster(world, client):
    response = as_role(client, world, "mentor").post(row_url(world), row_data(world.ward, "absent"))
    assert response.status_code == 302
    assert response.url == f"{roster_url(world)}?datum=2026-03-10"
    assert AttendanceRecord.objects.get().status == "absent"
    assert "opgeslagen" in messages_of(client.get(response.url))[0]


def test_it_updates_the_same_record_when_a_row_changes_again(world, client):
    as_role(client, world, "mentor")
    client.post(row_url(world), row_data(world.ward, "absent"), HTTP_HX_REQUEST="true")
    client.post(row_url(world), row_data(world.ward, "present"), HTTP_HX_REQUEST="true")
    assert AttendanceRecord.objects.get().status == "present"
    assert ExplanationRequest.objects.get().status == "cancelled"


def test_it_shows_a_row_error_in_the_row_and_saves_nothing(world, client):
    response = as_role(client, world, "mentor").post(
        row_url(world), row_data(world.ward, "late"), HTTP_HX_REQUEST="true"
    )
    # 200, not 4xx: htmx swaps only successful answers, and the mentor must see this row.
    assert response.status_code == 200
    html = text_of(response)
    assert "table-danger" in html
    assert "Hoeveel minuten te laat?" in html
    assert "opgeslagen om" not in html
    assert not AttendanceRecord.objects.exists()


def test_it_shows_a_row_error_without_javascript_as_a_message(world, client):
    response = as_role(client, world, "mentor").post(row_url(world), row_data(world.ward, "late"), follow=True)
    assert response.redirect_chain[-1][0] == f"{roster_url(world)}?datum=2026-03-10"
    [message] = messages_of(response)
    assert message.startswith(world.ward.full_name)
    assert "Hoeveel minuten te laat?" in message
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(("day", "words"), [(WEDNESDAY, "toekomst"), (date(2026, 3, 7), "geen schooldag")])
def test_it_refuses_a_row_for_a_day_without_registration(world, client, day, words):
    response = as_role(client, world, "mentor").post(
        row_url(world, day=day), row_data(world.ward, "absent"), HTTP_HX_REQUEST="true"
    )
    assert words in text_of(response)
    assert not AttendanceRecord.objects.exists()


def test_it_refuses_a_row_of_a_student_outside_the_class(world, client):
    url = row_url(world, student=world.outsider_student)
    response = as_role(client, world, "mentor").post(url, row_data(world.outsider_student, "absent"))
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_it_hides_the_rows_of_another_schools_class(world, client):
    other = world.outsider_student
    url = row_url(world, student=other, school_class=other.school_class)
    assert as_role(client, world, "mentor").post(url, row_data(other, "absent")).status_code == 404
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize("role_key", ["housing_worker", "guardian", "school_management"])
def test_it_lets_no_other_role_save_a_row(world, client, role_key):
    response = as_role(client, world, role_key).post(row_url(world), row_data(world.ward, "absent"))
    assert response.status_code == 404
    assert not AttendanceRecord.objects.exists()


def test_it_answers_a_row_only_to_post(world, client):
    assert as_role(client, world, "mentor").get(row_url(world)).status_code == 405


def test_it_sends_an_anonymous_row_save_to_the_login(world, client):
    assert_login_redirect(client.post(row_url(world), row_data(world.ward, "absent")))
    assert not AttendanceRecord.objects.exists()


# -- the housing inbox ------------------------------------------------------------------------------------------


def test_it_shows_housing_the_open_requests_of_its_residents(world, client):
    mark(world, world.ward, absent(), day=MONDAY)
    mark(world, world.ward, absent())
    SickReportFactory(student=world.ward, first_day=date(2026, 2, 20), last_day=None)
    response = as_role(client, world, "housing_worker").get(reverse("attendance:inbox"))
    assert response.status_code == 200
    [entry] = response.context["entries"]
    assert [request.day for request in entry.requests] == [MONDAY, TUESDAY]
    html = text_of(response)
    assert world.ward.full_name in html
    assert "Lopende ziekmeldingen" in html
    assert "Beter melden" in html


def test_it_shows_the_guardian_the_requests_of_their_ward(world, client):
    mark(world, world.ward, absent())
    response = as_role(client, world, "guardian").get(reverse("attendance:inbox"))
    assert [entry.student for entry in response.context["entries"]] == [world.ward]


def test_it_shows_another_location_nothing_of_ours(world, client):
    mark(world, world.ward, absent())
    stranger = user_of(Role.HOUSING_WORKER, world.other_location.organisation, locations=[world.other_location])
    client.force_login(stranger)
    response = client.get(reverse("attendance:inbox"))
    assert response.context["entries"] == []
    assert world.ward.full_name not in text_of(response)
    assert "Niets te beantwoorden" in text_of(response)


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager", "attendance_officer"])
def test_it_refuses_the_inbox_to_roles_that_are_not_asked(world, client, role_key):
    assert as_role(client, world, role_key).get(reverse("attendance:inbox")).status_code == 403


def test_it_answers_the_inbox_only_to_get(world, client):
    assert as_role(client, world, "housing_worker").post(reverse("attendance:inbox")).status_code == 405


def test_it_sends_an_anonymous_visitor_of_the_inbox_to_the_login(world, client):
    assert_login_redirect(client.get(reverse("attendance:inbox")))


# -- answering --------------------------------------------------------------------------------------------------


def explain_url(student):
    return reverse("attendance:explain", args=[student.id])


def test_it_answers_several_days_at_once(world, client):
    requests = [mark(world, world.ward, absent(), day=day).explanation_request for day in (MONDAY, TUESDAY)]
    data = {"requests": [r.id for r in requests], "reason": "sick", "remark": "Griep"}
    response = as_role(client, world, "housing_worker").post(explain_url(world.ward), data, follow=True)
    assert response.redirect_chain[-1][0] == reverse("attendance:inbox")
    assert "Toelichting opgeslagen voor Yonas Tesfay (2 dag(en))" in messages_of(response)[0]
    assert set(AttendanceRecord.objects.values_list("reason", "explanation_remark")) == {("sick", "Griep")}
    assert set(ExplanationRequest.objects.values_list("status", flat=True)) == {"answered"}
    assert response.context["entries"] == []


def test_it_refuses_a_second_answer_and_keeps_the_first(world, client):
    request = mark(world, world.ward, absent()).explanation_request
    explanation_give(request_ids=[request.id], reason="sick", remark="Eerste", actor=world.user("housing_worker"))
    data = {"requests": [request.id], "reason": "other", "remark": "Tweede"}
    response = as_role(client, world, "guardian").post(explain_url(world.ward), data, follow=True)
    assert "al afgehandeld" in messages_of(response)[0]
    record = AttendanceRecord.objects.get()
    assert (record.reason, record.explanation_remark) == ("sick", "Eerste")


@pytest.mark.parametrize(
    ("with_days", "reason", "words"),
    [(False, "sick", "verplicht"), (True, "", "verplicht"), (True, "flu", "geldige keuze")],
)
def test_it_refuses_an_incomplete_answer_in_dutch(world, client, with_days, reason, words):
    request = mark(world, world.ward, absent()).explanation_request
    data = {"reason": reason, "requests": [request.id] if with_days else []}
    response = as_role(client, world, "housing_worker").post(explain_url(world.ward), data, follow=True)
    [message] = messages_of(response)
    assert message.startswith("Niet opgeslagen")
    assert words in message
    assert ExplanationRequest.objects.get().status == "open"


def test_it_refuses_to_answer_another_students_days_under_this_student(world, client):
    [housemate] = classmates(world, 1)
    mine = mark(world, world.ward, absent()).explanation_request
    theirs = mark(world, housemate, absent()).explanation_request
    data = {"requests": [mine.id, theirs.id], "reason": "sick"}
    response = as_role(client, world, "housing_worker").post(explain_url(world.ward), data, follow=True)
    assert "geldige keuze" in messages_of(response)[0]
    assert set(ExplanationRequest.objects.values_list("status", flat=True)) == {"open"}


def test_it_lets_the_old_location_answer_after_a_move(world, client):
    request = mark(world, world.ward, absent(), day=MONDAY).explanation_request
    student_move(student=world.ward, location=world.other_location, moved_on=TUESDAY)
    data = {"requests": [request.id], "reason": "move"}
    as_role(client, world, "housing_worker").post(explain_url(world.ward), data)
    assert AttendanceRecord.objects.get().reason == "move"


def test_it_hides_a_student_of_another_location_from_the_answer_page(world, client):
    request = mark(world, world.ward, absent()).explanation_request
    stranger = user_of(Role.HOUSING_WORKER, world.other_location.organisation, locations=[world.other_location])
    client.force_login(stranger)
    response = client.post(explain_url(world.ward), {"requests": [request.id], "reason": "sick"})
    assert response.status_code == 404
    assert ExplanationRequest.objects.get().status == "open"


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager"])
def test_it_refuses_answers_from_roles_that_are_not_asked(world, client, role_key):
    request = mark(world, world.ward, absent()).explanation_request
    response = as_role(client, world, role_key).post(
        explain_url(world.ward), {"requests": [request.id], "reason": "sick"}
    )
    assert response.status_code == 403
    assert ExplanationRequest.objects.get().status == "open"


def test_it_answers_the_answer_page_only_to_post(world, client):
    mark(world, world.ward, absent())
    assert as_role(client, world, "housing_worker").get(explain_url(world.ward)).status_code == 405


def test_it_sends_an_anonymous_answer_to_the_login(world, client):
    request = mark(world, world.ward, absent()).explanation_request
    assert_login_redirect(client.post(explain_url(world.ward), {"requests": [request.id], "reason": "sick"}))
    assert ExplanationRequest.objects.get().status == "open"


# -- sick reports -----------------------------------------------------------------------------------------------


SICK_URL = reverse("attendance:sick_report_new")


def test_it_offers_the_sick_report_form_for_my_residents(world, client):
    response = as_role(client, world, "housing_worker").get(SICK_URL, {"leerling": world.ward.id})
    assert response.status_code == 200
    assert list(response.context["form"].fields["student"].queryset) == [world.ward]
    assert "Geen diagnose" in text_of(response)


def test_it_takes_a_sick_report_and_explains_todays_absence(world, client):
    mark(world, world.ward, absent())
    data = {
        "student": world.ward.id,
        "confirmed": world.ward.id,
        "first_day": TUESDAY.isoformat(),
        "expected_back": "2026-03-12",
    }
    response = as_role(client, world, "housing_worker").post(SICK_URL, data)
    assert response.status_code == 302
    assert response.url == reverse("attendance:inbox")
    report = SickReport.objects.get()
    assert (report.first_day, report.expected_back, report.hospital_admission) == (TUESDAY, date(2026, 3, 12), False)
    assert AttendanceRecord.objects.get().reason == "sick"


def test_it_tells_mentor_and_care_coordinator_at_once_of_a_hospital_admission(world, client):
    data = {
        "student": world.ward.id,
        "confirmed": world.ward.id,
        "first_day": TUESDAY.isoformat(),
        "hospital_admission": "on",
    }
    as_role(client, world, "guardian").post(SICK_URL, data)
    recipients = sorted(Notification.objects.values_list("recipient__name", flat=True))
    assert recipients == ["Mentor Marieke", "Zorg Zeynep"]
    client.force_login(world.user("mentor"))
    html = text_of(client.get(reverse("escalation:notifications")))
    assert "Dringend bericht van de woonlocatie over Yonas Tesfay" in html


@pytest.mark.parametrize(
    ("data", "words"),
    [
        ({"first_day": "2026-03-11"}, "toekomst"),
        ({"first_day": "2026-03-10", "expected_back": "2026-03-09"}, "Verwacht terug"),
        ({"first_day": "gisteren"}, "geldige datum"),
    ],
)
def test_it_refuses_a_bad_sick_report_in_dutch(world, client, data, words):
    response = as_role(client, world, "housing_worker").post(
        SICK_URL, {"student": world.ward.id, "confirmed": world.ward.id, **data}
    )
    assert response.status_code == 200
    assert words in text_of(response)
    assert not SickReport.objects.exists()


def test_it_refuses_a_second_sick_report_in_dutch(world, client):
    SickReportFactory(student=world.ward, first_day=MONDAY)
    response = as_role(client, world, "guardian").post(
        SICK_URL, {"student": world.ward.id, "confirmed": world.ward.id, "first_day": TUESDAY.isoformat()}
    )
    assert "al ziek gemeld sinds" in text_of(response)
    assert SickReport.objects.count() == 1


def test_it_refuses_a_sick_report_for_a_student_elsewhere(world, client):
    data = {"student": world.outsider_student.id, "first_day": TUESDAY.isoformat()}
    response = as_role(client, world, "housing_worker").post(SICK_URL, data)
    assert response.status_code == 200
    assert "geldige keuze" in text_of(response)
    assert world.outsider_student.full_name not in text_of(response)
    assert not SickReport.objects.exists()


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager", "attendance_officer"])
def test_it_refuses_the_sick_report_form_to_other_roles(world, client, role_key):
    as_role(client, world, role_key)
    assert client.get(SICK_URL).status_code == 403
    assert (
        client.post(
            SICK_URL, {"student": world.ward.id, "confirmed": world.ward.id, "first_day": TUESDAY.isoformat()}
        ).status_code
        == 403
    )
    assert not SickReport.objects.exists()


def test_it_answers_the_sick_report_form_only_to_get_and_post(world, client):
    assert as_role(client, world, "housing_worker").put(SICK_URL).status_code == 405


def test_it_sends_an_anonymous_sick_report_to_the_login(world, client):
    assert_login_redirect(
        client.post(SICK_URL, {"student": world.ward.id, "confirmed": world.ward.id, "first_day": TUESDAY.isoformat()})
    )
    assert not SickReport.objects.exists()


# -- betermelding -----------------------------------------------------------------------------------------------


def close_url(report):
    return reverse("attendance:sick_report_close", args=[report.id])


def test_it_takes_a_betermelding(world, client):
    report = SickReportFactory(student=world.ward, first_day=FRIDAY_BEFORE)
    response = as_role(client, world, "guardian").post(close_url(report), {"back_on": TUESDAY.isoformat()}, follow=True)
    assert "Yonas Tesfay is beter gemeld." in messages_of(response)
    report.refresh_from_db()
    assert (report.last_day, report.closed_by) == (MONDAY, world.user("guardian"))


@pytest.mark.parametrize(
    ("back_on", "words"), [("2026-03-06", "na de eerste ziektedag"), ("2026-04-30", "twee weken"), ("", "geldige")]
)
def test_it_refuses_a_bad_betermelding_in_dutch(world, client, back_on, words):
    report = SickReportFactory(student=world.ward, first_day=FRIDAY_BEFORE)
    response = as_role(client, world, "housing_worker").post(close_url(report), {"back_on": back_on}, follow=True)
    assert words in messages_of(response)[0]
    report.refresh_from_db()
    assert report.is_open


def test_it_hides_another_locations_sick_report(world, client):
    report = SickReportFactory(student=world.outsider_student, first_day=MONDAY)
    response = as_role(client, world, "housing_worker").post(close_url(report), {"back_on": TUESDAY.isoformat()})
    assert response.status_code == 404
    report.refresh_from_db()
    assert report.is_open


def test_it_hides_a_closed_sick_report(world, client):
    report = SickReportFactory(student=world.ward, first_day=FRIDAY_BEFORE, last_day=MONDAY)
    response = as_role(client, world, "housing_worker").post(close_url(report), {"back_on": TUESDAY.isoformat()})
    assert response.status_code == 404


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager"])
def test_it_refuses_a_betermelding_from_other_roles(world, client, role_key):
    report = SickReportFactory(student=world.ward, first_day=MONDAY)
    response = as_role(client, world, role_key).post(close_url(report), {"back_on": TUESDAY.isoformat()})
    assert response.status_code == 403
    report.refresh_from_db()
    assert report.is_open


def test_it_answers_the_betermelding_only_to_post(world, client):
    report = SickReportFactory(student=world.ward, first_day=MONDAY)
    assert as_role(client, world, "housing_worker").get(close_url(report)).status_code == 405


def test_it_sends_an_anonymous_betermelding_to_the_login(world, client):
    report = SickReportFactory(student=world.ward, first_day=MONDAY)
    assert_login_redirect(client.post(close_url(report), {"back_on": TUESDAY.isoformat()}))


# -- appointments -----------------------------------------------------------------------------------------------


APPOINTMENT_URL = reverse("attendance:appointment_new")


def appointment_data(student, **overrides):
    return {
        "student": student.id,
        "kind": "legal",
        "day": "2026-03-12",
        "starts_at": "10:00",
        "ends_at": "11:30",
        "at_school": "0",
        **overrides,
    }


def test_it_nudges_towards_an_appointment_at_school(world, client):
    response = as_role(client, world, "guardian").get(APPOINTMENT_URL)
    assert response.status_code == 200
    assert response.context["form"]["at_school"].value() == "1"
    html = text_of(response)
    assert "Op school (aanbevolen" in html
    assert "plan gesprekken met voogd of woonbegeleider op school" in html


def test_it_registers_an_appointment(world, client):
    response = as_role(client, world, "housing_worker").post(APPOINTMENT_URL, appointment_data(world.ward))
    assert response.status_code == 302
    appointment = Appointment.objects.get()
    assert (appointment.kind, appointment.day, appointment.at_school) == ("legal", date(2026, 3, 12), False)


def test_it_explains_an_absence_by_an_appointment_elsewhere_through_the_form(world, client):
    mark(world, world.ward, absent())
    as_role(client, world, "guardian").post(APPOINTMENT_URL, appointment_data(world.ward, day="2026-03-10"))
    assert AttendanceRecord.objects.get().reason == "legal"
    assert ExplanationRequest.objects.get().status == "answered"


@pytest.mark.parametrize(
    ("overrides", "words"),
    [
        ({"day": "2026-03-14"}, "geen schooldag"),
        ({"day": "2026-02-02"}, "te ver in het verleden"),
        ({"ends_at": "09:00"}, "eindigen na het begin"),
        ({"kind": "party"}, "geldige keuze"),
    ],
)
def test_it_refuses_a_bad_appointment_in_dutch(world, client, overrides, words):
    response = as_role(client, world, "housing_worker").post(APPOINTMENT_URL, appointment_data(world.ward, **overrides))
    assert response.status_code == 200
    assert words in text_of(response)
    assert not Appointment.objects.exists()


def test_it_refuses_an_appointment_for_a_student_elsewhere(world, client):
    response = as_role(client, world, "guardian").post(APPOINTMENT_URL, appointment_data(world.outsider_student))
    assert "geldige keuze" in text_of(response)
    assert not Appointment.objects.exists()


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "attendance_officer"])
def test_it_refuses_the_appointment_form_to_other_roles(world, client, role_key):
    as_role(client, world, role_key)
    assert client.get(APPOINTMENT_URL).status_code == 403
    assert client.post(APPOINTMENT_URL, appointment_data(world.ward)).status_code == 403
    assert not Appointment.objects.exists()


def test_it_answers_the_appointment_form_only_to_get_and_post(world, client):
    assert as_role(client, world, "guardian").delete(APPOINTMENT_URL).status_code == 405


def test_it_sends_an_anonymous_appointment_to_the_login(world, client):
    assert_login_redirect(client.get(APPOINTMENT_URL))


# -- decisions --------------------------------------------------------------------------------------------------


DECISIONS_URL = reverse("attendance:decisions")


def decide_url(record):
    return reverse("attendance:decide", args=[record.id])


def test_it_lists_the_absences_to_decide(world, client):
    record = mark(world, world.ward, absent())
    explanation_give(
        request_ids=[record.explanation_request.id], reason="legal", remark="IND", actor=world.user("guardian")
    )
    response = as_role(client, world, "care_coordinator").get(DECISIONS_URL)
    assert response.status_code == 200
    assert [r.id for r in response.context["page"]] == [record.id]
    html = text_of(response)
    assert "IND / advocaat / juridisch" in html
    assert "geoorloofd" in html


def test_it_filters_the_absences_to_decide(world, client):
    [other] = classmates(world, 1)
    mark(world, world.ward, absent())
    explained = mark(world, other, absent())
    explanation_give(
        request_ids=[explained.explanation_request.id], reason="sick", remark="", actor=world.user("housing_worker")
    )
    response = as_role(client, world, "care_coordinator").get(DECISIONS_URL, {"only": "unexplained", "weeks": "1"})
    assert [r.student for r in response.context["page"]] == [world.ward]


def test_it_shows_a_care_coordinator_only_their_own_schools_absences(world, client):
    mark(world, world.ward, absent())
    stranger = user_of(Role.CARE_COORDINATOR, world.outsider_student.school)
    client.force_login(stranger)
    response = client.get(DECISIONS_URL)
    assert list(response.context["page"]) == []
    assert world.ward.full_name not in text_of(response)


@pytest.mark.parametrize("role_key", ["mentor", "school_management", "housing_worker", "guardian"])
def test_it_refuses_the_decisions_page_to_other_roles(world, client, role_key):
    assert as_role(client, world, role_key).get(DECISIONS_URL).status_code == 403


def test_it_answers_the_decisions_page_only_to_get(world, client):
    assert as_role(client, world, "care_coordinator").post(DECISIONS_URL).status_code == 405


def test_it_sends_an_anonymous_visitor_of_the_decisions_to_the_login(world, client):
    assert_login_redirect(client.get(DECISIONS_URL))


def test_it_saves_a_decision_and_returns_to_the_filtered_list(world, client):
    record = mark(world, world.ward, absent())
    back = f"{DECISIONS_URL}?only=unexplained"
    response = as_role(client, world, "care_coordinator").post(
        decide_url(record), {"authorised": "1", "note": "Verlof gegeven", "next": back}
    )
    assert response.status_code == 302
    assert response.url == back
    record.refresh_from_db()
    assert (record.authorised, record.authorisation_overridden, record.authorisation_note) == (
        True,
        True,
        "Verlof gegeven",
    )


def test_it_refuses_an_override_without_a_note_in_dutch(world, client):
    record = mark(world, world.ward, absent())
    response = as_role(client, world, "care_coordinator").post(decide_url(record), {"authorised": "1"}, follow=True)
    assert "Geef een reden" in messages_of(response)[0]
    record.refresh_from_db()
    assert (record.authorised, record.decided_at) == (False, None)


def test_it_ignores_a_redirect_to_another_site(world, client):
    record = mark(world, world.ward, absent())
    response = as_role(client, world, "care_coordinator").post(
        decide_url(record), {"authorised": "0", "next": "https://evil.example/"}
    )
    assert response.url == DECISIONS_URL


def test_it_hides_another_schools_absence_from_the_decision(world, client):
    record = mark(world, world.ward, absent())
    client.force_login(user_of(Role.CARE_COORDINATOR, world.outsider_student.school))
    assert client.post(decide_url(record), {"authorised": "1", "note": "x"}).status_code == 404
    record.refresh_from_db()
    assert record.decided_at is None


@pytest.mark.parametrize("role_key", ["mentor", "school_management", "housing_worker", "guardian"])
def test_it_lets_only_the_care_coordinator_decide(world, client, role_key):
    record = mark(world, world.ward, absent())
    assert as_role(client, world, role_key).post(decide_url(record), {"authorised": "0"}).status_code == 403
    record.refresh_from_db()
    assert record.decided_at is None


def test_it_answers_a_decision_only_to_post(world, client):
    record = mark(world, world.ward, absent())
    assert as_role(client, world, "care_coordinator").get(decide_url(record)).status_code == 405


def test_it_sends_an_anonymous_decision_to_the_login(world, client):
    record = mark(world, world.ward, absent())
    assert_login_redirect(client.post(decide_url(record), {"authorised": "1", "note": "x"}))


# -- the chronology ---------------------------------------------------------------------------------------------


def chronology_url(student):
    return reverse("attendance:chronology", args=[student.id])


@pytest.fixture
def explained_with_remarks(world):
    record = mark(world, world.ward, absent(remark="Schoolopmerking"))
    explanation_give(
        request_ids=[record.explanation_request.id],
        reason="medical",
        remark="Woonopmerking",
        actor=world.user("housing_worker"),
    )
    absence_decide(record=record, authorised=True, note="", actor=world.user("care_coordinator"))
    mark(world, world.ward, present(), day=MONDAY)
    return world


def test_it_shows_the_chronology_to_the_care_coordinator_with_every_remark(explained_with_remarks, client):
    world = explained_with_remarks
    response = as_role(client, world, "care_coordinator").get(chronology_url(world.ward))
    assert response.status_code == 200
    html = text_of(response)
    assert "Toelichting: Medische afspraak" in html
    assert "Schoolopmerking" in html
    assert "Woonopmerking" in html
    assert "Woon Wendy" in html
    assert "Beoordeeld: geoorloofd" in html


def test_it_shows_the_mentor_the_reason_but_not_the_housing_remark(explained_with_remarks, client):
    world = explained_with_remarks
    html = text_of(as_role(client, world, "mentor").get(chronology_url(world.ward)))
    assert "Toelichting: Medische afspraak" in html
    assert "Schoolopmerking" in html
    assert "Woonopmerking" not in html


def test_it_shows_the_guardian_neither_remark(explained_with_remarks, client):
    world = explained_with_remarks
    html = text_of(as_role(client, world, "guardian").get(chronology_url(world.ward)))
    assert "Toelichting: Medische afspraak" in html
    assert "Schoolopmerking" not in html
    assert "Woonopmerking" not in html


def test_it_hides_the_chronology_of_a_student_outside_the_team(world, client):
    assert as_role(client, world, "mentor").get(chronology_url(world.outsider_student)).status_code == 404
    assert as_role(client, world, "housing_worker").get(chronology_url(world.outsider_student)).status_code == 404


@pytest.mark.parametrize("role_key", ["attendance_officer", "admin"])
def test_it_shows_no_chronology_to_roles_without_children(world, client, role_key):
    assert as_role(client, world, role_key).get(chronology_url(world.ward)).status_code == 404


def test_it_answers_the_chronology_only_to_get(world, client):
    assert as_role(client, world, "mentor").post(chronology_url(world.ward)).status_code == 405


def test_it_sends_an_anonymous_visitor_of_the_chronology_to_the_login(world, client):
    assert_login_redirect(client.get(chronology_url(world.ward)))


# -- the CSV export of the decisions ----------------------------------------------------------------------------


EXPORT_URL = reverse("attendance:decisions_export")


def csv_rows(response):
    return [line.split(";") for line in response.content.decode().strip().splitlines()]


def test_it_exports_the_absences_with_categories_but_without_remarks(explained_with_remarks, client):
    world = explained_with_remarks
    response = as_role(client, world, "care_coordinator").get(EXPORT_URL)
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    header, *rows = csv_rows(response)
    assert len(header) == len(rows[0])
    assert len(rows) == 1
    assert rows[0][0] == "2026-03-10"
    assert "Medische afspraak" in rows[0]
    content = response.content.decode()
    assert "Woonopmerking" not in content
    assert "Schoolopmerking" not in content


def test_it_exports_what_the_filter_shows(world, client):
    [other] = classmates(world, 1)
    mark(world, world.ward, absent())
    explained = mark(world, other, absent())
    explanation_give(
        request_ids=[explained.explanation_request.id], reason="sick", remark="", actor=world.user("housing_worker")
    )
    response = as_role(client, world, "care_coordinator").get(EXPORT_URL, {"only": "unexplained"})
    _header, *rows = csv_rows(response)
    assert [row[3] for row in rows] == [world.ward.family_name]


def test_it_exports_nothing_of_another_school(world, client):
    mark(world, world.ward, absent())
    client.force_login(user_of(Role.CARE_COORDINATOR, world.outsider_student.school))
    _header, *rows = csv_rows(client.get(EXPORT_URL))
    assert rows == []


@pytest.mark.parametrize("role_key", ["mentor", "school_management", "housing_worker", "attendance_officer"])
def test_it_refuses_the_export_to_other_roles(world, client, role_key):
    assert as_role(client, world, role_key).get(EXPORT_URL).status_code == 403


def test_it_answers_the_export_only_to_get(world, client):
    assert as_role(client, world, "care_coordinator").post(EXPORT_URL).status_code == 405


def test_it_sends_an_anonymous_export_to_the_login(world, client):
    assert_login_redirect(client.get(EXPORT_URL))


def test_it_does_not_overwrite_a_newer_change_with_an_untouched_row(client, world):
    """The mentor loaded the page; meanwhile the care coordinator marked the ward late. Saving the whole class
    must not put the ward back to what the mentor's page showed."""
    mark(world, world.ward, present())
    as_role(client, world, "mentor")
    page = client.get(reverse("attendance:roster", args=[world.school_class.id]))
    data = {"datum": TUESDAY.isoformat()}
    for row, form in page.context["forms"]:
        data[f"s{row.student.id}-status"] = form["status"].value()
        data[f"s{row.student.id}-seen"] = row.version
    mark(world, world.ward, RowInput(status="late", minutes_late=10), actor=world.user("care_coordinator"))
    data[f"s{world.ward.id}-status"] = "absent"  # the mentor changed it too: a conflict, reported, not saved
    response = client.post(reverse("attendance:roster", args=[world.school_class.id]), data, follow=True)
    assert AttendanceRecord.objects.get(student=world.ward, day=TUESDAY).status == "late"
    assert "Intussen door iemand anders gewijzigd" in text_of(response)
    assert world.ward.full_name in text_of(response)


def test_it_saves_a_changed_row_that_nobody_else_touched(client, world):
    mark(world, world.ward, present())
    as_role(client, world, "mentor")
    page = client.get(reverse("attendance:roster", args=[world.school_class.id]))
    data = {"datum": TUESDAY.isoformat()}
    for row, form in page.context["forms"]:
        data[f"s{row.student.id}-status"] = form["status"].value()
        data[f"s{row.student.id}-seen"] = row.version
    data[f"s{world.ward.id}-status"] = "absent"
    client.post(reverse("attendance:roster", args=[world.school_class.id]), data)
    assert AttendanceRecord.objects.get(student=world.ward, day=TUESDAY).status == "absent"


def test_it_answers_for_a_former_resident_without_linking_to_their_pages(client, world, clock):
    mark(world, world.ward, absent())
    student_move(student=world.ward, location=world.other_location, moved_on=WEDNESDAY)
    clock.move_to(at(2026, 3, 11, 9, 0), tick=False)
    html = text_of(as_role(client, world, "housing_worker").get(reverse("attendance:inbox")))
    assert world.ward.full_name in html
    assert "woont hier niet meer" in html
    assert reverse("students:detail", args=[world.ward.id]) not in html


# -- issue 10: pupils told apart, ISO dates, one pre-ticked day, deadlines with a day, read-only days, hospital --


def look_alikes(world, count=2):
    """Pupils named like the ward, at the ward's location: the housing worker must tell them apart."""
    twins = classmates(world, count)
    for number, twin in enumerate(twins):
        twin.given_name, twin.family_name, twin.student_number = "Yonas", "Tesfay", f"77{number:04d}"
        twin.save()
    return twins


def test_it_saves_a_sick_report_only_after_showing_the_chosen_pupils_details(world, client):
    [twin] = look_alikes(world, 1)
    as_role(client, world, "housing_worker")
    data = {"student": twin.id, "first_day": TUESDAY.isoformat()}
    first = client.post(SICK_URL, data)
    assert first.status_code == 200
    assert not SickReport.objects.exists()
    html = text_of(first)
    assert 'data-testid="pupil-details"' in html
    assert twin.student_number in html
    assert f'name="confirmed" value="{twin.id}"' in html
    assert "Ja, deze jongere ziek melden" in html
    assert client.post(SICK_URL, {**data, "confirmed": twin.id}).status_code == 302
    assert SickReport.objects.get().student == twin


def test_it_does_not_save_a_sick_report_confirmed_for_another_pupil(world, client):
    [twin] = look_alikes(world, 1)
    data = {"student": twin.id, "confirmed": world.ward.id, "first_day": TUESDAY.isoformat()}
    response = as_role(client, world, "housing_worker").post(SICK_URL, data)
    assert response.status_code == 200
    assert not SickReport.objects.exists()


def test_it_offers_the_pupils_to_choose_from_without_javascript(world, client):
    twins = look_alikes(world, 2)
    response = as_role(client, world, "housing_worker").get(SICK_URL, {"zoek": "yonas tes"})
    html = text_of(response)
    for pupil in (world.ward, *twins):
        assert f'name="student" value="{pupil.id}"' in html
        assert pupil.student_number in html
    assert "klas 1A" in html
    assert world.outsider_student.full_name not in html
    assert "<select" not in html.split('id="report-form"')[1].split("</form>")[0].split('name="student"')[0]


def test_it_preselects_a_pupil_given_in_the_link_and_shows_its_details(world, client):
    response = as_role(client, world, "guardian").get(SICK_URL, {"leerling": world.ward.id})
    html = text_of(response)
    assert f'value="{world.ward.id}"\n' in html or f'value="{world.ward.id}" id=' in html
    assert f'name="confirmed" value="{world.ward.id}"' in html


def test_it_ignores_a_link_to_someone_elses_pupil(world, client):
    response = as_role(client, world, "housing_worker").get(SICK_URL, {"leerling": world.outsider_student.id})
    assert response.status_code == 200
    assert world.outsider_student.full_name not in text_of(response)


@pytest.mark.parametrize("url", [SICK_URL, APPOINTMENT_URL])
def test_the_report_forms_render_todays_date_iso_in_dutch(world, client, url):
    html = text_of(as_role(client, world, "housing_worker").get(url))
    assert re.search(r'type="date" name="(first_day|day)" value="2026-03-10"', html), html
    assert "10-03-2026" not in html


def test_an_appointment_needs_no_confirmation(world, client):
    response = as_role(client, world, "housing_worker").post(APPOINTMENT_URL, appointment_data(world.ward))
    assert response.status_code == 302


def test_it_pre_ticks_only_the_most_recent_open_day(world, client):
    older = mark(world, world.ward, absent(), day=FRIDAY_BEFORE).explanation_request
    latest = mark(world, world.ward, absent()).explanation_request
    html = text_of(as_role(client, world, "housing_worker").get(reverse("attendance:inbox")))
    assert re.search(rf'value="{latest.id}" id="request-{latest.id}" checked', html)
    assert not re.search(rf'value="{older.id}" id="request-{older.id}" checked', html)
    assert ">vr 6 mrt</span>" in html and ">di 10 mrt</span>" in html


def test_it_shows_the_deadline_with_its_day_in_the_inbox(world, client):
    mark(world, world.ward, absent())
    html = text_of(as_role(client, world, "housing_worker").get(reverse("attendance:inbox")))
    assert "graag vóór di 10 mrt, 12:00" in html


def test_it_shows_a_future_day_read_only(world, client):
    response = as_role(client, world, "mentor").get(roster_url(world), {"datum": WEDNESDAY.isoformat()})
    html = text_of(response)
    assert "toekomst" in html
    assert 'data-testid="roster-read-only"' in html
    assert "Hele klas opslaan" not in html
    assert 'type="radio"' not in html
    assert "hx-post" not in html
    assert world.ward.full_name in html


def test_it_still_refuses_to_save_a_future_day(world, client):
    data = {"datum": WEDNESDAY.isoformat(), f"s{world.ward.id}-status": "absent"}
    response = as_role(client, world, "mentor").post(roster_url(world), data)
    assert response.status_code == 400
    assert not AttendanceRecord.objects.exists()


def hospital_admission(world):
    data = {"student": world.ward.id, "confirmed": world.ward.id, "first_day": TUESDAY.isoformat()}
    return {**data, "hospital_admission": "on"}


@pytest.mark.parametrize("page", ["home", "roster"])
def test_it_shows_the_mentor_an_unmistakable_hospital_notice_until_seen(world, client, page):
    as_role(client, world, "guardian").post(SICK_URL, hospital_admission(world))
    url = reverse("home") if page == "home" else roster_url(world)
    html = text_of(as_role(client, world, "mentor").get(url))
    assert 'role="alert" data-testid="hospital-notice"' in html
    assert "Ziekenhuisopname: Yonas Tesfay" in html
    notification = Notification.objects.get(recipient=world.user("mentor").person, channel="in_app")
    assert reverse("escalation:notification_open", args=[notification.id]) in html
    client.get(reverse("escalation:notification_open", args=[notification.id]))
    notification.refresh_from_db()
    assert notification.read_at is not None
    assert 'data-testid="hospital-notice"' not in text_of(client.get(url))


def test_it_shows_no_hospital_notice_to_roles_without_health_details(world, client):
    as_role(client, world, "guardian").post(SICK_URL, hospital_admission(world))
    management = world.user("school_management").person
    mentor_news = Notification.objects.get(recipient=world.user("mentor").person, channel="in_app")
    Notification.objects.create(
        recipient=management,
        channel="in_app",
        kind=mentor_news.kind,
        student=world.ward,
        sick_report=mentor_news.sick_report,
    )
    html = text_of(as_role(client, world, "school_management").get(reverse("home")))
    assert 'data-testid="hospital-notice"' not in html
    assert "ziekenhuis" not in html.lower()
