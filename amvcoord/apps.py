from django.apps import AppConfig


class AmvcoordConfig(AppConfig):
    name = "amvcoord"
    verbose_name = "amvcoord"

    def ready(self):
        from . import signals  # noqa: F401 - connects the login receiver
        from .audit import register_audited_models

        register_audited_models()
