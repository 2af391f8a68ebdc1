from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Organisation


class DirectorySearchForm(forms.Form):
    q = forms.CharField(label=_("Zoeken"), required=False, max_length=100)
    kind = forms.ChoiceField(
        label=_("Soort organisatie"),
        required=False,
        choices=[("", _("Alle soorten")), *Organisation.Kind.choices],
    )
