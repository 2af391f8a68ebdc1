"""Dates, times and small builders shared by the attendance tests."""

from datetime import date, datetime

from attendance.calendar import AMSTERDAM
from attendance.services import RowInput, attendance_save
from tests.factories import PlacementFactory, StudentFactory

MONDAY = date(2026, 3, 9)
TUESDAY = date(2026, 3, 10)  # "today" in every attendance test unless the test moves the clock
WEDNESDAY = date(2026, 3, 11)
FRIDAY_BEFORE = date(2026, 3, 6)
SATURDAY = date(2026, 3, 14)


def at(year, month, day, hour=9, minute=0) -> datetime:
    """An aware datetime on the Amsterdam wall clock."""
    return datetime(year, month, day, hour, minute, tzinfo=AMSTERDAM)


def absent(**kwargs) -> RowInput:
    return RowInput(status="absent", **kwargs)


def present(**kwargs) -> RowInput:
    return RowInput(status="present", **kwargs)


def mark(world, student, row: RowInput, *, day=TUESDAY, actor=None):
    """Save one roster line for a student of the world's class, as the mentor."""
    [record] = attendance_save(
        school_class=world.school_class, day=day, rows={student.id: row}, actor=actor or world.user("mentor")
    )
    return record


def classmates(world, count, *, location=None):
    """`count` more active students in the world's class, each living at `location` (default: the world's)."""
    students = StudentFactory.create_batch(count, school_class=world.school_class)
    for student in students:
        PlacementFactory(student=student, location=location or world.location)
    return students
