"""Two sweepers at once on PostgreSQL, in separate processes: each escalation starts once, and the escalations
each reports as started add up to those that exist (a start the other sweeper won is not counted twice)."""

import os
import subprocess
import sys
from datetime import date

import pytest
from django.conf import settings
from django.db import connection

from attendance.models import AttendanceRecord
from attendance.services import RowInput, attendance_save
from escalation.models import Escalation
from students.team import TeamRole
from tests.conftest import require

from .conftest import IN_APP, add_student, at, make_chain, travel
from .test_integration_celery import database_url

SWEEPERS = 2
STUDENTS = 120

# Each sweeper waits for the go file, so that both plan the same causes and race to insert them.
SWEEPER = """
import os, sys, time
from datetime import datetime
import django
django.setup()
from escalation.sweep import escalation_sweep
go, moment = sys.argv[1], datetime.fromisoformat(sys.argv[2])
while not os.path.exists(go):
    time.sleep(0.01)
print(escalation_sweep(now=moment).started)
"""


@pytest.mark.services
@pytest.mark.django_db(transaction=True)
def test_racing_sweepers_report_each_started_escalation_once(world, tmp_path):
    require(connection.vendor == "postgresql", "the sweep race test needs PostgreSQL (DATABASE_URL)")
    make_chain(world.school, [([TeamRole.HOUSING_WORKER], 0, IN_APP)])
    students = [world.ward, *(add_student(world, f"Leerling{n}") for n in range(STUDENTS - 1))]
    with travel(at(2026, 3, 10, 9)):
        attendance_save(
            school_class=world.school_class,
            day=date(2026, 3, 10),
            rows={student.id: RowInput(status=AttendanceRecord.Status.ABSENT) for student in students},
            actor=world.user("mentor"),
        )
    go = tmp_path / "go"
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "amvcoord.settings",
        "DATABASE_URL": database_url(),
        "REDIS_URL": "",
        "DEBUG": "0",
        "SECRET_KEY": "sweep-race-test",
    }
    sweepers = [
        subprocess.Popen(
            [sys.executable, "-c", SWEEPER, str(go), at(2026, 3, 10, 12).isoformat()],
            cwd=settings.BASE_DIR,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        for _ in range(SWEEPERS)
    ]
    go.touch()
    outputs = [sweeper.communicate(timeout=180) for sweeper in sweepers]
    assert all(sweeper.returncode == 0 for sweeper in sweepers), "\n".join(err.decode() for _out, err in outputs)
    reported = [int(out.decode().split()[-1]) for out, _err in outputs]

    assert Escalation.objects.count() == STUDENTS
    assert sum(reported) == STUDENTS, f"the sweepers reported {reported} started"
