from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.widgets import IsoDateInput, IsoTimeInput
from students.models import MAX_LESSON_HOURS_PER_DAY

from .models import MAX_MINUTES_LATE, REMARK_MAX_LENGTH, Appointment, AttendanceRecord, Reason
from .services import RowInput


class RosterRowForm(forms.Form):
    status = forms.ChoiceField(
        label=_("Status"), choices=AttendanceRecord.Status.choices, widget=forms.RadioSelect, initial="present"
    )
    minutes_late = forms.IntegerField(
        label=_("Minuten te laat"), required=False, min_value=1, max_value=MAX_MINUTES_LATE
    )
    lesson_hours_missed = forms.IntegerField(
        label=_("Gemiste lesuren"), required=False, min_value=0, max_value=MAX_LESSON_HOURS_PER_DAY
    )
    remark = forms.CharField(label=_("Opmerking"), required=False, max_length=REMARK_MAX_LENGTH)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("status") == AttendanceRecord.Status.LATE and not cleaned.get("minutes_late"):
            self.add_error("minutes_late", _("Hoeveel minuten te laat?"))
        return cleaned

    def row_input(self) -> RowInput:
        data = self.cleaned_data
        return RowInput(
            status=data["status"],
            minutes_late=data.get("minutes_late"),
            lesson_hours_missed=data.get("lesson_hours_missed"),
            remark=data.get("remark", ""),
        )


class RosterDayForm(forms.Form):
    datum = forms.DateField(label=_("Datum"), widget=IsoDateInput())

    def clean_datum(self):
        day = self.cleaned_data["datum"]
        today = timezone.localdate()
        if abs((day - today).days) > 366:
            raise forms.ValidationError(_("Kies een datum binnen een jaar van vandaag."))
        return day


class ExplanationForm(forms.Form):
    requests = forms.TypedMultipleChoiceField(label=_("Dagen"), coerce=int, widget=forms.CheckboxSelectMultiple)
    reason = forms.ChoiceField(label=_("Reden"), choices=[("", _("Kies een reden")), *Reason.choices])
    remark = forms.CharField(
        label=_("Korte toelichting"),
        required=False,
        max_length=300,
        help_text=_("Geen diagnose of medische details: alleen wat school moet weten."),
    )

    def __init__(self, *args, request_choices=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requests"].choices = request_choices


class SickReportForm(forms.Form):
    student = forms.ModelChoiceField(label=_("Jongere"), queryset=None)
    first_day = forms.DateField(label=_("Ziek vanaf"), initial=timezone.localdate, widget=IsoDateInput())
    expected_back = forms.DateField(label=_("Verwacht terug op school"), required=False, widget=IsoDateInput())
    hospital_admission = forms.BooleanField(
        label=_("Opgenomen in het ziekenhuis"),
        required=False,
        help_text=_("De mentor en zorgcoördinator krijgen dan direct bericht (zonder medische details)."),
    )
    remark = forms.CharField(
        label=_("Opmerking"),
        required=False,
        max_length=300,
        help_text=_("Geen diagnose. Alleen zichtbaar voor uw eigen organisatie en de zorgcoördinator."),
    )

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students


class BetermeldingForm(forms.Form):
    back_on = forms.DateField(label=_("Weer naar school op"), initial=timezone.localdate, widget=IsoDateInput())


class AppointmentForm(forms.Form):
    student = forms.ModelChoiceField(label=_("Jongere"), queryset=None)
    kind = forms.ChoiceField(label=_("Soort afspraak"), choices=Appointment.Kind.choices)
    day = forms.DateField(label=_("Datum"), widget=IsoDateInput())
    starts_at = forms.TimeField(label=_("Van"), widget=IsoTimeInput())
    ends_at = forms.TimeField(label=_("Tot"), widget=IsoTimeInput())
    at_school = forms.TypedChoiceField(
        label=_("Waar?"),
        choices=[
            ("1", _("Op school (aanbevolen: de jongere mist dan geen lessen)")),
            ("0", _("Buiten school, onder schooltijd")),
        ],
        coerce=lambda value: value == "1",
        initial="1",
        widget=forms.RadioSelect,
    )
    remark = forms.CharField(label=_("Opmerking"), required=False, max_length=300)

    def __init__(self, *args, students, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["student"].queryset = students

    def clean(self):
        cleaned = super().clean()
        starts_at, ends_at = cleaned.get("starts_at"), cleaned.get("ends_at")
        if starts_at and ends_at and ends_at <= starts_at:
            self.add_error("ends_at", _("De afspraak moet eindigen na het begin."))
        return cleaned


class DecisionForm(forms.Form):
    authorised = forms.TypedChoiceField(
        label=_("Beoordeling"),
        choices=[("1", _("Geoorloofd")), ("0", _("Ongeoorloofd"))],
        coerce=lambda value: value == "1",
    )
    note = forms.CharField(label=_("Reden"), required=False, max_length=300)


class DecisionFilterForm(forms.Form):
    ONLY_CHOICES = [
        ("", _("Alle afwezigheid")),
        ("unexplained", _("Nog niet toegelicht")),
        ("unauthorised", _("Ongeoorloofd")),
        ("overridden", _("Afwijkend beoordeeld")),
    ]
    only = forms.ChoiceField(label=_("Toon"), choices=ONLY_CHOICES, required=False)
    weeks = forms.TypedChoiceField(
        label=_("Periode"),
        choices=[("1", _("1 week")), ("4", _("4 weken")), ("12", _("12 weken"))],
        coerce=int,
        required=False,
        empty_value=4,
    )
