from datetime import date, time, timedelta

import pytest
from auditlog.models import LogEntry
from django.core.exceptions import ValidationError

from attendance.models import AttendanceRecord, ExplanationRequest, Reason, SickReport
from attendance.services import (
    RowInput,
    absence_decide,
    appointment_create,
    attendance_save,
    explanation_give,
    sick_report_admit_to_hospital,
    sick_report_close,
    sick_report_create,
)
from contacts.models import Role
from escalation.models import Notification
from escalation.services import notifications_create
from students.models import Guardianship, Student
from students.services import student_move
from tests.factories import ContactPersonFactory, GuardianshipFactory, StudentFactory, UserFactory

from .factories import (
    AppointmentFactory,
    AuthorisationRuleFactory,
    SchoolHolidayFactory,
    SchoolPolicyFactory,
    SickReportFactory,
)
from .helpers import FRIDAY_BEFORE, MONDAY, SATURDAY, TUESDAY, WEDNESDAY, absent, at, classmates, mark, present


def user_of(role, organisation, *, locations=(), name=None):
    person = ContactPersonFactory(role=role, organisation=organisation, locations=list(locations), name=name or role)
    return UserFactory(person=person)


def request_of(record):
    return ExplanationRequest.objects.get(record=record)


def message(error: ValidationError) -> str:
    return " ".join(error.messages)


# -- attendance_save: the roster --------------------------------------------------------------------------------


def test_it_saves_a_whole_class_in_one_call(world):
    others = classmates(world, 2)
    rows = {world.ward.id: present(), others[0].id: absent(), others[1].id: RowInput(status="late", minutes_late=10)}
    records = attendance_save(school_class=world.school_class, day=TUESDAY, rows=rows, actor=world.user("mentor"))
    assert len(records) == 3
    saved = {record.student_id: record for record in AttendanceRecord.objects.all()}
    assert saved[world.ward.id].status == "present"
    assert saved[world.ward.id].lesson_hours_missed == 0
    assert saved[others[0].id].status == "absent"
    assert saved[others[1].id].minutes_late == 10
    assert {record.recorded_by for record in saved.values()} == {world.user("mentor")}
    assert {record.school_class for record in saved.values()} == {world.school_class}


def test_it_defaults_the_missed_hours_to_the_lesson_hours_of_that_weekday(world):
    assert mark(world, world.ward, absent()).lesson_hours_missed == 6  # Tuesday
    assert mark(world, world.ward, absent(), day=date(2026, 3, 4)).lesson_hours_missed == 4  # a Wednesday


def test_it_keeps_the_hours_the_mentor_entered(world):
    assert mark(world, world.ward, absent(lesson_hours_missed=2)).lesson_hours_missed == 2


def test_it_counts_no_missed_hours_for_a_late_student_unless_entered(world):
    assert mark(world, world.ward, RowInput(status="late", minutes_late=20)).lesson_hours_missed == 0
    late = mark(world, world.ward, RowInput(status="late", minutes_late=70, lesson_hours_missed=1))
    assert late.lesson_hours_missed == 1


def test_it_updates_the_one_record_of_a_student_and_day_in_place(world):
    first = mark(world, world.ward, present())
    second = mark(world, world.ward, absent(remark="Niet gezien"))
    assert AttendanceRecord.objects.count() == 1
    assert first.pk == second.pk
    assert AttendanceRecord.objects.get().status == "absent"
    assert AttendanceRecord.objects.get().remark == "Niet gezien"


def test_it_does_not_touch_a_record_saved_again_without_changes(world, clock):
    mark(world, world.ward, absent())
    clock.move_to(at(2026, 3, 10, 10, 30), tick=False)
    mark(world, world.ward, absent(), actor=world.user("care_coordinator"))
    record = AttendanceRecord.objects.get()
    assert record.updated_at == at(2026, 3, 10, 9, 0)
    assert record.updated_by == world.user("mentor")
    assert ExplanationRequest.objects.count() == 1


def test_it_notes_who_changed_a_record_and_when(world, clock):
    mark(world, world.ward, present())
    clock.move_to(at(2026, 3, 10, 10, 30), tick=False)
    mark(world, world.ward, absent(), actor=world.user("care_coordinator"))
    record = AttendanceRecord.objects.get()
    assert record.recorded_by == world.user("mentor")
    assert record.updated_by == world.user("care_coordinator")
    assert record.updated_at == at(2026, 3, 10, 10, 30)


def test_it_refuses_a_day_in_the_future(world):
    with pytest.raises(ValidationError) as error:
        mark(world, world.ward, present(), day=WEDNESDAY)
    assert "toekomst" in message(error.value)
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(
    ("day", "why"),
    [(date(2026, 3, 7), "weekend"), (date(2026, 1, 1), "Nieuwjaarsdag")],
)
def test_it_refuses_a_day_without_school(world, day, why):
    with pytest.raises(ValidationError) as error:
        mark(world, world.ward, present(), day=day)
    assert "geen schooldag" in message(error.value)
    assert why in message(error.value)
    assert not AttendanceRecord.objects.exists()


