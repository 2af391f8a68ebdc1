from importlib import import_module

from celery import shared_task
from django.conf import settings

from .retention import purge_expired as purge_expired_data


@shared_task
def clear_expired_sessions():
    import_module(settings.SESSION_ENGINE).SessionStore.clear_expired()


@shared_task
def purge_expired():
    counts = purge_expired_data()
    return vars(counts)
