"""Dashboard KPIs: counts by state, SLA compliance and response time stay right as orders change."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from analytics import selectors
from service import services
from service.models import WorkOrderClock
from sla.escalation import scan_clocks
from tests.factories import CustomerFactory, UnitFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
OCT = dt.datetime(2026, 10, 12, 10, 0, tzinfo=SH)  # a Monday
LATER = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)


@pytest.fixture
def desk(db):
    return {"agent": UserFactory(role="agent"), "customer": CustomerFactory()}


def received(desk, at: dt.datetime, **kw):
    """An order keyed in by the desk at ``at`` (through the real intake service: clocks start)."""
    with time_machine.travel(at, tick=False):
        unit = UnitFactory(owner=desk["customer"])
        return services.request_create(
            actor=desk["agent"],
            customer_id=desk["customer"].pk,
            serial=unit.serial,
            fault_description="Does not start.",
            **kw,
        )


def act(desk, order, action: str, at: dt.datetime, **kw):
    with time_machine.travel(at, tick=False):
        return services.work_order_transition(order_id=order.pk, action=action, actor=desk["agent"], **kw)


def kpis(desk, month="2026-10", now=LATER):
    return selectors.month_kpis(actor=desk["agent"], month=selectors.parse_month(month), now=now)


def counts(result) -> dict:
    return {row["status"]: row["count"] for row in result["by_status"] if row["count"]}


def clock(result, name) -> dict:
    return next(row for row in result["sla"]["by_clock"] if row["clock"] == name)


def test_counts_follow_the_orders_as_they_move(desk):
    # given two orders received in October
    first, second = received(desk, OCT), received(desk, OCT + dt.timedelta(hours=1))
    assert counts(kpis(desk)) == {"new": 2}

    # when one is acknowledged and the other cancelled
    act(desk, first, "acknowledge", OCT + dt.timedelta(hours=2))
    act(desk, second, "cancel", OCT + dt.timedelta(hours=3), note="Duplicate")

    # then the counts show their current states at once (no rollup to wait for)
    result = kpis(desk)
    assert counts(result) == {"acknowledged": 1, "cancelled": 1}
    assert (result["received"], result["open"]) == (2, 1)


def test_the_month_is_the_service_time_zone_month(desk):
    # given an order at 01:00 on 1 November in Shanghai (still 31 October in UTC)
    received(desk, dt.datetime(2026, 11, 1, 1, 0, tzinfo=SH))
    # then it counts for November, not October
    assert kpis(desk, "2026-10")["received"] == 0
    assert kpis(desk, "2026-11")["received"] == 1


def test_response_time_and_compliance_from_the_clocks(desk):
    # given three normal-priority orders (first response due within 24 hours)
    quick, slow, ignored = received(desk, OCT), received(desk, OCT), received(desk, OCT)
    # when one is answered after 30 minutes, one after 3 days, one never (and its deadline passes)
    act(desk, quick, "acknowledge", OCT + dt.timedelta(minutes=30))
    act(desk, slow, "acknowledge", OCT + dt.timedelta(days=3))

    result = kpis(desk)

    # then the average covers the two answered orders, and only the quick one met its target
    assert result["response"] == {"count": 2, "average_minutes": round((30 + 3 * 24 * 60) / 2, 1)}
    response = clock(result, "response")
    assert (response["met"], response["breached"], response["pending"]) == (1, 2, 0)
    assert response["compliance"] == round(1 / 3, 4)
    assert ignored.clocks.get(clock="response").state == WorkOrderClock.State.RUNNING  # late, not yet scanned


def test_the_breach_scan_does_not_change_the_figures(desk):
    # given an unanswered order whose response deadline has passed
    received(desk, OCT)
    before = kpis(desk)
    # when the periodic scan marks the clock breached
    with time_machine.travel(LATER, tick=False):
        scan_clocks()
    # then the compliance is the same: a late running clock counted as breached already
    after = kpis(desk)
    assert clock(after, "response")["breached"] == clock(before, "response")["breached"] == 1
    assert after["sla"]["compliance"] == before["sla"]["compliance"] == 0.0


def test_clocks_within_their_deadline_are_pending(desk):
    # given an order received an hour ago
    received(desk, OCT)
    # when the KPIs are read before any deadline
    result = kpis(desk, now=OCT + dt.timedelta(hours=1))
    # then nothing is met or breached yet
    assert result["sla"]["compliance"] is None
    assert clock(result, "response")["pending"] == 1
    assert result["response"] == {"count": 0, "average_minutes": None}


def test_a_fixed_number_of_queries_whatever_the_volume(desk):
    # given one order, then five more
    received(desk, OCT)
    with CaptureQueriesContext(connection) as one:
        kpis(desk)
    for i in range(5):
        received(desk, OCT + dt.timedelta(hours=i))
    with CaptureQueriesContext(connection) as six:
        kpis(desk)
    # then two queries either way
    assert len(one.captured_queries) == len(six.captured_queries) == 2


# --- the endpoint -------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["agent", "supervisor", "manager", "analyst"], ids=lambda r: r)
def test_back_office_roles_read_the_kpis(db, api_as, role):
    response = api_as(UserFactory(role=role)).get("/analytics/kpis", {"month": "2026-10"})
    assert response.status_code == 200, response.json()
    body = response.json()
    assert body["month"] == "2026-10"
    assert {row["status"] for row in body["by_status"]} >= {"new", "closed"}


@pytest.mark.parametrize("role", ["customer", "engineer"], ids=lambda r: r)
def test_customers_and_engineers_are_refused(db, api_as, role):
    response = api_as(UserFactory(role=role)).get("/analytics/kpis")
    assert response.status_code == 403
    assert response.json()["code"] == "forbidden"


@pytest.mark.parametrize(
    "month",
    ["2026-13", "2026-1", "26-10", "1999-12", "abcd-ef", "2026-10x"],
    ids=["month-13", "one-digit", "short-year", "too-early", "letters", "trailing"],
)
def test_a_bad_month_is_a_422(db, api_as, month):
    response = api_as(UserFactory(role="agent")).get("/analytics/kpis", {"month": month})
    assert response.status_code == 422
    assert "month" in response.json()["fields"]


def test_without_a_month_it_is_the_current_one(db, api_as):
    with time_machine.travel(dt.datetime(2026, 9, 30, 20, 0, tzinfo=dt.UTC), tick=False):  # 1 Oct in Shanghai
        response = api_as(UserFactory(role="agent")).get("/analytics/kpis")
    assert response.json()["month"] == "2026-10"


def test_anonymous_is_a_401(db, client):
    assert client.get("/api/v1/analytics/kpis").status_code == 401
