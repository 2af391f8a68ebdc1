from django.apps import AppConfig


class AmvcoordConfig(AppConfig):
    name = "amvcoord"
    verbose_name = "amvcoord"
