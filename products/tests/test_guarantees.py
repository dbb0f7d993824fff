"""The Three Guarantees (三包) rules (products.guarantees.entitlements): boundaries and properties."""

import datetime as dt

import pytest
from hypothesis import given
from hypothesis import strategies as st

from products.guarantees import OnlineExclusion, Policy, Remedy, Repair, Why, entitlements
from sla.calendar_data import china_calendar

D = dt.date
CHINA = china_calendar().is_working_day
SALE = D(2025, 3, 3)  # a Monday
R, E, P = Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR


def kinds(**kw):
    kw.setdefault("policy", Policy())
    kw.setdefault("sale_date", SALE)
    kw.setdefault("working_day", CHINA)
    return entitlements(**kw).kinds


@pytest.mark.parametrize(
    "on, expected",
    [
        (SALE, {R, E, P}),
        (D(2025, 3, 10), {R, E, P}),
        (D(2025, 3, 11), {E, P}),
        (D(2025, 3, 18), {E, P}),
        (D(2025, 3, 19), {P}),
        (D(2026, 3, 3), {P}),
        (D(2026, 3, 4), set()),
        (D(2025, 3, 2), set()),
    ],
    ids=["sale-day", "day-7", "day-8", "day-15", "day-16", "period-last-day", "period-over", "before-sale"],
)
def test_remedies_by_the_day_of_the_fault(on, expected):
    assert kinds(on=on) == expected


def test_the_7_days_end_on_the_next_working_day_after_a_holiday():
    # sold 2025-09-24: the 7th day is 2025-10-01, National Day → the choice lasts to 2025-10-09
    answer = entitlements(policy=Policy(), sale_date=D(2025, 9, 24), on=D(2025, 10, 9), working_day=CHINA)
    assert (answer.return_ends, answer.kinds) == (D(2025, 10, 9), {R, E, P})


@pytest.mark.parametrize(
    "faults, expected",
    [((), {P}), (("main",), {P}), (("main", "main"), {E, R, P}), (("main", "accessory"), {P})],
    ids=["no-repair", "one-repair", "second-repair-same-fault", "two-different-faults"],
)
def test_exchange_after_two_repairs_of_the_same_fault(faults, expected):
    repairs = [Repair(f, D(2025, 5, 1 + 10 * i), D(2025, 5, 5 + 10 * i)) for i, f in enumerate(faults)]
    answer = entitlements(policy=Policy(), sale_date=SALE, on=D(2025, 8, 1), repairs=repairs, working_day=CHINA)
    assert answer.kinds == expected
    if E in expected:
        assert answer.remedies[1].reason.code == Why.REPAIRED_TWICE


def test_a_repair_still_open_does_not_count_as_a_repair_done():
    repairs = [Repair("main", D(2025, 5, 1), D(2025, 5, 5)), Repair("main", D(2025, 6, 1), None)]
    assert kinds(on=D(2025, 6, 10), repairs=repairs) == {P}


@pytest.mark.parametrize(
    "returned, parts_wait, expected",
    [
        (D(2025, 5, 31), 0, {P}),
        (D(2025, 6, 1), 0, {E, P}),
        (D(2025, 7, 30), 80, {P}),
        (D(2025, 7, 31), 80, {E, P}),
        (D(2025, 7, 31), 50, {E, P}),
    ],
    ids=["30-days", "31-days", "90-days-waiting-parts", "91-days-waiting-parts", "41-own-days"],
)
def test_exchange_after_a_repair_too_long(returned, parts_wait, expected):
    repairs = [Repair("main", D(2025, 5, 1), returned, parts_wait)]
    assert kinds(on=D(2025, 8, 15), repairs=repairs) == expected


def test_an_open_repair_past_30_days_owes_an_exchange_already():
    repairs = [Repair("main", D(2025, 5, 1), None)]
    assert kinds(on=D(2025, 5, 31), repairs=repairs) == {P}
    assert kinds(on=D(2025, 6, 1), repairs=repairs) == {E, P}


def test_days_in_repair_lengthen_the_period():
    # 12 months from 2025-03-03 → 2026-03-03; 20 days in repair → 2026-03-23 (a Monday)
    repairs = [Repair("main", D(2025, 5, 1), D(2025, 5, 21))]
    answer = entitlements(policy=Policy(), sale_date=SALE, on=D(2026, 3, 20), repairs=repairs, working_day=CHINA)
    assert (answer.deducted_days, answer.period_ends, answer.kinds) == (20, D(2026, 3, 23), {P})
    assert kinds(on=D(2026, 3, 20)) == set()


def test_the_period_restarts_after_an_exchange():
    # two repairs, then an exchange on 2025-09-01: the count and the period start again
    repairs = [Repair("main", D(2025, 5, 1), D(2025, 5, 5)), Repair("main", D(2025, 6, 1), D(2025, 6, 5))]
    answer = entitlements(
        policy=Policy(), sale_date=SALE, on=D(2026, 6, 1), repairs=repairs, exchanges=[D(2025, 9, 1)], working_day=CHINA
    )
    assert (answer.period_start, answer.period_ends, answer.kinds) == (D(2025, 9, 1), D(2026, 9, 1), {P})
    assert answer.repairs_by_fault == {}


