"""When the law makes a school report a pupil's unauthorised absence (Leerplichtwet art. 21a, Besluit
Verzuimmelding): the rule as a pure function over one pupil's hours, so it can be tested on tables.

`detect_reports` reads no database and no settings: the law's numbers come in as `StatutoryRules` (a pending bill,
Wet terugdringen schoolverzuim, will change them), local agreements as keyword arguments. It walks the school days
once, so it stays O(days) per pupil at national scale.

Where the rules leave room, this is what the function does:

School week
    An ISO week (Monday to Sunday) with at least one day in `school_days`. A week without one (a holiday week) is
    skipped: it neither breaks nor fills a window. "School time" therefore runs through the school weeks only, and
    a school day sits at position 7 × (its school week's number) + its weekday.

The window ("16 uur in 4 weken")
    Rolling: any period of 4 consecutive school weeks, starting on any weekday, not only on a Monday. The window
    that ends on day E holds the counted days after E's position minus 4 school weeks. Every block of 4 whole
    school weeks is such a period, so this finds everything the week-by-week reading finds, and a little more
    (8 h on a Friday and 8 h on the Monday three weeks and three days later are one report). It is the stricter
    reading and the inspectorate checks missed reports, not surplus ones.
    A report is found on the first day the window holds at least `threshold_hours`. Begin = the earliest day with
    unauthorised hours in that window, end = that first day, hours = the window's total (that day counts whole, so
    it can exceed 16). Counting starts again the day after the end: hours already reported never count again.

Report by
    The `report_within_working_days`-th working day after the end (5: Thursday 4 → Thursday 11 September 2025).
    A working day is Monday to Friday and not a Dutch public holiday of `holidays.NL` (the same list the school
    calendar uses; it includes Goede Vrijdag, and Bevrijdingsdag only in lustrum years). School holidays are
    working days unless their dates are passed as `school_holidays`.

Absence day, continuous absence
    A school day is an absence day when the pupil missed lesson hours without authorisation on it: any hour, or,
    when `lesson_hours_by_day` is given, all of that day's lesson hours (a pupil who skips the first hour every
    day is not continuously absent). A luxe-verzuim day is always an absence day. After a report the pupil is
    continuously absent for as long as every school day after the report's end date is an absence day; weekends
    and holidays neither break nor fill it.

Repeat reports
    The law's count goes on during continuous absence and would cross 16 hours several times a week; DUO allows
    one report per 7 calendar days instead. The 7-day periods are anchored on the end of the first report:
    (end, end + 7], (end + 7, end + 14], ... While the pupil stays continuously absent, the threshold reached in a
    period (counting from the day after the previous report) gives one "repeat" ending on the period's last
    school day, with every hour counted since the previous report. A period without enough hours (mostly holiday)
    gives none; the count goes on into the next period. At most `repeat_limit` repeats follow one first report;
    further hours of the same continuous absence are not reported (the LRV finding covers them).
    The periods are calendar days, as DUO says, not school time: a period that runs into a holiday closes on its
    last school day before it, so the report is known on that day and not only after the holiday. (So, unlike
    the 16-in-4 window, repeats depend on where a holiday week falls.) Two repeats can then be less than 7 days
    apart; that files more often than DUO requires, never less.
    If the pupil comes back (or turns 18) before the period ends, the threshold that was reached becomes an
    ordinary "16_in_4" ending on the day it was reached (a report was due); it is known at most six days after
    that day, so before its report-by date. The count then goes on from the day after it.
    While the period has not ended on `until`, a reached threshold is not a finding yet.

Langdurig relatief verzuim (LRV)
    A run of consecutive absence days that lasts more than `lrv_after_school_weeks` school weeks: found on the
    first school day at or after the position of the run's first day plus that many school weeks (started on a
    Monday: the Monday four school weeks on; a holiday week adds a week). Begin = the run's first day, end = that
    day, hours = every unauthorised hour of the run so far, including hours already reported. It is a
    suggestion for the school, due like a report. After it, the rest of the run gives no "16_in_4" or "repeat"
    (a repeat that would end on the same day is dropped for it); counting starts again on the first day the
    pupil is back.

Age
    A day counts only while the pupil is under `adult_age` (18): days from the 18th birthday on (born on 29
    February: 1 March) are left out of everything, unless the municipality agreed that the school reports adults
    (`report_adults=True`).

Luxe verzuim
    Each run of consecutive school days in `luxury_days` (a holiday before or after the school holiday is one run
    across it) is one "luxe_verzuim" finding, whatever its hours. The law says "at once", and the school knows on
    the run's first day: report by = the `luxury_report_within_working_days`-th (1st) working day after the
    begin. While the pupil stays away, end and hours grow: a luxe-verzuim finding is identified by its begin.
    Its hours are not counted for "16 uur in 4 weken" (the same hours are never reported twice), but its days are
    absence days for continuous absence and LRV.

Input
    `school_days` is the school's calendar and may run into the future; `until` (default: its last day) is the
    last day whose attendance is known, normally today. A school day up to `until` without hours counts as
    attended; school days after it only tell where a 7-day period's last school day is, and must have no hours.
    Hours are numbers in the rules' `hour_unit`; the caller converts. Negative hours, hours on a day that is not
    a school day up to `until`, more hours than the day's lesson hours and a luxe-verzuim day without hours raise
    ValueError: the services check the user's input first and show their own (Dutch) message.
"""

