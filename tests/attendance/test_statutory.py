"""The statutory absence report rule ("16 uur in 4 weken", repeats, LRV, luxe verzuim) on tables.

The rule is a pure function: no database, no settings. Each row gives unauthorised hours per day on a school
calendar and the findings it must give, as (kind, begin, end, hours, report by).
"""

import dataclasses
import itertools
import random
from datetime import date, timedelta
from decimal import Decimal

import holidays
import pytest

from attendance.statutory import LAW, Finding, HourUnit, Kind, StatutoryRules, detect_reports

BORN = date(2010, 5, 1)  # 15 in the school year 2025/26
AUTUMN_2025 = (date(2025, 10, 20), date(2025, 10, 24))  # herfstvakantie, region midden
CHRISTMAS_2025 = (date(2025, 12, 22), date(2026, 1, 2))


def d(month, day, year=2025):
    return date(year, month, day)


def span(first, last):
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def school_days(first, last, *, holidays_off=()):
    """Monday to Friday without Dutch public holidays and without the given (first, last) school holidays."""
    public = holidays.NL(years=range(first.year, last.year + 1))
    off = {day for begin, end in holidays_off for day in span(begin, end)}
    return [day for day in span(first, last) if day.weekday() < 5 and day not in public and day not in off]


AUTUMN_TERM = school_days(d(9, 1), d(12, 19), holidays_off=[AUTUMN_2025])
SEPTEMBER = school_days(d(9, 1), d(9, 30))


def detect(hours, days=AUTUMN_TERM, **kwargs):
    kwargs.setdefault("born_on", BORN)
    return detect_reports(hours_by_day=hours, school_days=days, **kwargs)


def rows(findings):
    return [(f.kind, f.begin, f.end, f.hours, f.report_by) for f in findings]


def each(days, hours):
    return dict.fromkeys(days, hours)


def mondays(first, count):
    return [first + timedelta(weeks=n) for n in range(count)]


# -- the issue's examples -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        pytest.param(
            each([d(9, 1), d(9, 2), d(9, 3), d(9, 4)], 4),
            [("16_in_4", d(9, 1), d(9, 4), 16, d(9, 11))],
            id="4h-mon-to-thu",
        ),
        pytest.param(each(mondays(d(9, 1), 5), 3), [], id="3h-five-mondays"),
        pytest.param(
            each(mondays(d(9, 1), 4), 4),
            [("16_in_4", d(9, 1), d(9, 22), 16, d(9, 29))],
            id="4h-four-mondays",
        ),
        pytest.param(
            each([d(9, 1), d(9, 2), d(9, 3), d(9, 4), d(9, 5), d(9, 8), d(9, 9), d(9, 10)], 4),
            [
                ("16_in_4", d(9, 1), d(9, 4), 16, d(9, 11)),
                ("16_in_4", d(9, 5), d(9, 10), 16, d(9, 17)),
            ],
            id="two-reports-restart-after-end",
        ),
    ],
)
def test_it_gets_the_issues_examples_right(hours, expected):
    assert rows(detect(hours)) == expected


def test_a_finding_has_the_fields_the_issue_names_and_the_hours_per_day():
    (finding,) = detect({d(9, 1): 4, d(9, 2): 4, d(9, 3): 4, d(9, 4): 4})
    assert finding.kind == "16_in_4"
    assert finding.kind is Kind.SIXTEEN_IN_FOUR
    assert (finding.begin, finding.end, finding.hours, finding.report_by) == (d(9, 1), d(9, 4), 16, d(9, 11))
    assert finding.hours_per_day == ((d(9, 1), 4), (d(9, 2), 4), (d(9, 3), 4), (d(9, 4), 4))


