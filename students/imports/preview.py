"""What an import would do, row by row, without writing anything: the preview a person checks before applying.

The preview carries typed values (dates as `date`, a class as its id), so the apply step reads no file again and
parses nothing: it creates the CREATE rows, applies the `changes` of the UPDATE rows through the lifecycle
services, and refuses to start while `has_errors`.
"""

from collections import Counter, defaultdict
from dataclasses import dataclass, replace
from datetime import date
from typing import Generic, TypeVar

from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from contacts.models import Organisation
from students.models import ONDERWIJSNUMMER_VALIDATOR, ImportMapping, SchoolClass, Student
from students.models import StudentImportField as Field

from .cells import CellError, as_text, parse_date, row_message, show_date, text
from .mapping import ColumnMapping, resolve_columns
from .reader import SourceRow, SourceTable

# Older than this is no pupil of an ISK (or of any secondary school): a date of birth typed wrong.
MAX_PUPIL_AGE = 25

Values = TypeVar("Values")


class Outcome(models.TextChoices):
    CREATE = "create", gettext_lazy("nieuw")
    UPDATE = "update", gettext_lazy("gewijzigd")
    UNCHANGED = "unchanged", gettext_lazy("ongewijzigd")
    ERROR = "error", gettext_lazy("fout")


@dataclass(frozen=True)
class FieldChange:
    """One stored field that the import would change; `shown_*` are for people (a class's name, a masked number)."""

    field: str
    old: object
    new: object
    shown_old: str
    shown_new: str


@dataclass(frozen=True)
class PreviewRow(Generic[Values]):
    """One data row of the file. `values` is the whole intended state (stored values where the file has no
    column); it is None for an ERROR row. `existing_id` is the stored row an UPDATE or UNCHANGED row matches."""

    line: int
    outcome: Outcome
    values: Values | None = None
    existing_id: int | None = None
    changes: tuple[FieldChange, ...] = ()
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class MissingStudent:
    """An enrolled pupil of the school that a full export leaves out: "vertrokken?", for a person to confirm."""

    id: int
    student_number: str
    full_name: str


@dataclass(frozen=True)
class ImportPreview(Generic[Values]):
    kind: str
    provided: frozenset[str]
    rows: tuple[PreviewRow[Values], ...]
    file_errors: tuple[str, ...] = ()
    missing: tuple[MissingStudent, ...] = ()

    @property
    def has_errors(self) -> bool:
        return bool(self.file_errors) or any(row.outcome == Outcome.ERROR for row in self.rows)

    @property
    def counts(self) -> dict[Outcome, int]:
        counted = Counter(row.outcome for row in self.rows)
        return {outcome: counted[outcome] for outcome in Outcome}

    @property
    def errors(self) -> list[str]:
        return [*self.file_errors, *(error for row in self.rows for error in row.errors)]

    @property
    def rows_to_apply(self) -> list[PreviewRow[Values]]:
        return [row for row in self.rows if row.outcome in (Outcome.CREATE, Outcome.UPDATE)]


def file_error_preview(kind: str, mapping: ColumnMapping, rows: list[SourceRow]) -> ImportPreview:
    """Without its required columns a file has no rows to judge; the reader's own row errors still show."""
    return ImportPreview(
        kind=kind,
        provided=mapping.provided,
        rows=tuple(PreviewRow(line=row.line, outcome=Outcome.ERROR, errors=row.errors) for row in rows if row.errors),
        file_errors=mapping.errors,
    )


def repeated_keys(rows: list[SourceRow], key_of) -> dict[str, list[int]]:
    """Keys that more than one row of the file has, with those rows' line numbers."""
    lines = defaultdict(list)
    for row in rows:
        if key := key_of(row):
            lines[key].append(row.line)
    return {key: found for key, found in lines.items() if len(found) > 1}


def repeated_error(line: int, label: str, key: str, lines: list[int]) -> str:
    return row_message(
        line,
        _("%(field)s %(value)s staat meer dan één keer in het bestand (rijen %(lines)s)")
        % {"field": label, "value": key, "lines": ", ".join(map(str, lines))},
    )


def parse_cells(row: SourceRow, columns: ColumnMapping, parsers: dict, errors: list) -> dict:
    """Field → typed value for each cell its parser accepts; a refused cell adds its message to `errors`."""
    parsed = {}
    for field, parse in parsers.items():
        try:
            parsed[field] = parse(columns.cell(row, field))
        except CellError as error:
            errors.append(row_message(row.line, str(error)))
    return parsed


