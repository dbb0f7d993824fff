"""The dashboard page and ``GET /api/v1/analytics/dashboard``: who may see them, what they show,
what they cost."""

import datetime as dt
import html
import json
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from service import services
from tests.factories import CustomerFactory, ProductLineFactory, ProductModelFactory, UnitFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 20, 10, 0, tzinfo=SH)
ALLOWED = {Role.SUPERVISOR, Role.MANAGER, Role.ADMIN, Role.ANALYST}


@pytest.fixture
def orders(db):
    """Three orders received this week (one answered), in two regions."""
    agent = UserFactory(role="agent")
    line = ProductLineFactory(code="home", name="Smart home")
    made = []
    for i, region in enumerate(["Guangdong", "Guangdong", "Beijing"]):
        customer = CustomerFactory(region=region)
        with time_machine.travel(NOW - dt.timedelta(days=i + 1), tick=False):
            unit = UnitFactory(owner=customer, model=ProductModelFactory(line=line))
            made.append(
                services.request_create(
                    actor=agent, customer_id=customer.pk, serial=unit.serial, fault_description="Broken."
                )
            )
    with time_machine.travel(NOW - dt.timedelta(hours=20), tick=False):
        services.work_order_transition(order_id=made[0].pk, action="acknowledge", actor=agent)
    return made


def page(client, user=None, query=""):
    if user is not None:
        client.force_login(user)
    with time_machine.travel(NOW, tick=False):
        return client.get(f"/dashboard/{query}")


def embedded(response) -> dict:
    text = response.content.decode()
    match = re.search(r'<script id="dashboard-data" type="application/json">(.*?)</script>', text, re.S)
    return json.loads(html.unescape(match.group(1)))


# --- who may see it -------------------------------------------------------------------------


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_the_page_and_its_link_by_role(db, client, role):
    user = UserFactory(role=role)
    response = page(client, user)
    if role in ALLOWED:
        assert response.status_code == 200
        assert 'href="/dashboard/"' in response.content.decode()  # in the navigation
    else:
        assert response.status_code == 403
        client.force_login(user)
        start = client.get("/", follow=True)
        assert 'href="/dashboard/"' not in start.content.decode()


def test_anonymous_goes_to_the_login_page(db, client):
    response = client.get("/dashboard/")
    assert response.status_code == 302 and response.url.startswith("/login/")


@pytest.mark.parametrize("role", list(Role), ids=lambda r: r.value)
def test_the_endpoint_by_role(db, api_as, role):
    with time_machine.travel(NOW, tick=False):
        response = api_as(UserFactory(role=role)).get("/analytics/dashboard")
    if role in ALLOWED:
        assert response.status_code == 200, response.json()
        assert response.json()["received_to"] == "2026-11-20"
    else:
        assert response.status_code == 403
        assert response.json()["code"] == "forbidden"


def test_the_endpoint_refuses_anonymous(db, client):
    assert client.get("/api/v1/analytics/dashboard").status_code == 401


# --- what it shows --------------------------------------------------------------------------


def test_the_page_shows_the_figures_with_their_drill_downs(orders, client):
    response = page(client, UserFactory(role="manager"))
    text = response.content.decode()
    data = embedded(response)

    assert data["status"]["counts"][data["status"]["labels"].index("New")] == 2
    assert data["locale"] == "EN"
    assert sum(data["intake"]["counts"]) == 3 and len(data["intake"]["counts"]) == 30
    # every bar carries the queue's query string of its orders, and the tables link to it
    new = data["status"]["queries"][data["status"]["labels"].index("New")]
    assert new.endswith("status=new")
    assert f'href="/console/?{html.escape(new)}"' in text
    assert 'id="chart-status"' in text and 'id="chart-times"' in text
    assert "/static/analytics/vendor/echarts/echarts.common.min.js" in text
    # the overdue list: the two orders not answered within 24 hours; not the answered one
    overdue = text[text.index('id="overdue-list"') : text.index('id="at-risk-list"')]
    assert orders[1].number in overdue and orders[2].number in overdue
    assert orders[0].number not in text


def test_the_filters_and_the_presets(orders, client):
    manager = UserFactory(role="manager")
    data = embedded(page(client, manager, "?region=Guangdong&days=7"))
    assert sum(data["intake"]["counts"]) == 2 and len(data["intake"]["counts"]) == 7
    assert all("region=Guangdong" in q for q in data["intake"]["queries"])
    text = page(client, manager, "?region=Guangdong").content.decode()
    assert 'href="?region=Guangdong&amp;days=7"' in text  # a preset keeps the other filters


def test_the_page_in_chinese(orders, client):
    client.cookies["django_language"] = "zh-hans"
    response = page(client, UserFactory(role="manager"))
    text = response.content.decode()
    data = embedded(response)
    assert data["locale"] == "ZH"
    assert data["status"]["labels"][0] == "新建"
    assert {s["name"] for s in data["sla"]["series"]} == {"按时达成", "已超时", "未到期"}
    assert "仪表盘" in text