# -- the threshold and the window ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("hours", "expected"),
    [
        pytest.param({d(9, 1): 5, d(9, 2): 5, d(9, 3): 5, d(9, 4): 1}, [(d(9, 1), d(9, 4), 16)], id="exactly-16"),
        pytest.param({d(9, 1): 5, d(9, 2): 5, d(9, 3): 5}, [], id="15-is-not-enough"),
        pytest.param({d(9, 1): 15, d(9, 29): 1}, [], id="15-then-1-just-outside-the-window"),
        pytest.param({d(9, 2): 15, d(9, 29): 1}, [(d(9, 2), d(9, 29), 16)], id="15-then-1-on-the-windows-last-day"),
        pytest.param({d(9, 1): 6, d(9, 2): 6, d(9, 3): 6}, [(d(9, 1), d(9, 3), 18)], id="last-day-counts-whole"),
        pytest.param({d(9, 1): 16}, [(d(9, 1), d(9, 1), 16)], id="one-long-day"),
        pytest.param({d(9, 5): 8, d(9, 29): 8}, [(d(9, 5), d(9, 29), 16)], id="rolling-friday-to-monday-4-weeks-on"),
        pytest.param({d(9, 1): 8, d(9, 29): 8}, [], id="monday-to-monday-is-more-than-4-weeks"),
        pytest.param(
            {d(9, 1): 4, d(9, 22): 6, d(9, 29): 6, d(10, 6): 6},
            [(d(9, 22), d(10, 6), 18)],
            id="window-slides-past-the-first-absence",
        ),
        pytest.param(
            {d(9, 1): 8, d(9, 15): 7, d(9, 29): 8, d(10, 13): 8},
            [(d(9, 29), d(10, 13), 16)],
            id="window-slides-twice",
        ),
        pytest.param({d(9, 1): 0, d(9, 2): 0}, [], id="zero-hours-are-no-absence"),
    ],
)
def test_it_reports_when_a_window_of_4_school_weeks_reaches_16_hours(hours, expected):
    assert [(f.begin, f.end, f.hours) for f in detect(hours)] == expected


def test_it_adds_hours_that_are_not_whole_numbers():
    hours = {d(9, 1): Decimal("7.5"), d(9, 2): Decimal("7.5"), d(9, 3): Decimal("0.5"), d(9, 4): Decimal("0.5")}
    assert [(f.end, f.hours) for f in detect(hours)] == [(d(9, 4), Decimal("16.0"))]


@pytest.mark.parametrize(
    ("rules", "hours", "expected"),
    [
        pytest.param(StatutoryRules(threshold_hours=12), each(mondays(d(9, 1), 4), 3), [(d(9, 1), d(9, 22), 12)]),
        pytest.param(StatutoryRules(window_school_weeks=2), each(mondays(d(9, 1), 4), 4), []),
        pytest.param(StatutoryRules(window_school_weeks=2), {d(9, 1): 8, d(9, 12): 8}, [(d(9, 1), d(9, 12), 16)]),
        pytest.param(
            StatutoryRules(threshold_hours=8, window_school_weeks=1), {d(9, 5): 4, d(9, 8): 4}, [(d(9, 5), d(9, 8), 8)]
        ),
        pytest.param(StatutoryRules(threshold_hours=8, window_school_weeks=1), {d(9, 1): 4, d(9, 8): 4}, []),
    ],
    ids=[
        "lower-threshold",
        "shorter-window-misses",
        "shorter-window-hits",
        "one-week-window-rolls-over-the-weekend",
        "one-week-window-is-seven-days",
    ],
)
def test_thresholds_and_window_are_configuration(rules, hours, expected):
    assert [(f.begin, f.end, f.hours) for f in detect(hours, rules=rules)] == expected


def test_the_rules_default_to_the_law_and_cannot_be_changed_in_place():
    assert (LAW.threshold_hours, LAW.window_school_weeks, LAW.report_within_working_days) == (16, 4, 5)
    assert (LAW.repeat_interval_days, LAW.repeat_limit, LAW.lrv_after_school_weeks) == (7, 4, 4)
    assert LAW.hour_unit == HourUnit.LESSON_HOUR == "lesuur"
    with pytest.raises(dataclasses.FrozenInstanceError):
        LAW.threshold_hours = 12


# -- holidays inside the window -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("days", "hours", "expected"),
    [
        pytest.param(
            AUTUMN_TERM,
            each([d(10, 6), d(10, 13), d(10, 27), d(11, 3)], 4),
            [(d(10, 6), d(11, 3), 16)],
            id="autumn-holiday-4-school-weeks-span-5-calendar-weeks",
        ),
        pytest.param(
            school_days(d(9, 1), d(12, 19)),
            each([d(10, 6), d(10, 13), d(10, 27), d(11, 3)], 4),
            [],
            id="same-mondays-without-the-holiday",
        ),
        pytest.param(
            AUTUMN_TERM,
            {d(10, 17): 8, d(10, 27): 8},
            [(d(10, 17), d(10, 27), 16)],
            id="friday-before-and-monday-after-the-holiday",
        ),
        pytest.param(
            school_days(d(12, 1), d(1, 30, 2026), holidays_off=[CHRISTMAS_2025]),
            {d(12, 8): 6, d(12, 15): 6, d(1, 5, 2026): 4},
            [(d(12, 8), d(1, 5, 2026), 16)],
            id="two-week-christmas-holiday",
        ),
        pytest.param(
            AUTUMN_TERM,
            {d(9, 22): 6, d(10, 6): 6, d(10, 27): 4},
            [],
            id="holiday-week-does-not-stretch-the-window-further",
        ),
        pytest.param(
            [day for day in AUTUMN_TERM if day != d(10, 8)],
            {d(9, 16): 8, d(10, 13): 8},
            [(d(9, 16), d(10, 13), 16)],
            id="a-study-day-leaves-its-week-a-school-week",
        ),
    ],
)
def test_weeks_without_school_days_neither_break_nor_fill_the_window(days, hours, expected):
    assert [(f.begin, f.end, f.hours) for f in detect(hours, days)] == expected


