from django.conf import settings
from django.core.management.base import BaseCommand

from amvcoord.retention import purge_expired


class Command(BaseCommand):
    help = "Delete or anonymise data past its retention period (students who left, remarks, inactive contacts)."

    def add_arguments(self, parser):
        parser.add_argument("--dry-run", action="store_true", help="Only print what would be deleted.")

    def handle(self, *args, dry_run=False, **options):
        counts = purge_expired(dry_run=dry_run)
        verb = "Would delete" if dry_run else "Deleted"
        self.stdout.write(
            f"{verb} {counts.students_deleted} students who left more than {settings.RETENTION_ABSENCE_YEARS} years "
            f"ago ({counts.attendance_deleted} attendance records); "
            f"{'would wipe' if dry_run else 'wiped'} remarks on {counts.remarks_wiped} rows of students who left more "
            f"than {settings.RETENTION_CARE_NOTES_YEARS} years ago; "
            f"{'would anonymise' if dry_run else 'anonymised'} {counts.contacts_anonymised} contact persons inactive "
            f"for more than {settings.RETENTION_INACTIVE_CONTACT_YEARS} years."
        )
