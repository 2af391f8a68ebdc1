"""Benchmarks: volume seeding and server-side timings of the pages and jobs that must stay fast.

Usage (PostgreSQL recommended; the numbers in the issue notes come from it):

    export DATABASE_URL=postgres://postgres@127.0.0.1:5432/amvcoord_bench SECRET_KEY=bench DEBUG=0
    .venv/bin/python bench/run_bench.py seed       # 100 schools, 30,000 students, ~1,000,000 attendance records
    .venv/bin/python bench/run_bench.py measure    # roster, save, inbox, sweep, dashboard

Timings are server time through Django's test client (no network), the median of several runs, with the number
of SQL queries of one run.
"""

import argparse
import os
import random
import statistics
import sys
import time
from datetime import timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "amvcoord.settings")
os.environ.setdefault("SECRET_KEY", "bench-only")
os.environ.setdefault("ALLOWED_HOSTS", "testserver")
os.environ.setdefault("SECURE_SSL_REDIRECT", "0")
os.environ.setdefault("TWO_FACTOR_REQUIRED_ROLES", "")

import django

django.setup()

from django.contrib.auth.hashers import make_password  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402
from django.utils import timezone  # noqa: E402

from amvcoord.celery import app as celery_app  # noqa: E402
from attendance.demo import build_attendance_history  # noqa: E402
from attendance.models import AttendanceRecord, ExplanationRequest  # noqa: E402
from contacts.models import ContactPerson, Organisation, Role, User  # noqa: E402
from escalation.demo import build_demo_chains  # noqa: E402
from escalation.models import Escalation, Notification  # noqa: E402
from escalation.sweep import escalation_sweep  # noqa: E402
from students.models import SchoolClass, Student  # noqa: E402

SCHOOLS, STUDENTS, HISTORY_DAYS = 100, 30_000, 33
VOLUME_PREFIX = "ISK Volume"


def seed(args):
    started = time.monotonic()
    call_command("seed_demo", schools=args.schools, students=args.students)
    print(f"seed_demo --schools {args.schools} --students {args.students}: {time.monotonic() - started:.1f}s")
    password = make_password("amvcoord-bench")
    rng = random.Random(7)
    started = time.monotonic()
    total = 0
    for school in Organisation.objects.filter(name__startswith=VOLUME_PREFIX).order_by("name"):
        if AttendanceRecord.objects.filter(student__school=school).exists():
            continue
        with transaction.atomic():
            recorder = {}
            for school_class in SchoolClass.objects.filter(location__organisation=school).prefetch_related("mentors"):
                mentor = school_class.mentors.first()
                user, _ = User.objects.get_or_create(
                    username=f"bench-mentor-{mentor.id}", defaults={"person": mentor, "password": password}
                )
                recorder[school_class.id] = user.id
            explainer = {}
            workers = ContactPerson.objects.filter(
                role=Role.HOUSING_WORKER, locations__placements__student__school=school
            ).distinct()
            for worker in workers.prefetch_related("locations"):
                user, _ = User.objects.get_or_create(
                    username=f"bench-worker-{worker.id}", defaults={"person": worker, "password": password}
                )
                for location in worker.locations.all():
                    explainer.setdefault(location.id, user.id)
            build_demo_chains(school_id=school.id)
            result = build_attendance_history(
                school_id=school.id,
                days=args.days,
                rng=rng,
                recorder_for_class=recorder,
                explainer_for_location=explainer,
            )
            total += result.records
    print(f"attendance history ({args.days} school days): {total} records in {time.monotonic() - started:.1f}s")
    print(f"attendance records in the database: {AttendanceRecord.objects.count()}")
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("ANALYZE")  # fresh planner statistics after a bulk load, as autovacuum would do


def timed(label, action, runs):
    durations = []
    with CaptureQueriesContext(connection) as queries:
        response = action()
    queries_per_run = len(queries)
    for _ in range(runs):
        started = time.perf_counter()
        action()
        durations.append((time.perf_counter() - started) * 1000)
    status = getattr(response, "status_code", "")
    print(
        f"{label:58} median {statistics.median(durations):8.1f} ms   max {max(durations):8.1f} ms   "
        f"{queries_per_run:4d} queries   {status}"
    )
    return response