def test_it_refuses_a_study_day_of_the_school(world):
    SchoolHolidayFactory(school=world.school, name="Studiedag", first_day=TUESDAY, last_day=TUESDAY)
    with pytest.raises(ValidationError, match="Studiedag"):
        mark(world, world.ward, present())
    assert not AttendanceRecord.objects.exists()


def test_it_allows_corrections_within_the_window_and_refuses_older_ones(world):
    assert mark(world, world.ward, absent(), day=date(2026, 3, 3)).day == date(2026, 3, 3)  # 7 days back
    with pytest.raises(ValidationError) as error:
        mark(world, world.ward, absent(), day=date(2026, 3, 2))
    assert "ouder dan 7 dagen" in message(error.value)
    assert list(AttendanceRecord.objects.values_list("day", flat=True)) == [date(2026, 3, 3)]


def test_it_uses_the_schools_own_correction_window(world):
    SchoolPolicyFactory(school=world.school, correction_window_days=1)
    mark(world, world.ward, absent(), day=MONDAY)
    with pytest.raises(ValidationError, match="ouder dan 1 dagen"):
        mark(world, world.ward, absent(), day=FRIDAY_BEFORE)


def test_it_audits_a_correction_of_an_earlier_day_without_logging_the_remark(world):
    record = mark(world, world.ward, present(), day=MONDAY)
    mark(world, world.ward, absent(remark="Vertrouwelijke opmerking"), day=MONDAY)
    entries = LogEntry.objects.get_for_object(record).order_by("timestamp", "id")
    update = entries.filter(action=LogEntry.Action.UPDATE).last()
    assert update is not None
    assert update.changes_dict["status"] == ["present", "absent"]
    assert "Vertrouwelijke opmerking" not in str(update.changes)


def test_it_keeps_every_word_of_a_remark_out_of_the_audit_log(world):
    record = mark(world, world.ward, absent(remark="Vertrouwelijke opmerking"))
    logged = " ".join(str(entry.changes) for entry in LogEntry.objects.get_for_object(record))
    assert "opmerking" not in logged


def test_it_refuses_a_student_of_another_class_and_saves_nobody(world):
    rows = {world.ward.id: present(), world.outsider_student.id: present()}
    with pytest.raises(ValidationError) as error:
        attendance_save(school_class=world.school_class, day=TUESDAY, rows=rows, actor=world.user("mentor"))
    assert "niet (meer) in deze klas" in message(error.value)
    assert not AttendanceRecord.objects.exists()


def test_it_refuses_a_student_who_left_the_school(world):
    world.ward.status, world.ward.left_on = Student.Status.LEFT, MONDAY
    world.ward.save()
    with pytest.raises(ValidationError):
        mark(world, world.ward, absent())
    assert not AttendanceRecord.objects.exists()


def test_it_requires_minutes_for_a_late_student(world):
    with pytest.raises(ValidationError, match="minuten"):
        mark(world, world.ward, RowInput(status="late"))
    assert not AttendanceRecord.objects.exists()


@pytest.mark.parametrize(
    "row",
    [
        RowInput(status="sleeping"),
        RowInput(status="late", minutes_late=481),
        RowInput(status="absent", lesson_hours_missed=13),
        RowInput(status="present", remark="x" * 201),
    ],
)
def test_it_refuses_impossible_rows(world, row):
    with pytest.raises(ValidationError):
        mark(world, world.ward, row)
    assert not AttendanceRecord.objects.exists()


def test_it_forgets_the_minutes_when_a_late_student_is_marked_present(world):
    mark(world, world.ward, RowInput(status="late", minutes_late=15))
    record = mark(world, world.ward, present(minutes_late=15))
    assert record.minutes_late is None


def test_it_asks_the_location_and_guardian_of_an_unexplained_absence(world):
    record = mark(world, world.ward, absent())
    request = request_of(record)
    assert request.status == "open"
    assert request.location == world.location
    assert request.guardian == world.user("guardian").person
    assert (request.student, request.day) == (world.ward, TUESDAY)
    assert request.deadline == at(2026, 3, 10, 12, 0)
    assert record.authorised is False


def test_it_gives_until_noon_the_next_school_day_when_marked_in_the_afternoon(world, clock):
    clock.move_to(at(2026, 3, 13, 13, 30), tick=False)  # Friday
    request = request_of(mark(world, world.ward, absent(), day=date(2026, 3, 13)))
    assert request.deadline == at(2026, 3, 16, 12, 0)


def test_it_asks_nobody_about_a_present_late_or_sent_out_student(world):
    others = classmates(world, 2)
    rows = {
        world.ward.id: present(),
        others[0].id: RowInput(status="late", minutes_late=5),
        others[1].id: RowInput(status="removed"),
    }
    attendance_save(school_class=world.school_class, day=TUESDAY, rows=rows, actor=world.user("mentor"))
    assert not ExplanationRequest.objects.exists()


def test_it_explains_an_absence_by_an_open_sick_report(world):
    report = SickReportFactory(student=world.ward, first_day=MONDAY, reported_by=world.user("housing_worker"))
    record = mark(world, world.ward, absent())
    assert record.reason == Reason.SICK
    assert record.explanation_source == AttendanceRecord.Source.SICK_REPORT
    assert record.sick_report == report
    assert record.explained_by == world.user("housing_worker")
    assert record.authorised is True
    assert not ExplanationRequest.objects.exists()


