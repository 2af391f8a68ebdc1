"""The preview of a partner's staff list (a COA location's staff, a Nidos region's guardians): same reader, same
mapping, same ImportPreview as pupils. Upsert key (organisation, lower(e-mail))."""

import re
from collections import defaultdict
from dataclasses import dataclass

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.utils.translation import gettext as _

from contacts.models import ROLE_ORGANISATION_KINDS, ContactPerson, Location, Organisation, Role
from students.models import ContactImportField as Field
from students.models import ImportMapping

from .cells import CellError, as_text, row_message, text
from .mapping import ColumnMapping, normalise, resolve_columns
from .preview import (
    FieldChange,
    ImportPreview,
    Outcome,
    PreviewRow,
    field_changes,
    file_error_preview,
    judged_row,
    parse_cells,
    repeated_error,
    repeated_keys,
)
from .reader import SourceRow, SourceTable

# The words staff lists use for a role, in Dutch; a word that names roles on both sides ("mentor": a school's
# mentor, or what COA calls a woonbegeleider) becomes the one that fits the organisation.
ROLE_WORDS = {
    "mentor": (Role.MENTOR, Role.HOUSING_WORKER),
    "schoolmentor": (Role.MENTOR,),
    "zorgcoördinator": (Role.CARE_COORDINATOR,),
    "verzuimcoördinator": (Role.CARE_COORDINATOR,),
    "schoolleiding": (Role.SCHOOL_MANAGEMENT,),
    "teamleider": (Role.SCHOOL_MANAGEMENT,),
    "directeur": (Role.SCHOOL_MANAGEMENT,),
    "woonbegeleider": (Role.HOUSING_WORKER,),
    "COA-mentor": (Role.HOUSING_WORKER,),
    "locatiemanager": (Role.LOCATION_MANAGER,),
    "voogd": (Role.GUARDIAN,),
    "jeugdbeschermer": (Role.GUARDIAN,),
    "teammanager": (Role.GUARDIAN_TEAM_MANAGER,),
    "teammanager voogdij": (Role.GUARDIAN_TEAM_MANAGER,),
    "leerplichtambtenaar": (Role.ATTENDANCE_OFFICER,),
}
ROLES_BY_WORD = {normalise(word): roles for word, roles in ROLE_WORDS.items()}
# Admin rights are given by a person in the app, never by a line in a file.
NOT_IMPORTED = {normalise(word) for word in ("beheerder", "admin", "functioneel beheerder")}
LOCATION_SEPARATORS = re.compile(r"\s*[;,|]\s*")


@dataclass(frozen=True)
class ContactValues:
    name: str
    role: str
    function: str
    phone: str
    email: str
    location_ids: tuple[int, ...]
    is_active: bool = True


def preview_contacts(
    *, organisation: Organisation, table: SourceTable, mapping: ImportMapping | dict | None = None
) -> ImportPreview[ContactValues]:
    """Judge every row of `organisation`'s staff list. Three queries in all."""
    columns = resolve_columns(ImportMapping.Kind.CONTACTS, table.headers, mapping, organisation=organisation)
    if columns.errors:
        return file_error_preview(ImportMapping.Kind.CONTACTS, columns, table.rows)
    judge = _ContactJudge(organisation=organisation, columns=columns, rows=table.rows)
    return ImportPreview(
        kind=ImportMapping.Kind.CONTACTS,
        provided=columns.provided,
        rows=tuple(judge.row(row) for row in table.rows),
    )