from bisect import bisect_left, bisect_right
from collections import deque
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal
from enum import StrEnum
from functools import lru_cache

import holidays

Hours = int | float | Decimal


class Kind(StrEnum):
    SIXTEEN_IN_FOUR = "16_in_4"
    REPEAT = "repeat"
    LRV = "lrv"
    LUXURY = "luxe_verzuim"


class HourUnit(StrEnum):
    LESSON_HOUR = "lesuur"  # VO: a lesson of at most 60 minutes counts as one hour
    CLOCK_HOUR = "klokuur"  # PO: hours on the clock


@dataclass(frozen=True)
class StatutoryRules:
    """The numbers of the law (defaults: the Leerplichtwet as it stands, with DUO's reading)."""

    threshold_hours: Hours = 16
    window_school_weeks: int = 4
    hour_unit: HourUnit = HourUnit.LESSON_HOUR
    report_within_working_days: int = 5
    repeat_interval_days: int = 7
    repeat_limit: int = 4
    lrv_after_school_weeks: int = 4
    luxury_report_within_working_days: int = 1
    adult_age: int = 18

    def __post_init__(self):
        if not self.threshold_hours > 0:
            raise ValueError(f"threshold_hours must be more than 0, not {self.threshold_hours!r}")
        for name in (
            "window_school_weeks",
            "report_within_working_days",
            "repeat_interval_days",
            "lrv_after_school_weeks",
            "luxury_report_within_working_days",
            "adult_age",
        ):
            if getattr(self, name) < 1:
                raise ValueError(f"{name} must be 1 or more, not {getattr(self, name)!r}")
        if self.repeat_limit < 0:
            raise ValueError(f"repeat_limit must be 0 or more, not {self.repeat_limit!r}")


LAW = StatutoryRules()


@dataclass(frozen=True)
class Finding:
    kind: Kind
    begin: date
    end: date
    hours: Hours
    report_by: date
    hours_per_day: tuple[tuple[date, Hours], ...]  # the days the hours were missed on, for the report


@dataclass(frozen=True, slots=True)
class _Day:
    day: date
    position: int  # in school time: 7 × school-week number + weekday
    hours: Hours  # every unauthorised hour of the day
    counted: Hours  # the hours that count for "16 uur in 4 weken" (none on a luxe-verzuim day)
    absent: bool


@dataclass
class _Chain:
    """A first report and its repeats while the pupil stays continuously absent."""

    anchor: date  # end of the first report; the 7-day periods start from it
    repeats: int = 0


