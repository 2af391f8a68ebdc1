from datetime import UTC, date, datetime, time, timedelta

import pytest

from attendance.calendar import SchoolCalendar
from attendance.models import SchoolPolicy
from students.models import SchoolClass

from .factories import SchoolHolidayFactory, SchoolPolicyFactory
from .helpers import MONDAY, SATURDAY, TUESDAY, at


def calendar(*, deadline=time(12, 0), opens=time(8, 0), closes=time(17, 0), school_holidays=()):
    """A calendar that needs no database: policy and school holidays passed in."""
    policy = SchoolPolicy(explanation_deadline=deadline, workday_starts_at=opens, workday_ends_at=closes)
    return SchoolCalendar(1, policy=policy, school_holidays=list(school_holidays))


SPRING_BREAK = (date(2026, 2, 16), date(2026, 2, 20), "Voorjaarsvakantie")


# -- school days ------------------------------------------------------------------------------------------------


def test_it_has_school_on_an_ordinary_tuesday():
    assert calendar().is_school_day(TUESDAY)
    assert calendar().closed_because(TUESDAY) is None


@pytest.mark.parametrize("day", [SATURDAY, SATURDAY + timedelta(days=1)])
def test_it_has_no_school_at_the_weekend(day):
    assert calendar().closed_because(day) == "weekend"


@pytest.mark.parametrize(
    ("day", "name"),
    [
        (date(2026, 4, 27), "Koningsdag"),
        (date(2026, 12, 25), "Eerste kerstdag"),
        (date(2026, 1, 1), "Nieuwjaarsdag"),
        (date(2026, 4, 6), "Tweede paasdag"),
        (date(2026, 5, 14), "Hemelvaartsdag"),
    ],
)
def test_it_has_no_school_on_dutch_public_holidays(day, name):
    assert day.weekday() < 5
    assert calendar().closed_because(day) == name


def test_it_has_no_school_in_the_schools_own_holidays_both_ends_included():
    cal = calendar(school_holidays=[SPRING_BREAK])
    assert cal.closed_because(date(2026, 2, 16)) == "Voorjaarsvakantie"
    assert cal.closed_because(date(2026, 2, 20)) == "Voorjaarsvakantie"
    assert cal.is_school_day(date(2026, 2, 13))
    assert cal.is_school_day(date(2026, 2, 23))


def test_it_reads_holidays_and_policy_of_its_own_school_from_the_database(db):
    policy = SchoolPolicyFactory(explanation_deadline=time(10, 30))
    SchoolHolidayFactory(school=policy.school, name="Studiedag", first_day=TUESDAY, last_day=TUESDAY)
    SchoolHolidayFactory(name="Studiedag elders", first_day=MONDAY, last_day=MONDAY)
    cal = SchoolCalendar(policy.school_id)
    assert cal.closed_because(TUESDAY) == "Studiedag"
    assert cal.is_school_day(MONDAY)
    assert cal.policy.explanation_deadline == time(10, 30)


def test_it_uses_the_default_policy_for_a_school_without_one(db):
    policy = SchoolCalendar(123456).policy
    assert (policy.explanation_deadline, policy.correction_window_days) == (time(12, 0), 7)


def test_it_steps_to_the_next_and_previous_school_day_over_a_long_weekend():
    cal = calendar()
    # Friday 24 April 2026, then the weekend and King's Day on Monday 27 April.
    assert cal.next_school_day(date(2026, 4, 24)) == date(2026, 4, 28)
    assert cal.previous_school_day(date(2026, 4, 28), include_today=False) == date(2026, 4, 24)
    assert cal.previous_school_day(date(2026, 4, 27)) == date(2026, 4, 24)
    assert cal.next_school_day(TUESDAY, include_today=True) == TUESDAY


def test_it_lists_the_school_days_of_a_period():
    cal = calendar(school_holidays=[SPRING_BREAK])
    days = cal.school_days(date(2026, 2, 12), date(2026, 2, 24))
    assert days == [date(2026, 2, 12), date(2026, 2, 13), date(2026, 2, 23), date(2026, 2, 24)]


# -- the explanation deadline -----------------------------------------------------------------------------------


