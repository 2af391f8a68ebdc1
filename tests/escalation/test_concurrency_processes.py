"""No deadlock on PostgreSQL: the attendance writes race two sweepers, in separate processes, over many pupils.

Every round starts fresh processes (own interpreter, own database connection, on the pytest-django test database
that this test commits to: transaction=True), like test_delivery_race.py: SWEEPERS run `escalation_sweep` over and
over while WORKERS explain absences (`explanation_give`), decide them (`absence_decide`), save rosters
(`attendance_save`, marking some pupils present and re-saving the others absent), report pupils sick and register
appointments, all about pupils whose escalations the sweepers are firing at that moment. Each child counts what
failed (a deadlock separately) and reports it to the parent in a JSON file. The parent then checks the end state:
every explained, decided or withdrawn absence settled its escalation, every other escalation fired once per round,
nothing failed, nothing was lost. Skips without PostgreSQL on a laptop; fails in CI.
"""

import json
import os
import random
import subprocess
import sys
from collections import Counter
from datetime import date, time, timedelta

import pytest
from django.conf import settings
from django.db import OperationalError, connection
from django.db.models import Count

from attendance.models import AttendanceRecord, ExplanationRequest, Reason
from attendance.services import RowInput, attendance_save
from escalation.models import Escalation, EscalationEvent, Notification, SweepRun
from students.models import Student
from students.team import TeamRole
from tests.conftest import require

from .conftest import BOTH, add_students_in_bulk, at, make_chain, sweep, travel
from .test_integration_celery import database_url

PUPILS = 150
ROUNDS = 3
SWEEPERS = 2
WORKERS = 4
# Touched per round, each on pupils of its own (the rest keep escalating: their step fires once per round).
EXPLANATIONS, DECISIONS, PRESENT, SICK, APPOINTMENTS = 12, 6, 6, 4, 4
ROSTER_SAVES = 2
TUESDAY = date(2026, 3, 10)
# The due escalations of a round fall due one by one over this many seconds, so the sweepers keep claiming.
SPREAD_SECONDS = 4

CHILD = """
import sys
import django
django.setup()
from tests.escalation.test_concurrency_processes import child
child(sys.argv[1], sys.argv[2], sys.argv[3])
"""


def round_start(number):
    return at(2026, 3, 10, 12 + number, 10)


# ---- In the child processes -----------------------------------------------------------------------------------


def child(go, plan_path, result_path):
    """Wait for the go file, run the plan with the clock at the round's start (ticking), write what failed."""
    import time as wall

    import time_machine

    with open(plan_path) as plan_file:
        plan = json.load(plan_file)
    while not os.path.exists(go):
        wall.sleep(0.01)
    errors, done = [], 0
    with time_machine.travel(plan["clock"], tick=True):
        if plan["role"] == "sweeper":
            done = _sweep_until_stopped(plan, errors)
        else:
            for job in plan["jobs"]:
                done += _attempt(lambda job=job: _run(job), errors, job["kind"])
    with open(result_path, "w") as out:
        json.dump({"role": plan["role"], "done": done, "errors": errors}, out)


def _attempt(function, errors, what="sweep") -> int:
    try:
        function()
    except Exception as error:  # counted and reported to the parent, never raised here
        deadlock, message = _is_deadlock(error), str(error)[:300]
        errors.append({"what": what, "type": type(error).__name__, "deadlock": deadlock, "message": message})
        return 0
    return 1


def _is_deadlock(error) -> bool:
    cause = error.__cause__
    return isinstance(error, OperationalError) and (
        type(cause).__name__ == "DeadlockDetected" or "deadlock detected" in str(error)
    )


def _sweep_until_stopped(plan, errors) -> int:
    """Sweep until told to stop and the round's last escalation has fallen due, then once more."""
    from django.utils import timezone

    from escalation.sweep import escalation_sweep

    sweeps, last_due = 0, timezone.now() + timedelta(seconds=SPREAD_SECONDS + 0.5)
    while not (os.path.exists(plan["stop"]) and timezone.now() > last_due) and sweeps < 2000:
        sweeps += _attempt(escalation_sweep, errors)
    return sweeps + _attempt(escalation_sweep, errors)