def detect_reports(
    *,
    hours_by_day: Mapping[date, Hours],
    school_days: Iterable[date],
    born_on: date,
    rules: StatutoryRules = LAW,
    until: date | None = None,
    luxury_days: Collection[date] = frozenset(),
    lesson_hours_by_day: Mapping[date, Hours] | None = None,
    report_adults: bool = False,
    school_holidays: Collection[date] | None = None,
) -> list[Finding]:
    """Every report the school must file (and every LRV suggestion) for one pupil, by end date.

    `hours_by_day`: unauthorised hours per school day. `school_days`: every school day of the school's calendar
    in the period, holidays left out. `until`: the last day whose attendance is known, normally today (default:
    the last school day); later school days only tell where a 7-day period's last school day is.
    `luxury_days`: days judged luxe verzuim. `lesson_hours_by_day`: the pupil's lesson hours per day, to tell a
    whole day's absence from part of one. `report_adults`: the municipality asks for reports about pupils of 18
    and older. `school_holidays`: dates of the school's own holidays that are not working days for the report-by
    date (default: they are).
    """
    calendar = sorted(set(school_days))
    known = calendar[: bisect_right(calendar, until)] if until is not None else calendar
    _check(hours_by_day, set(known), luxury_days, lesson_hours_by_day)
    counted = known
    if not report_adults:
        counted = known[: bisect_left(known, _birthday(born_on, rules.adult_age))]
    school = _school_time(counted, hours_by_day, luxury_days, lesson_hours_by_day)
    working_days = _WorkingDays(frozenset(school_holidays or ()))
    next_school_day = calendar[len(counted)] if len(counted) < len(calendar) else None
    scan = _Scan(rules, working_days)
    scan.run(school, next_school_day, turned_adult=len(counted) < len(known))
    findings = scan.findings + (_luxury_findings(school, luxury_days, rules, working_days) if luxury_days else [])
    return sorted(findings, key=lambda finding: (finding.end, finding.begin, finding.kind))


def _check(hours_by_day, school_days, luxury_days, lesson_hours_by_day):
    for day, hours in hours_by_day.items():
        if day not in school_days:
            raise ValueError(
                f"{day.isoformat()} has unauthorised hours but is not one of the school days up to `until`"
            )
        if not hours >= 0:
            raise ValueError(f"unauthorised hours on {day.isoformat()} must be 0 or more, not {hours!r}")
        if lesson_hours_by_day is not None and hours > 0:
            if day not in lesson_hours_by_day:
                raise ValueError(f"{day.isoformat()} has unauthorised hours but no lesson hours")
            if hours > lesson_hours_by_day[day]:
                raise ValueError(
                    f"{day.isoformat()} has {hours} unauthorised hours, more than its {lesson_hours_by_day[day]} "
                    "lesson hours"
                )
    for day in luxury_days:
        if day not in school_days:
            raise ValueError(f"luxe verzuim on {day.isoformat()}, which is not one of the school days up to `until`")
        if not hours_by_day.get(day, 0) > 0:
            raise ValueError(f"luxe verzuim on {day.isoformat()}, which has no unauthorised hours")


def _birthday(born_on: date, age: int) -> date:
    try:
        return born_on.replace(year=born_on.year + age)
    except ValueError:  # born on 29 February, the birthday in a common year
        return date(born_on.year + age, 3, 1)


def _school_time(days, hours_by_day, luxury_days, lesson_hours_by_day) -> list[_Day]:
    school, week, number = [], None, -1
    for day in days:
        if (day.toordinal() - 1) // 7 != week:  # day 1 of the ordinals was a Monday: this is the ISO week
            week, number = (day.toordinal() - 1) // 7, number + 1
        hours = hours_by_day.get(day, 0)
        luxury = day in luxury_days
        if luxury:
            absent = True
        elif lesson_hours_by_day is None:
            absent = hours > 0
        else:
            absent = hours > 0 and hours >= lesson_hours_by_day[day]
        school.append(_Day(day, 7 * number + day.weekday(), hours, 0 if luxury else hours, absent))
    return school


@lru_cache(maxsize=64)
def _public_holidays(year: int) -> frozenset[date]:
    return frozenset(holidays.NL(years=year))


class _WorkingDays:
    def __init__(self, school_holidays: frozenset[date]):
        self.school_holidays = school_holidays

    def is_working_day(self, day: date) -> bool:
        return day.weekday() < 5 and day not in _public_holidays(day.year) and day not in self.school_holidays

    def after(self, day: date, count: int) -> date:
        """The `count`-th working day after `day`."""
        while count:
            day += timedelta(days=1)
            count -= self.is_working_day(day)
        return day


