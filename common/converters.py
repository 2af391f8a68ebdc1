from datetime import date


class IsoDateConverter:
    """URL part YYYY-MM-DD as a date; an impossible date (2026-02-30) simply does not match (404)."""

    regex = r"\d{4}-\d{2}-\d{2}"

    def to_python(self, value):
        return date.fromisoformat(value)

    def to_url(self, value):
        return value.isoformat()
