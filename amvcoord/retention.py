"""Retention (AVG): delete or anonymise what has been kept long enough.

- Students who left more than RETENTION_ABSENCE_YEARS ago are deleted with everything about them (attendance,
  explanations, sick reports, appointments, placements, guardianships, escalations, notifications) and with
  their audit-log entries, which would otherwise keep their names.
- Free-text remarks and care notes of students who left more than RETENTION_CARE_NOTES_YEARS ago are wiped.
- Contact persons inactive for more than RETENTION_INACTIVE_CONTACT_YEARS are anonymised (they are still
  referenced by history, so they are not deleted) and their login is disabled.
"""

from dataclasses import dataclass
from datetime import date

from auditlog.context import disable_auditlog
from auditlog.models import LogEntry
from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from attendance.models import Appointment, AttendanceRecord, ExplanationRequest, SickReport
from contacts.models import ContactPerson, User
from students.models import Guardianship, Placement, Student

ANONYMISED_NAME = "Voormalig contactpersoon"


@dataclass
class PurgeCounts:
    students_deleted: int = 0
    attendance_deleted: int = 0
    remarks_wiped: int = 0
    contacts_anonymised: int = 0


def years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _expired_students(today):
    return Student.objects.filter(
        status=Student.Status.LEFT, left_on__lt=years_before(today, settings.RETENTION_ABSENCE_YEARS)
    )


def _notes_to_wipe(today):
    left_long_ago = Student.objects.filter(
        status=Student.Status.LEFT, left_on__lt=years_before(today, settings.RETENTION_CARE_NOTES_YEARS)
    )
    return {
        AttendanceRecord: (
            AttendanceRecord.objects.filter(student__in=left_long_ago).filter(
                ~Q(remark="") | ~Q(explanation_remark="") | ~Q(authorisation_note="")
            ),
            {"remark": "", "explanation_remark": "", "authorisation_note": ""},
        ),
        SickReport: (SickReport.objects.filter(student__in=left_long_ago).exclude(remark=""), {"remark": ""}),
        Appointment: (Appointment.objects.filter(student__in=left_long_ago).exclude(remark=""), {"remark": ""}),
    }


def _contacts_to_anonymise(today):
    return ContactPerson.objects.filter(
        is_active=False,
        inactive_since__lt=years_before(today, settings.RETENTION_INACTIVE_CONTACT_YEARS),
    ).exclude(name__startswith=ANONYMISED_NAME)


def purge_expired(*, today: date | None = None, dry_run: bool = False) -> PurgeCounts:
    today = today or timezone.localdate()
    students = _expired_students(today)
    notes = _notes_to_wipe(today)
    contacts = _contacts_to_anonymise(today)
    counts = PurgeCounts(
        students_deleted=students.count(),
        attendance_deleted=AttendanceRecord.objects.filter(student__in=students).count(),
        remarks_wiped=sum(queryset.count() for queryset, _blank in notes.values()),
        contacts_anonymised=contacts.count(),
    )
    if dry_run:
        return counts
    with transaction.atomic(), disable_auditlog():
        _delete_audit_trail(students)
        students.delete()
        for queryset, blank in notes.values():
            queryset.update(**blank)
        for person in contacts:
            _anonymise(person)
    return counts


def _delete_audit_trail(students):
    """Audit entries keep an object's name; those of deleted students and their records go with them."""
    related = {
        Student: students.values("id"),
        AttendanceRecord: AttendanceRecord.objects.filter(student__in=students).values("id"),
        ExplanationRequest: ExplanationRequest.objects.filter(student__in=students).values("id"),
        SickReport: SickReport.objects.filter(student__in=students).values("id"),
        Appointment: Appointment.objects.filter(student__in=students).values("id"),
        Placement: Placement.objects.filter(student__in=students).values("id"),
        Guardianship: Guardianship.objects.filter(student__in=students).values("id"),
    }
    for model, ids in related.items():
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(model), object_id__in=ids).delete()


def _anonymise(person: ContactPerson):
    person.name = f"{ANONYMISED_NAME} {person.id}"
    person.phone = person.email = person.reachable_when = person.function = ""
    person.save(update_fields=["name", "phone", "email", "reachable_when", "function"])
    User.objects.filter(person=person).update(is_active=False, password="!", username=f"anonymised-{person.id}")
    LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(ContactPerson), object_id=person.id).delete()