def test_it_does_not_explain_by_a_sick_report_that_ended_before_the_day(world):
    SickReportFactory(student=world.ward, first_day=date(2026, 3, 2), last_day=FRIDAY_BEFORE)
    record = mark(world, world.ward, absent())
    assert record.reason == ""
    assert request_of(record).status == "open"


def test_it_explains_an_absence_by_an_appointment_elsewhere(world):
    appointment = AppointmentFactory(student=world.ward, day=TUESDAY, kind="legal", at_school=False)
    record = mark(world, world.ward, absent())
    assert record.reason == Reason.LEGAL
    assert record.explanation_source == AttendanceRecord.Source.APPOINTMENT
    assert record.appointment == appointment
    assert record.authorised is True
    assert not ExplanationRequest.objects.exists()


def test_it_does_not_explain_an_absence_by_an_appointment_at_school(world):
    AppointmentFactory(student=world.ward, day=TUESDAY, at_school=True)
    record = mark(world, world.ward, absent())
    assert record.reason == ""
    assert request_of(record).status == "open"


def test_it_does_not_explain_by_an_appointment_on_another_day(world):
    AppointmentFactory(student=world.ward, day=MONDAY, at_school=False)
    assert mark(world, world.ward, absent()).reason == ""


def test_it_applies_the_schools_own_rule_to_a_pre_explained_absence(world):
    AuthorisationRuleFactory(school=world.school, reason=Reason.LEGAL, authorised=False)
    AppointmentFactory(student=world.ward, day=TUESDAY, kind="legal", at_school=False)
    assert mark(world, world.ward, absent()).authorised is False


def test_it_cancels_the_request_when_an_absent_student_turns_up(world, clock):
    record = mark(world, world.ward, absent())
    clock.move_to(at(2026, 3, 10, 9, 40), tick=False)
    record = mark(world, world.ward, present())
    request = request_of(record)
    assert request.status == "cancelled"
    assert request.closed_at == at(2026, 3, 10, 9, 40)
    assert request.closed_by == world.user("mentor")
    assert record.lesson_hours_missed == 0


def test_it_cancels_the_request_when_an_absent_student_was_only_late(world):
    mark(world, world.ward, absent())
    record = mark(world, world.ward, RowInput(status="late", minutes_late=25))
    assert request_of(record).status == "cancelled"


def test_it_reopens_the_same_request_when_the_student_is_absent_after_all(world, clock):
    mark(world, world.ward, absent())
    mark(world, world.ward, present())
    clock.move_to(at(2026, 3, 10, 12, 30), tick=False)
    record = mark(world, world.ward, absent())
    request = request_of(record)
    assert ExplanationRequest.objects.count() == 1
    assert request.status == "open"
    assert (request.closed_at, request.closed_by) == (None, None)
    assert request.deadline == at(2026, 3, 11, 12, 0)


def test_it_forgets_an_explanation_and_decision_when_the_student_was_present_after_all(world):
    SickReportFactory(student=world.ward, first_day=TUESDAY)
    mark(world, world.ward, absent())
    record = mark(world, world.ward, present())
    assert (record.reason, record.explanation_source, record.sick_report, record.explained_at) == ("", "", None, None)
    assert record.authorised is False


def test_it_keeps_the_housing_answer_when_the_mentor_edits_the_remark(world):
    record = mark(world, world.ward, absent())
    explanation_give(
        request_ids=[request_of(record).id], reason="medical", remark="", actor=world.user("housing_worker")
    )
    record = mark(world, world.ward, absent(remark="Had toets gemist"))
    assert record.reason == Reason.MEDICAL_APPOINTMENT
    assert record.explained_by == world.user("housing_worker")
    assert request_of(record).status == "answered"


def test_it_asks_the_location_and_guardian_of_that_day_after_a_move(world):
    new_guardian = ContactPersonFactory(role=Role.GUARDIAN, organisation=world.nidos, name="Voogd Nieuw")
    student_move(student=world.ward, location=world.other_location, moved_on=TUESDAY)
    Guardianship.objects.filter(student=world.ward).update(ended_on=MONDAY)
    GuardianshipFactory(student=world.ward, guardian=new_guardian, started_on=TUESDAY)

    monday = request_of(mark(world, world.ward, absent(), day=MONDAY))
    tuesday = request_of(mark(world, world.ward, absent()))
    assert (monday.location, monday.guardian) == (world.location, world.user("guardian").person)
    assert (tuesday.location, tuesday.guardian) == (world.other_location, new_guardian)


def test_it_readdresses_a_reopened_request_to_that_days_team(world):
    mark(world, world.ward, absent(), day=MONDAY)
    mark(world, world.ward, present(), day=MONDAY)
    # Only now does the school learn that the student moved on Monday.
    student_move(student=world.ward, location=world.other_location, moved_on=MONDAY)
    request = request_of(mark(world, world.ward, absent(), day=MONDAY))
    assert request.location == world.other_location


def test_it_addresses_nobody_when_the_student_has_no_home_or_guardian(world):
    student = StudentFactory(school_class=world.school_class)
    request = request_of(mark(world, student, absent()))
    assert (request.location, request.guardian) == (None, None)


