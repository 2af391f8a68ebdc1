"""Turning one cell into a typed value, or a Dutch message that says what is wrong with it."""

import re
from datetime import date

from django.utils.translation import gettext as _

from .reader import Cell

# dd-mm-jjjj and d-m-jjjj, also with / or . as Dutch exports write them; an optional midnight some exporters add.
DAY_FIRST = re.compile(r"(\d{1,2})[-/.](\d{1,2})[-/.](\d{4})(?: 0?0:00(?::00)?)?")
YEAR_FIRST = re.compile(r"(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T]0?0:00(?::00)?)?")


class CellError(Exception):
    """One cell cannot be used; the message names the field and the value."""


def show_date(day: date) -> str:
    return f"{day.day:02d}-{day.month:02d}-{day.year}"


def as_text(cell: Cell) -> str:
    return show_date(cell) if isinstance(cell, date) else cell


def text(cell: Cell, *, label: str, max_length: int, required: bool = False) -> str:
    value = as_text(cell)
    if required and not value:
        raise CellError(_("%(field)s ontbreekt") % {"field": label})
    if len(value) > max_length:
        raise CellError(_("%(field)s is langer dan %(count)s tekens") % {"field": label, "count": max_length})
    return value


def parse_date(cell: Cell, *, label: str, required: bool = False) -> date | None:
    """A date cell of a spreadsheet as it is, or text as dd-mm-jjjj, d-m-jjjj or jjjj-mm-dd."""
    if isinstance(cell, date):
        return cell
    if not cell:
        if required:
            raise CellError(_("%(field)s ontbreekt") % {"field": label})
        return None
    if match := DAY_FIRST.fullmatch(cell):
        day, month, year = map(int, match.groups())
    elif match := YEAR_FIRST.fullmatch(cell):
        year, month, day = map(int, match.groups())
    else:
        raise CellError(_("%(field)s '%(value)s' is geen datum (dd-mm-jjjj)") % {"field": label, "value": cell})
    try:
        return date(year, month, day)
    except ValueError:
        raise CellError(_("%(field)s '%(value)s' bestaat niet") % {"field": label, "value": cell}) from None


def row_message(line: int, message: str) -> str:
    return _("Rij %(line)s: %(message)s") % {"line": line, "message": message}
