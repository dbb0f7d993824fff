"""The manager's dashboard: every figure on a small set of orders made through the services, its
drill-down to the queue, the filters, the period, and the endpoint."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.http import QueryDict
from django.test.utils import CaptureQueriesContext

from analytics import dashboard as D
from analytics.sql import bucket
from service import filters as F
from service import services
from service.forms import QueueFilterForm
from service.permissions import visible_to
from service.tests.flow import PATHS, advance
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    ProductLineFactory,
    ProductModelFactory,
    UnitFactory,
    UserFactory,
)

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)  # a Friday
NOV_1, NOV_20 = dt.date(2026, 11, 1), dt.date(2026, 11, 20)


def at(day: int, hour: int, minute: int = 0, month: int = 11) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, minute, tzinfo=SH)


def received(w, when, *, customer, line, **kw):
    """An order keyed in by the desk at ``when``, through the real intake (its clocks start)."""
    with time_machine.travel(when, tick=False):
        unit = UnitFactory(owner=customer, model=ProductModelFactory(line=line))
        return services.request_create(
            actor=w.agent, customer_id=customer.pk, serial=unit.serial, fault_description="Does not start.", **kw
        )


def act(w, order, action, when, **kw):
    with time_machine.travel(when, tick=False):
        return services.work_order_transition(order_id=order.pk, action=action, actor=w.agent, **kw)


@pytest.fixture
def w(db):
    """Seven orders around November 2026 (the period: 1–20 November, now: 20 November 10:00).

    o1 2 Nov 10:00 Guangdong/home, team "Field": answered after 30 min (met), open, overdue
    o2 2 Nov 11:00 Guangdong/office: answered after 2 days (breached), open, overdue
    o3 10 Nov 09:00 Beijing/home: cancelled an hour later (its clocks cancelled)
    o4 1 Nov 00:30 Beijing/home (31 Oct in UTC): answered and resolved 2 days later, closed
    o5 31 Oct 23:30 Guangdong/home: before the period
    o6 19 Nov 14:00 Guangdong/home: unanswered for 20 hours — at risk (warned at 80 % of 24 h)
    o7 20 Nov 09:00 Beijing/office: received an hour ago, pending
    """
    agent, engineer = UserFactory(role="agent"), UserFactory(role="engineer")
    home, office = ProductLineFactory(code="home", name="Smart home"), ProductLineFactory(code="office", name="Office")
    gd, bj = CustomerFactory(region="Guangdong"), CustomerFactory(region="Beijing")
    field = DepartmentFactory(code="field", name="Field")
    s = SimpleNamespace(agent=agent, home=home, office=office, gd=gd, bj=bj, field=field)
    s.o1 = received(s, at(2, 10), customer=gd, line=home)
    with time_machine.travel(at(2, 10, 5), tick=False):
        services.work_order_assign(order_id=s.o1.pk, actor=agent, assignee_id=None, department_id=field.pk)
    act(s, s.o1, "acknowledge", at(2, 10, 30))
    s.o2 = received(s, at(2, 11), customer=gd, line=office)
    act(s, s.o2, "acknowledge", at(4, 11))
    s.o3 = received(s, at(10, 9), customer=bj, line=home)
    act(s, s.o3, "cancel", at(10, 10), note="Duplicate")
    s.o4 = received(s, at(1, 0, 30), customer=bj, line=home)
    with time_machine.travel(at(3, 0, 30), tick=False):
        advance(s.o4, PATHS["closed"], agent=agent, engineer=engineer)
    s.o5 = received(s, at(31, 23, 30, month=10), customer=gd, line=home)
    s.o6 = received(s, at(19, 14), customer=gd, line=home)
    s.o7 = received(s, at(20, 9), customer=bj, line=office)
    s.manager = UserFactory(role="manager")
    return s


def figures(w, actor=None, **kw):
    filters = D.parse_filters(received_from=NOV_1, received_to=NOV_20, **kw)
    return D.dashboard(actor=actor or w.manager, filters=filters, now=NOW)


def drilled(actor, query: str) -> set[int]:
    """The orders the console queue lists for a drill-down's query string, at NOW."""
    form = QueueFilterForm(QueryDict(query), engineers=[], departments=[])
    form.fields["department"].choices = [("", "")] + [(int(v), v) for v in QueryDict(query).getlist("department")]
    assert form.is_valid(), form.errors
    return set(F.apply(visible_to(actor), form.to_filter(), now=NOW).values_list("pk", flat=True))