# -- explanation_give: the housing answer -----------------------------------------------------------------------


def absences(world, days, student=None):
    student = student or world.ward
    return [request_of(mark(world, student, absent(), day=day)) for day in days]


def test_it_explains_several_days_of_one_student_at_once(world, clock):
    requests = absences(world, [FRIDAY_BEFORE, MONDAY, TUESDAY])
    clock.move_to(at(2026, 3, 10, 11, 0), tick=False)
    answered = explanation_give(
        request_ids=[r.id for r in requests], reason="sick", remark="Koorts", actor=world.user("housing_worker")
    )
    assert [request.day for request in answered] == [FRIDAY_BEFORE, MONDAY, TUESDAY]
    for record in AttendanceRecord.objects.all():
        assert record.reason == Reason.SICK
        assert record.explanation_remark == "Koorts"
        assert record.explanation_source == AttendanceRecord.Source.ANSWER
        assert record.explained_by == world.user("housing_worker")
        assert record.explained_at == at(2026, 3, 10, 11, 0)
        assert record.authorised is True
    assert set(ExplanationRequest.objects.values_list("status", "closed_by")) == {
        ("answered", world.user("housing_worker").id)
    }


def test_it_applies_the_schools_rule_to_an_answer(world):
    AuthorisationRuleFactory(school=world.school, reason=Reason.FAMILY_RELIGIOUS, authorised=True)
    [request] = absences(world, [TUESDAY])
    explanation_give(request_ids=[request.id], reason="family", remark="", actor=world.user("housing_worker"))
    assert AttendanceRecord.objects.get().authorised is True


def test_it_refuses_an_answer_to_an_answered_request_and_changes_nothing(world):
    [request] = absences(world, [TUESDAY])
    explanation_give(request_ids=[request.id], reason="sick", remark="Eerste", actor=world.user("housing_worker"))
    with pytest.raises(ValidationError) as error:
        explanation_give(request_ids=[request.id], reason="other", remark="Tweede", actor=world.user("guardian"))
    assert "al afgehandeld" in message(error.value)
    assert "Woon Wendy" in message(error.value)
    record = AttendanceRecord.objects.get()
    assert (record.reason, record.explanation_remark, record.explained_by) == (
        "sick",
        "Eerste",
        world.user("housing_worker"),
    )
    assert request_of(record).closed_by == world.user("housing_worker")


def test_it_refuses_a_mix_of_open_and_answered_days_and_leaves_the_open_one_open(world):
    first, second = absences(world, [MONDAY, TUESDAY])
    explanation_give(request_ids=[first.id], reason="sick", remark="", actor=world.user("housing_worker"))
    with pytest.raises(ValidationError):
        explanation_give(request_ids=[first.id, second.id], reason="other", remark="", actor=world.user("guardian"))
    second.refresh_from_db()
    assert second.status == "open"
    assert AttendanceRecord.objects.get(day=TUESDAY).reason == ""


def test_it_refuses_an_answer_to_a_cancelled_request(world):
    [request] = absences(world, [TUESDAY])
    mark(world, world.ward, present())
    with pytest.raises(ValidationError, match="al afgehandeld"):
        explanation_give(request_ids=[request.id], reason="sick", remark="", actor=world.user("housing_worker"))
    assert AttendanceRecord.objects.get().reason == ""


def test_it_refuses_a_worker_of_another_location(world):
    [request] = absences(world, [TUESDAY])
    stranger = user_of(Role.HOUSING_WORKER, world.other_location.organisation, locations=[world.other_location])
    with pytest.raises(ValidationError, match="uw locatie"):
        explanation_give(request_ids=[request.id], reason="sick", remark="", actor=stranger)
    assert request_of(AttendanceRecord.objects.get()).status == "open"


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager", "attendance_officer"])
def test_it_refuses_an_answer_from_a_role_that_was_not_asked(world, role_key):
    [request] = absences(world, [TUESDAY])
    with pytest.raises(ValidationError):
        explanation_give(request_ids=[request.id], reason="sick", remark="", actor=world.user(role_key))
    assert AttendanceRecord.objects.get().reason == ""


def test_it_lets_the_guardian_answer_for_their_ward(world):
    [request] = absences(world, [TUESDAY])
    explanation_give(request_ids=[request.id], reason="guardian", remark="", actor=world.user("guardian"))
    record = AttendanceRecord.objects.get()
    assert (record.reason, record.explained_by) == ("guardian", world.user("guardian"))


def test_it_refuses_another_guardian(world):
    [request] = absences(world, [TUESDAY])
    other_guardian = user_of(Role.GUARDIAN, world.nidos, name="Voogd Anders")
    with pytest.raises(ValidationError):
        explanation_give(request_ids=[request.id], reason="sick", remark="", actor=other_guardian)


def test_it_lets_the_old_location_answer_for_a_former_resident(world):
    [request] = absences(world, [MONDAY])
    new_worker = user_of(Role.HOUSING_WORKER, world.other_location.organisation, locations=[world.other_location])
    student_move(student=world.ward, location=world.other_location, moved_on=TUESDAY)
    with pytest.raises(ValidationError):
        explanation_give(request_ids=[request.id], reason="move", remark="", actor=new_worker)
    explanation_give(request_ids=[request.id], reason="move", remark="", actor=world.user("housing_worker"))
    assert AttendanceRecord.objects.get().reason == "move"