# -- report by: 5 working days ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("reached", "school_holidays", "report_by"),
    [
        pytest.param(d(9, 4), None, d(9, 11), id="ordinary-week"),
        pytest.param(d(9, 5), None, d(9, 12), id="from-a-friday"),
        pytest.param(d(4, 20, 2026), None, d(4, 28, 2026), id="koningsdag-monday-27-april-2026"),
        pytest.param(d(5, 11, 2026), None, d(5, 19, 2026), id="hemelvaart-14-may-2026"),
        pytest.param(d(4, 28), None, d(5, 6), id="bevrijdingsdag-lustrum-2025"),
        pytest.param(d(4, 28, 2026), None, d(5, 5, 2026), id="no-bevrijdingsdag-in-2026-holidays-nl"),
        pytest.param(d(4, 2, 2026), None, d(4, 13, 2026), id="goede-vrijdag-counted-by-holidays-nl-and-paasmaandag"),
        pytest.param(d(12, 22), None, d(12, 31), id="christmas-days"),
        pytest.param(d(12, 19), None, d(12, 30), id="school-holidays-count-by-default"),
        pytest.param(d(12, 19), CHRISTMAS_2025, d(1, 9, 2026), id="school-holidays-left-out-when-given"),
        pytest.param(d(10, 17), AUTUMN_2025, d(10, 31), id="autumn-holiday-left-out"),
    ],
)
def test_the_report_is_due_within_5_working_days(reached, school_holidays, report_by):
    days = school_days(reached - timedelta(days=7), reached)
    off = None if school_holidays is None else span(*school_holidays)
    (finding,) = detect({reached: 16}, days, school_holidays=off)
    assert (finding.end, finding.report_by) == (reached, report_by)


def test_the_report_period_is_configuration():
    (finding,) = detect({d(9, 4): 16}, rules=StatutoryRules(report_within_working_days=3))
    assert finding.report_by == d(9, 9)


# -- age ----------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("born_on", "report_adults", "expected"),
    [
        pytest.param(date(2007, 9, 5), False, [(d(9, 1), d(9, 4), 16)], id="turns-18-the-day-after"),
        pytest.param(date(2007, 9, 4), False, [], id="turns-18-on-the-fourth-day"),
        pytest.param(date(2007, 9, 4), True, [(d(9, 1), d(9, 4), 16)], id="municipality-asks-for-adults"),
        pytest.param(date(2007, 8, 1), False, [], id="already-18"),
        pytest.param(date(2007, 8, 1), True, [(d(9, 1), d(9, 4), 16)], id="already-18-reported-anyway"),
    ],
)
def test_only_days_before_the_18th_birthday_count(born_on, report_adults, expected):
    hours = each([d(9, 1), d(9, 2), d(9, 3), d(9, 4)], 4)
    findings = detect(hours, born_on=born_on, report_adults=report_adults)
    assert [(f.begin, f.end, f.hours) for f in findings] == expected


@pytest.mark.parametrize(
    ("days", "expected"),
    [
        pytest.param([d(2, 25, 2030), d(2, 26, 2030), d(2, 27, 2030), d(2, 28, 2030)], 1, id="28-feb-still-17"),
        pytest.param([d(2, 26, 2030), d(2, 27, 2030), d(2, 28, 2030), d(3, 1, 2030)], 0, id="1-march-is-18"),
    ],
)
def test_a_leap_day_child_turns_18_on_1_march(days, expected):
    calendar = school_days(d(2, 18, 2030), d(3, 8, 2030))
    assert len(detect(each(days, 4), calendar, born_on=date(2012, 2, 29))) == expected


def test_adult_age_is_configuration():
    hours = each([d(9, 1), d(9, 2), d(9, 3), d(9, 4)], 4)
    assert detect(hours, born_on=date(2008, 8, 1), rules=StatutoryRules(adult_age=17)) == []


# -- continuous absence: repeats and LRV ---------------------------------------------------------------------------

