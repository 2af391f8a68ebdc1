"""What django-auditlog records. Free-text remarks are masked: the log shows that they changed, not what they say."""

from auditlog.models import LogEntry
from auditlog.registry import auditlog
from django.apps import apps
from django.contrib.contenttypes.models import ContentType
from django.db.models import Q

AUDITED = {
    "contacts.Organisation": {},
    "contacts.Location": {},
    "contacts.ContactPerson": {"m2m_fields": {"locations"}},
    "contacts.User": {"exclude_fields": ["password", "last_login"]},
    "students.SchoolClass": {"m2m_fields": {"mentors"}},
    "students.Student": {},
    "students.Placement": {},
    "students.Guardianship": {},
    "attendance.SchoolPolicy": {},
    "attendance.AuthorisationRule": {},
    "attendance.SchoolHoliday": {},
    "attendance.AttendanceRecord": {"mask_fields": ["remark", "explanation_remark", "authorisation_note"]},
    "attendance.ExplanationRequest": {},
    "attendance.SickReport": {"mask_fields": ["remark"]},
    "attendance.Appointment": {"mask_fields": ["remark"]},
    "escalation.EscalationChain": {},
    "escalation.EscalationStep": {},
}


def mask_completely(value: str) -> str:
    """Replaces django-auditlog's default mask, which keeps the second half of the text readable."""
    return "***" if value else value


def register_audited_models():
    for label, options in AUDITED.items():
        auditlog.register(apps.get_model(label), **options)


def log_read(instance, *, page: str):
    """Record that the current user looked at `instance` (student page, chronology, export).

    The actor and remote address are filled in by auditlog's middleware, as for changes.
    """
    LogEntry.objects.log_create(instance, force_log=True, action=LogEntry.Action.ACCESS, additional_data={"page": page})


def audit_trail_for_student(student):
    """Every audit entry about a student and the rows that belong to them: reads and changes, newest first."""
    related = {
        "students.Student": [student.id],
        "students.Placement": student.placements.values("id"),
        "students.Guardianship": student.guardianships.values("id"),
        "attendance.AttendanceRecord": student.attendance_records.values("id"),
        "attendance.ExplanationRequest": student.explanation_requests.values("id"),
        "attendance.SickReport": student.sick_reports.values("id"),
        "attendance.Appointment": student.appointments.values("id"),
    }
    condition = Q()
    for label, ids in related.items():
        content_type = ContentType.objects.get_for_model(apps.get_model(label))
        condition |= Q(content_type=content_type, object_id__in=ids)
    return LogEntry.objects.filter(condition).select_related("actor__person", "content_type").order_by("-timestamp")


def log_reads(instances, *, page: str, actor):
    """Record that `actor` read many rows at once (an export), one access entry per row, in one insert."""
    instances = list(instances)
    if not instances:
        return
    content_type = ContentType.objects.get_for_model(instances[0])
    LogEntry.objects.bulk_create(
        [
            LogEntry(
                content_type=content_type,
                object_pk=str(instance.pk),
                object_id=instance.pk,
                object_repr=str(instance)[:200],
                action=LogEntry.Action.ACCESS,
                actor=actor,
                additional_data={"page": page},
            )
            for instance in instances
        ]
    )
