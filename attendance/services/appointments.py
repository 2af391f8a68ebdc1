"""Appointments (doctor, IND, guardian) during school time: one away from school explains the absence that day."""

from datetime import date, time, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from students.access import can_report_for
from students.models import Student
from students.services import lock_student

from ..calendar import SchoolCalendar
from ..models import Appointment, AttendanceRecord
from .requests import explain_and_close, lock_records


@transaction.atomic
def appointment_create(
    *, student: Student, kind: str, day: date, starts_at: time, ends_at: time, at_school: bool, remark: str, actor
) -> Appointment:
    if not can_report_for(actor, student):
        raise ValidationError(_("U kunt alleen afspraken registreren voor jongeren van uw locatie of uw pupillen."))
    lock_student(student.id)
    calendar = SchoolCalendar(student.school_id)
    closed = calendar.closed_because(day)
    if closed:
        raise ValidationError(
            {"day": _("Dat is geen schooldag (%(why)s): dan is een afspraak geen verzuim.") % {"why": _(closed)}}
        )
    if day < timezone.localdate() - timedelta(days=calendar.policy.correction_window_days):
        raise ValidationError({"day": _("Deze datum ligt te ver in het verleden.")})
    appointment = Appointment(
        student=student,
        kind=kind,
        day=day,
        starts_at=starts_at,
        ends_at=ends_at,
        at_school=at_school,
        remark=remark.strip(),
        registered_by=actor,
    )
    appointment.full_clean()
    appointment.save()
    if not at_school:
        record = (
            lock_records(
                AttendanceRecord.objects.filter(
                    student=student, day=day, status=AttendanceRecord.Status.ABSENT, reason=""
                )
            )
            .select_related("student", "explanation_request")
            .first()
        )
        if record:
            record.appointment = appointment
            source = AttendanceRecord.Source.APPOINTMENT
            explain_and_close(record, reason=appointment.reason, source=source, actor=actor)
    return appointment