NO_HOLIDAYS = school_days(d(9, 1), d(12, 19))


def test_continuous_absence_gives_a_repeat_per_7_days_until_lrv():
    assert rows(detect(each(SEPTEMBER, 6), NO_HOLIDAYS[: len(SEPTEMBER)])) == [
        ("16_in_4", d(9, 1), d(9, 3), 18, d(9, 10)),
        ("repeat", d(9, 4), d(9, 10), 30, d(9, 17)),
        ("repeat", d(9, 11), d(9, 17), 30, d(9, 24)),
        ("repeat", d(9, 18), d(9, 24), 30, d(10, 1)),
        # Mon 29 Sep is four school weeks after Mon 1 Sep: more than 4 weeks. The 4th repeat (1 Oct) gives way.
        ("lrv", d(9, 1), d(9, 29), 21 * 6, d(10, 6)),
    ]


def test_repeats_stop_at_4_and_the_rest_of_the_absence_is_not_reported_again():
    rules = StatutoryRules(lrv_after_school_weeks=8)
    findings = detect(each(NO_HOLIDAYS, 6), NO_HOLIDAYS, rules=rules)
    assert [(f.kind, f.end) for f in findings] == [
        ("16_in_4", d(9, 3)),
        ("repeat", d(9, 10)),
        ("repeat", d(9, 17)),
        ("repeat", d(9, 24)),
        ("repeat", d(10, 1)),
        ("lrv", d(10, 27)),
    ]


@pytest.mark.parametrize(
    ("rules", "kinds"),
    [
        pytest.param(StatutoryRules(repeat_limit=0, lrv_after_school_weeks=8), ["16_in_4", "lrv"], id="no-repeats"),
        pytest.param(
            StatutoryRules(repeat_limit=2, lrv_after_school_weeks=8), ["16_in_4", "repeat", "repeat", "lrv"], id="2"
        ),
    ],
)
def test_the_repeat_limit_is_configuration(rules, kinds):
    assert [f.kind for f in detect(each(NO_HOLIDAYS, 6), NO_HOLIDAYS, rules=rules)] == kinds


def test_the_repeat_interval_is_configuration():
    rules = StatutoryRules(repeat_interval_days=14, lrv_after_school_weeks=8)
    findings = detect(each(NO_HOLIDAYS[:30], 6), NO_HOLIDAYS[:30], rules=rules)
    assert [(f.kind, f.begin, f.end) for f in findings][:3] == [
        ("16_in_4", d(9, 1), d(9, 3)),
        ("repeat", d(9, 4), d(9, 17)),
        ("repeat", d(9, 18), d(10, 1)),
    ]


@pytest.mark.parametrize(
    ("absent_until", "expected"),
    [
        pytest.param(d(9, 5), [("16_in_4", d(9, 1), d(9, 3))], id="back-before-the-threshold"),
        pytest.param(
            d(9, 8),
            [("16_in_4", d(9, 1), d(9, 3)), ("16_in_4", d(9, 4), d(9, 8))],
            id="back-after-the-threshold-inside-the-period",
        ),
        pytest.param(
            d(9, 10),
            [("16_in_4", d(9, 1), d(9, 3)), ("repeat", d(9, 4), d(9, 10))],
            id="absent-to-the-end-of-the-period",
        ),
    ],
)
def test_a_pupil_who_comes_back_turns_a_waiting_repeat_into_an_ordinary_report(absent_until, expected):
    hours = each(span(d(9, 1), absent_until), 6)
    hours = {day: hours for day, hours in hours.items() if day.weekday() < 5}
    assert [(f.kind, f.begin, f.end) for f in detect(hours, SEPTEMBER)] == expected


def test_the_waiting_report_is_known_before_it_is_due():
    hours = each([d(9, 1), d(9, 2), d(9, 3), d(9, 4), d(9, 5), d(9, 8), d(9, 9)], 6)
    second = detect(hours, SEPTEMBER)[1]
    back_on = d(9, 10)
    assert (second.kind, second.end) == ("16_in_4", d(9, 8))
    assert back_on < second.report_by == d(9, 15)


def test_a_report_may_still_be_a_repeat_when_the_days_stop_inside_its_period():
    hours = each(school_days(d(9, 1), d(9, 9)), 6)
    assert [f.kind for f in detect(hours, school_days(d(9, 1), d(9, 9)))] == ["16_in_4"]
    assert [f.kind for f in detect(hours, school_days(d(9, 1), d(9, 10)))] == ["16_in_4", "16_in_4"]


