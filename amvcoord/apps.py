from django.apps import AppConfig


class AmvcoordConfig(AppConfig):
    name = "amvcoord"
    verbose_name = "amvcoord"

    def ready(self):
        from .audit import register_audited_models

        register_audited_models()
