from django.contrib import admin

from .models import Escalation, EscalationChain, EscalationEvent, EscalationStep, Notification


class EscalationStepInline(admin.TabularInline):
    model = EscalationStep
    extra = 0


@admin.register(EscalationChain)
class EscalationChainAdmin(admin.ModelAdmin):
    list_display = ["school", "trigger", "housing_kind", "repeat_last_step", "acknowledgement_minutes", "is_active"]
    list_filter = ["trigger", "is_active", "school"]
    list_select_related = ["school"]
    inlines = [EscalationStepInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Operational history: visible for support, never edited by hand."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Escalation)
class EscalationAdmin(ReadOnlyAdmin):
    list_display = ["student", "trigger", "status", "current_step", "round", "next_action_at", "failures"]
    list_filter = ["status", "trigger", "school"]
    list_select_related = ["student"]
    search_fields = ["student__family_name", "student__given_name", "trigger_key"]


@admin.register(EscalationEvent)
class EscalationEventAdmin(ReadOnlyAdmin):
    list_display = ["escalation", "kind", "step", "round", "at", "actor"]
    list_filter = ["kind"]
    list_select_related = ["escalation__student", "actor"]


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdmin):
    list_display = ["recipient", "kind", "channel", "status", "attempts", "created_at", "sent_at"]
    list_filter = ["channel", "status", "kind"]
    list_select_related = ["recipient"]
