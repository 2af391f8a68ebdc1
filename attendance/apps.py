from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class AttendanceConfig(AppConfig):
    name = "attendance"
    verbose_name = _("Aanwezigheid")

    def ready(self):
        from students.signals import student_left

        from .receivers import cancel_open_requests_of_leaver

        student_left.connect(cancel_open_requests_of_leaver, dispatch_uid="attendance_cancel_requests_of_leaver")
