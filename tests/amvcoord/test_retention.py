"""Retention (issue 5, section 3): purge_expired deletes or anonymises what has been kept long enough."""

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
import time_machine
from auditlog.models import LogEntry
from django.core.management import call_command

from amvcoord.retention import ANONYMISED_NAME, purge_expired, years_before
from attendance.models import Appointment, AttendanceRecord, SickReport
from contacts.models import ContactPerson, User
from students.models import Placement, Student
from tests.factories import ContactPersonFactory, PlacementFactory, StudentFactory, UserFactory

TODAY = date(2032, 9, 1)


@pytest.fixture
def left_students(world):
    """Students who left 6, 3 and 1 years before TODAY, each with an absence with remarks and a sick report."""
    students = {}
    recorder = world.user("mentor")
    for years in (6, 3, 1):
        student = StudentFactory(school_class=world.school_class, family_name=f"Vertrokken{years}")
        PlacementFactory(student=student, location=world.location, started_on=date(2025, 9, 1))
        AttendanceRecord.objects.create(
            student=student,
            day=date(2025, 10, 1),
            school_class=world.school_class,
            status="absent",
            lesson_hours_missed=5,
            remark="school-opmerking",
            reason="sick",
            explanation_remark="toelichting",
            explained_at=datetime(2025, 10, 1, 10, tzinfo=ZoneInfo("Europe/Amsterdam")),
            recorded_by=recorder,
            updated_by=recorder,
        )
        SickReport.objects.create(
            student=student,
            first_day=date(2025, 10, 1),
            last_day=date(2025, 10, 2),
            remark="griep",
            reported_by=world.user("housing_worker"),
        )
        Appointment.objects.create(
            student=student,
            kind="medical",
            day=date(2025, 10, 6),
            starts_at="10:00",
            ends_at="11:00",
            remark="tandarts",
            registered_by=world.user("housing_worker"),
        )
        student.status = Student.Status.LEFT
        student.left_on = years_before(TODAY, years)
        student.save()
        students[years] = student
    return students


def test_it_counts_without_changing_anything_in_a_dry_run(left_students):
    with time_machine.travel(TODAY):
        counts = purge_expired(dry_run=True)
    assert counts.students_deleted == 1
    assert counts.attendance_deleted == 1
    assert counts.remarks_wiped == 6  # record, sick report and appointment of the 6- and 3-year leavers
    assert Student.objects.filter(id=left_students[6].id).exists()
    assert AttendanceRecord.objects.filter(remark="school-opmerking").count() == 3


def test_it_deletes_students_after_five_years_with_everything_about_them(left_students):
    gone = left_students[6]
    with time_machine.travel(TODAY):
        purge_expired()
    assert not Student.objects.filter(id=gone.id).exists()
    assert not AttendanceRecord.objects.filter(student_id=gone.id).exists()
    assert not Placement.objects.filter(student_id=gone.id).exists()
    assert not SickReport.objects.filter(student_id=gone.id).exists()
    assert not LogEntry.objects.filter(object_repr__contains="Vertrokken6").exists()
    assert Student.objects.filter(id=left_students[3].id).exists()


def test_it_wipes_remarks_after_two_years_but_keeps_the_absence(left_students):
    with time_machine.travel(TODAY):
        purge_expired()
    kept = AttendanceRecord.objects.get(student=left_students[3])
    assert (kept.remark, kept.explanation_remark, kept.reason, kept.lesson_hours_missed) == ("", "", "sick", 5)
    assert SickReport.objects.get(student=left_students[3]).remark == ""
    assert Appointment.objects.get(student=left_students[3]).remark == ""
    recent = AttendanceRecord.objects.get(student=left_students[1])
    assert recent.remark == "school-opmerking"


def test_it_keeps_active_students_whatever_their_age(world, left_students):
    with time_machine.travel(TODAY):
        purge_expired()
    assert Student.objects.filter(id=world.ward.id).exists()


def test_it_anonymises_contacts_inactive_for_two_years(db):
    person = ContactPersonFactory(
        name="Oud Collega", email="oud@coa.nl", is_active=False, inactive_since=date(2030, 1, 1)
    )
    UserFactory(username="oud", person=person)
    recent = ContactPersonFactory(name="Net Weg", is_active=False, inactive_since=date(2031, 6, 1))
    with time_machine.travel(TODAY):
        counts = purge_expired()
    assert counts.contacts_anonymised == 1
    person.refresh_from_db()
    assert person.name.startswith(ANONYMISED_NAME) and person.email == "" and person.phone == ""
    user = User.objects.get(person=person)
    assert not user.is_active and not user.has_usable_password() and user.username != "oud"
    assert ContactPerson.objects.get(id=recent.id).name == "Net Weg"
    with time_machine.travel(TODAY):
        assert purge_expired().contacts_anonymised == 0  # idempotent


def test_it_handles_29_february():
    assert years_before(date(2028, 2, 29), 5) == date(2023, 2, 28)


def test_it_prints_counts_from_the_command(left_students, capsys):
    with time_machine.travel(TODAY):
        call_command("purge_expired", "--dry-run")
    output = capsys.readouterr().out
    assert "Would delete 1 students" in output
    assert Student.objects.filter(id=left_students[6].id).exists()


def test_it_is_on_the_beat_schedule(settings):
    assert settings.CELERY_BEAT_SCHEDULE["purge-expired-data"]["task"] == "amvcoord.tasks.purge_expired"