def test_four_hours_a_day_of_six_lesson_hours_is_not_continuous_absence():
    days = SEPTEMBER[:12]
    findings = detect(each(days, 4), SEPTEMBER, lesson_hours_by_day=each(SEPTEMBER, 6))
    assert [(f.kind, f.begin, f.end) for f in findings] == [
        ("16_in_4", d(9, 1), d(9, 4)),
        ("16_in_4", d(9, 5), d(9, 10)),
        ("16_in_4", d(9, 11), d(9, 16)),
    ]


def test_whole_days_of_lesson_hours_are_continuous_absence():
    findings = detect(each(SEPTEMBER[:12], 6), SEPTEMBER, lesson_hours_by_day=each(SEPTEMBER, 6))
    assert [(f.kind, f.begin, f.end) for f in findings] == [
        ("16_in_4", d(9, 1), d(9, 3)),
        ("repeat", d(9, 4), d(9, 10)),
        ("16_in_4", d(9, 11), d(9, 15)),
    ]


def test_a_holiday_week_neither_breaks_continuous_absence_nor_gets_a_repeat_of_its_own():
    days = school_days(d(10, 6), d(11, 14), holidays_off=[AUTUMN_2025])
    findings = detect(each(days, 6), days)
    assert [(f.kind, f.begin, f.end) for f in findings] == [
        ("16_in_4", d(10, 6), d(10, 8)),
        ("repeat", d(10, 9), d(10, 15)),
        # 16-22 Oct holds only Thu 16 and Fri 17: 12 hours, below the threshold; 23-29 Oct holds Mon-Wed.
        ("repeat", d(10, 16), d(10, 29)),
        ("repeat", d(10, 30), d(11, 5)),
        # Mon 10 Nov is four school weeks after Mon 6 Oct: the autumn holiday week does not count.
        ("lrv", d(10, 6), d(11, 10)),
    ]


@pytest.mark.parametrize(
    ("school_holidays", "report_by"),
    [pytest.param(None, d(10, 24), id="holidays-are-working-days"), pytest.param(AUTUMN_2025, d(10, 31), id="not")],
)
def test_a_7_day_period_running_into_a_holiday_closes_on_its_last_school_day(school_holidays, report_by):
    off = None if school_holidays is None else span(*school_holidays)
    hours = each([d(10, 13), d(10, 14), d(10, 15), d(10, 16), d(10, 17)], 8)
    findings = detect(hours, AUTUMN_TERM, until=d(10, 17), school_holidays=off)
    assert rows(findings) == [
        ("16_in_4", d(10, 13), d(10, 14), 16, d(10, 21) if school_holidays is None else d(10, 28)),
        # The period is 15-21 Oct; Friday 17 is its last school day, so the repeat is known that Friday.
        ("repeat", d(10, 15), d(10, 17), 24, report_by),
    ]


@pytest.mark.parametrize(
    ("until", "expected"),
    [
        pytest.param(d(9, 9), [("16_in_4", d(9, 1), d(9, 4))], id="threshold-not-yet-reached"),
        pytest.param(d(9, 10), [("16_in_4", d(9, 1), d(9, 4))], id="reached-but-the-period-runs-to-thursday"),
        pytest.param(d(9, 11), [("16_in_4", d(9, 1), d(9, 4)), ("16_in_4", d(9, 5), d(9, 10))], id="back-on-thursday"),
        pytest.param(None, [("16_in_4", d(9, 1), d(9, 4)), ("16_in_4", d(9, 5), d(9, 10))], id="whole-calendar"),
    ],
)
def test_until_says_how_far_attendance_is_known(until, expected):
    hours = each([d(9, 1), d(9, 2), d(9, 3), d(9, 4), d(9, 5), d(9, 8), d(9, 9), d(9, 10)], 4)
    known = {day: h for day, h in hours.items() if until is None or day <= until}
    assert [(f.kind, f.begin, f.end) for f in detect(known, AUTUMN_TERM, until=until)] == expected


def test_a_repeat_is_known_on_the_last_school_day_of_its_period_when_the_calendar_goes_on():
    hours = each(SEPTEMBER[:8], 6)  # 1-10 Sep; the period after the first report (1-3 Sep) is 4-10 Sep
    assert [f.kind for f in detect(hours, SEPTEMBER, until=d(9, 10))] == ["16_in_4", "repeat"]
    assert [f.kind for f in detect(hours, SEPTEMBER[:8])] == ["16_in_4", "repeat"]
    to_tuesday = each(SEPTEMBER[:7], 6)
    assert [f.kind for f in detect(to_tuesday, SEPTEMBER, until=d(9, 9))] == ["16_in_4"]  # Wednesday may come
    study_day_on_wednesday = [day for day in SEPTEMBER if day != d(9, 10)]
    findings = detect(to_tuesday, study_day_on_wednesday, until=d(9, 9))
    assert [(f.kind, f.end) for f in findings] == [("16_in_4", d(9, 3)), ("repeat", d(9, 9))]


