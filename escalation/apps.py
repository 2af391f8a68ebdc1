from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EscalationConfig(AppConfig):
    name = "escalation"
    verbose_name = _("Escalatie")

    def ready(self):
        # Register the tasks in every process, not only in a Celery worker (whose autodiscovery imports them):
        # the embedded scheduler looks them up by name in the web or `run_scheduler` process.
        from . import tasks  # noqa: F401