def _run(job):
    from attendance import services
    from attendance.models import Appointment
    from contacts.models import User
    from students.models import SchoolClass

    kind, actor = job["kind"], User.objects.get(username=job["actor"])
    if kind == "explain":
        services.explanation_give(request_ids=[job["request"]], reason=Reason.OTHER, remark="Bij de IND", actor=actor)
    elif kind == "decide":
        record = AttendanceRecord.objects.get(id=job["record"])
        services.absence_decide(record=record, authorised=False, note="", actor=actor)
    elif kind == "roster":
        rows = {int(student_id): RowInput(status=status) for student_id, status in job["rows"]}
        school_class = SchoolClass.objects.select_related("location").get(id=job["class"])
        attendance_save(school_class=school_class, day=TUESDAY, rows=rows, actor=actor)
    elif kind == "sick":
        services.sick_report_create(
            student=Student.objects.get(id=job["student"]),
            first_day=TUESDAY,
            expected_back=None,
            hospital_admission=job["hospital"],
            remark="",
            actor=actor,
        )
    elif kind == "appointment":
        services.appointment_create(
            student=Student.objects.get(id=job["student"]),
            kind=Appointment.Kind.LEGAL,
            day=TUESDAY,
            starts_at=time(9),
            ends_at=time(11),
            at_school=False,
            remark="",
            actor=actor,
        )


# ---- In the test process -------------------------------------------------------------------------------------


def seed_absent_pupils(world, count) -> list[Student]:
    """`count` pupils of the world's class at the world's location and guardian, registered absent on Tuesday
    through the roster (their requests are due at 12:00)."""
    students = add_students_in_bulk(world, count, name="Race")
    with travel(at(2026, 3, 10, 9)):
        attendance_save(
            school_class=world.school_class,
            day=TUESDAY,
            rows={student.id: RowInput(status=AttendanceRecord.Status.ABSENT) for student in students},
            actor=world.user("mentor"),
        )
    return students


def plan_round(world, fresh: list[Student], escalating: list[Student], rng) -> tuple[dict, list[dict]]:
    """Take this round's pupils from `fresh`; returns what each touched pupil should end as, and the jobs."""
    expected, jobs = {}, []
    requests = dict(ExplanationRequest.objects.filter(student__in=fresh).values_list("student_id", "id"))
    records = dict(AttendanceRecord.objects.filter(student__in=fresh).values_list("student_id", "id"))

    def take(number):
        return [fresh.pop() for _ in range(number)]

    for student in take(EXPLANATIONS):
        actor = rng.choice(["housing_worker", "guardian"])
        jobs.append({"kind": "explain", "request": requests[student.id], "actor": actor})
        expected[student.id] = "answered"
    for student in take(DECISIONS):
        jobs.append({"kind": "decide", "record": records[student.id], "actor": "care_coordinator"})
        expected[student.id] = "decided"
    for number, student in enumerate(take(SICK)):
        jobs.append({"kind": "sick", "student": student.id, "hospital": number % 2 == 0, "actor": "housing_worker"})
        expected[student.id] = "answered"
    for student in take(APPOINTMENTS):
        jobs.append({"kind": "appointment", "student": student.id, "actor": "guardian"})
        expected[student.id] = "answered"
    present = take(PRESENT)
    expected.update({student.id: "withdrawn" for student in present})
    for part in range(ROSTER_SAVES):
        mine = present[part::ROSTER_SAVES]
        # Re-saving pupils still absent changes nothing, but locks them as a real roster save of the class does.
        others = rng.sample(escalating, min(20, len(escalating)))
        rows = [(s.id, AttendanceRecord.Status.PRESENT) for s in mine]
        rows += [(s.id, AttendanceRecord.Status.ABSENT) for s in others if s.id not in expected]
        rng.shuffle(rows)
        jobs.append({"kind": "roster", "class": world.school_class.id, "rows": rows, "actor": "mentor"})
    rng.shuffle(jobs)
    return expected, jobs


def make_due(clock):
    """Every active escalation falls due during the round's first SPREAD_SECONDS, in random order."""
    active = list(Escalation.objects.filter(status__in=Escalation.ACTIVE).values_list("id", flat=True))
    random.Random(len(active)).shuffle(active)
    for number, escalation_id in enumerate(active):
        offset = timedelta(seconds=SPREAD_SECONDS * number / max(len(active), 1))
        Escalation.objects.filter(id=escalation_id).update(next_action_at=clock + offset)