def test_a_waiting_repeat_becomes_a_report_when_the_pupil_turns_18():
    hours = each(SEPTEMBER[:8], 6)
    findings = detect(hours, SEPTEMBER, born_on=date(2007, 9, 9))
    assert [(f.kind, f.begin, f.end, f.hours) for f in findings] == [
        ("16_in_4", d(9, 1), d(9, 3), 18),
        ("16_in_4", d(9, 4), d(9, 8), 18),
    ]


@pytest.mark.parametrize(
    ("first_day", "lrv_on"),
    [
        pytest.param(d(9, 1), d(9, 29), id="from-a-monday"),
        pytest.param(d(9, 3), d(10, 1), id="from-a-wednesday"),
        pytest.param(d(9, 26), d(10, 24), id="from-a-friday"),
    ],
)
def test_lrv_is_suggested_after_more_than_4_weeks_of_continuous_absence(first_day, lrv_on):
    days = [day for day in NO_HOLIDAYS if day >= first_day]
    lrv = [f for f in detect(each(days, 6), NO_HOLIDAYS) if f.kind == "lrv"]
    assert [(f.begin, f.end) for f in lrv] == [(first_day, lrv_on)]


def test_lrv_waits_for_the_next_school_day_when_its_day_is_a_public_holiday():
    days = school_days(d(4, 16, 2026), d(6, 5, 2026))
    assert d(5, 14, 2026) not in days  # Hemelvaart, Thursday four school weeks after Thursday 16 April
    (lrv,) = [f for f in detect(each(days, 6), days) if f.kind == "lrv"]
    assert (lrv.begin, lrv.end) == (d(4, 16, 2026), d(5, 15, 2026))


def test_one_day_at_school_ends_continuous_absence_and_the_count_starts_again():
    hours = each([day for day in NO_HOLIDAYS[:40] if day != d(9, 26)], 6)
    findings = detect(hours, NO_HOLIDAYS)
    assert "lrv" not in [f.kind for f in findings]
    # The count restarts after the last repeat (18-24 Sep), so Thursday 25 Sep counts in the next report.
    assert [(f.kind, f.begin, f.end) for f in findings if f.begin > d(9, 24)][:2] == [
        ("16_in_4", d(9, 25), d(9, 30)),
        ("repeat", d(10, 1), d(10, 7)),
    ]


def test_after_lrv_nothing_more_until_the_pupil_is_back_and_away_again():
    days = NO_HOLIDAYS[:45]
    hours = each([day for day in days if day != d(10, 14)], 6)
    findings = detect(hours, days)
    after_lrv = [(f.kind, f.begin, f.end) for f in findings if f.end > d(9, 29)]
    assert after_lrv == [
        ("16_in_4", d(10, 15), d(10, 17)),
        ("repeat", d(10, 20), d(10, 24)),
        ("repeat", d(10, 27), d(10, 31)),
    ]


def test_lrv_counts_every_hour_of_the_run_and_lists_them():
    (lrv,) = [f for f in detect(each(SEPTEMBER, 6), SEPTEMBER) if f.kind == "lrv"]
    assert lrv.hours == sum(hours for _, hours in lrv.hours_per_day) == 126
    assert lrv.hours_per_day[0] == (d(9, 1), 6) and lrv.hours_per_day[-1] == (d(9, 29), 6)


def test_lrv_needs_whole_days_when_lesson_hours_are_known():
    findings = detect(each(NO_HOLIDAYS[:30], 5), NO_HOLIDAYS, lesson_hours_by_day=each(NO_HOLIDAYS, 6))
    assert "lrv" not in [f.kind for f in findings]
    assert {f.kind for f in findings} == {"16_in_4"}


