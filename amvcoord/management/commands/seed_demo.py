import time

from django.core.management.base import BaseCommand, CommandError

from attendance.demo import build_demo_attendance
from contacts.models import Organisation
from escalation.demo import build_demo_chains
from students.demo import DEMO_LOGINS, DEMO_PASSWORD, DEMO_SCHOOL, DemoBuilder


class Command(BaseCommand):
    help = "Load the demo setting (an ISK with its COA, Nidos and municipality partners), or volume for benchmarks."

    def add_arguments(self, parser):
        parser.add_argument("--schools", type=int, help="Generate this many extra volume schools (benchmarks).")
        parser.add_argument("--students", type=int, help="Students: 200 for the demo, the total for --schools.")

    def handle(self, *args, schools=None, students=None, **options):
        started = time.monotonic()
        builder = DemoBuilder()
        if schools is not None:
            if schools < 1 or (students or 0) < schools:
                raise CommandError("--schools must be at least 1 and --students at least --schools.")
            created = builder.build_volume(
                schools=schools,
                students=students,
                progress=lambda done, total: self.stdout.write(f"  school {done}/{total}"),
            )
        else:
            created = builder.build_demo(students=students or 200)
            school = Organisation.objects.get(name=DEMO_SCHOOL)
            build_demo_chains(school_id=school.id)
            history = build_demo_attendance(school_id=school.id, rng=builder.random)
            if history:
                self.stdout.write(
                    f"Attendance history: {history.records} records, {history.requests} open explanation "
                    f"requests, {history.sick_reports} sick reports, {history.appointments} appointments."
                )
            self.stdout.write(f"Demo logins (password {DEMO_PASSWORD}):")
            for login in DEMO_LOGINS:
                self.stdout.write(f"  {login.username:16} {login.description}")
        self.stdout.write(
            self.style.SUCCESS(
                f"Created {created['students']} students and {created['people']} contact persons "
                f"in {time.monotonic() - started:.1f}s."
            )
        )
