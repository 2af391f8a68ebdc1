"""Reading an export file (CSV or XLSX) into rows of header → cell, with each row's line number in the file.

The reader knows nothing about pupils or contacts: it turns bytes into text cells (XLSX date cells stay dates) and
refuses what it cannot read safely. A problem with the whole file raises `ImportFileError`; a problem with one
row (a formula, cells under no column) is kept on that row, so the preview can list every bad row at once.
"""

import codecs
import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time

from django.template.defaultfilters import filesizeformat
from django.utils.translation import gettext as _
from openpyxl import load_workbook

MAX_FILE_BYTES = 10 * 1024 * 1024
# Far more than any school (~250 pupils), or all ISK pupils of the country (~30,000), in one file; stops an XLSX
# of a few MB that unpacks to millions of rows.
MAX_LINES = 100_000
MAX_XLSX_COLUMNS = 200
CSV_SEPARATORS = (";", ",", "\t")

XLSX_SIGNATURE = b"PK\x03\x04"
# Excel 97–2003 (.xls) files are OLE2 compound documents.
XLS_SIGNATURE = b"\xd0\xcf\x11\xe0"
# A spreadsheet evaluates a cell that starts with one of these; stored and exported again it would run there.
FORMULA_STARTS = ("=", "+", "-", "@")
# ...but a phone number ("+31 6 1234 5678") or a negative number is data, not a formula.
NUMBER_LIKE = re.compile(r"[+-]?[\d\s().-]+")

Cell = str | date


class ImportFileError(Exception):
    """The whole file cannot be read; the message is for the person who uploaded it."""


@dataclass(frozen=True)
class SourceRow:
    line: int
    cells: dict[str, Cell]
    errors: tuple[str, ...] = ()


@dataclass(frozen=True)
class SourceTable:
    headers: tuple[str, ...]
    rows: list[SourceRow] = field(default_factory=list)


def read_table(upload) -> SourceTable:
    """Read an uploaded CSV or XLSX (bytes or a binary file object) up to MAX_FILE_BYTES."""
    data = upload if isinstance(upload, bytes) else upload.read(MAX_FILE_BYTES + 1)
    if len(data) > MAX_FILE_BYTES:
        raise ImportFileError(
            _("Het bestand is groter dan %(limit)s. Splits het bestand of laat kolommen weg die niet nodig zijn.")
            % {"limit": filesizeformat(MAX_FILE_BYTES)}
        )
    if data.startswith(XLS_SIGNATURE):
        raise ImportFileError(
            _("Oude Excel-bestanden (.xls) worden niet gelezen. Sla het bestand op als .xlsx of als CSV.")
        )
    return _table(_xlsx_lines(data) if data.startswith(XLSX_SIGNATURE) else _csv_lines(_decode(data)))


def _decode(data: bytes) -> str:
    """UTF-8 (with or without the BOM Excel writes) when the bytes are valid UTF-8, else Windows-1252.

    Windows-1252 text with accents is almost never valid UTF-8, so trying UTF-8 strictly first tells them apart
    without guessing from letter frequencies. Excel's "Unicode-tekst" is UTF-16 and always starts with its BOM.
    """
    if data.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        try:
            return data.decode("utf-16")
        except UnicodeDecodeError:
            pass
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError:
        pass
    try:
        return data.decode("cp1252")
    except UnicodeDecodeError:
        raise ImportFileError(
            _("Het bestand is geen CSV in UTF-8 of Windows-1252 en geen Excel-bestand (.xlsx).")
        ) from None


def _csv_lines(text: str):
    """Yield (line number, cells) for each record; a quoted cell may span lines, the record starts at the first."""
    if "\x00" in text:
        raise ImportFileError(_("Dit is geen tekstbestand (CSV) en geen Excel-bestand (.xlsx)."))
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=_separator(text))
    next_line = 1
    try:
        for cells in reader:
            yield next_line, [cell.strip() for cell in cells]
            next_line = reader.line_num + 1
    except csv.Error:
        # The csv module's reasons (a cell over 128 kB, a stray quote) are English and technical.
        raise ImportFileError(
            _("Regel %(line)s van het bestand is geen geldige CSV. Staat er een aanhalingsteken verkeerd?")
            % {"line": next_line}
        ) from None