# -- luxe verzuim ---------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("luxury", "expected"),
    [
        pytest.param(
            [d(10, 16), d(10, 17), d(10, 27)],
            [("luxe_verzuim", d(10, 16), d(10, 27), 18, d(10, 17))],
            id="around-the-autumn-holiday-is-one-run",
        ),
        pytest.param([d(10, 17)], [("luxe_verzuim", d(10, 17), d(10, 17), 6, d(10, 20))], id="one-friday"),
        pytest.param(
            [d(9, 1), d(9, 3)],
            [
                ("luxe_verzuim", d(9, 1), d(9, 1), 6, d(9, 2)),
                ("luxe_verzuim", d(9, 3), d(9, 3), 6, d(9, 4)),
            ],
            id="two-runs",
        ),
    ],
)
def test_luxe_verzuim_is_reported_the_next_working_day_whatever_the_hours(luxury, expected):
    assert rows(detect(each(luxury, 6), luxury_days=set(luxury))) == expected


def test_luxe_verzuim_hours_are_not_reported_twice_as_16_in_4():
    week = [d(9, 1), d(9, 2), d(9, 3), d(9, 4), d(9, 5)]
    assert [f.kind for f in detect(each(week, 6), luxury_days=set(week))] == ["luxe_verzuim"]
    hours = {**each(week, 6), d(9, 8): 6, d(9, 9): 6, d(9, 10): 6}
    assert [(f.kind, f.begin, f.end) for f in detect(hours, luxury_days=set(week))] == [
        ("luxe_verzuim", d(9, 1), d(9, 5)),
        ("16_in_4", d(9, 8), d(9, 10)),
    ]


def test_luxe_verzuim_days_keep_a_continuous_absence_going():
    luxury = {d(9, 8), d(9, 9)}
    findings = detect(each(SEPTEMBER, 6), SEPTEMBER, luxury_days=luxury)
    lrv = [f for f in findings if f.kind == "lrv"]
    assert [(f.begin, f.end, f.hours) for f in lrv] == [(d(9, 1), d(9, 29), 126)]
    reports = [f for f in findings if f.kind in ("16_in_4", "repeat")]
    assert not any(day in luxury for f in reports for day, _ in f.hours_per_day)


def test_luxe_verzuim_after_the_18th_birthday_is_left_out_like_other_days():
    luxury = [d(9, 1), d(9, 2)]
    assert detect(each(luxury, 6), luxury_days=set(luxury), born_on=date(2007, 9, 2))[0].end == d(9, 1)


# -- bad input -----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("kwargs", "message"),
    [
        pytest.param({"hours_by_day": {d(9, 1): -1}}, "2025-09-01 must be 0 or more, not -1", id="negative"),
        pytest.param({"hours_by_day": {d(9, 1): float("nan")}}, "must be 0 or more, not nan", id="nan"),
        pytest.param({"hours_by_day": {d(9, 6): 4}}, "2025-09-06 has unauthorised hours but is not one", id="saturday"),
        pytest.param(
            {"hours_by_day": {d(10, 21): 4}}, "2025-10-21 has unauthorised hours but is not one", id="holiday"
        ),
        pytest.param(
            {"hours_by_day": {d(9, 1): 4}, "luxury_days": {d(10, 22)}},
            "luxe verzuim on 2025-10-22, which is not one of the school days",
            id="luxury-in-the-holiday",
        ),
        pytest.param(
            {"hours_by_day": {d(9, 1): 4}, "luxury_days": {d(9, 2)}},
            "luxe verzuim on 2025-09-02, which has no unauthorised hours",
            id="luxury-without-hours",
        ),
        pytest.param(
            {"hours_by_day": {d(9, 1): 7}, "lesson_hours_by_day": {d(9, 1): 6}},
            "2025-09-01 has 7 unauthorised hours, more than its 6 lesson hours",
            id="more-than-the-lessons",
        ),
        pytest.param(
            {"hours_by_day": {d(9, 1): 4}, "lesson_hours_by_day": {}},
            "2025-09-01 has unauthorised hours but no lesson hours",
            id="no-lesson-hours",
        ),
    ],
)
def test_bad_input_is_a_value_error_that_names_the_day(kwargs, message):
    with pytest.raises(ValueError, match=message):
        detect_reports(school_days=AUTUMN_TERM, born_on=BORN, **kwargs)


def test_hours_after_until_are_bad_input():
    with pytest.raises(ValueError, match="2025-09-02 has unauthorised hours but is not one of the school days up to"):
        detect({d(9, 1): 4, d(9, 2): 4}, until=d(9, 1))


def test_bad_input_after_the_18th_birthday_is_still_bad_input():
    with pytest.raises(ValueError, match="must be 0 or more"):
        detect({d(9, 1): -2}, born_on=date(2000, 1, 1))


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("threshold_hours", 0),
        ("window_school_weeks", 0),
        ("report_within_working_days", 0),
        ("repeat_interval_days", 0),
        ("repeat_limit", -1),
        ("lrv_after_school_weeks", 0),
        ("luxury_report_within_working_days", 0),
        ("adult_age", 0),
    ],
)
def test_rules_that_make_no_sense_are_refused(field, value):
    with pytest.raises(ValueError, match=field):
        StatutoryRules(**{field: value})


