"""Date and time inputs that work in every language.

`<input type="date">` accepts only `YYYY-MM-DD` and `<input type="time">` only `HH:MM`: a Django `DateInput`
renders the active locale's format (`01-12-2026` in Dutch) unless told otherwise, and the browser then silently
shows an empty field. Every date and time input in the project uses these.
"""

from django import forms

ISO_DATE = "%Y-%m-%d"
ISO_TIME = "%H:%M"


class IsoDateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_DATE)


class IsoTimeInput(forms.TimeInput):
    input_type = "time"

    def __init__(self, attrs=None):
        super().__init__(attrs=attrs, format=ISO_TIME)