def measure(args):
    setup_test_environment()
    school = Organisation.objects.filter(name__startswith=VOLUME_PREFIX).order_by("name").first()
    if school is None:
        sys.exit("No volume data: run `bench/run_bench.py seed` first.")
    print(
        f"database: {connection.vendor}; {Student.objects.count()} students, "
        f"{AttendanceRecord.objects.count()} attendance records"
    )
    school_class = SchoolClass.objects.filter(location__organisation=school).order_by("name").first()
    mentor_user = User.objects.get(person__in=school_class.mentors.all())
    client = Client()
    client.force_login(mentor_user)
    day = _last_school_day(school)
    url = f"/aanwezigheid/klas/{school_class.id}/?datum={day.isoformat()}"
    students = list(school_class.students.order_by("id").values_list("id", flat=True))
    print(f"roster: class {school_class.name} with {len(students)} students, {day}")
    timed("GET roster (30 students)", lambda: client.get(url), args.runs)
    statuses = ["present"] * len(students)
    data = {"datum": day.isoformat()}

    def save():
        for index, student_id in enumerate(students):
            statuses[index] = "absent" if statuses[index] == "present" and index % 10 == 0 else "present"
            data[f"s{student_id}-status"] = statuses[index]
        return client.post(url, data)

    timed("POST roster save (30 students, 3 changing)", save, args.runs)

    worker = User.objects.filter(username__startswith="bench-worker-", person__locations__isnull=False).first()
    client.force_login(worker)
    open_requests = ExplanationRequest.objects.filter(status="open", location__in=worker.person.locations.all()).count()
    timed(
        f"GET housing inbox ({open_requests} open requests)",
        lambda: client.get("/aanwezigheid/te-beantwoorden/"),
        args.runs,
    )

    coordinator = ContactPerson.objects.get(organisation=school, role=Role.CARE_COORDINATOR)
    coordinator_user, _ = User.objects.get_or_create(
        username="bench-coordinator", defaults={"person": coordinator, "password": make_password("x")}
    )
    measure_sweep(args)
    client.force_login(coordinator_user)
    timed("GET escalation dashboard", lambda: client.get("/escalaties/"), args.runs)


def _last_school_day(school):
    from attendance.calendar import SchoolCalendar

    return SchoolCalendar(school.id).previous_school_day(timezone.localdate(), include_today=False)


def measure_sweep(args):
    # E-mail goes to the Celery worker in production; here it is queued in memory and not sent, so that the
    # figures are the sweep's own.
    celery_app.conf.task_always_eager = False
    now = timezone.now()
    with transaction.atomic():
        Notification.objects.filter(escalation__isnull=False).delete()
        Escalation.objects.all().delete()
    started = time.perf_counter()
    result = escalation_sweep(now=now)
    elapsed = time.perf_counter() - started
    print(
        f"sweep: started {result.started} escalations for open requests and fired {result.fired} steps "
        f"in {elapsed:.2f}s"
    )
    due = Escalation.objects.filter(status__in=Escalation.ACTIVE).count()
    # Make every active escalation due again: the next sweep fires the next step for all of them.
    target = args.due
    active = list(Escalation.objects.filter(status__in=Escalation.ACTIVE).values_list("id", flat=True)[:target])
    Escalation.objects.filter(id__in=active).update(next_action_at=now)
    later = now + timedelta(minutes=1)
    started = time.perf_counter()
    result = escalation_sweep(now=later)
    elapsed = time.perf_counter() - started
    handled = result.fired + result.closed + result.exhausted
    print(
        f"sweep with {len(active)} due escalations (of {due} active): {result.fired} steps fired, "
        f"{result.exhausted} exhausted, {result.closed} closed, {result.failures} failures in {elapsed:.2f}s "
        f"= {handled / elapsed:.0f} escalations/s"
    )
    idle = []
    for _ in range(args.runs):
        started = time.perf_counter()
        escalation_sweep(now=later)
        idle.append((time.perf_counter() - started) * 1000)
    with CaptureQueriesContext(connection) as queries:
        escalation_sweep(now=later)
    print(f"{'idle sweep (nothing due)':58} median {statistics.median(idle):8.1f} ms   {len(queries):4d} queries")


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="command", required=True)
    seed_parser = sub.add_parser("seed")
    seed_parser.add_argument("--schools", type=int, default=SCHOOLS)
    seed_parser.add_argument("--students", type=int, default=STUDENTS)
    seed_parser.add_argument("--days", type=int, default=HISTORY_DAYS)
    measure_parser = sub.add_parser("measure")
    measure_parser.add_argument("--runs", type=int, default=5)
    measure_parser.add_argument("--due", type=int, default=10_000)
    args = parser.parse_args()
    {"seed": seed, "measure": measure}[args.command](args)


if __name__ == "__main__":
    main()
