"""Admins configure chains. Escalations, their events and notifications name children and their situation (an
unseen hospital admission, for one): care data, so they are not in the admin but on the care coordinator's
dashboard."""

from django.contrib import admin

from .models import EscalationChain, EscalationStep


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(EscalationChain)
class EscalationChainAdmin(admin.ModelAdmin):
    list_display = ["school", "trigger", "housing_kind", "repeat_last_step", "acknowledgement_minutes", "is_active"]
    list_filter = ["trigger", "is_active", "school"]
    list_select_related = ["school"]
    inlines = [EscalationStepInline]