def _separator(text: str) -> str:
    """The separator is the candidate that splits the header line most (Dutch Excel writes ';', others ',')."""
    header = next((line for line in io.StringIO(text) if line.strip()), "")
    # Quoted header cells may contain a separator that does not split.
    unquoted = re.sub(r'"[^"]*"', "", header)
    counts = {separator: unquoted.count(separator) for separator in CSV_SEPARATORS}
    best = max(CSV_SEPARATORS, key=lambda separator: counts[separator])
    return best if counts[best] else CSV_SEPARATORS[0]


# What openpyxl raises for a file that is a zip but no (intact) workbook: a missing part, broken XML, bad values.
BROKEN_XLSX = (zipfile.BadZipFile, KeyError, OSError, ValueError, TypeError, SyntaxError)


def _xlsx_lines(data: bytes):
    cannot_open = ImportFileError(_("Het Excel-bestand kan niet worden geopend. Is het een .xlsx-bestand?"))
    try:
        workbook = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    except BROKEN_XLSX:
        raise cannot_open from None
    try:
        sheet = workbook.active
        if not hasattr(sheet, "iter_rows"):
            raise cannot_open
        # Exporters often write a wrong size tag (e.g. "A1"); without it openpyxl reads the cells that are there.
        sheet.reset_dimensions()
        for count, cells in enumerate(sheet.iter_rows(max_col=MAX_XLSX_COLUMNS), start=1):
            # Rows without cells are skipped by number, so count them too: a sheet can hold millions of them.
            line = next((cell.row for cell in cells if getattr(cell, "row", None)), count)
            yield line, [_xlsx_value(cell) for cell in cells]
    except BROKEN_XLSX:
        raise cannot_open from None
    finally:
        workbook.close()


def _xlsx_value(cell) -> Cell:
    value = cell.value
    if cell.data_type == "f":
        # A formula cell as openpyxl reads it without evaluating: its text starting with "=".
        return str(value) if str(value).startswith("=") else f"={value}"
    if value is None:
        return ""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, time):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _table(lines) -> SourceTable:
    headers = None
    rows = []
    for line, cells in lines:
        if line > MAX_LINES:
            raise ImportFileError(
                _("Het bestand heeft meer dan %(count)s regels. Splits het bestand.") % {"count": MAX_LINES}
            )
        if not any(cells):
            continue
        if headers is None:
            headers = _headers(cells)
            continue
        rows.append(_row(line, headers, cells))
    if headers is None:
        raise ImportFileError(_("Het bestand is leeg: er staat geen rij met kolomkoppen in."))
    return SourceTable(headers=tuple(header for header in headers if header), rows=rows)


def _headers(cells) -> list[str]:
    headers = [cell if isinstance(cell, str) else cell.isoformat() for cell in cells]
    seen = set()
    for header in filter(None, headers):
        key = header.casefold()
        if key in seen:
            raise ImportFileError(_("De kolom '%(header)s' staat twee keer in het bestand.") % {"header": header})
        seen.add(key)
    return headers


def _row(line: int, headers: list[str], cells: list[Cell]) -> SourceRow:
    values = {}
    errors = []
    for index, cell in enumerate(cells):
        header = headers[index] if index < len(headers) else ""
        if not header:
            if cell != "":
                errors.append(
                    _(
                        "Rij %(line)s: kolom %(column)s heeft een waarde maar geen kolomkop "
                        "(staat er een scheidingsteken in een naam?)."
                    )
                    % {"line": line, "column": index + 1}
                )
            continue
        if is_formula(cell):
            errors.append(
                _("Rij %(line)s: kolom '%(header)s' bevat een formule; formules worden niet ingelezen.")
                % {"line": line, "header": header}
            )
            cell = ""
        values[header] = cell
    for header in headers[len(cells) :]:
        if header:
            values[header] = ""
    return SourceRow(line=line, cells=values, errors=tuple(errors))


def is_formula(cell: Cell) -> bool:
    return isinstance(cell, str) and cell.startswith(FORMULA_STARTS) and not NUMBER_LIKE.fullmatch(cell)