class _Scan:
    """One pass over the school days for "16_in_4", "repeat" and "lrv"."""

    def __init__(self, rules: StatutoryRules, working_days: _WorkingDays):
        self.rules = rules
        self.working_days = working_days
        self.findings: list[Finding] = []
        self.window: deque[_Day] = deque()  # counted days since the count (re)started, within the window
        self.window_hours: Hours = 0
        self.reached: tuple[_Day, ...] | None = None  # the window when a repeat's threshold was reached
        self.chain: _Chain | None = None  # set while the pupil is continuously absent after a report
        self.absence: list[_Day] = []  # the current run of absence days
        self.lrv_found = False  # for the current run

    def run(self, school: list[_Day], next_school_day: date | None, *, turned_adult: bool):
        """`next_school_day`: the calendar's school day after the last one in `school`, if known."""
        for index, today in enumerate(school):
            following = school[index + 1].day if index + 1 < len(school) else next_school_day
            self._follow_absence(today)
            if self.lrv_found or (self.chain is not None and self.chain.repeats >= self.rules.repeat_limit):
                continue  # this continuous absence is reported as far as the law goes; counting waits for a return
            self._count(today)
            if self.reached is not None:
                self._close_period(today, following)
        if turned_adult and self.reached is not None:
            self._report_reached()  # reached while under 18: the days after the birthday no longer count

    def _follow_absence(self, today: _Day):
        if not today.absent:
            if self.reached is not None:
                self._report_reached()
            self.chain, self.absence, self.lrv_found = None, [], False
            return
        self.absence.append(today)
        weeks = self.rules.lrv_after_school_weeks
        if not self.lrv_found and today.position >= self.absence[0].position + 7 * weeks:
            days = [day for day in self.absence if day.hours > 0]
            self._add(Kind.LRV, self.absence[0].day, today.day, ((day.day, day.hours) for day in days))
            self.lrv_found, self.chain, self.reached = True, None, None
            self._restart()

    def _count(self, today: _Day):
        if self.reached is None:
            start = today.position - 7 * self.rules.window_school_weeks
            while self.window and self.window[0].position <= start:
                self.window_hours -= self.window.popleft().counted
        if today.counted > 0:
            self.window.append(today)
            self.window_hours += today.counted
        if self.reached is not None or self.window_hours < self.rules.threshold_hours:
            return
        if self.chain is None:
            self._add_counted(Kind.SIXTEEN_IN_FOUR, self.window)
            self._restart()
            self.chain = _Chain(anchor=today.day)
        else:
            self.reached = tuple(self.window)

    def _close_period(self, today: _Day, following: date | None):
        """Report a repeat on the last school day of the 7-day period in which its threshold was reached."""
        interval = self.rules.repeat_interval_days
        periods = -(-(today.day - self.chain.anchor).days // interval)
        period_end = self.chain.anchor + timedelta(days=periods * interval)
        if (following is None and today.day < period_end) or (following is not None and following <= period_end):
            return
        self._add_counted(Kind.REPEAT, self.window, end=today.day)
        self._restart()
        self.reached = None
        self.chain.repeats += 1

    def _report_reached(self):
        """The pupil came back before the period ended: what was reached is an ordinary report, and the days
        after it are counted again as the ordinary count would have (they may reach the threshold themselves)."""
        reached, self.reached = self.reached, None
        self._add_counted(Kind.SIXTEEN_IN_FOUR, reached)
        rest = [day for day in self.window if day.day > reached[-1].day]
        self._restart()
        for day in rest:
            self.chain = None
            self._count(day)

    def _restart(self):
        self.window.clear()
        self.window_hours = 0

    def _add_counted(self, kind: Kind, days: Collection[_Day], *, end: date | None = None):
        days = list(days)
        self._add(kind, days[0].day, end or days[-1].day, ((day.day, day.counted) for day in days))

    def _add(self, kind: Kind, begin: date, end: date, per_day: Iterable[tuple[date, Hours]]):
        per_day = tuple(per_day)
        self.findings.append(
            Finding(
                kind=kind,
                begin=begin,
                end=end,
                hours=sum(hours for _, hours in per_day),
                report_by=self.working_days.after(end, self.rules.report_within_working_days),
                hours_per_day=per_day,
            )
        )


def _luxury_findings(school: list[_Day], luxury_days, rules: StatutoryRules, working_days: _WorkingDays):
    findings, run = [], []
    for today in [*school, None]:
        if today is not None and today.day in luxury_days:
            run.append(today)
            continue
        if run:
            findings.append(
                Finding(
                    kind=Kind.LUXURY,
                    begin=run[0].day,
                    end=run[-1].day,
                    hours=sum(day.hours for day in run),
                    report_by=working_days.after(run[0].day, rules.luxury_report_within_working_days),
                    hours_per_day=tuple((day.day, day.hours) for day in run),
                )
            )
            run = []
    return findings
