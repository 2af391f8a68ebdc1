import time

from django.conf import settings
from django.core.management.base import BaseCommand

from amvcoord.scheduler import EmbeddedScheduler


class Command(BaseCommand):
    help = "Run the periodic jobs (escalation sweep, clean-ups) in this process: the embedded default's beat."

    def handle(self, *args, **options):
        scheduler = EmbeddedScheduler(settings.CELERY_BEAT_SCHEDULE)
        self.stdout.write(f"Embedded scheduler running {len(scheduler.entries)} periodic jobs. Ctrl-C stops it.")
        try:
            while True:
                time.sleep(scheduler.tick())
        except KeyboardInterrupt:
            self.stdout.write("Embedded scheduler stopped.")