def run_round(number, jobs, tmp_path) -> list[dict]:
    folder = tmp_path / f"round{number}"
    folder.mkdir()
    go, stop = folder / "go", folder / "stop"
    clock = round_start(number).isoformat()
    plans = [{"role": "sweeper", "clock": clock, "stop": str(stop)} for _ in range(SWEEPERS)]
    plans += [{"role": "worker", "clock": clock, "jobs": jobs[index::WORKERS]} for index in range(WORKERS)]
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amvcoord.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "DEBUG": "0",
        "SECRET_KEY": "concurrency-processes-test",
        "EMAIL_BACKEND": "django.core.mail.backends.locmem.EmailBackend",
    }
    children = []
    for index, plan in enumerate(plans):
        plan_path, result_path = folder / f"plan{index}.json", folder / f"result{index}.json"
        plan_path.write_text(json.dumps(plan))
        process = subprocess.Popen(
            [sys.executable, "-c", CHILD, str(go), str(plan_path), str(result_path)],
            cwd=settings.BASE_DIR,
            env=env,
            stderr=subprocess.PIPE,
        )
        children.append((process, result_path))
    go.touch()
    workers, sweepers = children[SWEEPERS:], children[:SWEEPERS]
    for process, _result in workers:
        process.wait(timeout=300)
    stop.touch()
    results = []
    for process, result_path in workers + sweepers:
        stderr = process.communicate(timeout=300)[1].decode()
        assert process.returncode == 0 and result_path.exists(), f"a child died:\n{stderr[-3000:]}"
        results.append(json.loads(result_path.read_text()))
    return results


def assert_settled(expected, rounds_seen):
    escalations = {e.student_id: e for e in Escalation.objects.select_related("explanation_request__record")}
    fired = Counter(
        EscalationEvent.objects.filter(kind=EscalationEvent.Kind.STEP_FIRED).values_list(
            "escalation__student_id", flat=True
        )
    )
    wrong = []
    for student_id, escalation in escalations.items():
        request, outcome = escalation.explanation_request, expected.get(student_id)
        if outcome == "answered":
            ok = (
                request.status == ExplanationRequest.Status.ANSWERED and escalation.status == Escalation.Status.RESOLVED
            )
        elif outcome == "withdrawn":
            ok = (
                request.status == ExplanationRequest.Status.CANCELLED
                and escalation.status == Escalation.Status.CANCELLED
            )
        elif outcome == "decided":
            ok = request.record.decided_at is not None and escalation.status == Escalation.Status.RESOLVED
        else:  # untouched: still escalating, one step per round and the first one
            ok = escalation.status == Escalation.Status.OPEN and fired[student_id] == rounds_seen + 1
        if not ok:
            wrong.append((student_id, outcome, request.status, escalation.status, fired[student_id]))
    assert not wrong, f"{len(wrong)} pupils in the wrong state, e.g. {wrong[:5]}"


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_attendance_writes_racing_two_sweepers_in_separate_processes_never_deadlock(world, tmp_path):
    require(connection.vendor == "postgresql", "the concurrency test needs PostgreSQL (DATABASE_URL)")
    steps = [([TeamRole.HOUSING_WORKER, TeamRole.GUARDIAN], 0, BOTH), ([TeamRole.GUARDIAN], 60, BOTH)]
    make_chain(world.school, steps, repeat_last_step=ROUNDS + 5)
    students = seed_absent_pupils(world, PUPILS)
    sweep(at(2026, 3, 10, 12, 5))
    assert Escalation.objects.filter(status=Escalation.Status.OPEN).count() == PUPILS
    rng = random.Random(9)
    fresh = rng.sample(students, len(students))
    expected, outcomes = {}, []
    for number in range(ROUNDS):
        escalating = [student for student in students if student.id not in expected]
        settled, jobs = plan_round(world, fresh, escalating, rng)
        make_due(round_start(number))
        outcomes += run_round(number, jobs, tmp_path)
        expected.update(settled)

    errors = [error for outcome in outcomes for error in outcome["errors"]]
    deadlocks = [error for error in errors if error["deadlock"]]
    by_kind = Counter((error["what"], error["type"]) for error in errors)
    assert not errors, f"{len(errors)} errors, {len(deadlocks)} deadlocks: {dict(by_kind)}; first: {errors[0]}"
    assert sum(outcome["done"] for outcome in outcomes if outcome["role"] == "worker") == len(expected) - ROUNDS * (
        PRESENT - ROSTER_SAVES
    )
    assert Escalation.objects.count() == PUPILS
    assert not EscalationEvent.objects.filter(kind=EscalationEvent.Kind.FAILED).exists()
    assert not SweepRun.objects.filter(failures__gt=0).exists()
    assert_settled(expected, ROUNDS)
    duplicates = (
        Notification.objects.filter(escalation__isnull=False)
        .values("escalation", "step", "round", "recipient", "channel")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
    )
    assert not duplicates.exists()