def test_it_refuses_to_answer_days_of_two_students_at_once(world):
    [other] = classmates(world, 1)
    [mine] = absences(world, [TUESDAY])
    [theirs] = absences(world, [TUESDAY], student=other)
    with pytest.raises(ValidationError, match="één leerling"):
        explanation_give(request_ids=[mine.id, theirs.id], reason="sick", remark="", actor=world.user("housing_worker"))
    assert not AttendanceRecord.objects.exclude(reason="").exists()


@pytest.mark.parametrize(("reason", "ids"), [("", None), ("flu", None), ("sick", [])])
def test_it_refuses_an_answer_without_a_known_reason_or_days(world, reason, ids):
    [request] = absences(world, [TUESDAY])
    with pytest.raises(ValidationError):
        explanation_give(
            request_ids=[request.id] if ids is None else ids, reason=reason, remark="", actor=world.user("guardian")
        )
    assert request_of(AttendanceRecord.objects.get()).status == "open"


def test_it_refuses_an_unknown_request_id(world):
    [request] = absences(world, [TUESDAY])
    with pytest.raises(ValidationError):
        explanation_give(request_ids=[request.id, 999999], reason="sick", remark="", actor=world.user("guardian"))
    assert request_of(AttendanceRecord.objects.get()).status == "open"


def test_it_keeps_an_override_when_the_explanation_comes_in_later(world):
    [request] = absences(world, [TUESDAY])
    absence_decide(
        record=request.record, authorised=True, note="Afspraak met school", actor=world.user("care_coordinator")
    )
    explanation_give(request_ids=[request.id], reason="unknown", remark="", actor=world.user("housing_worker"))
    assert AttendanceRecord.objects.get().authorised is True


# -- sick reports -----------------------------------------------------------------------------------------------


def report_sick(world, *, first_day=TUESDAY, actor=None, hospital=False, expected_back=None, remark=""):
    return sick_report_create(
        student=world.ward,
        first_day=first_day,
        expected_back=expected_back,
        hospital_admission=hospital,
        remark=remark,
        actor=actor or world.user("housing_worker"),
    )


def test_it_explains_the_absences_since_the_first_sick_day(world):
    requests = absences(world, [FRIDAY_BEFORE, MONDAY, TUESDAY])
    report = report_sick(world, first_day=MONDAY, expected_back=date(2026, 3, 12))
    records = {record.day: record for record in AttendanceRecord.objects.all()}
    assert records[FRIDAY_BEFORE].reason == ""
    for day in (MONDAY, TUESDAY):
        assert records[day].reason == Reason.SICK
        assert records[day].sick_report == report
        assert records[day].explanation_source == AttendanceRecord.Source.SICK_REPORT
        assert records[day].authorised is True
    statuses = dict(ExplanationRequest.objects.values_list("id", "status"))
    assert [statuses[r.id] for r in requests] == ["open", "answered", "answered"]


def test_it_leaves_an_explained_absence_alone_when_a_sick_report_follows(world):
    [request] = absences(world, [MONDAY])
    explanation_give(request_ids=[request.id], reason="legal", remark="", actor=world.user("guardian"))
    report_sick(world, first_day=MONDAY)
    assert AttendanceRecord.objects.get().reason == "legal"


def test_it_refuses_a_second_open_sick_report(world):
    report_sick(world, first_day=MONDAY)
    with pytest.raises(ValidationError) as error:
        report_sick(world, actor=world.user("guardian"))
    assert "al ziek gemeld" in message(error.value)
    assert SickReport.objects.count() == 1


def test_it_accepts_a_new_sick_report_after_the_betermelding(world):
    report = report_sick(world, first_day=FRIDAY_BEFORE)
    sick_report_close(report=report, back_on=MONDAY, actor=world.user("housing_worker"))
    report_sick(world, first_day=TUESDAY)
    assert SickReport.objects.count() == 2


def test_it_refuses_a_sick_report_starting_in_the_future(world):
    with pytest.raises(ValidationError) as error:
        report_sick(world, first_day=WEDNESDAY)
    assert "toekomst" in message(error.value)
    assert not SickReport.objects.exists()


def test_it_refuses_a_sick_report_starting_long_ago(world):
    with pytest.raises(ValidationError, match="30 dagen"):
        report_sick(world, first_day=TUESDAY - timedelta(days=31))


def test_it_refuses_an_expected_return_before_the_first_day(world):
    with pytest.raises(ValidationError):
        report_sick(world, first_day=TUESDAY, expected_back=MONDAY)
    assert not SickReport.objects.exists()


@pytest.mark.parametrize("role_key", ["mentor", "care_coordinator", "guardian_team_manager", "attendance_officer"])
def test_it_takes_sick_reports_only_from_housing_and_the_guardian(world, role_key):
    with pytest.raises(ValidationError):
        report_sick(world, actor=world.user(role_key))
    assert not SickReport.objects.exists()


def test_it_takes_a_sick_report_from_the_guardian(world):
    assert report_sick(world, actor=world.user("guardian")).reported_by == world.user("guardian")


