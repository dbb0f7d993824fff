"""The warranty rules of the product archive (pure functions, no database)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from products.periods import Convention
from products.warranty import (
    COVERED_CAUSES,
    Cause,
    Reason,
    add_months,
    component_coverage,
    decide,
    main_of,
    period_end,
    warranty_start,
)

D = dt.date


@pytest.mark.parametrize(
    "start, months, expected",
    [
        (D(2023, 11, 23), 36, D(2026, 11, 23)),
        (D(2024, 2, 29), 12, D(2025, 2, 28)),
        (D(2024, 2, 29), 48, D(2028, 2, 29)),
        (D(2024, 1, 31), 1, D(2024, 2, 29)),
        (D(2023, 1, 31), 1, D(2023, 2, 28)),
        (D(2024, 3, 31), 1, D(2024, 4, 30)),
        (D(2024, 12, 15), 1, D(2025, 1, 15)),
        (D(2024, 11, 30), 14, D(2026, 1, 30)),
        (D(2024, 5, 10), 0, D(2024, 5, 10)),
    ],
    ids=["3y", "leap-1y", "leap-4y", "jan31-leap-feb", "jan31-feb", "mar31-apr30", "year-wrap", "14-months", "zero"],
)
def test_add_months_rolls_back_to_the_month_end(start, months, expected):
    # when
    result = add_months(start, months)

    # then
    assert result == expected


@pytest.mark.parametrize(
    "start, months, last_day",
    [
        (D(2023, 11, 23), 36, D(2026, 11, 22)),
        (D(2024, 2, 29), 12, D(2025, 2, 27)),
        (D(2024, 2, 29), 48, D(2028, 2, 28)),
        (D(2024, 1, 1), 12, D(2024, 12, 31)),
    ],
    ids=["3y", "leap-1y", "leap-4y", "new-year"],
)
def test_period_ends_the_day_before_the_anniversary(start, months, last_day):
    # when
    end = period_end(start, months)

    # then
    assert end == last_day


@pytest.mark.parametrize(
    "start, months, on, covered, reason",
    [
        (D(2023, 11, 23), 36, D(2023, 11, 23), True, Reason.IN_WARRANTY),
        (D(2023, 11, 23), 36, D(2026, 11, 22), True, Reason.IN_WARRANTY),
        (D(2023, 11, 23), 36, D(2026, 11, 23), False, Reason.EXPIRED),
        (D(2023, 11, 23), 36, D(2023, 11, 22), False, Reason.NOT_STARTED),
        (D(2024, 2, 29), 12, D(2025, 2, 27), True, Reason.IN_WARRANTY),
        (D(2024, 2, 29), 12, D(2025, 2, 28), False, Reason.EXPIRED),
        (D(2024, 2, 29), 48, D(2028, 2, 28), True, Reason.IN_WARRANTY),
        (D(2024, 2, 29), 48, D(2028, 2, 29), False, Reason.EXPIRED),
    ],
    ids=[
        "first-day",
        "last-day",
        "anniversary-expired",
        "fault-before-start",
        "leap-last-day",
        "leap-anniversary",
        "leap-4y-last-day",
        "leap-4y-anniversary",
    ],
)
def test_decide_boundaries_under_the_anniversary_eve_convention(start, months, on, covered, reason):
    # when
    coverage = decide(start=start, months=months, on=on, cause=Cause.DEFECT, convention=Convention.ANNIVERSARY_EVE)

    # then
    assert (coverage.covered, coverage.reason) == (covered, reason)
    assert coverage.start == start
    assert coverage.end == period_end(start, months)


@pytest.mark.parametrize(
    "months, on, covered",
    [(36, D(2025, 6, 1), True), (12, D(2025, 6, 1), False), (12, D(2024, 11, 22), True), (12, D(2024, 11, 23), False)],
    ids=["main-36-in", "accessory-12-out", "accessory-12-last-day", "accessory-12-anniversary"],
)
def test_component_classes_with_different_periods(months, on, covered):
    # given a unit bought 2023-11-23: main unit 36 months, accessories and software 12
    start = D(2023, 11, 23)

    # when
    coverage = decide(start=start, months=months, on=on, cause=Cause.DEFECT, convention=Convention.ANNIVERSARY_EVE)

    # then
    assert coverage.covered is covered


@pytest.mark.parametrize("cause", list(Cause), ids=[c.value for c in Cause])
def test_every_cause_is_either_covered_or_a_paid_repair(cause):
    # given a fault inside the period
    start, on = D(2025, 1, 1), D(2025, 6, 1)

    # when
    coverage = decide(start=start, months=12, on=on, cause=cause)

    # then
    expected_covered = cause in {Cause.DEFECT, Cause.MANUAL_ERROR, Cause.TRANSPORT_DAMAGE}
    assert coverage.covered is expected_covered
    assert coverage.reason == (Reason.IN_WARRANTY if expected_covered else Reason.CAUSE_NOT_COVERED)
    assert (cause in COVERED_CAUSES) is expected_covered


@pytest.mark.parametrize("cause", list(Cause), ids=[c.value for c in Cause])
def test_outside_the_period_no_cause_is_covered(cause):
    # when
    coverage = decide(start=D(2020, 1, 1), months=12, on=D(2025, 6, 1), cause=cause)

    # then
    assert (coverage.covered, coverage.reason) == (False, Reason.EXPIRED)


def test_no_start_date_cannot_be_covered():
    # when
    coverage = decide(start=None, months=36, on=D(2025, 6, 1), cause=Cause.DEFECT)

    # then
    assert coverage == type(coverage)(False, Reason.NO_START_DATE, None, None)


@pytest.mark.parametrize(
    "purchase_date, has_proof, sale_date, expected",
    [
        (D(2024, 3, 1), True, D(2024, 2, 1), D(2024, 3, 1)),
        (D(2024, 3, 1), False, D(2024, 2, 1), D(2024, 2, 1)),
        (None, True, D(2024, 2, 1), D(2024, 2, 1)),
        (None, False, D(2024, 2, 1), D(2024, 2, 1)),
        (D(2024, 3, 1), False, None, None),
        (None, False, None, None),
    ],
    ids=[
        "proof-wins",
        "no-proof-sale-date",
        "proof-without-date",
        "sale-only",
        "purchase-date-without-proof",
        "nothing",
    ],
)
def test_period_starts_on_the_purchase_date_on_the_proof_else_the_sale_date(
    purchase_date, has_proof, sale_date, expected
):
    # when
    start = warranty_start(purchase_date=purchase_date, has_proof=has_proof, sale_date=sale_date)

    # then
    assert start == expected


def _unit(sale_date):
    return SimpleNamespace(purchase_date=None, proof_id=None, sale_date=sale_date)


def _class(kind):
    return SimpleNamespace(kind=kind)


@pytest.mark.parametrize(
    "kinds, months, default, covered",
    [
        (("accessory", "main"), (6, 36), 12, True),  # the main class decides, wherever it is listed
        (("accessory", "software"), (6, 36), 48, False),  # no main class: the first one decides
        ((), (), 48, True),  # no terms at all: the default months from the unit's start
        ((), (), 12, False),
    ],
    ids=["main-class", "first-class", "no-terms-long-default", "no-terms-short-default"],
)
def test_the_main_component_decides_the_work_order(kinds, months, default, covered):
    # given a unit sold two years before the fault
    unit, on = _unit(D(2024, 1, 10)), D(2026, 1, 10)
    components = component_coverage(unit, list(zip(map(_class, kinds), months, strict=True)), on=on)
    # when
    decision = main_of(components, unit=unit, default_months=default, on=on, cause=Cause.DEFECT)
    # then
    assert decision.covered is covered
    assert [c.months for c in components] == list(months)
