from datetime import datetime, timedelta

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from escalation.delivery import deliver_due
from escalation.sweep import escalation_sweep

# A rehearsal moment must be one the calendar and the chains can count from: nothing before this, nor more than
# MAX_AHEAD from now (far-future moments overflow datetime arithmetic and mean nothing for a school).
EARLIEST = datetime(2000, 1, 1, tzinfo=timezone.get_fixed_timezone(0))
MAX_AHEAD = timedelta(days=366)


class Command(BaseCommand):
    help = (
        "Run the escalation sweep once (as Celery beat does every minute), optionally as of another moment. "
        "A run with --at is a rehearsal: it fires as of that moment, but its e-mails are due now, it writes no "
        "sweep heartbeat and the outbox is delivered by the real clock."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--at",
            help="Run as of this moment, ISO 8601 (e.g. 2026-03-10T13:30 or 2026-03-10T13:30+01:00); "
            "a time without offset is Europe/Amsterdam. From 2000 up to a year from now.",
        )
        parser.add_argument("--dry-run", action="store_true", help="Only count what would start and fire.")

    def handle(self, *args, at=None, dry_run=False, **options):
        # An empty --at (an unset shell variable) is an error, not "now".
        now = self._parse(at) if at is not None else timezone.now()
        result = escalation_sweep(now=now, dry_run=dry_run, rehearsal=at is not None)
        when = timezone.localtime(now).strftime("%Y-%m-%d %H:%M")
        if dry_run:
            self.stdout.write(f"[dry run, {when}] would start {result.started} escalations; {result.due} are due.")
            return
        # The outbox runs on the real clock even in a rehearsal: retries and reclaims are real-time state.
        sent = deliver_due()
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
        latest = timezone.now() + MAX_AHEAD
        try:
            moment = moment if timezone.is_aware(moment) else timezone.make_aware(moment)
            in_range = EARLIEST <= moment <= latest
        except OverflowError:  # year 1 or 9999 with an offset
            in_range = False
        if not in_range:
            raise CommandError(
                f"--at: {value!r} is out of range: give a moment from 2000-01-01 up to "
                f"{timezone.localtime(latest):%Y-%m-%d %H:%M} (a year from now)."
            )
        return moment