def test_it_refuses_a_sick_report_for_a_student_elsewhere(world):
    with pytest.raises(ValidationError):
        sick_report_create(
            student=world.outsider_student,
            first_day=TUESDAY,
            expected_back=None,
            hospital_admission=False,
            remark="",
            actor=world.user("housing_worker"),
        )
    assert not SickReport.objects.exists()


def test_it_notifies_the_mentor_and_care_coordinator_of_a_hospital_admission(world):
    report = report_sick(world, hospital=True)
    notifications = Notification.objects.all()
    assert sorted(n.recipient.name for n in notifications) == ["Mentor Marieke", "Zorg Zeynep"]
    assert {(n.channel, n.kind, n.student_id, n.sick_report_id) for n in notifications} == {
        ("in_app", "urgent_housing_news", world.ward.id, report.id)
    }


def test_it_notifies_each_person_once_per_hospital_admission(world):
    report = report_sick(world, hospital=True)
    team = [world.user("mentor").person, world.user("care_coordinator").person]
    notifications_create(recipients=team + team, kind="urgent_housing_news", student=world.ward, sick_report=report)
    assert Notification.objects.count() == 2


def test_it_keeps_health_details_out_of_the_notification(world):
    report_sick(world, hospital=True, remark="Blindedarmontsteking")
    for notification in Notification.objects.all():
        text = notification.text.lower()
        for word in ("ziekenhuis", "ziek", "opname", "opgenomen", "blindedarm", "hospital"):
            assert word not in text
        assert world.ward.full_name in notification.text


def test_it_notifies_nobody_of_an_ordinary_sick_report(world):
    report_sick(world)
    assert not Notification.objects.exists()


def test_it_closes_a_sick_report_with_the_betermelding(world, clock):
    report = report_sick(world, first_day=FRIDAY_BEFORE)
    clock.move_to(at(2026, 3, 10, 16, 0), tick=False)
    sick_report_close(report=report, back_on=WEDNESDAY, actor=world.user("guardian"))
    report.refresh_from_db()
    assert report.last_day == TUESDAY
    assert (report.closed_by, report.closed_at) == (world.user("guardian"), at(2026, 3, 10, 16, 0))
    assert not report.is_open


def test_it_stops_explaining_absences_after_the_betermelding(world, clock):
    report = report_sick(world, first_day=FRIDAY_BEFORE)
    sick_report_close(report=report, back_on=MONDAY, actor=world.user("housing_worker"))
    assert mark(world, world.ward, absent()).reason == ""


def test_it_refuses_a_betermelding_on_or_before_the_first_sick_day(world):
    report = report_sick(world, first_day=TUESDAY)
    with pytest.raises(ValidationError, match="na de eerste ziektedag"):
        sick_report_close(report=report, back_on=TUESDAY, actor=world.user("housing_worker"))
    report.refresh_from_db()
    assert report.is_open


def test_it_refuses_a_betermelding_far_ahead(world):
    report = report_sick(world)
    with pytest.raises(ValidationError, match="twee weken"):
        sick_report_close(report=report, back_on=TUESDAY + timedelta(days=15), actor=world.user("housing_worker"))


def test_it_refuses_a_second_betermelding(world):
    report = report_sick(world, first_day=MONDAY)
    sick_report_close(report=report, back_on=TUESDAY, actor=world.user("housing_worker"))
    with pytest.raises(ValidationError, match="al afgesloten"):
        sick_report_close(report=report, back_on=WEDNESDAY, actor=world.user("housing_worker"))
    report.refresh_from_db()
    assert report.last_day == MONDAY


def test_it_refuses_a_betermelding_from_outside_the_team(world):
    report = report_sick(world, first_day=MONDAY)
    stranger = user_of(Role.HOUSING_WORKER, world.other_location.organisation, locations=[world.other_location])
    with pytest.raises(ValidationError):
        sick_report_close(report=report, back_on=TUESDAY, actor=stranger)
    report.refresh_from_db()
    assert report.is_open


# -- appointments -----------------------------------------------------------------------------------------------


def make_appointment(world, *, day=TUESDAY, at_school=False, kind="medical", actor=None, **kwargs):
    return appointment_create(
        student=world.ward,
        kind=kind,
        day=day,
        starts_at=kwargs.pop("starts_at", time(10, 0)),
        ends_at=kwargs.pop("ends_at", time(11, 30)),
        at_school=at_school,
        remark=kwargs.pop("remark", ""),
        actor=actor or world.user("guardian"),
    )


def test_it_registers_an_appointment_ahead(world):
    appointment = make_appointment(world, day=date(2026, 3, 17), at_school=True, kind="guardian", remark=" Zaal 3 ")
    assert (appointment.day, appointment.at_school, appointment.remark) == (date(2026, 3, 17), True, "Zaal 3")
    assert appointment.registered_by == world.user("guardian")


def test_it_explains_todays_absence_by_an_appointment_elsewhere(world):
    absences(world, [TUESDAY])
    appointment = make_appointment(world, kind="medical")
    record = AttendanceRecord.objects.get()
    assert (record.reason, record.appointment, record.explanation_source) == (
        Reason.MEDICAL_APPOINTMENT,
        appointment,
        AttendanceRecord.Source.APPOINTMENT,
    )
    assert request_of(record).status == "answered"


