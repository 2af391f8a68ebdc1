"""The embedded scheduler: runs CELERY_BEAT_SCHEDULE in-process when there is no Redis, worker or beat.

Production runs the same tasks through `celery beat` and a worker; both call the same service functions.
"""

import logging
from datetime import UTC, datetime

from celery.schedules import crontab, maybe_schedule
from django.apps import apps

from .celery import app

logger = logging.getLogger(__name__)

EPOCH = datetime(2000, 1, 1, tzinfo=UTC)


class EmbeddedScheduler:
    def __init__(self, beat_schedule, *, now=None):
        # Celery imports the apps' tasks modules only when a worker or beat starts; this process is neither.
        app.loader.autodiscover_tasks([config.name for config in apps.get_app_configs()])
        now = now or app.now()
        self.entries = {}
        for name, entry in beat_schedule.items():
            schedule = maybe_schedule(entry["schedule"], app=app)
            # Interval jobs (the escalation sweep) run at start-up to catch up; daily jobs wait for their time.
            last_run = now if isinstance(schedule, crontab) else EPOCH
            self.entries[name] = {"entry": entry, "schedule": schedule, "last_run": last_run}

    def tick(self) -> float:
        """Run every job that is due; return how many seconds to wait before the next tick."""
        wait = 60.0
        for name, state in self.entries.items():
            due, next_check = state["schedule"].is_due(state["last_run"])
            if due:
                state["last_run"] = app.now()
                self.run(name, state["entry"])
            wait = min(wait, max(next_check, 1.0))
        return wait

    def run(self, name, entry):
        task = app.tasks.get(entry["task"])
        if task is None:
            logger.error("Scheduled job %s names an unknown task %r: skipped", name, entry["task"])
            return
        result = task.apply(args=entry.get("args", ()), kwargs=entry.get("kwargs", {}))
        if result.failed():
            logger.error("Scheduled job %s failed: %r", name, result.result)
        else:
            logger.info("Scheduled job %s done", name)
