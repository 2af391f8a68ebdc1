"""What django-auditlog records. Free-text remarks are masked: the log shows that they changed, not what they say."""

from auditlog.registry import auditlog
from django.apps import apps

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
}


def register_audited_models():
    for label, options in AUDITED.items():
        auditlog.register(apps.get_model(label), **options)
