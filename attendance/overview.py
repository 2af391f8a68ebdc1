"""Summaries of today: how the school's day goes, how far the rosters are, and a student's current situation."""

from dataclasses import dataclass
from datetime import date, timedelta

from django.db.models import Count, Q
from django.utils import timezone

from students import access
from students.models import Student

from .calendar import SchoolCalendar
from .models import Appointment, AttendanceRecord, SickReport


@dataclass
class SchoolDay:
    day: date
    is_school_day: bool
    absent: int = 0
    unexplained: int = 0


def school_day_summary(user, day: date) -> SchoolDay | None:
    """How the user's school's day is going: absences so far and how many nobody has explained yet. None for a
    role that does not oversee the school's day."""
    if not access.oversees_school_day(user):
        return None
    school_id = access.person_of(user).organisation_id
    counts = AttendanceRecord.objects.filter(
        student__school_id=school_id, day=day, status=AttendanceRecord.Status.ABSENT
    ).aggregate(absent=Count("id"), unexplained=Count("id", filter=Q(reason="")))
    return SchoolDay(day=day, is_school_day=SchoolCalendar(school_id).is_school_day(day), **counts)


def roster_progress(classes, day: date) -> dict[int, int]:
    """Per class: how many pupils already have a record for `day`."""
    return dict(
        AttendanceRecord.objects.filter(school_class__in=classes, day=day)
        .values("school_class")
        .annotate(saved=Count("id"))
        .values_list("school_class", "saved")
    )


@dataclass
class CurrentSituation:
    sick_report: SickReport | None
    hospital: bool
    appointments: list[Appointment]


def current_situation(user, student: Student) -> CurrentSituation:
    """What the team should know today about a student the user already fetched through a scoped selector: an
    open sick report (the hospital admission only for the roles that act on it) and appointments today and
    tomorrow."""
    today = timezone.localdate()
    sick_report = SickReport.objects.filter(student=student, last_day__isnull=True).first()
    appointments = list(
        Appointment.objects.filter(student=student, day__gte=today, day__lte=today + timedelta(days=1)).order_by(
            "day", "starts_at"
        )
    )
    hospital = bool(sick_report and sick_report.hospital_admission and access.can_see_health_details(user))
    return CurrentSituation(sick_report=sick_report, hospital=hospital, appointments=appointments)
