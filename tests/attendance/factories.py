"""factory_boy factories for the attendance models. Rows built here skip the services on purpose: they seed
history and edge cases; whatever a test is about goes through the service."""

from datetime import datetime, time

import factory
from django.utils import timezone

from attendance.calendar import AMSTERDAM
from attendance.models import (
    Appointment,
    AttendanceRecord,
    AuthorisationRule,
    ExplanationRequest,
    Reason,
    SchoolHoliday,
    SchoolPolicy,
    SickReport,
)
from tests.factories import SchoolFactory, StudentFactory, UserFactory


class SchoolPolicyFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolPolicy

    school = factory.SubFactory(SchoolFactory)


class SchoolHolidayFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SchoolHoliday

    school = factory.SubFactory(SchoolFactory)
    name = "Voorjaarsvakantie"
    first_day = factory.LazyFunction(timezone.localdate)
    last_day = factory.LazyAttribute(lambda holiday: holiday.first_day)


class AuthorisationRuleFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = AuthorisationRule

    school = factory.SubFactory(SchoolFactory)
    reason = Reason.FAMILY_RELIGIOUS
    authorised = True


class AttendanceRecordFactory(factory.django.DjangoModelFactory):
    """A present student, unless told otherwise. `absent=True` makes an unexplained absence of 5 lesson hours."""

    class Meta:
        model = AttendanceRecord

    class Params:
        absent = factory.Trait(status=AttendanceRecord.Status.ABSENT, lesson_hours_missed=5)

    student = factory.SubFactory(StudentFactory)
    day = factory.LazyFunction(timezone.localdate)
    school_class = factory.LazyAttribute(lambda record: record.student.school_class)
    status = AttendanceRecord.Status.PRESENT
    recorded_by = factory.SubFactory(UserFactory)
    updated_by = factory.SelfAttribute("recorded_by")


class ExplanationRequestFactory(factory.django.DjangoModelFactory):
    """An open request for an absence record (pass `record`, or get a fresh unexplained absence)."""

    class Meta:
        model = ExplanationRequest

    record = factory.SubFactory(AttendanceRecordFactory, absent=True)
    student = factory.SelfAttribute("record.student")
    day = factory.SelfAttribute("record.day")
    deadline = factory.LazyAttribute(lambda request: datetime.combine(request.day, time(12, 0), tzinfo=AMSTERDAM))


class SickReportFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SickReport

    student = factory.SubFactory(StudentFactory)
    first_day = factory.LazyFunction(timezone.localdate)
    reported_by = factory.SubFactory(UserFactory)


class AppointmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Appointment

    student = factory.SubFactory(StudentFactory)
    kind = Appointment.Kind.MEDICAL
    day = factory.LazyFunction(timezone.localdate)
    starts_at = time(10, 0)
    ends_at = time(11, 0)
    at_school = False
    registered_by = factory.SubFactory(UserFactory)
