"""Writes of the daily attendance loop: roster, explanation requests and answers, sick reports, appointments,
decisions. Every function validates first, then changes rows inside one transaction.

One module per concern: `roster` (attendance_save), `explanations` (explanation_give), `sick_reports`,
`appointments`, `decisions`, and `requests` (what they share: explaining a record, opening and closing its
explanation request). Each write locks the pupil first (`students.services.lock_student`) and then the rows
below it, in the order documented there, so that no two writes, nor a write and the escalation sweep, deadlock.
"""

from .appointments import appointment_create
from .decisions import absence_decide
from .explanations import explanation_give
from .requests import authorisation_defaults
from .roster import RowInput, attendance_save, validate_roster_day
from .sick_reports import sick_report_admit_to_hospital, sick_report_close, sick_report_create

__all__ = [
    "RowInput",
    "absence_decide",
    "appointment_create",
    "attendance_save",
    "authorisation_defaults",
    "explanation_give",
    "sick_report_admit_to_hospital",
    "sick_report_close",
    "sick_report_create",
    "validate_roster_day",
]