# -- properties, checked on many generated calendars and absences ------------------------------------------------


def generated_hours(seed, days, *, stretches=True):
    """Absence the way it happens: quiet weeks, scattered hours, and sometimes a stretch of whole days away."""
    rng = random.Random(seed)
    hours, away = {}, 0
    for day in days:
        if stretches and away == 0 and rng.random() < 0.03:
            away = rng.randint(3, 30)
        if away:
            hours[day], away = 6, away - 1
        elif rng.random() < 0.3:
            hours[day] = rng.randint(1, 6)
    return hours


def shape(findings, days):
    """The findings in school-day numbers, so calendars with the holiday week elsewhere can be compared."""
    number = {day: n for n, day in enumerate(days)}
    return [
        (f.kind, number[f.begin], number[f.end], f.hours, tuple((number[day], h) for day, h in f.hours_per_day))
        for f in findings
    ]


@pytest.mark.parametrize("seed", range(12))
def test_moving_the_holiday_week_around_never_changes_a_16_in_4(seed):
    """Repeats are left out: their 7-day periods are calendar days and do depend on the holiday (see below)."""
    weeks = school_days(d(9, 1), d(12, 19))  # 16 weeks of five days, no public holiday
    assert len(weeks) == 80
    pattern = [generated_hours(seed, weeks, stretches=False).get(day, 0) for day in weeks[:75]]
    shapes = set()
    for holiday_week in range(1, 15):
        off = (d(9, 1) + timedelta(weeks=holiday_week), d(9, 5) + timedelta(weeks=holiday_week))
        days = [day for day in weeks if not off[0] <= day <= off[1]][:75]
        hours = {day: h for day, h in zip(days, pattern, strict=True) if h}
        found = detect(hours, days)
        assert {f.kind for f in found} <= {"16_in_4"}
        shapes.add(repr([(kind, begin, end, h, per_day) for kind, begin, end, h, per_day in shape(found, days)]))
    assert len(shapes) == 1


@pytest.mark.parametrize("seed", range(20))
def test_reports_never_overlap_never_fall_short_and_never_count_an_hour_twice(seed):
    days = school_days(d(8, 25), d(7, 10, 2026), holidays_off=[AUTUMN_2025, CHRISTMAS_2025])
    hours = generated_hours(seed, days)
    findings = detect(hours, days)
    reports = [f for f in findings if f.kind in ("16_in_4", "repeat")]
    for earlier, later in itertools.pairwise(reports):
        assert earlier.end < later.begin
    for finding in findings:
        assert finding.hours == sum(h for _, h in finding.hours_per_day)
        assert all(hours[day] > 0 for day, _ in finding.hours_per_day)
        assert finding.begin <= finding.end < finding.report_by
        if finding.kind == "16_in_4":
            assert finding.hours >= 16
            assert finding.end == finding.hours_per_day[-1][0]
    reported = [day for f in reports for day, _ in f.hours_per_day]
    assert len(reported) == len(set(reported))


@pytest.mark.parametrize("seed", range(8))
def test_the_order_and_repetition_of_the_school_days_do_not_matter(seed):
    days = list(AUTUMN_TERM)
    hours = generated_hours(seed, days)
    shuffled = days * 2
    random.Random(seed).shuffle(shuffled)
    assert detect(hours, shuffled) == detect(hours, days)


@pytest.mark.parametrize("seed", range(8))
def test_every_16_in_4_window_spans_at_most_4_school_weeks(seed):
    days = school_days(d(8, 25), d(7, 10, 2026), holidays_off=[AUTUMN_2025, CHRISTMAS_2025])
    school_week = {}
    for day in days:
        school_week.setdefault(day.isocalendar()[:2], len(school_week))
    for finding in detect(generated_hours(seed, days), days):
        if finding.kind == "16_in_4":
            weeks = school_week[finding.end.isocalendar()[:2]] - school_week[finding.begin.isocalendar()[:2]]
            assert weeks <= 4
            assert weeks < 4 or finding.begin.weekday() > finding.end.weekday()


def test_a_finding_is_a_plain_value():
    finding = detect({d(9, 1): 16})[0]
    assert isinstance(finding, Finding)
    assert finding == Finding(Kind.SIXTEEN_IN_FOUR, d(9, 1), d(9, 1), 16, d(9, 8), ((d(9, 1), 16),))
