from datetime import date

from django.urls import register_converter

from .http import MAX_ID


class IsoDateConverter:
    """URL part YYYY-MM-DD as a date; an impossible date (2026-02-30) simply does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        return date.fromisoformat(value)

    def to_url(self, value):
        return value.isoformat()


class IdConverter:
    """An object id in a URL: ASCII digits up to the largest 64-bit primary key. A larger number cannot name an
    object and SQLite cannot even compare it (OverflowError, a 500): it does not match, so the answer is 404."""

    regex = r"[0-9]{1,19}"

    def to_python(self, value):
        number = int(value)
        if number > MAX_ID:
            raise ValueError(value)  # Django's resolver treats this as "no match"
        return number

    def to_url(self, value):
        return str(value)


# Registered here, once, for every URLconf (Django warns when a converter name is registered twice). A URLconf
# that uses <id:...> or <isodate:...> imports this module first.
register_converter(IsoDateConverter, "isodate")
register_converter(IdConverter, "id")
