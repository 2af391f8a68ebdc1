from django.apps import AppConfig


class AmvcoordConfig(AppConfig):
    name = "amvcoord"
    verbose_name = "amvcoord"

    def ready(self):
        from common.audit import register_audited_models

        from . import signals  # noqa: F401 - connects the login receiver

        register_audited_models()