def test_it_does_not_explain_an_absence_by_an_appointment_at_school_registered_later(world):
    [request] = absences(world, [TUESDAY])
    make_appointment(world, at_school=True)
    assert AttendanceRecord.objects.get().reason == ""
    assert request_of(request.record).status == "open"


def test_it_refuses_an_appointment_on_a_day_without_school(world):
    with pytest.raises(ValidationError, match="geen schooldag"):
        make_appointment(world, day=SATURDAY)
    with pytest.raises(ValidationError, match="Koningsdag"):
        make_appointment(world, day=date(2026, 4, 27))


def test_it_refuses_an_appointment_long_ago(world):
    with pytest.raises(ValidationError, match="te ver in het verleden"):
        make_appointment(world, day=date(2026, 2, 2))


def test_it_refuses_an_appointment_ending_before_it_starts(world):
    with pytest.raises(ValidationError):
        make_appointment(world, starts_at=time(11, 0), ends_at=time(10, 0))


def test_it_takes_appointments_only_from_the_students_housing_and_guardian(world):
    with pytest.raises(ValidationError):
        make_appointment(world, actor=world.user("mentor"))
    stranger = user_of(Role.GUARDIAN, world.nidos, name="Voogd Anders")
    with pytest.raises(ValidationError):
        make_appointment(world, actor=stranger)
    assert make_appointment(world, actor=world.user("housing_worker")).pk


# -- absence_decide: the care coordinator -----------------------------------------------------------------------


def explained(world, reason, *, day=TUESDAY):
    [request] = absences(world, [day])
    explanation_give(request_ids=[request.id], reason=reason, remark="", actor=world.user("housing_worker"))
    return AttendanceRecord.objects.get(day=day)


def test_it_confirms_the_default_without_a_note(world, clock):
    record = explained(world, "sick")
    clock.move_to(at(2026, 3, 10, 14, 0), tick=False)
    absence_decide(record=record, authorised=True, note="", actor=world.user("care_coordinator"))
    record.refresh_from_db()
    assert (record.authorised, record.authorisation_overridden) == (True, False)
    assert (record.decided_by, record.decided_at) == (world.user("care_coordinator"), at(2026, 3, 10, 14, 0))


def test_it_needs_a_note_to_depart_from_the_default(world):
    record = explained(world, "sick")
    with pytest.raises(ValidationError) as error:
        absence_decide(record=record, authorised=False, note="  ", actor=world.user("care_coordinator"))
    assert "reden" in message(error.value)
    record.refresh_from_db()
    assert (record.authorised, record.decided_at) == (True, None)
    absence_decide(record=record, authorised=False, note="Derde keer", actor=world.user("care_coordinator"))
    record.refresh_from_db()
    assert (record.authorised, record.authorisation_overridden, record.authorisation_note) == (
        False,
        True,
        "Derde keer",
    )


def test_it_uses_the_schools_own_default_for_a_reason(world):
    AuthorisationRuleFactory(school=world.school, reason=Reason.FAMILY_RELIGIOUS, authorised=True)
    record = explained(world, "family")
    assert record.authorised is True
    absence_decide(record=record, authorised=True, note="", actor=world.user("care_coordinator"))
    with pytest.raises(ValidationError):
        absence_decide(record=record, authorised=False, note="", actor=world.user("care_coordinator"))


def test_it_does_not_apply_another_schools_rule(world):
    AuthorisationRuleFactory(reason=Reason.FAMILY_RELIGIOUS, authorised=True)
    assert explained(world, "family").authorised is False


def test_it_counts_an_unexplained_absence_unauthorised_until_decided(world):
    [request] = absences(world, [TUESDAY])
    record = request.record
    assert record.authorised is False
    with pytest.raises(ValidationError):
        absence_decide(record=record, authorised=True, note="", actor=world.user("care_coordinator"))
    absence_decide(record=record, authorised=True, note="Overleg met voogd", actor=world.user("care_coordinator"))
    record.refresh_from_db()
    assert (record.authorised, record.authorisation_overridden, record.lesson_hours_missed) == (True, True, 6)


def test_it_keeps_an_override_when_the_mentor_saves_the_roster_again(world):
    record = explained(world, "sick")
    absence_decide(record=record, authorised=False, note="Twijfel", actor=world.user("care_coordinator"))
    record = mark(world, world.ward, absent(lesson_hours_missed=3))
    assert (record.authorised, record.authorisation_overridden, record.lesson_hours_missed) == (False, True, 3)


@pytest.mark.parametrize("role_key", ["mentor", "school_management", "housing_worker", "guardian"])
def test_it_lets_only_the_care_coordinator_decide(world, role_key):
    record = explained(world, "sick")
    with pytest.raises(ValidationError, match="zorgcoördinator"):
        absence_decide(record=record, authorised=False, note="Nee", actor=world.user(role_key))
    record.refresh_from_db()
    assert record.decided_at is None


def test_it_refuses_the_care_coordinator_of_another_school(world):
    record = explained(world, "sick")
    other_school = world.outsider_student.school
    stranger = user_of(Role.CARE_COORDINATOR, other_school)
    with pytest.raises(ValidationError):
        absence_decide(record=record, authorised=False, note="Nee", actor=stranger)


