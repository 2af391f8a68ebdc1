"""Celery tasks: thin wrappers that take ids and call services, safe to run twice."""

from celery import shared_task

from . import delivery, sweep


@shared_task(acks_late=True)
def run_sweep():
    result = sweep.escalation_sweep()
    return {"started": result.started, "fired": result.fired, "failures": result.failures}


@shared_task(acks_late=True)
def deliver_notification(notification_id):
    return delivery.deliver_notification(notification_id)


@shared_task(acks_late=True)
def deliver_notifications(notification_ids):
    return [delivery.deliver_notification(notification_id) for notification_id in notification_ids]


@shared_task(acks_late=True)
def deliver_due():
    return delivery.deliver_due()