def test_a_line_under_contract_owes_nothing():
    answer = entitlements(policy=Policy(enabled=False), sale_date=SALE, on=SALE)
    assert (answer.applies, answer.kinds, answer.notes[0].code) == (False, set(), Why.NOT_APPLICABLE)


def test_no_sale_date_owes_nothing():
    answer = entitlements(policy=Policy(), sale_date=None, on=SALE)
    assert (answer.kinds, answer.notes[0].code) == (set(), Why.NO_SALE_DATE)


@pytest.mark.parametrize(
    "exclusion, intact, on, expected, note",
    [
        ("", None, D(2025, 3, 17), {R, E, P}, None),
        ("", None, D(2025, 3, 18), {E, P}, None),
        ("", False, D(2025, 3, 12), {E, P}, Why.ONLINE_NOT_INTACT),
        (OnlineExclusion.CUSTOM_MADE, True, D(2025, 3, 12), {E, P}, Why.ONLINE_EXCLUDED),
    ],
    ids=["received-day-7", "received-day-8", "not-intact", "custom-made"],
)
def test_online_seven_day_no_reason_return(exclusion, intact, on, expected, note):
    # bought online 2025-03-03, received 2025-03-10: seven days from receipt → 2025-03-17
    answer = entitlements(
        policy=Policy(online_exclusion=exclusion),
        sale_date=SALE,
        on=on,
        online=True,
        received_date=D(2025, 3, 10),
        goods_intact=intact,
        working_day=CHINA,
    )
    assert answer.kinds == expected
    assert answer.online_return_ends == D(2025, 3, 17)
    assert (note in {n.code for n in answer.notes}) if note else True


def test_every_reason_reads_as_a_sentence():
    repairs = [Repair("main", D(2025, 5, 1), D(2025, 6, 10))]
    answer = entitlements(policy=Policy(), sale_date=SALE, on=D(2025, 7, 1), repairs=repairs, working_day=CHINA)
    assert [e.reason.text for e in answer.remedies] == [
        "A repair took 40 days for the repairer's own reasons (more than 30): an exchange is owed.",
        "Within the Three Guarantees period: free repair.",
    ]


# Properties --------------------------------------------------------------------------------

sales = st.dates(min_value=D(2010, 1, 1), max_value=D(2026, 6, 30))
offsets = st.integers(min_value=0, max_value=800)
repairs_st = st.lists(
    st.tuples(
        st.sampled_from(["main", "accessory"]),
        st.integers(min_value=0, max_value=500),
        st.integers(min_value=0, max_value=120),
        st.integers(min_value=0, max_value=100),
    ),
    max_size=4,
)


def _repairs(sale, rows):
    out = []
    for fault, start, length, wait in rows:
        received = sale + dt.timedelta(days=start)
        out.append(Repair(fault, received, received + dt.timedelta(days=length), min(wait, length)))
    return out


@given(sale=sales, offset=offsets, rows=repairs_st)
def test_return_implies_exchange_implies_repair_when_offline(sale, offset, rows):
    on = sale + dt.timedelta(days=offset)
    got = kinds(sale_date=sale, on=on, repairs=_repairs(sale, rows))
    assert R not in got or E in got
    assert E not in got or P in got


@given(sale=sales, a=offsets, b=offsets)
def test_without_repairs_remedies_only_shrink_with_time(sale, a, b):
    early, late = sorted((a, b))
    assert kinds(sale_date=sale, on=sale + dt.timedelta(days=late)) <= kinds(
        sale_date=sale, on=sale + dt.timedelta(days=early)
    )


@given(sale=sales, offset=offsets, rows=repairs_st, extra=repairs_st)
def test_more_repair_records_never_take_a_remedy_away(sale, offset, rows, extra):
    on = sale + dt.timedelta(days=offset)
    some = _repairs(sale, rows)
    assert kinds(sale_date=sale, on=on, repairs=some) <= kinds(
        sale_date=sale, on=on, repairs=some + _repairs(sale, extra)
    )


@given(sale=sales, offset=offsets, rows=repairs_st)
def test_deducted_days_are_the_days_in_repair_up_to_the_date(sale, offset, rows):
    on = sale + dt.timedelta(days=offset)
    repairs = _repairs(sale, rows)
    answer = entitlements(policy=Policy(), sale_date=sale, on=on, repairs=repairs, working_day=CHINA)
    expected = sum(max(0, (min(r.returned, on) - r.received).days) for r in repairs if r.received <= on)
    assert answer.deducted_days == expected
    assert answer.period_ends >= sale + dt.timedelta(days=365 + expected)


@given(sale=sales, offset=offsets)
def test_a_line_under_contract_never_owes_anything(sale, offset):
    assert kinds(policy=Policy(enabled=False), sale_date=sale, on=sale + dt.timedelta(days=offset)) == set()
