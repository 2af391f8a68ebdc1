from auditlog.models import LogEntry
from django import forms
from django.conf import settings
from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import ROLE_ORGANISATION_KINDS, ContactPerson, Location, Organisation, User
from .services import contact_deactivate, contact_reactivate

# The audit log holds care details (reasons, hospital admissions); admins answer access requests on the
# inzage page, which shows who read or changed what without them.
admin.site.unregister(LogEntry)


class LocationInline(admin.TabularInline):
    model = Location
    fk_name = "organisation"
    fields = ["name", "kind", "city", "phone", "municipality"]
    extra = 0
    show_change_link = True


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "phone", "email"]
    list_filter = ["kind"]
    search_fields = ["name"]
    inlines = [LocationInline]
    autocomplete_fields = ["duty_contact"]
    formfield_overrides = {models.URLField: {"assume_scheme": "https"}}


@admin.register(Location)
class LocationAdmin(admin.ModelAdmin):
    list_display = ["name", "organisation", "kind", "city", "phone", "municipality"]
    list_filter = ["kind", "organisation__kind"]
    search_fields = ["name", "city", "organisation__name"]
    list_select_related = ["organisation", "municipality"]
    autocomplete_fields = ["organisation"]


class StaleFilter(admin.SimpleListFilter):
    title = _("gecontroleerd")
    parameter_name = "verified"

    def lookups(self, request, model_admin):
        return [
            (
                "stale",
                _("Niet gecontroleerd in %(days)s dagen") % {"days": settings.CONTACT_STALE_AFTER_DAYS},
            ),
            ("fresh", _("Recent gecontroleerd")),
        ]

    def queryset(self, request, queryset):
        stale = queryset.stale()
        if self.value() == "stale":
            return stale
        if self.value() == "fresh":
            return queryset.exclude(id__in=stale.values("id"))
        return queryset


class ContactPersonForm(forms.ModelForm):
    class Meta:
        model = ContactPerson
        fields = [
            "name",
            "organisation",
            "locations",
            "role",
            "function",
            "phone",
            "email",
            "reachable_when",
            "manager",
            "is_active",
            "verified_on",
        ]
        help_texts = {"is_active": _("Uitzetten zet ook de login van deze persoon uit.")}

    def clean(self):
        cleaned = super().clean()
        organisation, role = cleaned.get("organisation"), cleaned.get("role")
        allowed_kinds = ROLE_ORGANISATION_KINDS.get(role)
        if organisation and allowed_kinds and organisation.kind not in allowed_kinds:
            raise ValidationError(
                {
                    "role": _("Deze rol past niet bij een organisatie van de soort '%(kind)s'.")
                    % {"kind": organisation.get_kind_display()}
                }
            )
        locations = cleaned.get("locations") or []
        foreign = [
            location.name for location in locations if organisation and location.organisation_id != organisation.id
        ]
        if foreign:
            raise ValidationError(
                {
                    "locations": _("Deze locaties horen bij een andere organisatie: %(names)s.")
                    % {"names": ", ".join(foreign)}
                }
            )
        return cleaned


@admin.register(ContactPerson)
class ContactPersonAdmin(admin.ModelAdmin):
    form = ContactPersonForm
    list_display = ["name", "organisation", "role", "function", "phone", "email", "verified_on", "is_active"]
    list_filter = [StaleFilter, "role", "is_active", "organisation__kind"]
    search_fields = ["name", "email", "function", "organisation__name"]
    list_select_related = ["organisation"]
    autocomplete_fields = ["organisation", "manager"]
    filter_horizontal = ["locations"]
    readonly_fields = ["inactive_since"]
    actions = ["mark_verified"]

    def save_model(self, request, obj, form, change):
        """Switching a person off or on goes through the services, which also set inactive_since and the login."""
        wanted, obj.is_active = obj.is_active, form.initial.get("is_active", True)
        super().save_model(request, obj, form, change)
        if obj.is_active and not wanted:
            contact_deactivate(person=obj, actor=request.user)
        elif wanted and not obj.is_active:
            contact_reactivate(person=obj, actor=request.user)

    @admin.action(description=_("Markeer als vandaag gecontroleerd"))
    def mark_verified(self, request, queryset):
        updated = queryset.update(verified_on=timezone.localdate())
        self.message_user(request, _("%(count)s contactpersonen gemarkeerd als gecontroleerd.") % {"count": updated})


class UserCreationForm(AdminUserCreationForm):
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ["username", "person"]


class UserEditForm(UserChangeForm):
    class Meta(UserChangeForm.Meta):
        model = User
        fields = [
            "username",
            "password",
            "person",
            "is_active",
            "is_staff",
            "is_superuser",
            "groups",
            "user_permissions",
        ]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    form = UserEditForm
    add_form = UserCreationForm
    list_display = ["username", "person", "role_display", "is_staff", "is_active", "last_login"]
    list_filter = ["is_staff", "is_active", "person__role"]
    search_fields = ["username", "person__name", "person__email"]
    list_select_related = ["person"]
    ordering = ["username"]
    autocomplete_fields = ["person"]
    readonly_fields = ["last_login", "date_joined"]
    fieldsets = [
        (None, {"fields": ["username", "password", "person"]}),
        (_("Rechten"), {"fields": ["is_active", "is_staff", "is_superuser", "groups", "user_permissions"]}),
        (_("Data"), {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (
            None,
            {
                "classes": ["wide"],
                "fields": ["username", "person", "usable_password", "password1", "password2"],
            },
        ),
    ]

    @admin.display(description=_("rol"), ordering="person__role")
    def role_display(self, user):
        return user.person.get_role_display() if user.person_id else "—"