class _ContactJudge:
    def __init__(self, *, organisation, columns: ColumnMapping, rows: list[SourceRow]):
        self.organisation = organisation
        self.columns = columns
        self.locations = {
            location.name.strip().casefold(): location
            for location in Location.objects.filter(organisation=organisation).only("id", "name")
        }
        self.location_names = {location.id: location.name for location in self.locations.values()}
        self.stored = defaultdict(list)
        for person in ContactPerson.objects.filter(organisation=organisation).prefetch_related("locations"):
            self.stored[person.email.strip().casefold()].append(person)
        self.repeated = repeated_keys(rows, self.key)
        self.parsers = self._parsers()

    def key(self, row: SourceRow) -> str:
        return as_text(self.columns.cell(row, Field.EMAIL)).strip().casefold()

    def row(self, row: SourceRow) -> PreviewRow[ContactValues]:
        errors = list(row.errors)
        key = self.key(row)
        if key in self.repeated:
            errors.append(repeated_error(row.line, Field.EMAIL.label, key, self.repeated[key]))
        stored = self.stored.get(key, []) if key else []
        if len(stored) > 1:
            errors.append(
                row_message(
                    row.line,
                    _(
                        "bij %(organisation)s hebben %(count)s contactpersonen het e-mailadres %(email)s; "
                        "maak dat eerst in orde"
                    )
                    % {"organisation": self.organisation.name, "count": len(stored), "email": key},
                )
            )
        parsed = parse_cells(row, self.columns, self.parsers, errors)
        if errors:
            return PreviewRow(line=row.line, outcome=Outcome.ERROR, errors=tuple(errors))
        if not stored:
            return judged_row(row.line, values=self.values(parsed, None), existing_id=None, changes=())
        person = stored[0]
        values = self.values(parsed, person)
        return judged_row(row.line, values=values, existing_id=person.id, changes=self.changes(person, values))

    def _parsers(self):
        parsers = {
            Field.NAME: lambda cell: text(cell, label=Field.NAME.label, max_length=200, required=True),
            Field.ROLE: self.role,
            Field.FUNCTION: lambda cell: text(cell, label=Field.FUNCTION.label, max_length=120),
            Field.PHONE: lambda cell: text(cell, label=Field.PHONE.label, max_length=40),
            Field.EMAIL: email,
            Field.LOCATIONS: self.location_ids,
        }
        return {field: parse for field, parse in parsers.items() if field in self.columns.provided}

    def role(self, cell) -> str:
        word = text(cell, label=Field.ROLE.label, max_length=120, required=True)
        if normalise(word) in NOT_IMPORTED:
            raise CellError(_("de rol '%(role)s' wordt niet via een import gegeven") % {"role": word})
        roles = ROLES_BY_WORD.get(normalise(word))
        if not roles:
            raise CellError(
                _(
                    "rol '%(role)s' is onbekend (bijvoorbeeld: mentor, zorgcoördinator, woonbegeleider, "
                    "locatiemanager, voogd, teammanager)"
                )
                % {"role": word}
            )
        fitting = [role for role in roles if self.organisation.kind in ROLE_ORGANISATION_KINDS[role]]
        if not fitting:
            raise CellError(
                _("de rol '%(role)s' hoort niet bij een organisatie van de soort %(kind)s")
                % {"role": word, "kind": self.organisation.get_kind_display()}
            )
        return fitting[0]

    def location_ids(self, cell) -> tuple[int, ...]:
        written = text(cell, label=Field.LOCATIONS.label, max_length=2000)
        if not written:
            return ()
        # A name with a comma in it is one location; otherwise the cell lists several.
        whole = self.locations.get(written.casefold())
        names = [written] if whole else [name for name in LOCATION_SEPARATORS.split(written) if name]
        unknown = [name for name in names if name.casefold() not in self.locations]
        if unknown:
            raise CellError(
                _("locatie %(names)s bestaat niet bij %(organisation)s")
                % {"names": ", ".join(f"'{name}'" for name in unknown), "organisation": self.organisation.name}
            )
        return tuple(sorted({self.locations[name.casefold()].id for name in names}))

    def values(self, parsed: dict, person: ContactPerson | None) -> ContactValues:
        def pick(field, attribute, default):
            if field in parsed:
                return parsed[field]
            return getattr(person, attribute) if person else default

        stored_locations = tuple(sorted(location.id for location in person.locations.all())) if person else ()
        return ContactValues(
            name=parsed[Field.NAME],
            role=parsed[Field.ROLE],
            function=pick(Field.FUNCTION, "function", ""),
            phone=pick(Field.PHONE, "phone", ""),
            email=parsed[Field.EMAIL],
            location_ids=parsed.get(Field.LOCATIONS, stored_locations),
        )

    def changes(self, person: ContactPerson, values: ContactValues) -> tuple[FieldChange, ...]:
        stored = ContactValues(
            name=person.name,
            role=person.role,
            function=person.function,
            phone=person.phone,
            email=person.email,
            location_ids=tuple(sorted(location.id for location in person.locations.all())),
            is_active=person.is_active,
        )
        return field_changes(values, lambda field: getattr(stored, field), self.shown)

    def shown(self, attribute: str, value) -> str:
        if attribute == "location_ids":
            return ", ".join(self.location_names.get(id_, "?") for id_ in value) or "–"
        if attribute == "role":
            return str(Role(value).label)
        if attribute == "is_active":
            return _("actief") if value else _("niet actief")
        return str(value) if value else "–"


def email(cell) -> str:
    value = text(cell, label=Field.EMAIL.label, max_length=254, required=True)
    try:
        validate_email(value)
    except ValidationError:
        raise CellError(_("e-mailadres '%(email)s' is ongeldig") % {"email": value}) from None
    return value
