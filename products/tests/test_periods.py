"""Periods as the Civil Code counts them (products.periods): boundaries and properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from products.periods import Convention, add_months, next_working_day, period, weekdays_only
from sla.calendar_data import china_calendar

D = dt.date
CHINA = china_calendar().is_working_day


@pytest.mark.parametrize(
    "start, length, working_day, nominal, last",
    [
        (D(2025, 3, 3), {"days": 7}, CHINA, D(2025, 3, 10), D(2025, 3, 10)),
        (D(2023, 11, 23), {"months": 36}, CHINA, D(2026, 11, 23), D(2026, 11, 23)),
        (D(2024, 2, 29), {"months": 12}, CHINA, D(2025, 2, 28), D(2025, 2, 28)),
        (D(2024, 1, 31), {"months": 1}, CHINA, D(2024, 2, 29), D(2024, 2, 29)),
        (D(2023, 1, 31), {"months": 1}, CHINA, D(2023, 2, 28), D(2023, 2, 28)),
        (D(2024, 2, 29), {"months": 48}, weekdays_only, D(2028, 2, 29), D(2028, 2, 29)),
        (D(2024, 3, 1), {"months": 12}, CHINA, D(2025, 3, 1), D(2025, 3, 3)),
        (D(2024, 10, 1), {"months": 12}, CHINA, D(2025, 10, 1), D(2025, 10, 9)),
        (D(2025, 9, 24), {"days": 7}, CHINA, D(2025, 10, 1), D(2025, 10, 9)),
        (D(2024, 10, 11), {"months": 12}, CHINA, D(2025, 10, 11), D(2025, 10, 11)),
        (D(2024, 10, 11), {"months": 12}, weekdays_only, D(2025, 10, 11), D(2025, 10, 13)),
        (D(2026, 2, 7), {"days": 7}, CHINA, D(2026, 2, 14), D(2026, 2, 14)),
        (D(2026, 2, 8), {"days": 7}, CHINA, D(2026, 2, 15), D(2026, 2, 24)),
    ],
    ids=[
        "7-days-start-not-counted",
        "36-months-corresponding-day",
        "leap-day-no-corresponding-day",
        "jan31-plus-1-month-leap-feb",
        "jan31-plus-1-month-feb",
        "leap-4y-corresponding-day",
        "last-day-saturday-to-monday",
        "last-day-national-day-to-after-the-holiday",
        "7-days-into-national-day",
        "tiaoxiu-working-saturday-stays",
        "same-saturday-without-calendar-moves",
        "spring-festival-tiaoxiu-saturday-stays",
        "spring-festival-sunday-to-after-the-holiday",
    ],
)
def test_civil_code_last_day(start, length, working_day, nominal, last):
    # when
    result = period(start, working_day=working_day, **length)

    # then
    assert (result.nominal_last_day, result.last_day, result.convention) == (nominal, last, Convention.CIVIL_CODE)
    assert result.covers(start) and result.covers(last) and not result.covers(last + dt.timedelta(days=1))


@pytest.mark.parametrize(
    "start, months, last",
    [
        (D(2023, 11, 23), 36, D(2026, 11, 22)),
        (D(2024, 2, 29), 12, D(2025, 2, 27)),
        (D(2024, 3, 1), 12, D(2025, 2, 28)),  # never moved, even off a rest day
        (D(2024, 10, 2), 12, D(2025, 10, 1)),
    ],
    ids=["3y", "leap", "month-wrap", "holiday-not-moved"],
)
def test_anniversary_eve_convention(start, months, last):
    # when
    result = period(start, months=months, convention=Convention.ANNIVERSARY_EVE, working_day=CHINA)

    # then
    assert result.last_day == last == result.nominal_last_day


def test_zero_length_covers_nothing():
    assert not period(D(2025, 5, 5), months=0).covers(D(2025, 5, 5))


def test_extra_days_lengthen_before_the_rest_day_rule():
    # 12 months from 2024-02-20 → 2025-02-20 (Thu); 10 days in repair → 2025-03-02 (Sun) → Mon 3rd
    result = period(D(2024, 2, 20), months=12, extra_days=10, working_day=CHINA)
    assert (result.nominal_last_day, result.last_day) == (D(2025, 3, 2), D(2025, 3, 3))


def test_a_calendar_without_working_days_is_refused():
    with pytest.raises(ValueError):
        period(D(2025, 1, 1), days=7, working_day=lambda day: False)


@pytest.mark.parametrize("length", [{"months": -1}, {"days": -1}])
def test_negative_lengths_are_refused(length):
    with pytest.raises(ValueError):
        period(D(2025, 1, 1), **length)


# Properties --------------------------------------------------------------------------------

starts = st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 31))
months_st = st.integers(min_value=0, max_value=120)
days_st = st.integers(min_value=0, max_value=400)
rest_sets = st.frozensets(st.dates(min_value=D(2004, 1, 1), max_value=D(2040, 12, 31)), max_size=40)


@given(start=starts, months=st.integers(min_value=1, max_value=120))
def test_months_end_on_the_corresponding_day_or_the_months_last(start, months):
    end = add_months(start, months)
    assert (end.year * 12 + end.month) - (start.year * 12 + start.month) == months
    assert end.day == start.day or (end.day < start.day and (end + dt.timedelta(days=1)).day == 1)


@given(start=starts, months=months_st, days=days_st)
def test_civil_code_is_one_day_longer_than_the_anniversary_eve_before_the_rest_day_rule(start, months, days):
    if months == days == 0:
        return
    civil = period(start, months=months, days=days, working_day=lambda d: True)
    eve = period(start, months=months, days=days, convention=Convention.ANNIVERSARY_EVE)
    assert civil.last_day == civil.nominal_last_day == eve.last_day + dt.timedelta(days=1)


@given(start=starts, days=st.integers(min_value=1, max_value=400))
def test_a_period_in_days_does_not_count_its_start_day(start, days):
    result = period(start, days=days, working_day=lambda d: True)
    assert (result.last_day - start).days == days


@given(start=starts, months=months_st, days=days_st, rest=rest_sets)
def test_the_last_day_is_the_first_working_day_on_or_after_the_nominal_one(start, months, days, rest):
    if months == days == 0:
        return

    def working(d):
        return d.weekday() < 5 and d not in rest

    result = period(start, months=months, days=days, working_day=working)
    assert working(result.last_day)
    assert result.last_day >= result.nominal_last_day
    between = (result.nominal_last_day + dt.timedelta(days=i) for i in range(result.moved_days))
    assert not any(working(d) for d in between)


@given(start=starts, a=months_st, b=months_st)
def test_a_longer_period_never_ends_earlier(start, a, b):
    short, long_ = sorted((a, b))
    if short == 0:
        return
    assert (
        period(start, months=short, working_day=CHINA).last_day
        <= period(start, months=long_, working_day=CHINA).last_day
    )


@given(day=st.dates(min_value=D(2004, 1, 1), max_value=D(2026, 12, 1)))
def test_next_working_day_is_idempotent(day):
    once = next_working_day(day, CHINA)
    assert next_working_day(once, CHINA) == once and CHINA(once)
