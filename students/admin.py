from copy import copy

from django import forms
from django.contrib import admin
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .models import Guardianship, Placement, SchoolClass, Student
from .selectors import students_without_placement_or_guardian
from .services import (
    check_class_change,
    check_leaving,
    check_new_guardian,
    student_change_class,
    student_enrol,
    student_leave,
)


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


class GuardianshipInlineForm(PeriodInlineForm):
    def clean(self):
        cleaned = super().clean()
        if "guardian" in self.changed_data and cleaned.get("guardian"):
            try:
                check_new_guardian(cleaned["guardian"])
            except ValidationError as error:
                self.add_error(None, error)
        return cleaned


class GuardianshipInline(admin.TabularInline):
    model = Guardianship
    form = GuardianshipInlineForm
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


class StudentAdminForm(forms.ModelForm):
    """Shows the lifecycle services' refusals as form errors; StudentAdmin.save_model then calls the services."""

    class Meta:
        model = Student
        fields = [
            "school",
            "school_class",
            "given_name",
            "tussenvoegsel",
            "family_name",
            "date_of_birth",
            "student_number",
            "arrival_date",
            "enrolled_on",
            "status",
            "left_on",
            "nationality",
            "languages",
        ]

    def clean(self):
        cleaned = super().clean()
        stored = self.instance  # construct_instance copies the submitted values only after clean()
        if stored.pk is None:
            return cleaned
        leaving = _is_leaving(stored.status, cleaned.get("status"))
        try:
            if "school_class" in self.changed_data:
                # save_model changes the class after the plain edits (a re-enrolment among them) and before leaving.
                at_class_change = copy(stored)
                at_class_change.status = stored.status if leaving else cleaned.get("status", stored.status)
                check_class_change(at_class_change, cleaned.get("school_class"))
            if leaving and cleaned.get("left_on"):
                check_leaving(stored, cleaned["left_on"])
        except ValidationError as error:
            self.add_error(None, error)
        return cleaned


def _is_leaving(status_before, status_after):
    return status_before == Student.Status.ACTIVE and status_after == Student.Status.LEFT


@admin.register(Student)
class StudentAdmin(admin.ModelAdmin):
    form = StudentAdminForm
    list_display = ["family_name", "given_name", "student_number", "school", "school_class", "status"]
    list_filter = [IncompleteTeamFilter, "status", "school", "school_class__kind"]
    search_fields = ["family_name", "given_name", "student_number"]
    list_select_related = ["school", "school_class"]
    autocomplete_fields = ["school_class"]
    inlines = [PlacementInline, GuardianshipInline]

    def get_exclude(self, request, obj=None):
        # A new pupil is enrolled; leaving is a later change to an existing pupil.
        return ["status", "left_on"] if obj is None else []

    def save_model(self, request, obj, form, change):
        """Class changes and leaving go through their services (leaving closes the pupil's open requests and
        escalations); the other fields are plain edits and corrections."""
        if not change:
            self._enrol(request, obj, form)
            return
        new_class, left_on = obj.school_class, obj.left_on
        class_changed = "school_class" in form.changed_data
        leaving = _is_leaving(form.initial["status"], obj.status)
        if class_changed:
            obj.school_class_id = form.initial["school_class"]
        if leaving:
            obj.status, obj.left_on = form.initial["status"], form.initial["left_on"]
        super().save_model(request, obj, form, change)
        if class_changed:
            student_change_class(student=obj, school_class=new_class, actor=request.user)
        if leaving:
            student_leave(student=obj, left_on=left_on, actor=request.user)

    def _enrol(self, request, obj, form):
        # The add form has exactly the enrolment fields (get_exclude leaves out status and left_on).
        enrolled = student_enrol(actor=request.user, **form.cleaned_data)
        # The inline formsets were bound to `obj` before saving and store their rows against its id.
        obj.pk = enrolled.pk
        obj._state.adding, obj._state.db = False, enrolled._state.db
