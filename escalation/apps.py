from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Escalatie")

    def ready(self):
        from attendance.signals import absence_decided, explanation_requests_closed, hospital_admission_reported
        from students.signals import student_left

        from . import receivers

        explanation_requests_closed.connect(receivers.close_for_requests, dispatch_uid="escalation_close_for_requests")
        hospital_admission_reported.connect(
            receivers.tell_school_of_hospital_admission, dispatch_uid="escalation_hospital_admission"
        )
        absence_decided.connect(receivers.settle_by_decision, dispatch_uid="escalation_settle_by_decision")
        student_left.connect(receivers.cancel_for_leaver, dispatch_uid="escalation_cancel_for_leaver")

    def trigger_for(self, code):
        """The trigger behind `code`, for the models (which the trigger modules import, so not the other way)."""
        from .triggers import trigger_for

        return trigger_for(code)
