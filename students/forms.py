from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from common.widgets import IsoDateInput
from contacts.models import ContactPerson, Location, Role


class StudentSearchForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=100)
    include_left = forms.BooleanField(label=_("Ook uitgeschreven leerlingen"), required=False)


class MoveStudentForm(forms.Form):
    location = forms.ModelChoiceField(
        label=_("Nieuwe woonlocatie"),
        queryset=Location.objects.filter(kind__in=Location.HOUSING_KINDS).select_related("organisation"),
    )
    moved_on = forms.DateField(
        label=_("Woont daar vanaf"),
        widget=IsoDateInput(),
        initial=timezone.localdate,
    )
    personal_worker = forms.ModelChoiceField(
        label=_("Persoonlijk woonbegeleider"),
        queryset=ContactPerson.objects.active().filter(role=Role.HOUSING_WORKER),
        required=False,
        help_text=_("Mag leeg blijven als nog niet bekend is wie het wordt."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].label_from_instance = lambda loc: f"{loc.name} ({loc.organisation.name})"
