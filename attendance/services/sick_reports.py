"""Sick reports (ziekmelding), a hospital admission after one, and the betermelding that ends one."""

from datetime import date, timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from students.access import can_report_for
from students.models import Student
from students.services import lock_student

from .. import signals
from ..models import AttendanceRecord, Reason, SickReport
from .requests import ask_again, explain_and_close, lock_records


@transaction.atomic
def sick_report_create(
    *, student: Student, first_day: date, expected_back: date | None, hospital_admission: bool, remark: str, actor
) -> SickReport:
    today = timezone.localdate()
    if not can_report_for(actor, student):
        raise ValidationError(
            _("U kunt alleen een ziekmelding doen voor jongeren die nu op uw locatie wonen of uw pupil zijn.")
        )
    if first_day > today:
        raise ValidationError({"first_day": _("Een ziekmelding kan niet in de toekomst beginnen.")})
    if first_day < today - timedelta(days=30):
        raise ValidationError({"first_day": _("Een ziekmelding kan maximaal 30 dagen terug beginnen.")})
    lock_student(student.id)
    current = SickReport.objects.filter(student=student, last_day__isnull=True).first()
    if current:
        raise ValidationError(
            _("%(name)s is al ziek gemeld sinds %(date)s. Meld eerst beter of pas die melding aan.")
            % {"name": student.full_name, "date": date_format(current.first_day)}
        )
    now = timezone.now()
    report = SickReport(
        hospital_reported_at=now if hospital_admission else None,
        student=student,
        first_day=first_day,
        expected_back=expected_back,
        hospital_admission=hospital_admission,
        remark=remark.strip(),
        reported_by=actor,
    )
    report.full_clean()
    report.save()
    unexplained = lock_records(
        AttendanceRecord.objects.filter(
            student=student, day__gte=first_day, day__lte=today, status=AttendanceRecord.Status.ABSENT, reason=""
        )
    ).select_related("student", "explanation_request")
    for record in unexplained:
        source = AttendanceRecord.Source.SICK_REPORT
        explain_and_close(record, reason=Reason.SICK, source=source, actor=actor, now=now, sick_report=report)
    if hospital_admission:
        _tell_school_urgently(report)
    return report


def _tell_school_urgently(report: SickReport):
    """School must hear at once (the escalation app tells the mentor and care coordinator in the app)."""
    signals.hospital_admission_reported.send(sender=SickReport, sick_report=report)


@transaction.atomic
def sick_report_admit_to_hospital(*, report: SickReport, actor) -> SickReport:
    """A sick student was admitted to hospital after the sick report: school must know at once."""
    lock_student(report.student_id)
    report = SickReport.objects.select_for_update(of=("self",), no_key=True).select_related("student").get(id=report.id)
    if not can_report_for(actor, report.student):
        raise ValidationError(_("U kunt alleen meldingen doen voor jongeren van uw eigen locatie of uw pupillen."))
    if report.last_day is not None:
        raise ValidationError(_("Deze ziekmelding is al afgesloten. Doe een nieuwe ziekmelding."))
    if report.hospital_admission:
        return report
    report.hospital_admission = True
    report.hospital_reported_at = timezone.now()
    report.save(update_fields=["hospital_admission", "hospital_reported_at"])
    _tell_school_urgently(report)
    return report


@transaction.atomic
def sick_report_close(*, report: SickReport, back_on: date, actor) -> SickReport:
    """Betermelding: the student is back at school on `back_on`; the day before was the last sick day.

    An absence after that day which the report explained is unexplained again: school asks the location and
    guardian why the student was not there.
    """
    lock_student(report.student_id)
    report = SickReport.objects.select_for_update(no_key=True).get(id=report.id)
    if not can_report_for(actor, report.student):
        raise ValidationError(_("U kunt alleen jongeren van uw eigen locatie of uw pupillen beter melden."))
    if report.last_day is not None:
        raise ValidationError(_("Deze ziekmelding is al afgesloten."))
    if back_on <= report.first_day:
        raise ValidationError({"back_on": _("'Weer op school' moet na de eerste ziektedag liggen.")})
    if back_on > timezone.localdate() + timedelta(days=14):
        raise ValidationError({"back_on": _("Een betermelding kan maximaal twee weken vooruit.")})
    now = timezone.now()
    report.last_day = back_on - timedelta(days=1)
    report.closed_by = actor
    report.closed_at = now
    report.save(update_fields=["last_day", "closed_by", "closed_at"])
    no_longer_covered = lock_records(
        AttendanceRecord.objects.filter(
            sick_report=report, day__gt=report.last_day, status=AttendanceRecord.Status.ABSENT
        )
    ).select_related("student", "explanation_request")
    ask_again(list(no_longer_covered), now=now)
    return report
