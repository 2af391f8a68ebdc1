from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Guardianship, Placement, SchoolClass, Student
from .selectors import students_without_placement_or_guardian


class SchoolClassForm(forms.ModelForm):
    class Meta:
        model = SchoolClass
        fields = [
            "location",
            "name",
            "mentors",
            "kind",
            "day_starts_at",
            "hours_monday",
            "hours_tuesday",
            "hours_wednesday",
            "hours_thursday",
            "hours_friday",
        ]

    def clean(self):
        cleaned = super().clean()
        location = cleaned.get("location")
        if location:
            probe = SchoolClass(location=location)
            try:
                probe.validate_mentors(cleaned.get("mentors") or [])
            except ValidationError as error:
                self.add_error("mentors", error)
        return cleaned


@admin.register(SchoolClass)
class SchoolClassAdmin(admin.ModelAdmin):
    form = SchoolClassForm
    list_display = ["name", "location", "kind", "day_starts_at"]
    list_filter = ["kind", "location__organisation"]
    search_fields = ["name", "location__name"]
    list_select_related = ["location"]
    filter_horizontal = ["mentors"]


class PeriodInlineForm(forms.ModelForm):
    def validate_unique(self):
        """Skipped per row: comparing one row with the STORED rows would reject ending the current period and
        adding the next one in one save. PeriodInlineFormSet.clean compares the submitted rows instead."""


class PeriodInlineFormSet(forms.BaseInlineFormSet):
    """Checks the student's periods against each other, so two new rows in one save cannot overlap either."""

    def clean(self):
        super().clean()
        periods = [
            form.instance
            for form in self.forms
            if form.cleaned_data and not form.cleaned_data.get("DELETE") and form.instance.started_on
        ]
        if sum(1 for period in periods if period.ended_on is None) > 1:
            raise ValidationError(_("Er kan maar één periode zonder einddatum zijn."))
        for index, period in enumerate(periods):
            if any(period.overlaps(other) for other in periods[index + 1 :]):
                raise ValidationError(_("Twee periodes overlappen elkaar. Pas de datums aan."))


class PlacementInline(admin.TabularInline):
    model = Placement
    form = PeriodInlineForm
    formset = PeriodInlineFormSet
    fields = ["location", "started_on", "ended_on", "personal_worker"]
    autocomplete_fields = ["location", "personal_worker"]
    extra = 0


class GuardianshipInline(admin.TabularInline):
    model = Guardianship
    form = PeriodInlineForm
    formset = PeriodInlineFormSet
    fields = ["guardian", "started_on", "ended_on"]
    autocomplete_fields = ["guardian"]
    extra = 0


class IncompleteTeamFilter(admin.SimpleListFilter):
    title = _("team")
    parameter_name = "team"

    def lookups(self, request, model_admin):
        return [("incomplete", _("Actief, zonder huidige voogd of woonlocatie"))]

    def queryset(self, request, queryset):
        if self.value() == "incomplete":
            return students_without_placement_or_guardian(queryset)
        return queryset


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    list_display = ["family_name", "given_name", "student_number", "school", "school_class", "status"]
    list_filter = [IncompleteTeamFilter, "status", "school", "school_class__kind"]
    search_fields = ["family_name", "given_name", "student_number"]
    list_select_related = ["school", "school_class"]
    autocomplete_fields = ["school_class"]
    inlines = [PlacementInline, GuardianshipInline]
