from django import forms
from django.utils.translation import gettext_lazy as _

from common.http import MAX_ID

from .models import Channel, EscalationChain, StepRole


class DashboardFilterForm(forms.Form):
    location = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    school_class = forms.IntegerField(required=False, min_value=1, max_value=MAX_ID)
    step = forms.IntegerField(required=False, min_value=0, max_value=50)


class ChainForm(forms.ModelForm):
    class Meta:
        model = EscalationChain
        fields = ["trigger", "housing_kind", "repeat_last_step", "acknowledgement_minutes", "threshold", "is_active"]


class StepForm(forms.Form):
    roles = forms.MultipleChoiceField(
        label=_("Wie"), choices=StepRole.choices, widget=forms.CheckboxSelectMultiple, required=False
    )
    after_minutes = forms.IntegerField(
        label=_("Na (werkminuten)"),
        min_value=0,
        max_value=60 * 24 * 10,
        help_text=_("Stap 1: na de deadline. Daarna: na de vorige stap. Alleen schooldagen en werktijd tellen."),
    )
    channels = forms.MultipleChoiceField(
        label=_("Kanalen"),
        choices=Channel.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[Channel.IN_APP, Channel.EMAIL],
        required=False,
    )

    def clean(self):
        cleaned = super().clean()
        if self.has_changed() and not cleaned.get("DELETE"):
            if not cleaned.get("roles"):
                self.add_error("roles", _("Kies minstens één rol."))
            if not cleaned.get("channels"):
                self.add_error("channels", _("Kies minstens één kanaal."))
        return cleaned


StepFormSet = forms.formset_factory(StepForm, extra=1, can_delete=True, max_num=10, validate_max=True)
