"""Time travel: escalation time is school working time in Europe/Amsterdam, across weekends, holidays and DST.

Each journey sweeps every hour of real (UTC) time from the deadline on, and checks that step 2 fires at the one
wall-clock moment it should, not an hour early or late and not in the weekend or on a holiday.
"""

from datetime import UTC, date, timedelta

import pytest

from attendance.calendar import SchoolCalendar
from attendance.models import SchoolHoliday
from escalation.models import Escalation
from escalation.services import escalation_acknowledge
from students.team import TeamRole

from .conftest import BOTH, at, make_chain, notifications, open_request, sweep, travel

pytestmark = pytest.mark.django_db

# Step 2 comes 6 working hours after the deadline of 12:00: 5 hours that day (12–17), 1 the next school day.
SIX_HOURS = [([TeamRole.HOUSING_WORKER], 0, BOTH), ([TeamRole.GUARDIAN], 360, BOTH)]


def journey(world, absence_day: date, expected, *, utc_hour_of_landing):
    make_chain(world.school, SIX_HOURS)
    with travel(at(absence_day.year, absence_day.month, absence_day.day, 9)):
        request = open_request(world, absence_day)
    assert request.deadline == at(absence_day.year, absence_day.month, absence_day.day, 12)

    sweep(request.deadline)
    assert Escalation.objects.get().next_action_at == expected

    moment = request.deadline
    fired_at = None
    while moment <= expected + timedelta(hours=2):
        sweep(moment)
        if fired_at is None and notifications(step=2):
            fired_at = moment
        moment += timedelta(hours=1)
    assert Escalation.objects.get().current_step == 2
    assert fired_at == expected
    assert fired_at.astimezone(UTC).hour == utc_hour_of_landing


def test_it_skips_the_weekend(world):
    journey(world, date(2026, 3, 13), at(2026, 3, 16, 9), utc_hour_of_landing=8)


def test_it_skips_good_friday_the_weekend_and_easter_monday(world):
    journey(world, date(2026, 4, 2), at(2026, 4, 7, 9), utc_hour_of_landing=7)


def test_it_skips_a_school_holiday(world):
    SchoolHoliday.objects.create(
        school=world.school, name="Voorjaarsvakantie", first_day=date(2026, 2, 16), last_day=date(2026, 2, 20)
    )
    journey(world, date(2026, 2, 13), at(2026, 2, 23, 9), utc_hour_of_landing=8)


def test_it_lands_on_nine_local_after_the_spring_dst_change(world):
    """Clocks go forward in the night to Sunday 29 March 2026: Monday 09:00 is 07:00 UTC, no longer 08:00."""
    journey(world, date(2026, 3, 27), at(2026, 3, 30, 9), utc_hour_of_landing=7)


def test_it_lands_on_nine_local_after_the_autumn_dst_change(world):
    """Clocks go back in the night to Sunday 25 October 2026: Monday 09:00 is 08:00 UTC, no longer 07:00."""
    journey(world, date(2026, 10, 23), at(2026, 10, 26, 9), utc_hour_of_landing=8)


@pytest.mark.parametrize(
    ("friday", "monday_nine_utc_hour"),
    [(date(2026, 3, 27), 7), (date(2026, 10, 23), 8)],
    ids=["spring", "autumn"],
)
def test_two_school_hours_from_friday_four_pm_is_monday_morning(world, friday, monday_nine_utc_hour):
    """An acknowledgement of 120 working minutes at Friday 16:00 runs out on Monday at 09:00 local time."""
    make_chain(world.school, SIX_HOURS, acknowledgement_minutes=120)
    with travel(at(friday.year, friday.month, friday.day, 9)):
        open_request(world, friday)
    sweep(at(friday.year, friday.month, friday.day, 12))
    escalation = Escalation.objects.get()
    # Step 2 would be Monday 09:00 anyway; make the acknowledgement the later one to see its own arithmetic.
    Escalation.objects.filter(id=escalation.id).update(next_action_at=at(friday.year, friday.month, friday.day, 16, 30))

    escalation_acknowledge(
        escalation=escalation,
        actor=world.user("housing_worker"),
        now=at(friday.year, friday.month, friday.day, 16),
    )

    escalation.refresh_from_db()
    monday = friday + timedelta(days=3)
    assert escalation.next_action_at == at(monday.year, monday.month, monday.day, 9)
    assert escalation.next_action_at.astimezone(UTC).hour == monday_nine_utc_hour
    sweep(at(monday.year, monday.month, monday.day, 8, 59))
    assert not notifications(step=2)
    sweep(at(monday.year, monday.month, monday.day, 9))
    assert notifications(step=2)


@pytest.mark.parametrize(
    ("start", "minutes", "expected"),
    [
        (at(2026, 3, 27, 16), 120, at(2026, 3, 30, 9)),
        (at(2026, 10, 23, 16), 120, at(2026, 10, 26, 9)),
        (at(2026, 3, 28, 11), 30, at(2026, 3, 30, 8, 30)),
        (at(2026, 10, 25, 2, 30), 60, at(2026, 10, 26, 9)),
        (at(2026, 4, 24, 16), 120, at(2026, 4, 28, 9)),
        (at(2026, 3, 10, 7), 0, at(2026, 3, 10, 8)),
        (at(2026, 3, 10, 15), 120, at(2026, 3, 10, 17)),
    ],
    ids=["spring-dst", "autumn-dst", "saturday", "ambiguous-hour", "kingsday", "before-opening", "to-closing"],
)
def test_working_time_arithmetic(world, start, minutes, expected):
    assert SchoolCalendar(world.school.id).add_working_time(start, timedelta(minutes=minutes)) == expected
