"""Which column holds which field: a saved ImportMapping of the organisation, else the usual Dutch headers.

Magister, Somtoday and ParnasSys let the school choose its export columns, so there is no fixed list; the headers
below are the ones these systems and schools use most. Headers match ignoring case, spaces, dashes and accents.
"""

import unicodedata
from dataclasses import dataclass

from django.utils.translation import gettext as _

from students.models import ContactImportField, ImportMapping, StudentImportField

from .reader import Cell, SourceRow

Kind = ImportMapping.Kind

RECOGNISED_HEADERS = {
    Kind.STUDENTS: {
        StudentImportField.STUDENT_NUMBER: ("Leerlingnummer", "Leerlingnr", "Leerling ID"),
        StudentImportField.GIVEN_NAME: ("Roepnaam", "Voornaam"),
        StudentImportField.TUSSENVOEGSEL: ("Tussenvoegsel", "Tussenvoegsels", "Voorvoegsel"),
        StudentImportField.FAMILY_NAME: ("Achternaam",),
        StudentImportField.DATE_OF_BIRTH: ("Geboortedatum",),
        StudentImportField.SCHOOL_CLASS: ("Klas", "Stamgroep", "Groep"),
        StudentImportField.ENROLLED_ON: ("Datum inschrijving", "Inschrijfdatum", "Datum instroom"),
        StudentImportField.LEFT_ON: ("Datum uitschrijving", "Uitschrijfdatum", "Datum uitstroom"),
        StudentImportField.ONDERWIJSNUMMER: ("Onderwijsnummer",),
    },
    Kind.CONTACTS: {
        ContactImportField.NAME: ("Naam", "Volledige naam"),
        # A staff list often has one column for both: the role is read from it, the text kept as the function.
        ContactImportField.ROLE: ("Rol", "Rol/Functie", "Functie"),
        ContactImportField.FUNCTION: ("Functie", "Rol/Functie"),
        ContactImportField.PHONE: ("Telefoon", "Telefoonnummer", "Mobiel"),
        ContactImportField.EMAIL: ("E-mail", "E-mailadres"),
        ContactImportField.LOCATIONS: ("Locatie", "Locaties"),
    },
}

REQUIRED_FIELDS = {
    Kind.STUDENTS: (
        StudentImportField.STUDENT_NUMBER,
        StudentImportField.GIVEN_NAME,
        StudentImportField.FAMILY_NAME,
        StudentImportField.DATE_OF_BIRTH,
        StudentImportField.ENROLLED_ON,
    ),
    Kind.CONTACTS: (ContactImportField.NAME, ContactImportField.ROLE, ContactImportField.EMAIL),
}


def normalise(text: str) -> str:
    """'Zorg-coördinator ' and 'zorgcoordinator' are the same word to a person typing a header or a role."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return "".join(char for char in decomposed if not unicodedata.combining(char) and char not in " \t-_.")


@dataclass(frozen=True)
class ColumnMapping:
    """Field → header of this file, for the fields the file provides; errors say why it cannot be imported."""

    columns: dict[str, str]
    errors: tuple[str, ...] = ()

    @property
    def provided(self) -> frozenset[str]:
        return frozenset(self.columns)

    def cell(self, row: SourceRow, field: str) -> Cell:
        return row.cells.get(self.columns[field], "") if field in self.columns else ""


def resolve_columns(kind: str, headers, saved: ImportMapping | dict | None, *, organisation) -> ColumnMapping:
    """Map the fields of `kind` onto `headers`: a saved mapping first, the recognised headers for the rest."""
    if isinstance(saved, ImportMapping) and (saved.kind != kind or saved.organisation_id != organisation.id):
        raise ValueError(f"Mapping {saved.id} is not a {kind} mapping of organisation {organisation.id}.")
    fields = ImportMapping.FIELDS[kind]
    in_file = {normalise(header): header for header in headers}
    chosen = saved.columns if isinstance(saved, ImportMapping) else (saved or {})
    columns, errors = {}, []
    for field, header in chosen.items():
        if header and normalise(header) in in_file:
            columns[field] = in_file[normalise(header)]
        else:
            errors.append(
                _("De kolom '%(header)s' (voor %(field)s) staat niet in het bestand.")
                % {"header": header, "field": fields(field).label}
            )
    taken = set(columns.values())
    for field, candidates in RECOGNISED_HEADERS[kind].items():
        if field in columns or field in chosen:
            continue
        found = next((in_file[normalise(c)] for c in candidates if normalise(c) in in_file), None)
        # A header the saved mapping gave to another field is not also read as this one.
        if found and found not in taken:
            columns[field] = found
    for field in REQUIRED_FIELDS[kind]:
        if field not in columns and field not in chosen:
            errors.append(
                _("Het bestand heeft geen kolom voor %(field)s (bijvoorbeeld '%(header)s').")
                % {"field": fields(field).label, "header": RECOGNISED_HEADERS[kind][field][0]}
            )
    return ColumnMapping(columns=columns, errors=tuple(errors))
