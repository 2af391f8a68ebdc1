"""Two saves of the same roster line at the same moment (a double click; the mentor and the care coordinator)
must leave one record, not a 500. SQLite runs one writer at a time (BEGIN IMMEDIATE), so the race only exists
on PostgreSQL, where these tests run real transactions in two threads."""

import threading
import time

import pytest
from django.db import connection, connections

from attendance.models import AttendanceRecord, ExplanationRequest
from attendance.services import roster

from .helpers import absent, mark

pytestmark = pytest.mark.django_db(transaction=True)


def waiting_for_a_lock() -> bool:
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() AND wait_event_type = 'Lock'"
        )
        return cursor.fetchone()[0] > 0


def test_it_keeps_one_record_when_a_line_is_saved_twice_at_once(world, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("only PostgreSQL runs two writers at once")
    first_inside, release = threading.Event(), threading.Event()
    original = roster.open_sick_reports_on
    inside = []

    def pause_the_first_save(student_ids, day):
        # Called after the save has looked for an existing record: the first save waits here until the second
        # has either finished or is waiting for a lock the first one holds.
        inside.append(threading.current_thread().name)
        if len(inside) == 1:
            first_inside.set()
            release.wait(timeout=30)
        return original(student_ids, day)

    monkeypatch.setattr(roster, "open_sick_reports_on", pause_the_first_save)
    errors = []

    def save(role_key, row):
        try:
            mark(world, world.ward, row, actor=world.user(role_key))
        except Exception as error:  # whatever went wrong in the thread fails the test below
            errors.append(error)
        finally:
            connections.close_all()

    first = threading.Thread(target=save, args=("mentor", absent()), name="mentor")
    second = threading.Thread(target=save, args=("care_coordinator", absent(remark="Dubbel")), name="care")
    first.start()
    assert first_inside.wait(timeout=30)
    second.start()
    give_up_at = time.monotonic() + 30
    while second.is_alive() and not waiting_for_a_lock() and time.monotonic() < give_up_at:
        pass
    release.set()
    first.join(timeout=30)
    second.join(timeout=30)

    assert errors == []
    record = AttendanceRecord.objects.get()
    assert (record.status, record.remark, record.updated_by) == ("absent", "Dubbel", world.user("care_coordinator"))
    assert ExplanationRequest.objects.count() == 1