def test_it_decides_only_absences(world):
    record = mark(world, world.ward, RowInput(status="late", minutes_late=10))
    with pytest.raises(ValidationError, match="Alleen afwezigheid"):
        absence_decide(record=record, authorised=False, note="", actor=world.user("care_coordinator"))


def test_it_decides_on_the_explanation_given_since_the_record_was_loaded(world):
    [request] = absences(world, [TUESDAY])
    loaded_before_the_answer = AttendanceRecord.objects.get()
    explanation_give(request_ids=[request.id], reason="legal", remark="", actor=world.user("housing_worker"))
    absence_decide(
        record=loaded_before_the_answer, authorised=False, note="Kon na school", actor=world.user("care_coordinator")
    )
    record = AttendanceRecord.objects.get()
    assert (record.reason, record.authorised, record.authorisation_overridden) == ("legal", False, True)


def test_it_asks_again_about_an_absence_after_the_last_sick_day(world, clock):
    report = report_sick(world, first_day=MONDAY)
    monday = mark(world, world.ward, absent(), day=MONDAY)
    tuesday = mark(world, world.ward, absent())
    assert (monday.reason, tuesday.reason) == ("sick", "sick")
    clock.move_to(at(2026, 3, 10, 14, 0), tick=False)
    # Housing says the student went back to school this morning, but school did not see them.
    sick_report_close(report=report, back_on=TUESDAY, actor=world.user("housing_worker"))
    monday.refresh_from_db()
    tuesday.refresh_from_db()
    assert (monday.reason, monday.sick_report) == ("sick", report)
    assert (tuesday.reason, tuesday.sick_report, tuesday.explained_at, tuesday.authorised) == ("", None, None, False)
    request = request_of(tuesday)
    assert (request.status, request.location) == ("open", world.location)
    assert request.guardian == world.user("guardian").person
    assert request.deadline == at(2026, 3, 11, 12, 0)
    assert not ExplanationRequest.objects.filter(record=monday).exists()


def test_it_reopens_the_answered_request_of_an_absence_no_longer_covered(world):
    [request] = absences(world, [TUESDAY])
    report = report_sick(world, first_day=MONDAY)
    assert request_of(request.record).status == "answered"
    sick_report_close(report=report, back_on=TUESDAY, actor=world.user("guardian"))
    assert ExplanationRequest.objects.count() == 1
    assert request_of(request.record).status == "open"


def test_it_leaves_an_answer_from_housing_alone_at_the_betermelding(world):
    [request] = absences(world, [TUESDAY])
    explanation_give(request_ids=[request.id], reason="legal", remark="", actor=world.user("guardian"))
    report = report_sick(world, first_day=MONDAY)
    sick_report_close(report=report, back_on=TUESDAY, actor=world.user("guardian"))
    assert AttendanceRecord.objects.get().reason == "legal"
    assert request_of(request.record).status == "answered"


def test_it_sends_no_email_about_a_sick_report_or_hospital_admission(
    world, django_capture_on_commit_callbacks, mailoutbox
):
    with django_capture_on_commit_callbacks(execute=True):
        report_sick(world, hospital=True, remark="Opgenomen, blindedarm")
    assert mailoutbox == []
    assert set(Notification.objects.values_list("channel", flat=True)) == {"in_app"}


def test_it_tells_school_when_a_sick_student_is_admitted_to_hospital_later(world):
    report = sick_report_create(
        student=world.ward,
        first_day=world.today,
        expected_back=None,
        hospital_admission=False,
        remark="",
        actor=world.user("housing_worker"),
    )
    assert not Notification.objects.exists()
    sick_report_admit_to_hospital(report=report, actor=world.user("housing_worker"))
    sick_report_admit_to_hospital(report=report, actor=world.user("housing_worker"))  # twice: no second message
    recipients = set(Notification.objects.values_list("recipient__name", flat=True))
    assert recipients == {"Mentor Marieke", "Zorg Zeynep"}
    report.refresh_from_db()
    assert report.hospital_admission


def test_it_refuses_a_hospital_admission_on_a_closed_sick_report_or_by_an_outsider(world):
    report = sick_report_create(
        student=world.ward,
        first_day=world.today,
        expected_back=None,
        hospital_admission=False,
        remark="",
        actor=world.user("housing_worker"),
    )
    with pytest.raises(ValidationError):
        sick_report_admit_to_hospital(report=report, actor=world.user("mentor"))
    sick_report_close(report=report, back_on=world.today + timedelta(days=1), actor=world.user("housing_worker"))
    with pytest.raises(ValidationError):
        sick_report_admit_to_hospital(report=report, actor=world.user("housing_worker"))


def test_it_voids_an_earlier_decision_that_an_explanation_changes(world):
    record = mark(world, world.ward, absent())
    absence_decide(record=record, authorised=False, note="", actor=world.user("care_coordinator"))
    request = ExplanationRequest.objects.get(record=record)
    explanation_give(request_ids=[request.id], reason="sick", remark="", actor=world.user("housing_worker"))
    record.refresh_from_db()
    assert record.authorised is True
    assert record.decided_by is None and record.decided_at is None
