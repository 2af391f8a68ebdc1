"""Celery tasks: thin wrappers that take ids and call services, safe to run twice."""

from celery import shared_task

from . import delivery, sweep
from .outbox import deliver_notifications

# The sweep enqueues deliver_notifications itself (outbox.py); it is listed here so the worker registers it.
__all__ = ["deliver_due", "deliver_notification", "deliver_notifications", "run_sweep"]


@shared_task(acks_late=True)
def run_sweep():
    result = sweep.escalation_sweep()
    return {"started": result.started, "fired": result.fired, "failures": result.failures}


@shared_task(acks_late=True)
def deliver_notification(notification_id):
    return delivery.deliver_notification(notification_id)


@shared_task(acks_late=True)
def deliver_due():
    return delivery.deliver_due()
