from django.contrib import admin

from .models import AuthorisationRule, SchoolHoliday, SchoolPolicy


class AuthorisationRuleInline(admin.TabularInline):
    model = AuthorisationRule
    fk_name = "school"
    extra = 0


@admin.register(SchoolPolicy)
class SchoolPolicyAdmin(admin.ModelAdmin):
    list_display = ["school", "explanation_deadline", "correction_window_days", "workday_starts_at", "workday_ends_at"]
    list_select_related = ["school"]


@admin.register(AuthorisationRule)
class AuthorisationRuleAdmin(admin.ModelAdmin):
    list_display = ["school", "reason", "authorised"]
    list_filter = ["school", "reason"]
    list_select_related = ["school"]


@admin.register(SchoolHoliday)
class SchoolHolidayAdmin(admin.ModelAdmin):
    list_display = ["name", "school", "first_day", "last_day"]
    list_filter = ["school"]
    list_select_related = ["school"]
    date_hierarchy = "first_day"
