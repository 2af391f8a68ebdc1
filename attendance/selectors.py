"""Reads of the daily attendance loop, scoped to the asking user's relationship with the students.

Who may do what is `students.access`; the roster is `attendance.roster`, the chronology `attendance.chronology`,
the summaries of today `attendance.overview`.
"""

from dataclasses import dataclass
from datetime import date

from django.db.models import Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy as _

from students import access
from students.models import SchoolClass, Student

from .models import Appointment, AttendanceRecord, ExplanationRequest, SickReport


def school_class_for_roster_or_404(user, class_id) -> SchoolClass:
    try:
        return access.roster_classes_for(user).select_related("location").get(id=class_id)
    except (SchoolClass.DoesNotExist, ValueError) as missing:
        raise Http404(_("Klas niet gevonden.")) from missing


# -- facts that explain an absence before anybody asks ---------------------------------------------------------


def open_sick_reports_on(student_ids, day: date) -> QuerySet[SickReport]:
    return SickReport.objects.filter(student_id__in=student_ids, first_day__lte=day).filter(
        Q(last_day__isnull=True) | Q(last_day__gte=day)
    )


def appointments_on(student_ids, day: date) -> QuerySet[Appointment]:
    return Appointment.objects.filter(student_id__in=student_ids, day=day).order_by("starts_at")


def appointments_explaining(student_ids, day: date) -> dict[int, Appointment]:
    """Per student, the first appointment away from school on `day` (one at school explains no absence)."""
    explaining = {}
    for appointment in appointments_on(student_ids, day).filter(at_school=False):
        explaining.setdefault(appointment.student_id, appointment)
    return explaining


# -- the housing inbox ------------------------------------------------------------------------------------------


@dataclass
class InboxEntry:
    student: Student
    requests: list[ExplanationRequest]
    # False for a former resident: the request is still this location's to answer, the student page is not.
    is_current: bool = True


def _open_requests_addressed_to(user) -> QuerySet[ExplanationRequest]:
    return ExplanationRequest.objects.filter(
        access.requests_addressed_to_q(user), status=ExplanationRequest.Status.OPEN
    )


def inbox(user) -> list[InboxEntry]:
    """Open explanation requests addressed to the user's locations (or to them as guardian), oldest first,
    grouped per student so several days can be answered at once."""
    requests = (
        _open_requests_addressed_to(user)
        .select_related("student__school_class", "record__recorded_by__person", "location")
        .order_by("day", "id")
    )
    entries = {}
    for request in requests:
        entries.setdefault(request.student_id, InboxEntry(request.student, [])).requests.append(request)
    if entries:
        current = set(access.students_visible_to(user).filter(id__in=list(entries)).values_list("id", flat=True))
        for student_id, entry in entries.items():
            entry.is_current = student_id in current
    return list(entries.values())


def inbox_count(user) -> int:
    return _open_requests_addressed_to(user).count()


def open_sick_reports_for(user) -> QuerySet[SickReport]:
    """Open sick reports of the students this user may report for (to send a betermelding)."""
    return (
        SickReport.objects.filter(last_day__isnull=True, student__in=access.reportable_students(user))
        .select_related("student")
        .order_by("first_day")
    )


def sick_report_for_user_or_404(user, report_id) -> SickReport:
    try:
        return open_sick_reports_for(user).get(id=report_id)
    except (SickReport.DoesNotExist, ValueError) as missing:
        raise Http404(_("Ziekmelding niet gevonden.")) from missing


def student_with_requests_for_or_404(user, student_id) -> Student:
    """A student about whom requests were addressed to this user (their location, or them as guardian)."""
    addressed = ExplanationRequest.objects.filter(access.requests_addressed_to_q(user), student_id=student_id)
    student = Student.objects.filter(id__in=addressed.values("student_id")).first()
    if student is None:
        raise Http404(_("Leerling niet gevonden."))
    return student


def requests_for_answer(user, request_ids) -> list[ExplanationRequest]:
    return list(ExplanationRequest.objects.filter(access.requests_addressed_to_q(user), id__in=request_ids))


# -- the care coordinator's decisions ---------------------------------------------------------------------------


def absences_for_decision(user, *, since: date, only: str = "") -> QuerySet[AttendanceRecord]:
    """Absences the user may judge (their own school's, for a care coordinator) since a date, newest first."""
    absences = AttendanceRecord.objects.filter(
        access.absences_to_decide_q(user), status=AttendanceRecord.Status.ABSENT, day__gte=since
    )
    if only == "unexplained":
        absences = absences.filter(reason="")
    elif only == "unauthorised":
        absences = absences.filter(authorised=False)
    elif only == "overridden":
        absences = absences.filter(authorisation_overridden=True)
    return absences.select_related("student", "school_class", "explained_by__person", "decided_by__person").order_by(
        "-day", "student__family_name", "id"
    )


def absence_for_user_or_404(user, record_id) -> AttendanceRecord:
    try:
        return (
            AttendanceRecord.objects.select_related("student")
            .filter(student__in=access.students_visible_to(user))
            .get(id=record_id, status=AttendanceRecord.Status.ABSENT)
        )
    except (AttendanceRecord.DoesNotExist, ValueError) as missing:
        raise Http404(_("Registratie niet gevonden.")) from missing
