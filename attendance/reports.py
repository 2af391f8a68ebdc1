"""The absence report of the care coordinator: one filter and one set of rows for the decisions page and its CSV.

Reason categories only: remarks and health details never leave the app."""

import csv
import io
from dataclasses import dataclass
from datetime import timedelta
from functools import cached_property

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from students import access

from .forms import DecisionFilterForm
from .models import AttendanceRecord
from .selectors import absences_for_decision

# Lazy: the header is translated when a file is written, in that person's language, not at import.
EXPORT_COLUMNS = [
    gettext_lazy("datum"),
    gettext_lazy("leerlingnummer"),
    gettext_lazy("voornaam"),
    gettext_lazy("achternaam"),
    gettext_lazy("klas"),
    gettext_lazy("lesuren gemist"),
    gettext_lazy("reden"),
    gettext_lazy("geoorloofd"),
    gettext_lazy("afwijkend beoordeeld"),
]


@dataclass
class AbsenceReport:
    filters: DecisionFilterForm
    absences: QuerySet[AttendanceRecord]

    @classmethod
    def for_user(cls, user, params) -> "AbsenceReport":
        """The absences the filter (`params`: the query string) selects among those the user may judge."""
        filters = DecisionFilterForm(params or None)
        cleaned = filters.cleaned_data if filters.is_valid() else {}
        since = timezone.localdate() - timedelta(weeks=cleaned.get("weeks") or 4)
        return cls(filters, absences_for_decision(user, since=since, only=cleaned.get("only", "")))

    @staticmethod
    def is_available_to(user) -> bool:
        return access.can_export_absences(user)

    def filename(self) -> str:
        return f"verzuim-{timezone.localdate().isoformat()}.csv"

    @cached_property
    def rows(self) -> list[AttendanceRecord]:
        return list(self.absences)

    def students(self):
        """Every student in the report, once: each is logged as read when the report leaves the app."""
        return {record.student_id: record.student for record in self.rows}.values()

    def as_csv(self) -> str:
        output = io.StringIO()
        writer = csv.writer(output, delimiter=";")
        writer.writerow([str(column) for column in EXPORT_COLUMNS])
        for record in self.rows:
            writer.writerow(
                [
                    record.day.isoformat(),
                    _csv_safe(record.student.student_number),
                    _csv_safe(record.student.given_name),
                    _csv_safe(record.student.family_name),
                    _csv_safe(record.school_class.name if record.school_class else ""),
                    record.lesson_hours_missed,
                    record.get_reason_display() if record.reason else _("niet toegelicht"),
                    _("ja") if record.authorised else _("nee"),
                    _("ja") if record.authorisation_overridden else _("nee"),
                ]
            )
        return output.getvalue()


def _csv_safe(value: str) -> str:
    """Spreadsheets execute cells that start with = + - @: prefix them so a name can never be a formula."""
    return f"'{value}" if value[:1] in ("=", "+", "-", "@", "\t", "\r") else value
