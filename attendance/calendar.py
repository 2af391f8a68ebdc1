"""A school's working calendar: school days and hours, Dutch public holidays and the school's own holidays.

All arithmetic happens on local dates and wall-clock times in Europe/Amsterdam and is turned into aware
datetimes at the end, so a DST change never shifts "12:00 on a school day".
"""

from datetime import date, datetime, time, timedelta
from functools import cached_property
from zoneinfo import ZoneInfo

import holidays
from django.conf import settings

from .models import SchoolHoliday, SchoolPolicy

AMSTERDAM = ZoneInfo(settings.TIME_ZONE)
WEEKEND = (5, 6)


class SchoolCalendar:
    def __init__(self, school_id: int, *, policy: SchoolPolicy | None = None, school_holidays=None):
        self.school_id = school_id
        self._policy = policy
        self._school_holidays = school_holidays

    @cached_property
    def policy(self) -> SchoolPolicy:
        if self._policy is not None:
            return self._policy
        return SchoolPolicy.objects.filter(school_id=self.school_id).first() or SchoolPolicy(school_id=self.school_id)

    @cached_property
    def school_holidays(self) -> list[tuple[date, date, str]]:
        if self._school_holidays is not None:
            return self._school_holidays
        return list(SchoolHoliday.objects.filter(school_id=self.school_id).values_list("first_day", "last_day", "name"))

    @cached_property
    def _public_holidays(self):
        return holidays.country_holidays("NL", language="nl")

    def closed_because(self, day: date) -> str | None:
        """Why there is no school on `day` (weekend, public or school holiday), or None on a school day."""
        if day.weekday() in WEEKEND:
            return "weekend"
        public = self._public_holidays.get(day)
        if public:
            return public
        for first_day, last_day, name in self.school_holidays:
            if first_day <= day <= last_day:
                return name
        return None

    def is_school_day(self, day: date) -> bool:
        return self.closed_because(day) is None

    def previous_school_day(self, day: date, *, include_today=True) -> date:
        candidate = day if include_today else day - timedelta(days=1)
        while not self.is_school_day(candidate):
            candidate -= timedelta(days=1)
        return candidate

    def next_school_day(self, day: date, *, include_today=False) -> date:
        candidate = day if include_today else day + timedelta(days=1)
        while not self.is_school_day(candidate):
            candidate += timedelta(days=1)
        return candidate

    def school_days(self, first_day: date, last_day: date) -> list[date]:
        days, candidate = [], first_day
        while candidate <= last_day:
            if self.is_school_day(candidate):
                days.append(candidate)
            candidate += timedelta(days=1)
        return days

    def lessons_during(self, school_class, day: date, starts_at: time, ends_at: time) -> int:
        """How many of the class's lesson hours on `day` overlap the stretch from `starts_at` to `ends_at`.

        Lesson hours follow each other from the class's day start, each the school's lesson length long.
        """
        length = timedelta(minutes=self.policy.lesson_minutes)
        lesson_start = datetime.combine(day, school_class.day_starts_at)
        away_from, away_until = datetime.combine(day, starts_at), datetime.combine(day, ends_at)
        overlapping = 0
        for _lesson in range(school_class.lesson_hours_on(day)):
            lesson_end = lesson_start + length
            if lesson_start < away_until and away_from < lesson_end:
                overlapping += 1
            lesson_start = lesson_end
        return overlapping

    def at(self, day: date, wall_clock: time) -> datetime:
        """An aware datetime for a local date and time (DST-safe: built from the wall clock, not by adding)."""
        return datetime.combine(day, wall_clock, tzinfo=AMSTERDAM)

    def explanation_deadline(self, day: date, *, now: datetime) -> datetime:
        """The school's answer-by time on `day`. An absence entered after that time (late, or a correction of an
        earlier day) gets the first answer-by time still ahead: today's, else the next school day's."""
        answer_by = self.policy.explanation_deadline
        deadline = self.at(day, answer_by)
        if deadline > now:
            return deadline
        today = now.astimezone(AMSTERDAM).date()
        if self.is_school_day(today) and self.at(today, answer_by) > now:
            return self.at(today, answer_by)
        return self.at(self.next_school_day(today), answer_by)

    def add_working_time(self, start: datetime, duration: timedelta) -> datetime:
        """`start` plus `duration` counted only within school days' working hours.

        "Two school hours from Friday 16:00" with a 08:00–17:00 day lands on Monday 09:00 (or later after a
        holiday). A start outside working hours counts from the next opening.
        """
        opens, closes = self.policy.workday_starts_at, self.policy.workday_ends_at
        local = start.astimezone(AMSTERDAM)
        day, clock = local.date(), local.time().replace(tzinfo=None)
        if not self.is_school_day(day) or clock >= closes:
            day, clock = self.next_school_day(day), opens
        elif clock < opens:
            clock = opens
        remaining = duration
        while True:
            available = datetime.combine(day, closes) - datetime.combine(day, clock)
            if remaining <= available:
                return self.at(day, (datetime.combine(day, clock) + remaining).time())
            remaining -= available
            day, clock = self.next_school_day(day), opens
