from datetime import datetime

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from escalation.delivery import deliver_due
from escalation.sweep import escalation_sweep


class Command(BaseCommand):
    help = "Run the escalation sweep once (as Celery beat does every minute), optionally as of another moment."

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            help="Run as of this moment, ISO 8601 (e.g. 2026-03-10T13:30 or 2026-03-10T13:30+01:00); "
            "a time without offset is Europe/Amsterdam.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count what would start and fire.")

    def handle(self, *args, at=None, dry_run=False, **options):
        # An empty --at (an unset shell variable) is an error, not "now".
        now = self._parse(at) if at is not None else timezone.now()
        result = escalation_sweep(now=now, dry_run=dry_run)
        when = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
        if dry_run:
            self.stdout.write(f"[dry run, {when}] would start {result.started} escalations; {result.due} are due.")
            return
        sent = deliver_due(now=now)
        self.stdout.write(
            f"[{when}] started {result.started}, fired {result.fired} steps, closed {result.closed}, "
            f"exhausted {result.exhausted}, failures {result.failures}; e-mails queued {len(result.email_ids)}, "
            f"tried from the outbox {sent}."
        )
        if result.overdue_before:
            self.stderr.write(
                self.style.WARNING(f"{result.overdue_before} escalations were overdue: is beat or the worker down?")
            )

    def _parse(self, value):
        try:
            moment = datetime.fromisoformat(value)
        except ValueError as error:
            raise CommandError(f"--at: not an ISO 8601 date-time: {value!r}") from error
        return moment if timezone.is_aware(moment) else timezone.make_aware(moment)