def field_changes(values, old_of, shown) -> tuple[FieldChange, ...]:
    """The fields of `values` that differ from what is stored (`old_of(field)`), as old and new."""
    return tuple(
        FieldChange(field, old, new, shown(field, old), shown(field, new))
        for field, new in vars(values).items()
        if (old := old_of(field)) != new
    )


def judged_row(line: int, *, values, existing_id: int | None, changes) -> PreviewRow:
    if existing_id is None:
        return PreviewRow(line=line, outcome=Outcome.CREATE, values=values)
    outcome = Outcome.UPDATE if changes else Outcome.UNCHANGED
    return PreviewRow(line=line, outcome=outcome, values=values, existing_id=existing_id, changes=changes)


@dataclass(frozen=True)
class StudentValues:
    student_number: str
    given_name: str
    tussenvoegsel: str
    family_name: str
    date_of_birth: date
    school_class_id: int | None
    enrolled_on: date
    left_on: date | None
    onderwijsnummer: str


def preview_students(
    *,
    school: Organisation,
    table: SourceTable,
    mapping: ImportMapping | dict | None = None,
    full_export: bool = False,
    today: date | None = None,
) -> ImportPreview[StudentValues]:
    """Judge every row of a pupil export of `school`; upsert key (school, student number). Two queries in all."""
    columns = resolve_columns(ImportMapping.Kind.STUDENTS, table.headers, mapping, organisation=school)
    if columns.errors:
        return file_error_preview(ImportMapping.Kind.STUDENTS, columns, table.rows)
    judge = _StudentJudge(school=school, columns=columns, today=today or timezone.localdate(), rows=table.rows)
    rows = tuple(judge.row(row) for row in table.rows)
    missing = ()
    if full_export:
        in_file = {judge.number(row) for row in table.rows}
        missing = tuple(
            MissingStudent(id=student.id, student_number=student.student_number, full_name=student.full_name)
            for student in judge.stored.values()
            if student.status == Student.Status.ACTIVE and student.student_number not in in_file
        )
    return ImportPreview(kind=ImportMapping.Kind.STUDENTS, provided=columns.provided, rows=rows, missing=missing)


