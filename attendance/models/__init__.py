"""The attendance app's models, in two modules: a school's rules, and the records of each day."""

from .records import MAX_MINUTES_LATE, REMARK_MAX_LENGTH, Appointment, AttendanceRecord, ExplanationRequest, SickReport
from .school_rules import DEFAULT_AUTHORISATION, AuthorisationRule, Reason, SchoolHoliday, SchoolPolicy

__all__ = [
    "DEFAULT_AUTHORISATION",
    "MAX_MINUTES_LATE",
    "REMARK_MAX_LENGTH",
    "Appointment",
    "AttendanceRecord",
    "AuthorisationRule",
    "ExplanationRequest",
    "Reason",
    "SchoolHoliday",
    "SchoolPolicy",
    "SickReport",
]