def every_query(result: dict):
    """(figure name, count, query string) of every figure that drills down."""
    for name in ("received", "open", "overdue", "at_risk"):
        yield name, result[name], result[f"{name}_query"]
    for r in result["by_status"]:
        yield f"status {r['status']}", r["count"], r["query"]
    for r in result["per_day"]:
        yield f"day {r['day']}", r["count"], r["query"]
    for r in result["backlog"]:
        if r["query"]:
            yield f"age {r['bucket']}", r["count"], r["query"]
    for r in result["sla"]["by_clock"]:
        for state in ("met", "breached", "pending"):
            yield f"{r['clock']} {state}", r[state], r["queries"][state]
    for r in result["times"]:
        yield f"{r['clock']} times", r["count"], r["query"]


def test_orders_by_state_per_day_and_totals(w):
    result = figures(w)

    counts = {r["status"]: r["count"] for r in result["by_status"] if r["count"]}
    assert counts == {"acknowledged": 2, "cancelled": 1, "closed": 1, "new": 2}
    assert (result["received"], result["open"], result["overdue"], result["at_risk"]) == (6, 4, 2, 1)
    per_day = {r["day"]: r["count"] for r in result["per_day"]}
    assert len(per_day) == 20 and sum(per_day.values()) == 6
    # days in Shanghai: o4 at 00:30 on 1 November (31 October in UTC) counts for the 1st, o5 not at all
    assert {d.day: n for d, n in per_day.items() if n} == {1: 1, 2: 2, 10: 1, 19: 1, 20: 1}


def test_sla_compliance_per_clock(w):
    by_clock = {r["clock"]: r for r in figures(w)["sla"]["by_clock"]}

    # response: o1 met; o2 and o4 answered late; o6 and o7 within the 24 hours; o3 cancelled
    assert (by_clock["response"]["met"], by_clock["response"]["breached"], by_clock["response"]["pending"]) == (1, 2, 2)
    assert by_clock["response"]["compliance"] == round(1 / 3, 4)
    # resolution (7 working days): o4 resolved in 2 days; o1 and o2 (2 Nov) are past it; o6, o7 running
    assert (by_clock["resolution"]["met"], by_clock["resolution"]["breached"]) == (1, 2)
    assert by_clock["resolution"]["pending"] == 2
    assert [r["clock"] for r in figures(w)["sla"]["by_clock"]] == ["response", "onsite", "resolution", "fix"]