class _StudentJudge:
    """Holds what every row is checked against: the school's classes and pupils, read once."""

    def __init__(self, *, school, columns: ColumnMapping, today: date, rows: list[SourceRow]):
        self.columns = columns
        self.today = today
        self.classes = defaultdict(list)
        for school_class in SchoolClass.objects.filter(location__organisation=school).only("id", "name"):
            self.classes[school_class.name.strip().casefold()].append(school_class)
        self.class_names = {c.id: c.name for found in self.classes.values() for c in found}
        self.stored = {student.student_number: student for student in Student.objects.filter(school=school)}
        self.repeated = repeated_keys(rows, self.number)
        self.parsers = self._parsers()

    def number(self, row: SourceRow) -> str:
        return as_text(self.columns.cell(row, Field.STUDENT_NUMBER))

    def row(self, row: SourceRow) -> PreviewRow[StudentValues]:
        errors = list(row.errors)
        number = self.number(row)
        if number in self.repeated:
            errors.append(repeated_error(row.line, Field.STUDENT_NUMBER.label, number, self.repeated[number]))
        parsed = parse_cells(row, self.columns, self.parsers, errors)
        stored = self.stored.get(number)
        if not errors:
            values = self.values(parsed, stored)
            errors.extend(row_message(row.line, message) for message in self.rule_errors(values, stored))
        if errors:
            return PreviewRow(line=row.line, outcome=Outcome.ERROR, errors=tuple(errors))
        if stored is None:
            return judged_row(row.line, values=values, existing_id=None, changes=())
        changes = field_changes(values, lambda field: getattr(stored, field), self.shown)
        return judged_row(row.line, values=values, existing_id=stored.id, changes=changes)

    def _parsers(self):
        """Field → parse(cell) for the fields this file provides."""

        def text_of(field, max_length, required=False):
            return lambda cell: text(cell, label=field.label, max_length=max_length, required=required)

        def date_of(field, required=False):
            return lambda cell: parse_date(cell, label=field.label, required=required)

        parsers = {
            Field.STUDENT_NUMBER: text_of(Field.STUDENT_NUMBER, 20, required=True),
            Field.GIVEN_NAME: text_of(Field.GIVEN_NAME, 100, required=True),
            Field.TUSSENVOEGSEL: text_of(Field.TUSSENVOEGSEL, 30),
            Field.FAMILY_NAME: text_of(Field.FAMILY_NAME, 100, required=True),
            Field.DATE_OF_BIRTH: date_of(Field.DATE_OF_BIRTH, required=True),
            Field.SCHOOL_CLASS: self.school_class_id,
            Field.ENROLLED_ON: date_of(Field.ENROLLED_ON, required=True),
            Field.LEFT_ON: date_of(Field.LEFT_ON),
            Field.ONDERWIJSNUMMER: onderwijsnummer,
        }
        return {field: parse for field, parse in parsers.items() if field in self.columns.provided}

    def school_class_id(self, cell) -> int | None:
        name = text(cell, label=Field.SCHOOL_CLASS.label, max_length=60)
        if not name:
            return None
        found = self.classes.get(name.casefold(), [])
        if not found:
            raise CellError(_("klas '%(name)s' bestaat niet op deze school") % {"name": name})
        if len(found) > 1:
            raise CellError(
                _("klas '%(name)s' bestaat op meer dan één locatie van deze school; geef de klassen een eigen naam")
                % {"name": name}
            )
        return found[0].id

    def values(self, parsed: dict, stored: Student | None) -> StudentValues:
        """The intended state: the file's value where it has the column, else the stored one (or none yet)."""

        def pick(field, attribute, default):
            if field in parsed:
                return parsed[field]
            return getattr(stored, attribute) if stored else default

        values = StudentValues(
            student_number=parsed[Field.STUDENT_NUMBER],
            given_name=parsed[Field.GIVEN_NAME],
            tussenvoegsel=pick(Field.TUSSENVOEGSEL, "tussenvoegsel", ""),
            family_name=parsed[Field.FAMILY_NAME],
            date_of_birth=parsed[Field.DATE_OF_BIRTH],
            school_class_id=pick(Field.SCHOOL_CLASS, "school_class_id", None),
            enrolled_on=parsed[Field.ENROLLED_ON],
            left_on=pick(Field.LEFT_ON, "left_on", None),
            onderwijsnummer=pick(Field.ONDERWIJSNUMMER, "onderwijsnummer", ""),
        )
        # A pupil who has left, or leaves with this file, keeps the class they had: classes are for pupils at school.
        if stored and (stored.status == Student.Status.LEFT or values.left_on):
            values = replace(values, school_class_id=stored.school_class_id)
        return values

    def rule_errors(self, values: StudentValues, stored: Student | None) -> list[str]:
        errors = []
        born = values.date_of_birth
        if born > self.today:
            errors.append(_("geboortedatum %(date)s ligt in de toekomst") % {"date": show_date(born)})
        elif _age(born, self.today) > MAX_PUPIL_AGE:
            errors.append(
                _("geboortedatum %(date)s: de leerling zou ouder zijn dan %(age)s jaar")
                % {"date": show_date(born), "age": MAX_PUPIL_AGE}
            )
        left = values.left_on
        if left and left < values.enrolled_on:
            errors.append(
                _("datum uitschrijving %(left)s ligt vóór de datum inschrijving %(enrolled)s")
                % {"left": show_date(left), "enrolled": show_date(values.enrolled_on)}
            )
        stored_left = stored.left_on if stored and stored.status == Student.Status.LEFT else None
        if left and left > self.today and left != stored_left:
            errors.append(
                _("datum uitschrijving %(date)s ligt in de toekomst; schrijf de leerling uit op of na die dag")
                % {"date": show_date(left)}
            )
        if stored_left and left != stored_left and Field.LEFT_ON in self.columns.provided:
            errors.append(
                _(
                    "leerling %(number)s is al uitgeschreven op %(date)s; opnieuw inschrijven of de datum "
                    "wijzigen kan niet via een import"
                )
                % {"number": values.student_number, "date": show_date(stored_left)}
            )
        return errors

    def shown(self, attribute: str, value) -> str:
        if value is None or value == "":
            return "–"
        if attribute == "school_class_id":
            return self.class_names.get(value, "?")
        if attribute == "onderwijsnummer":
            return Student(onderwijsnummer=value).masked_onderwijsnummer
        return show_date(value) if isinstance(value, date) else str(value)


def onderwijsnummer(cell) -> str:
    value = text(cell, label=Field.ONDERWIJSNUMMER.label, max_length=20).replace(" ", "")
    if value:
        try:
            ONDERWIJSNUMMER_VALIDATOR(value)
        except ValidationError:
            # The number identifies the pupil nationally: the message does not repeat it.
            raise CellError(_("onderwijsnummer moet uit 9 cijfers bestaan")) from None
    return value


def _age(born: date, today: date) -> int:
    return today.year - born.year - ((today.month, today.day) < (born.month, born.day))