def test_it_sets_the_deadline_at_noon_the_same_day_when_marked_in_the_morning():
    assert calendar().explanation_deadline(TUESDAY, now=at(2026, 3, 10, 9, 0)) == at(2026, 3, 10, 12, 0)


def test_it_moves_the_deadline_to_the_next_school_day_when_noon_has_passed():
    assert calendar().explanation_deadline(TUESDAY, now=at(2026, 3, 10, 13, 0)) == at(2026, 3, 11, 12, 0)


def test_it_moves_the_deadline_at_exactly_noon_too():
    assert calendar().explanation_deadline(TUESDAY, now=at(2026, 3, 10, 12, 0)) == at(2026, 3, 11, 12, 0)


def test_it_moves_a_friday_afternoon_deadline_to_monday():
    friday = date(2026, 3, 13)
    assert calendar().explanation_deadline(friday, now=at(2026, 3, 13, 15, 30)) == at(2026, 3, 16, 12, 0)


def test_it_skips_kings_day_when_moving_the_deadline():
    friday = date(2026, 4, 24)
    assert calendar().explanation_deadline(friday, now=at(2026, 4, 24, 14, 0)) == at(2026, 4, 28, 12, 0)


def test_it_uses_the_schools_own_deadline_time():
    assert calendar(deadline=time(10, 0)).explanation_deadline(TUESDAY, now=at(2026, 3, 10, 9)) == at(
        2026, 3, 10, 10, 0
    )


def test_it_gives_a_correction_of_an_earlier_day_until_the_next_school_day():
    # Monday's absence entered on Tuesday afternoon: Monday noon is long gone.
    assert calendar().explanation_deadline(MONDAY, now=at(2026, 3, 10, 14, 0)) == at(2026, 3, 11, 12, 0)


def test_it_gives_a_correction_made_at_the_weekend_until_monday_noon():
    friday = date(2026, 3, 13)
    assert calendar().explanation_deadline(friday, now=at(2026, 3, 14, 10, 0)) == at(2026, 3, 16, 12, 0)


def test_it_keeps_noon_on_the_wall_clock_across_dst():
    # Friday 27 March (CET, UTC+1) in the afternoon: Monday 30 March noon is CEST (UTC+2).
    deadline = calendar().explanation_deadline(date(2026, 3, 27), now=at(2026, 3, 27, 15, 0))
    assert deadline == at(2026, 3, 30, 12, 0)
    assert deadline.astimezone(UTC) == datetime(2026, 3, 30, 10, 0, tzinfo=UTC)


# -- working time -----------------------------------------------------------------------------------------------


def test_it_adds_working_time_within_one_day():
    assert calendar().add_working_time(at(2026, 3, 10, 9, 0), timedelta(hours=2)) == at(2026, 3, 10, 11, 0)


def test_it_carries_working_time_over_the_weekend():
    friday_afternoon = at(2026, 3, 13, 16, 0)
    assert calendar().add_working_time(friday_afternoon, timedelta(hours=2)) == at(2026, 3, 16, 9, 0)


def test_it_ends_at_closing_time_when_the_hours_fit_exactly():
    assert calendar().add_working_time(at(2026, 3, 10, 15, 0), timedelta(hours=2)) == at(2026, 3, 10, 17, 0)


def test_it_counts_from_the_next_opening_when_started_outside_working_hours():
    cal = calendar()
    assert cal.add_working_time(at(2026, 3, 10, 6, 30), timedelta(hours=1)) == at(2026, 3, 10, 9, 0)
    assert cal.add_working_time(at(2026, 3, 10, 18, 0), timedelta(hours=1)) == at(2026, 3, 11, 9, 0)
    assert cal.add_working_time(at(2026, 3, 14, 11, 0), timedelta(hours=1)) == at(2026, 3, 16, 9, 0)


def test_it_skips_a_public_holiday_and_a_school_holiday():
    cal = calendar(school_holidays=[(date(2026, 4, 28), date(2026, 4, 28), "Studiedag")])
    # Friday 24 April 16:00 + 3 hours: 1 hour on Friday, then Monday is King's Day and Tuesday a study day.
    assert cal.add_working_time(at(2026, 4, 24, 16, 0), timedelta(hours=3)) == at(2026, 4, 29, 10, 0)