def test_response_and_resolution_time_against_target(w):
    times = {r["clock"]: r for r in figures(w)["times"]}

    # response stopped after 30 min (o1), 2 days (o2), 2 days (o4); 24 hours allowed each
    response = times["response"]
    assert response["count"] == 3
    assert (response["median_minutes"], response["p90_minutes"]) == (2 * 24 * 60, 2 * 24 * 60)
    assert (response["target_median_minutes"], response["target_p90_minutes"]) == (24 * 60, 24 * 60)
    # resolution: o4 only, 2 days; allowed 7 working days from its start (the clock's own deadline)
    resolution = times["resolution"]
    clock = w.o4.clocks.get(clock="resolution")
    assert (resolution["count"], resolution["median_minutes"]) == (1, 2 * 24 * 60)
    allowed = int((clock.due_at - clock.started_at).total_seconds() // 60)
    assert resolution["target_median_minutes"] == bucket(allowed)  # in 0.1-hour steps above two hours


def test_durations_are_exact_to_the_minute_below_two_hours_then_to_a_tenth_of_an_hour():
    assert [bucket(m) for m in (0, 59, 119, 120, 125, 126, 2881)] == [0, 59, 119, 120, 120, 126, 2880]


def test_percentile_is_the_nearest_rank():
    assert D.percentile({}, 0.5) is None
    assert D.percentile({30: 1, 2880: 2}, 0.5) == 2880
    assert D.percentile({10: 5, 20: 5}, 0.5) == 10
    assert D.percentile({10: 5, 20: 5}, 0.9) == 20
    assert D.percentile({7: 1}, 0.9) == 7


def test_open_orders_by_age(w):
    backlog = {r["bucket"]: r for r in figures(w)["backlog"]}

    # open: o7 today, o6 yesterday, o1 and o2 18 days ago
    assert {b: r["count"] for b, r in backlog.items()} == {
        "0-0": 1,
        "1-2": 1,
        "3-7": 0,
        "8-14": 0,
        "15-30": 2,
        "31-": 0,
    }
    # a bucket before the period has no orders to list
    assert backlog["31-"]["query"] == ""
    assert "received_from=2026-11-01&received_to=2026-11-05" in backlog["15-30"]["query"]


def test_overdue_and_at_risk_lists(w):
    result = figures(w)
    assert {r["id"] for r in result["overdue_orders"]} == {w.o1.pk, w.o2.pk}
    dues = [r["due_at"] for r in result["overdue_orders"]]
    assert dues == sorted(dues)
    assert [r["id"] for r in result["at_risk_orders"]] == [w.o6.pk]
    assert result["overdue_orders"][0]["status_label"] == "Acknowledged"


@pytest.mark.parametrize(
    "kw, expected",
    [
        ({"region": "Guangdong"}, {"o1", "o2", "o6"}),
        ({"product_line": "home"}, {"o1", "o3", "o4", "o6"}),
        ({"region": "Guangdong", "product_line": "home"}, {"o1", "o6"}),
        ({"department": "field"}, {"o1"}),
    ],
    ids=["region", "product-line", "region-and-line", "team"],
)
def test_the_filters_narrow_every_figure(w, kw, expected):
    if "product_line" in kw:
        kw["product_line"] = getattr(w, kw["product_line"]).pk
    if "department" in kw:
        kw["department"] = w.field.pk
    result = figures(w, **kw)

    orders = {name: getattr(w, name) for name in ("o1", "o2", "o3", "o4", "o6", "o7")}
    assert result["received"] == len(expected)
    assert sum(r["count"] for r in result["per_day"]) == len(expected)
    assert result["open"] == len({n for n in expected if n not in ("o3", "o4")})
    response = next(r for r in result["sla"]["by_clock"] if r["clock"] == "response")
    assert response["met"] + response["breached"] + response["pending"] == len(expected - {"o3"})
    # and the drill-downs list exactly these orders
    assert drilled(w.manager, result["received_query"]) == {orders[n].pk for n in expected}


def test_every_figure_drills_down_to_exactly_its_orders(w):
    # given the figures, unfiltered and filtered
    for kw in ({}, {"region": "Guangdong"}, {"product_line": w.home.pk}):
        result = figures(w, **kw)
        for name, count, query in every_query(result):
            # then the queue, filtered by the figure's query string, lists as many orders
            assert len(drilled(w.manager, query)) == count, (kw, name, query)


def test_drill_down_through_the_api_and_the_console(w, api_as, client):
    result = figures(w)
    breached = next(r for r in result["sla"]["by_clock"] if r["clock"] == "response")["queries"]["breached"]
    with time_machine.travel(NOW, tick=False):
        body = api_as(w.manager).get(f"/work-orders?{breached}&limit=100").json()
        client.force_login(w.manager)
        page = client.get(f"/console/?{result['at_risk_query']}")
    assert {item["id"] for item in body["items"]} == {w.o2.pk, w.o4.pk}
    assert page.status_code == 200
    assert w.o6.number in page.content.decode() and w.o7.number not in page.content.decode()


def test_a_team_scoped_supervisor_sees_their_team_only(w):
    w.field.scope_orders = True
    w.field.save()
    lead = UserFactory(role="supervisor", department=w.field)
    result = figures(w, actor=lead)
    assert result["received"] == 1  # o1
    for name, count, query in every_query(result):
        assert len(drilled(lead, query)) == count, name


def test_counts_follow_the_orders_as_they_move(w):
    assert figures(w)["at_risk"] == 1
    act(w, w.o6, "acknowledge", at(20, 9, 30))
    result = figures(w)
    assert result["at_risk"] == 0
    assert {r["status"]: r["count"] for r in result["by_status"]}["acknowledged"] == 3


# --- the period -----------------------------------------------------------------------------


def test_the_default_period_is_the_last_30_days_and_presets_count_back_from_today():
    now = dt.datetime(2026, 11, 30, 20, 0, tzinfo=dt.UTC)  # 1 December in Shanghai
    default = D.parse_filters(now=now)
    assert (default.received_from, default.received_to) == (dt.date(2026, 11, 2), dt.date(2026, 12, 1))
    week = D.parse_filters(days=7, now=now)
    assert (week.received_from, week.received_to, week.days) == (dt.date(2026, 11, 25), dt.date(2026, 12, 1), 7)
    explicit = D.parse_filters(days=7, received_from=NOV_1, received_to=NOV_20, now=now)
    assert explicit.days == 20  # dates win over a preset


@pytest.mark.parametrize(
    "kw",
    [
        {"received_from": NOV_20, "received_to": NOV_1},
        {"received_from": dt.date(2025, 1, 1), "received_to": NOV_20},
    ],
    ids=["reversed", "over-a-year"],
)
def test_a_wrong_period_is_refused(kw):
    from core.errors import ValidationFailed

    with pytest.raises(ValidationFailed) as err:
        D.parse_filters(**kw)
    assert "received_from" in err.value.fields


# --- cost -----------------------------------------------------------------------------------


def test_a_fixed_number_of_queries_whatever_the_volume(w):
    def count(**kw):
        with CaptureQueriesContext(connection) as q:
            figures(w, **kw)
        return len(q.captured_queries)

    few = count()
    for i in range(4):
        received(w, at(15, 9 + i), customer=w.gd, line=w.home)
    # custom_plans on PostgreSQL: SET LOCAL, in a transaction (a savepoint and its release in a test)
    statements = 6 + 3 * (connection.vendor == "postgresql")
    assert count() == few == statements
    assert count(region="Guangdong", product_line=w.home.pk, department=w.field.pk) == statements
