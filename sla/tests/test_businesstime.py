"""Tests of the pure business-time maths (no Django needed).

Run: ``.venv/bin/pytest sla/tests -p no:django -q``

Property tests run over random calendars (random split-shift windows, random
holidays / adjusted working days / confirmed years, several time zones incl.
DST zones) and random instants (uniform microsecond instants plus instants on
exact local minutes, which hit window boundaries often).  For zones without DST
the fast implementation is also compared with a naive day-by-day reference
implementation written independently below.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sla.businesstime import (
    MAX_SEARCH_YEARS,
    WorkCalendar,
    add_business_time,
    add_calendar_time,
    add_working_days,
    compute_due,
    deadlines_bulk,
    is_working_instant,
    next_working_instant,
    shift_due_for_pause,
    working_time_between,
)

FIXED_TZS = ["Asia/Shanghai", "UTC", "Asia/Kolkata"]
DST_TZS = ["Europe/London", "America/New_York", "Australia/Lord_Howe"]
US1 = timedelta(microseconds=1)
PROPS = settings(max_examples=120, deadline=None, suppress_health_check=[HealthCheck.too_slow])


# ----------------------------------------------------------------- strategies


def _hhmm(minute: int) -> str:
    return f"{minute // 60:02d}:{minute % 60:02d}"


@st.composite
def day_windows(draw):
    """0-3 windows of one day as minute pairs (touching windows allowed)."""
    wins, cur = [], draw(st.integers(0, 720))
    for _ in range(draw(st.integers(0, 3))):
        start = cur + draw(st.sampled_from([0, 0, 1, 30, 60, 240]))
        end = start + draw(st.integers(15, 600))
        if end > 1440:
            break
        wins.append((start, end))
        cur = end
    return wins


@st.composite
def calendars(draw, tzs=FIXED_TZS + DST_TZS):
    tz = draw(st.sampled_from(tzs))
    week = [draw(day_windows()) for _ in range(7)]
    if not any(week):
        week[draw(st.integers(0, 6))] = [(540, 1080)]
    adjusted = draw(st.one_of(st.none(), day_windows()))
    span = st.dates(date(2025, 6, 1), date(2027, 12, 31))
    holidays = draw(st.frozensets(span, max_size=40))
    workdays = draw(st.frozensets(span, max_size=15)) - holidays
    confirmed = draw(st.frozensets(st.sampled_from([2025, 2026, 2027])))
    as_str = draw(st.booleans())

    def conv(wins):
        if as_str:
            return [(_hhmm(a), _hhmm(b)) for a, b in wins]
        return [(time(a // 60, a % 60), time(b // 60 % 24, b % 60)) for a, b in wins]

    cal = WorkCalendar(
        tz=tz,
        windows=[conv(w) for w in week],
        holidays=holidays,
        workdays=workdays,
        confirmed_years=confirmed,
        adjusted_day_windows=None if adjusted is None else conv(adjusted),
    )
    # Independent description of the same calendar for the reference implementation.
    monday_or_first = week[0] or next(w for w in week if w)
    spec = dict(
        zone=ZoneInfo(tz),
        week=[_merge(w) for w in week],
        adjusted=_merge(monday_or_first if adjusted is None else adjusted),
        holidays=holidays,
        workdays=workdays,
        confirmed=confirmed,
    )
    return cal, spec


@st.composite
def instants(draw, zone):
    """A UTC-aware instant in mid-2025 .. mid-2027, often on an exact local minute."""
    if draw(st.booleans()):
        return draw(st.datetimes(datetime(2025, 6, 1), datetime(2027, 6, 30), timezones=st.just(UTC)))
    d = draw(st.dates(date(2025, 6, 1), date(2027, 6, 30)))
    m = draw(st.integers(0, 1439))
    return datetime(d.year, d.month, d.day, m // 60, m % 60, tzinfo=zone).astimezone(UTC)


durations = st.one_of(
    st.integers(0, 40 * 60).map(lambda m: timedelta(minutes=m)),
    st.timedeltas(timedelta(0), timedelta(hours=40)),
)


# ----------------------------------------------------------------- reference implementation


def _merge(wins):
    out = []
    for a, b in sorted(wins):
        if out and a <= out[-1][1]:
            out[-1] = (out[-1][0], max(out[-1][1], b))
        else:
            out.append((a, b))
    return out


def ref_windows(spec, d):
    """Windows of local date d as (open, close) UTC datetimes (fixed-offset zones)."""
    if not spec["confirmed"] or d.year in spec["confirmed"]:
        if d in spec["workdays"]:
            mins = spec["adjusted"]
        elif d in spec["holidays"]:
            mins = []
        else:
            mins = spec["week"][d.weekday()]
    else:
        mins = spec["week"][d.weekday()]
    midnight = datetime(d.year, d.month, d.day, tzinfo=spec["zone"]).astimezone(UTC)
    return [(midnight + timedelta(minutes=a), midnight + timedelta(minutes=b)) for a, b in mins]


def ref_days(spec, t):
    d = t.astimezone(spec["zone"]).date()
    for k in range(3000):
        yield d + timedelta(days=k)


def ref_add_business(spec, t, dur):
    remaining = dur
    for d in ref_days(spec, t):
        for a, b in ref_windows(spec, d):
            if b < t or (b == t and dur > timedelta(0)):
                continue
            if dur == timedelta(0):
                return t if a <= t else a
            s = max(a, t)
            if remaining <= b - s:
                return s + remaining
            remaining -= b - s
    raise AssertionError("reference search exhausted")


def ref_working_days(spec, t, n):
    days = ref_days(spec, t)
    first = next(days)
    wins = ref_windows(spec, first)
    if n == 0 and wins and wins[-1][1] >= t:
        return wins[-1][1]
    count = 0
    for d in days:
        wins = ref_windows(spec, d)
        if wins:
            count += 1
            if count >= max(n, 1):
                return wins[-1][1]
    raise AssertionError("reference search exhausted")


def ref_between(spec, a, b):
    total = timedelta(0)
    for d in ref_days(spec, a):
        for s, e in ref_windows(spec, d):
            lo, hi = max(s, a), min(e, b)
            if hi > lo:
                total += hi - lo
        if datetime(d.year, d.month, d.day, tzinfo=spec["zone"]) > b:
            return total
    raise AssertionError("reference search exhausted")


def ref_provisional(spec, start, due):
    y0, y1 = start.astimezone(spec["zone"]).year, due.astimezone(spec["zone"]).year
    return bool(spec["confirmed"]) and any(y not in spec["confirmed"] for y in range(y0, y1 + 1))


# ----------------------------------------------------------------- properties


@PROPS
@given(data=st.data(), cal_spec=calendars(), dur=durations)
def test_deadline_is_working_instant_or_window_end(data, cal_spec, dur):
    cal, _ = cal_spec
    t = data.draw(instants(cal.zone))
    due = add_business_time(t, dur, cal).due
    assert due >= t
    assert is_working_instant(due, cal) or is_working_instant(due - US1, cal)
    if dur:  # a positive amount of work ends *inside* or *at the end of* a window
        assert is_working_instant(due - US1, cal)


@PROPS
@given(data=st.data(), cal_spec=calendars(), a=durations, b=durations)
def test_adding_a_then_b_equals_adding_a_plus_b(data, cal_spec, a, b):
    cal, _ = cal_spec
    t = data.draw(instants(cal.zone))
    step = add_business_time(add_business_time(t, a, cal).due, b, cal).due
    assert step == add_business_time(t, a + b, cal).due


@PROPS
@given(data=st.data(), cal_spec=calendars(), dur=durations)
def test_working_time_between_inverts_add(data, cal_spec, dur):
    cal, _ = cal_spec
    t = data.draw(instants(cal.zone))
    assert working_time_between(t, add_business_time(t, dur, cal).due, cal) == dur


@PROPS
@given(data=st.data(), cal_spec=calendars(), dur=durations, n=st.integers(0, 30))
def test_pause_in_non_working_time_changes_nothing(data, cal_spec, dur, n):
    cal, _ = cal_spec
    t = data.draw(instants(cal.zone))
    p1 = data.draw(instants(cal.zone))
    p2 = next_working_instant(p1, cal)  # [p1, p2) is entirely non-working time
    assert working_time_between(p1, p2, cal) == timedelta(0)
    for kind, amount in (("business", dur), ("working_days", n)):
        due = compute_due(t, kind, amount, cal).due
        assert shift_due_for_pause(due, p1, p2, cal, kind).due == due
    # and a general pause moves a business due time by exactly the paused work
    p3 = data.draw(instants(cal.zone))
    due = add_business_time(t, dur, cal).due
    moved = shift_due_for_pause(due, min(p1, p3), max(p1, p3), cal, "business").due
    paused = working_time_between(min(p1, p3), max(p1, p3), cal)
    assert working_time_between(t, moved, cal) == dur + paused


@PROPS
@given(data=st.data(), cal_spec=calendars(), dur=durations, n=st.integers(0, 25))
def test_deadlines_are_monotonic_in_start(data, cal_spec, dur, n):
    cal, _ = cal_spec
    t1, t2 = sorted([data.draw(instants(cal.zone)), data.draw(instants(cal.zone))])
    assert add_business_time(t1, dur, cal).due <= add_business_time(t2, dur, cal).due
    assert add_working_days(t1, n, cal).due <= add_working_days(t2, n, cal).due
    assert add_working_days(t1, n, cal).due >= t1


@PROPS
@given(data=st.data(), cal_spec=calendars(), dur=durations, n=st.integers(0, 25))
def test_utc_and_shanghai_inputs_agree(data, cal_spec, dur, n):
    cal, _ = cal_spec
    t_utc = data.draw(instants(cal.zone))
    t_sh = t_utc.astimezone(ZoneInfo("Asia/Shanghai"))
    r1, r2 = add_business_time(t_utc, dur, cal), add_business_time(t_sh, dur, cal)
    assert r1 == r2 and r1.due.tzinfo is UTC
    # a UTC-stored due time read back as Shanghai local time is the same instant
    local = r1.due.astimezone(ZoneInfo("Asia/Shanghai"))
    assert local.astimezone(UTC) == r1.due and working_time_between(t_utc, local, cal) == dur
    assert add_business_time(local, timedelta(0), cal) == add_business_time(r1.due, timedelta(0), cal)
    assert add_working_days(t_utc, n, cal) == add_working_days(t_sh, n, cal)


@PROPS
@given(data=st.data(), cal_spec=calendars(FIXED_TZS), dur=durations, n=st.integers(0, 25))
def test_matches_reference_implementation(data, cal_spec, dur, n):
    cal, spec = cal_spec
    t = data.draw(instants(cal.zone))
    r = add_business_time(t, dur, cal)
    expected = ref_add_business(spec, t, dur)
    assert r.due == expected
    assert r.provisional == ref_provisional(spec, t, expected)
    w = add_working_days(t, n, cal)
    expected = ref_working_days(spec, t, n)
    assert w.due == expected
    assert w.provisional == ref_provisional(spec, t, expected)
    u = data.draw(instants(cal.zone))
    a, b = min(t, u), max(t, u)
    assert working_time_between(a, b, cal) == ref_between(spec, a, b)
    assert working_time_between(b, a, cal) == timedelta(0) or a == b


@settings(max_examples=40, deadline=None)
@given(data=st.data(), cal_spec=calendars(), secs=st.integers(0, 40 * 3600), n=st.integers(0, 25))
def test_bulk_matches_single_calls(data, cal_spec, secs, n):
    cal, _ = cal_spec
    ts = [data.draw(instants(cal.zone)).replace(microsecond=0) for _ in range(5)]
    epochs = [int(t.timestamp()) for t in ts]
    got = deadlines_bulk(epochs, secs, cal, "business")
    assert got == [int(add_business_time(t, timedelta(seconds=secs), cal).due.timestamp()) for t in ts]
    got = deadlines_bulk(epochs, n, cal, "working_days")
    assert got == [int(add_working_days(t, n, cal).due.timestamp()) for t in ts]
    assert deadlines_bulk(epochs, secs, cal, "calendar") == [e + secs for e in epochs]


@settings(max_examples=50, deadline=None)
@given(t=st.datetimes(datetime(2020, 1, 1), datetime(2030, 1, 1), timezones=st.just(UTC)), dur=durations)
def test_24x7_business_time_is_calendar_time(t, dur):
    cal = WorkCalendar.always("Europe/London")
    assert add_business_time(t, dur, cal).due == add_calendar_time(t, dur)
    assert working_time_between(t, t + dur, cal) == dur


# ----------------------------------------------------------------- China 2026 examples

SH = ZoneInfo("Asia/Shanghai")


def sh(*args) -> datetime:
    return datetime(*args, tzinfo=SH)


@pytest.fixture(scope="module")
def china():
    from sla.calendar_data import china_calendar

    return china_calendar()


def test_china_package_data_2026():
    from sla.calendar_data import china_calendar, china_covered_years, china_schedule

    s = china_schedule(2026)
    hol, work = set(s["holidays"]), set(s["workdays"])
    span = lambda a, b: {a + timedelta(days=k) for k in range((b - a).days + 1)}  # noqa: E731
    assert span(date(2026, 2, 15), date(2026, 2, 23)) <= hol  # Spring Festival
    assert span(date(2026, 5, 1), date(2026, 5, 5)) <= hol  # Labour Day
    assert span(date(2026, 10, 1), date(2026, 10, 7)) <= hol  # National Day
    assert {date(2026, 2, 14), date(2026, 2, 28), date(2026, 5, 9), date(2026, 9, 20), date(2026, 10, 10)} <= work
    assert all(d.weekday() >= 5 for d in work)  # adjusted days are weekend dates
    assert china_schedule(2026, "zh")["holidays"][date(2026, 2, 17)] == "春节"
    assert 2027 not in china_covered_years()  # chinesecalendar 1.11.0 stops at 2026
    with pytest.raises(ValueError):
        china_schedule(2027)
    assert china_calendar().confirmed_years == frozenset(range(2004, 2027))


def test_spring_festival_24_business_hours(china):
    # Fri 02-13 16:00-18:00 = 2 h; Sat 02-14 is an adjusted working day: 8 h (10 h);
    # Sun 02-15 .. Mon 02-23 holiday; Tue 02-24: 8 h (18 h); Wed 02-25 09-12 (21 h)
    # and 13:00 + 3 h = 16:00.
    assert add_business_time(sh(2026, 2, 13, 16), timedelta(hours=24), china) == (sh(2026, 2, 25, 16), False)


def test_request_on_adjusted_saturday(china):
    # Sat 2026-02-14 is a working day (调休), 10:30 + 1 h = 11:30 the same day.
    assert add_business_time(sh(2026, 2, 14, 10, 30), timedelta(hours=1), china).due == sh(2026, 2, 14, 11, 30)
    # An ordinary Saturday is not: 1 h from Sat 03-07 10:30 is Mon 03-09 10:00.
    assert add_business_time(sh(2026, 3, 7, 10, 30), timedelta(hours=1), china).due == sh(2026, 3, 9, 10)


def test_national_day_15_working_days(china):
    # Received Mon 09-28 (does not count). Sep 29 (1), Sep 30 (2); Oct 1-7 holiday;
    # Oct 8 (3), Oct 9 (4), Sat Oct 10 adjusted (5), Oct 12-16 (6-10), Oct 19-23
    # (11-15) -> close of Fri 2026-10-23 = 18:00.
    assert add_working_days(sh(2026, 9, 28, 10), 15, china) == (sh(2026, 10, 23, 18), False)
    # Sun 09-20 is an adjusted working day: 1 working day from Fri 09-18 is Sun 09-20.
    assert add_working_days(sh(2026, 9, 18, 17), 1, china).due == sh(2026, 9, 20, 18)


def test_labour_day(china):
    # Thu 04-30 16-18 = 2 h; May 1-5 holiday; Wed 05-06 09:00 + 2 h = 11:00.
    assert add_business_time(sh(2026, 4, 30, 16), timedelta(hours=4), china).due == sh(2026, 5, 6, 11)
    assert add_working_days(sh(2026, 4, 30, 9), 1, china).due == sh(2026, 5, 6, 18)
    # Thu 05-07 (1), Fri 05-08 (2), Sat 05-09 adjusted working day (3).
    assert add_working_days(sh(2026, 5, 6, 9), 3, china).due == sh(2026, 5, 9, 18)


def test_window_end_and_zero_duration_rules(china):
    mon = sh(2026, 3, 2, 9)
    assert add_business_time(mon, timedelta(hours=3), china).due == sh(2026, 3, 2, 12)  # not 13:00
    assert add_business_time(mon, timedelta(hours=8), china).due == sh(2026, 3, 2, 18)  # not Tue 09:00
    zero = timedelta(0)
    assert add_business_time(sh(2026, 3, 2, 10), zero, china).due == sh(2026, 3, 2, 10)  # working
    assert add_business_time(sh(2026, 3, 2, 12), zero, china).due == sh(2026, 3, 2, 12)  # window end
    assert add_business_time(sh(2026, 3, 2, 12, 30), zero, china).due == sh(2026, 3, 2, 13)  # lunch
    assert add_business_time(sh(2026, 3, 7, 10), zero, china).due == sh(2026, 3, 9, 9)  # Saturday
    assert is_working_instant(sh(2026, 3, 2, 9), china) and not is_working_instant(sh(2026, 3, 2, 12), china)
    assert next_working_instant(sh(2026, 2, 15, 8), china) == sh(2026, 2, 24, 9)


def test_zero_working_days(china):
    assert add_working_days(sh(2026, 3, 2, 10), 0, china).due == sh(2026, 3, 2, 18)  # same day
    assert add_working_days(sh(2026, 3, 2, 19), 0, china).due == sh(2026, 3, 3, 18)  # after close
    assert add_working_days(sh(2026, 3, 1, 10), 0, china).due == sh(2026, 3, 2, 18)  # Sunday
    assert add_working_days(sh(2026, 3, 1, 10), 1, china).due == sh(2026, 3, 2, 18)
    assert add_working_days(sh(2026, 3, 2, 10), 1, china).due == sh(2026, 3, 3, 18)


def test_pauses(china):
    due = sh(2026, 2, 25, 16)
    # Paused Fri 02-13 17:00 .. Tue 02-24 10:00: 1 h + 8 h (Sat 02-14) + 1 h = 10 h
    # of working time; 02-25 16-18 (2 h) + Thu 02-26 full (8 h) -> 02-26 18:00.
    p1, p2 = sh(2026, 2, 13, 17), sh(2026, 2, 24, 10)
    assert working_time_between(p1, p2, china) == timedelta(hours=10)
    assert shift_due_for_pause(due, p1, p2, china, "business").due == sh(2026, 2, 26, 18)
    assert shift_due_for_pause(due, p1, p2, china, "working_days").due == sh(2026, 2, 26, 18)
    assert shift_due_for_pause(due, p1, p2, china, "calendar").due == due + (p2 - p1)
    # A pause wholly inside the Spring Festival holiday moves nothing.
    assert shift_due_for_pause(due, sh(2026, 2, 15), sh(2026, 2, 23, 23), china, "business").due == due


def test_year_end_2026_2027_is_provisional(china):
    # Thu 2026-12-31 14-18 = 4 h; 2027 has no data, so Fri 2027-01-01 is treated
    # as a plain weekday (in reality it will be New Year's Day): 09-12 (7 h),
    # 13:00 + 1 h = 14:00, provisional.
    assert add_business_time(sh(2026, 12, 31, 14), timedelta(hours=8), china) == (sh(2027, 1, 1, 14), True)
    assert add_business_time(sh(2026, 12, 31, 14), timedelta(hours=2), china) == (sh(2026, 12, 31, 16), False)
    assert add_working_days(sh(2026, 12, 30, 10), 1, china) == (sh(2026, 12, 31, 18), False)
    assert add_working_days(sh(2026, 12, 31, 10), 1, china) == (sh(2027, 1, 1, 18), True)
    # Weekday-rule calendars (no confirmed years) are never provisional.
    assert add_working_days(sh(2026, 12, 31, 10), 1, WorkCalendar()) == (sh(2027, 1, 1, 18), False)


def test_2026_new_year_adjusted_sunday(china):
    # Jan 1-3 holiday, Sun Jan 4 adjusted working day: 1 working day from Wed 12-31-2025.
    assert add_working_days(sh(2025, 12, 31, 10), 1, china).due == sh(2026, 1, 4, 18)


# ----------------------------------------------------------------- validation / misc


def test_naive_datetimes_rejected(china):
    naive = datetime(2026, 3, 2, 10)
    for call in (
        lambda: add_business_time(naive, timedelta(hours=1), china),
        lambda: add_working_days(naive, 1, china),
        lambda: add_calendar_time(naive, timedelta(hours=1)),
        lambda: working_time_between(naive, sh(2026, 3, 3), china),
        lambda: is_working_instant(naive, china),
        lambda: next_working_instant(naive, china),
    ):
        with pytest.raises(ValueError, match="timezone-aware"):
            call()


def test_no_working_time_and_search_limit():
    with pytest.raises(ValueError, match="no working time"):
        WorkCalendar(windows=[()] * 7)
    with pytest.raises(ValueError, match="no working time"):
        WorkCalendar(windows=[()] * 7, workdays={date(2026, 3, 1)}, adjusted_day_windows=())
    # Only one working date ever: anything after it exhausts the 20-year search.
    lonely = WorkCalendar(windows=[()] * 7, workdays={date(2026, 3, 1)}, adjusted_day_windows=[("10:00", "18:00")])
    assert add_business_time(sh(2026, 2, 1), timedelta(hours=1), lonely).due == sh(2026, 3, 1, 11)
    with pytest.raises(ValueError, match=f"{MAX_SEARCH_YEARS} years"):
        add_business_time(sh(2026, 3, 2), timedelta(hours=1), lonely)
    with pytest.raises(ValueError, match=f"{MAX_SEARCH_YEARS} years"):
        add_working_days(sh(2026, 3, 2), 1, lonely)
    with pytest.raises(ValueError, match=f"{MAX_SEARCH_YEARS} years"):
        deadlines_bulk([int(sh(2026, 3, 2).timestamp())], 3600, lonely, "business")


def test_calendar_validation_and_hashing():
    a = WorkCalendar()
    b = WorkCalendar(windows={i: [("13:00", "18:00"), ("09:00", "12:00")] for i in range(5)})
    assert a == b and hash(a) == hash(b) and len({a, b}) == 1
    assert WorkCalendar(windows=[[("09:00", "12:00"), ("11:00", "14:00")]] * 7).windows[0] == ((time(9), time(14)),)
    for bad in ([[("12:00", "09:00")]] * 7, [[("9h", "10h")]] * 7, [[]] * 6):
        with pytest.raises(ValueError):
            WorkCalendar(windows=bad)
    with pytest.raises(ValueError):
        WorkCalendar(holidays={date(2026, 1, 1)}, workdays={date(2026, 1, 1)})
    with pytest.raises(ValueError):
        WorkCalendar(tz="Mars/Olympus")
    with pytest.raises(ValueError):
        add_business_time(sh(2026, 1, 1), timedelta(hours=-1), a)
    with pytest.raises(ValueError):
        add_working_days(sh(2026, 1, 1), -1, a)


def test_calendar_time_is_elapsed_time_across_dst():
    lon = ZoneInfo("Europe/London")  # clocks go forward on 2026-03-29
    start = datetime(2026, 3, 28, 12, tzinfo=lon)
    assert add_calendar_time(start, timedelta(hours=24)) == datetime(2026, 3, 29, 13, tzinfo=lon)
    assert compute_due(start, "calendar", timedelta(hours=24), WorkCalendar()).due == start.astimezone(UTC) + timedelta(
        hours=24
    )


def test_split_shift_and_night_window():
    # Split shift 08:00-11:00 + 17:00-24:00 every day.
    cal = WorkCalendar(tz="UTC", windows=[[("08:00", "11:00"), ("17:00", "24:00")]] * 7)
    t = datetime(2026, 5, 1, 10, tzinfo=UTC)
    # 10-11 (1 h), 17-24 (7 h), next day 08:00 + 2 h = 10:00.
    assert add_business_time(t, timedelta(hours=10), cal).due == datetime(2026, 5, 2, 10, tzinfo=UTC)
    # Exactly used up at 24:00 -> the deadline is midnight.
    assert add_business_time(t, timedelta(hours=8), cal).due == datetime(2026, 5, 2, tzinfo=UTC)
    assert add_working_days(t, 1, cal).due == datetime(2026, 5, 3, tzinfo=UTC)


def test_dst_windows_measure_real_elapsed_time():
    ny = ZoneInfo("America/New_York")
    cal = WorkCalendar(tz="America/New_York", windows=[[("01:00", "03:00")]] * 7)
    # 2026-03-08 springs forward 02:00 -> 03:00: 01:00 EST .. 03:00 EDT is 1 real hour.
    assert working_time_between(datetime(2026, 3, 8, tzinfo=ny), datetime(2026, 3, 9, tzinfo=ny), cal) == timedelta(
        hours=1
    )
    # 2026-11-01 falls back 02:00 -> 01:00: 01:00 EDT .. 03:00 EST is 3 real hours.
    assert working_time_between(datetime(2026, 11, 1, tzinfo=ny), datetime(2026, 11, 2, tzinfo=ny), cal) == timedelta(
        hours=3
    )
    # 24x7: 24 business hours from Sat 12:00 EST is Sun 13:00 EDT (= 17:00 UTC).
    due = add_business_time(datetime(2026, 3, 7, 12, tzinfo=ny), timedelta(hours=24), WorkCalendar.always(ny.key)).due
    assert due == datetime(2026, 3, 8, 17, tzinfo=UTC) == datetime(2026, 3, 8, 13, tzinfo=ny)