def test_it_spans_several_days_of_working_hours():
    # 20 working hours from Tuesday 08:00 with a 9-hour day: Tuesday 9, Wednesday 9, Thursday 2.
    assert calendar().add_working_time(at(2026, 3, 10, 8, 0), timedelta(hours=20)) == at(2026, 3, 12, 10, 0)


def test_it_keeps_the_wall_clock_over_the_spring_dst_change():
    # Sunday 29 March 2026 the clocks go forward; Friday is UTC+1, Monday UTC+2.
    friday = at(2026, 3, 27, 16, 0)
    result = calendar().add_working_time(friday, timedelta(hours=2))
    assert result == at(2026, 3, 30, 9, 0)
    assert result.astimezone(UTC) == datetime(2026, 3, 30, 7, 0, tzinfo=UTC)


def test_it_keeps_the_wall_clock_over_the_autumn_dst_change():
    # Sunday 25 October 2026 the clocks go back; Friday is UTC+2, Monday UTC+1.
    friday = at(2026, 10, 23, 16, 0)
    result = calendar().add_working_time(friday, timedelta(hours=2))
    assert result == at(2026, 10, 26, 9, 0)
    assert result.astimezone(UTC) == datetime(2026, 10, 26, 8, 0, tzinfo=UTC)


def test_it_accepts_a_start_in_utc():
    # 08:00 UTC on Tuesday is 09:00 in Amsterdam (winter time).
    start = at(2026, 3, 10, 9, 0).astimezone(UTC)
    assert calendar().add_working_time(start, timedelta(minutes=30)) == at(2026, 3, 10, 9, 30)


def test_it_uses_the_schools_own_working_hours():
    cal = calendar(opens=time(8, 30), closes=time(16, 0))
    assert cal.add_working_time(at(2026, 3, 10, 15, 30), timedelta(hours=1)) == at(2026, 3, 11, 9, 0)


def test_it_gives_a_correction_of_yesterday_todays_answer_by_time():
    """Monday's absence entered on Tuesday 09:00 must be answered by Tuesday 12:00, not Wednesday."""
    calendar = SchoolCalendar(0, policy=SchoolPolicy(school_id=0), school_holidays=[])
    tuesday_morning = at(2026, 3, 10, 9)
    assert calendar.explanation_deadline(MONDAY, now=tuesday_morning) == at(2026, 3, 10, 12)


# -- lesson hours an appointment covers -------------------------------------------------------------------------


def lessons_during(starts_at, ends_at, *, day=MONDAY, lesson_minutes=50):
    """Class 1A starts at 08:30 with 6 lesson hours on Monday and 4 on Wednesday."""
    school_class = SchoolClass(day_starts_at=time(8, 30), hours_monday=6, hours_wednesday=4)
    policy = SchoolPolicy(lesson_minutes=lesson_minutes)
    return SchoolCalendar(1, policy=policy, school_holidays=[]).lessons_during(school_class, day, starts_at, ends_at)


@pytest.mark.parametrize(
    ("starts_at", "ends_at", "lessons"),
    [
        # 08:30–09:20, 09:20–10:10, 10:10–11:00, 11:00–11:50, 11:50–12:40, 12:40–13:30
        (time(10, 0), time(11, 30), 3),  # an hour and a half misses three lessons, not the day
        (time(9, 20), time(10, 10), 1),  # exactly one lesson: touching its neighbours is no overlap
        (time(7, 0), time(8, 30), 0),  # before school
        (time(13, 0), time(15, 0), 1),  # only the last lesson of the day
        (time(13, 30), time(16, 0), 0),  # after the last lesson
        (time(8, 0), time(16, 0), 6),  # the whole day
    ],
)
def test_it_counts_only_the_lesson_hours_an_appointment_covers(starts_at, ends_at, lessons):
    assert lessons_during(starts_at, ends_at) == lessons


def test_it_counts_lessons_with_the_schools_lesson_length_and_the_days_timetable():
    assert lessons_during(time(10, 0), time(11, 0), lesson_minutes=60) == 2  # 09:30–10:30, 10:30–11:30
    wednesday = MONDAY + timedelta(days=2)
    assert lessons_during(time(11, 0), time(16, 0), day=wednesday) == 1  # four lessons end at 11:50
    saturday = MONDAY + timedelta(days=5)
    assert lessons_during(time(8, 0), time(16, 0), day=saturday) == 0