@pytest.mark.parametrize(
    "query, field",
    [
        ("?received_from=2026-11-20&received_to=2026-11-01", "received_from"),
        ("?received_from=2025-01-01&received_to=2026-11-20", "received_from"),
        ("?received_from=2026-13-01", "received_from"),
        ("?department=abc", "department"),
    ],
    ids=["reversed", "over-a-year", "not-a-date", "not-a-team"],
)
def test_a_bad_filter_is_a_400_with_the_message_and_the_default_figures(orders, client, query, field):
    response = page(client, UserFactory(role="manager"), query)
    assert response.status_code == 400
    assert 'class="error"' in response.content.decode()
    assert sum(embedded(response)["intake"]["counts"]) == 3  # the default period instead


@pytest.mark.parametrize(
    "params, field",
    [
        ({"received_from": "2026-11-20", "received_to": "2026-11-01"}, "received_from"),
        ({"received_from": "2025-01-01", "received_to": "2026-11-20"}, "received_from"),
        ({"received_from": "20261101"}, "received_from"),
        ({"days": "0"}, "days"),
        ({"region": "x" * 61}, "region"),
    ],
    ids=["reversed", "over-a-year", "not-a-date", "no-days", "long-region"],
)
def test_the_endpoint_refuses_a_bad_filter_with_a_422(db, api_as, params, field):
    response = api_as(UserFactory(role="manager")).get("/analytics/dashboard", params)
    assert response.status_code == 422
    assert field in response.json()["fields"]


def test_the_endpoint_returns_every_figure(orders, api_as):
    with time_machine.travel(NOW, tick=False):
        body = (
            api_as(UserFactory(role="analyst")).get("/analytics/dashboard", {"days": 7, "region": "Guangdong"}).json()
        )
    assert (body["received_from"], body["received_to"], body["region"]) == ("2026-11-14", "2026-11-20", "Guangdong")
    assert body["received"] == 2
    assert {r["clock"] for r in body["sla"]["by_clock"]} == {"response", "onsite", "resolution", "fix"}
    assert [r["clock"] for r in body["times"]] == ["response", "resolution"]
    assert body["times"][0]["count"] == 1 and body["times"][0]["median_minutes"] == 4 * 60
    assert [r["bucket"] for r in body["backlog"]] == ["0-0", "1-2", "3-7", "8-14", "15-30", "31-"]
    assert body["by_status"][0]["query"].startswith("received_from=2026-11-14&received_to=2026-11-20&region=Guangdong")


# --- what it costs --------------------------------------------------------------------------

# session, user; the filter choices (regions, product lines, teams); the six of the figures;
# the bell's unread count (notifications.context)
PAGE_QUERIES = 12


def test_the_page_costs_a_fixed_number_of_queries(orders, client):
    manager = UserFactory(role="manager")
    page(client, manager)  # warm-up
    with CaptureQueriesContext(connection) as three:
        page(client)
    agent = UserFactory(role="agent")
    for i in range(5):
        with time_machine.travel(NOW - dt.timedelta(hours=i + 1), tick=False):
            unit = UnitFactory(owner=CustomerFactory(region=f"Region {i}"))
            services.request_create(actor=agent, customer_id=unit.owner_id, serial=unit.serial, fault_description="x")
    with CaptureQueriesContext(connection) as eight:
        page(client, query="?region=Region+1&days=90")
    # custom_plans on PostgreSQL: SET LOCAL, in a transaction (a savepoint and its release in a test)
    expected = PAGE_QUERIES + 3 * (connection.vendor == "postgresql")
    assert len(three.captured_queries) == len(eight.captured_queries) == expected, [
        q["sql"][:90] for q in eight.captured_queries
    ]


@pytest.mark.parametrize(
    "path",
    [
        "/analytics/dashboard?received_from=9999-12-31&received_to=9999-12-31",
        "/analytics/dashboard?received_from=0001-01-01&received_to=0001-01-01",
        "/work-orders?received_to=9999-12-31",
        "/work-orders?clock=response&clock_state=met&clock_to=9999-12-31",
        "/work-orders?received_from=0001-01-01",
    ],
    ids=["dashboard-last-day", "dashboard-first-day", "list-last-day", "list-clock-last-day", "list-first-day"],
)
def test_a_day_out_of_range_is_a_422_not_a_500(db, api_as, path):
    response = api_as(UserFactory(role="manager")).get(path)
    assert response.status_code == 422, response.content
    assert response.json()["code"] == "validation_error"


def test_the_queue_refuses_a_day_out_of_range(db, client):
    client.force_login(UserFactory(role="manager"))
    response = client.get("/console/?received_to=9999-12-31")
    assert response.status_code == 400
