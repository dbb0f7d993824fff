"""The effect check's metrics on hand-checked fixtures (rows written directly: these are reads)."""

import datetime as dt
from decimal import Decimal

import pytest

from complaints.models import Complaint
from improvement import metrics
from service.models import WorkOrder, WorkOrderClock, WorkOrderEvent
from tests.factories import CustomerFactory, WorkOrderFactory

PIVOT = dt.datetime(2026, 6, 1, 0, 0, tzinfo=dt.UTC)
DAY = dt.timedelta(days=1)


def orders(n, at, **kw):
    customer = CustomerFactory()
    return [WorkOrderFactory(customer=customer, created_at=at, **kw) for _ in range(n)]


def complaints(n, at):
    customer = CustomerFactory()
    for _ in range(n):
        Complaint.objects.create(customer=customer, channel="phone", description="x", created_at=at, received_at=at)


@pytest.mark.django_db
def test_complaint_rate_per_100_orders_before_and_after():
    # before: 10 orders, 2 complaints -> 20.00; after: 8 orders, 1 complaint -> 12.50
    orders(10, PIVOT - 5 * DAY)
    complaints(2, PIVOT - 3 * DAY)
    orders(8, PIVOT + 2 * DAY)
    complaints(1, PIVOT + 4 * DAY)
    orders(50, PIVOT - 40 * DAY)  # outside the 30-day windows
    complaints(9, PIVOT + 31 * DAY)

    e = metrics.effect("complaint_rate", pivot=PIVOT, now=PIVOT + 60 * DAY, window_days=30)

    assert (e.before.value, e.before.numerator, e.before.denominator) == (Decimal("20.00"), 2, 10)
    assert (e.after.value, e.after.numerator, e.after.denominator) == (Decimal("12.50"), 1, 8)
    assert e.change == Decimal("-7.50") and e.improved is True  # fewer complaints is better
    assert e.days == Decimal("30.00")


@pytest.mark.django_db
def test_windows_shrink_to_the_time_since_the_start():
    orders(4, PIVOT - 15 * DAY)  # outside a 10-day before-window
    orders(2, PIVOT - 5 * DAY)
    complaints(1, PIVOT - 5 * DAY)
    e = metrics.effect("complaint_rate", pivot=PIVOT, now=PIVOT + 10 * DAY, window_days=30)
    assert e.days == Decimal("10.00")
    assert e.before_start == PIVOT - 10 * DAY and e.after_end == PIVOT + 10 * DAY
    assert e.before.value == Decimal("50.00")
    assert e.after.value is None and e.improved is None  # no orders after: nothing to compare


@pytest.mark.django_db
def test_resolution_median_in_hours_odd_and_even():
    for hours in (2, 10, 4):  # median 4
        WorkOrderFactory(
            created_at=PIVOT - 5 * DAY, closed_at=PIVOT - 5 * DAY + dt.timedelta(hours=hours), status="closed"
        )
    for hours in (2, 4, 6, 10):  # median (4 + 6) / 2 = 5
        WorkOrderFactory(created_at=PIVOT + DAY, closed_at=PIVOT + DAY + dt.timedelta(hours=hours), status="closed")

    e = metrics.effect("resolution_median", pivot=PIVOT, now=PIVOT + 30 * DAY, window_days=30)

    assert e.before.value == Decimal("4.00") and e.before.denominator == 3
    assert e.after.value == Decimal("5.00") and e.after.denominator == 4
    assert e.improved is False  # slower


def clock(order, state, *, breached=False):
    return WorkOrderClock.objects.create(
        order=order,
        clock="response",
        clock_type="business_hours",
        amount=4,
        calendar_code="cn",
        state=state,
        started_at=order.created_at,
        breached_at=order.created_at + DAY if breached else None,
    )


@pytest.mark.django_db
def test_first_response_sla_compliance_counts_decided_clocks_only():
    before = orders(4, PIVOT - 2 * DAY)
    clock(before[0], "met")
    clock(before[1], "breached", breached=True)
    clock(before[2], "running")  # not decided yet
    clock(before[3], "running", breached=True)  # past its deadline: breached
    after = orders(4, PIVOT + 2 * DAY)
    for o in after[:3]:
        clock(o, "met")
    clock(after[3], "breached", breached=True)

    e = metrics.effect("first_response_sla", pivot=PIVOT, now=PIVOT + 30 * DAY, window_days=30)

    assert (e.before.value, e.before.denominator) == (Decimal("33.33"), 3)  # 1 of 3
    assert (e.after.value, e.after.denominator) == (Decimal("75.00"), 4)  # 3 of 4
    assert e.improved is True


@pytest.mark.django_db
def test_reopen_rate_per_100_closed_orders():
    closed = [
        WorkOrderFactory(created_at=PIVOT - 9 * DAY, closed_at=PIVOT - 3 * DAY, status="closed") for _ in range(4)
    ]
    WorkOrderEvent.objects.create(order=closed[0], action="reopen", at=PIVOT - 2 * DAY)
    WorkOrderFactory(created_at=PIVOT, closed_at=PIVOT + 3 * DAY, status="closed")

    e = metrics.effect("reopen_rate", pivot=PIVOT, now=PIVOT + 30 * DAY, window_days=30)

    assert (e.before.value, e.before.numerator, e.before.denominator) == (Decimal("25.00"), 1, 4)
    assert (e.after.value, e.after.numerator, e.after.denominator) == (Decimal("0.00"), 0, 1)
    assert WorkOrder.objects.count() == 5
