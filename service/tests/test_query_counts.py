"""Query counts per page: the same for 5 and for 50 orders, on the first page and deep in the list.

These are the requests the benchmark measures (docs/benchmarks.md): the agent queue (status +
team, sorted by next deadline) through the API and the console, exact search, the dashboard,
and an order's detail. A page that costs more queries as the data grows is an N+1 in waiting;
a deep page that costs more than the first is OFFSET pagination in disguise.
"""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from service import services
from service.choices import Status
from service.tests.flow import order_in
from tests.factories import CustomerFactory, DepartmentFactory, UnitFactory, UserFactory, WorkOrderFactory

PAGE = 10
# Ceilings: token or session, the page, its SLA clocks, the personal-data access log (+ the
# console's filter choices: engineers, teams, and the bell's unread count; the page-size policy is cached).
API_LIST_MAX = 5
CONSOLE_LIST_MAX = 8


@pytest.fixture
def team(db):
    return DepartmentFactory()


def add_orders(team, count: int, start: int = 0) -> None:
    """``count`` scheduled orders of ``team``, each with its own customer, engineer, unit and deadline."""
    now = timezone.now()
    for i in range(start, start + count):
        unit = UnitFactory()
        WorkOrderFactory(
            status=Status.SCHEDULED,
            department=team,
            customer=unit.owner,
            unit=unit,
            serial=unit.serial,
            product_model=unit.model,
            assignee=UserFactory(role="engineer"),
            due_at=now + dt.timedelta(hours=i),
        )


def api_queue(team, cursor=None) -> dict:
    params = {"status": Status.SCHEDULED, "department": team.pk, "sort": "due", "limit": PAGE}
    return {**params, "cursor": cursor} if cursor else params


def console_queue(team, cursor=None) -> str:
    url = f"{reverse('service:queue')}?status={Status.SCHEDULED}&department={team.pk}&sort=due&size={PAGE}"
    return f"{url}&cursor={cursor}" if cursor else url


def count(call) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = call()
    assert response.status_code in (200, 201), response.content[:300]
    return len(ctx.captured_queries)


def deep_api_cursor(api, team, pages: int) -> str:
    cursor = None
    for _ in range(pages):
        cursor = api.get("/work-orders", api_queue(team, cursor)).json()["next_cursor"]
    return cursor


# --- the agent queue through the API --------------------------------------------------------


def test_api_queue_costs_the_same_for_5_and_50_orders_first_and_deep(team, api_as):
    # given 5 orders in the team's queue, and the cost of its first page
    api = api_as(UserFactory(role="agent"))
    add_orders(team, 5)
    api.get("/work-orders", api_queue(team))  # the token's last-use stamp, written once a minute
    five = count(lambda: api.get("/work-orders", api_queue(team)))

    # when there are 50, on the first page and on page 4
    add_orders(team, 45, start=5)
    fifty = count(lambda: api.get("/work-orders", api_queue(team)))
    cursor = deep_api_cursor(api, team, 3)
    deep = count(lambda: api.get("/work-orders", api_queue(team, cursor)))

    # then every page costs the same, and little
    assert five == fifty == deep <= API_LIST_MAX
    assert len(api.get("/work-orders", api_queue(team, cursor)).json()["items"]) == PAGE


@pytest.mark.parametrize(
    "params",
    [
        {"sort": "newest"},
        {"sort": "oldest", "status": [Status.SCHEDULED, Status.NEW]},
        {"overdue": "true"},
        {"q": "13900000000"},
    ],
    ids=["newest", "two-statuses-oldest", "overdue", "search-phone"],
)
def test_every_api_list_variant_costs_the_same_for_5_and_50_orders(team, api_as, params):
    # given
    api = api_as(UserFactory(role="agent"))
    add_orders(team, 5)
    api.get("/work-orders", params)
    five = count(lambda: api.get("/work-orders", params))
    # when
    add_orders(team, 45, start=5)
    # then
    assert count(lambda: api.get("/work-orders", params)) == five <= API_LIST_MAX


def test_search_by_serial_costs_the_same_as_any_page(team, api_as):
    # given 50 orders and one serial among them
    api = api_as(UserFactory(role="agent"))
    add_orders(team, 50)
    serial = WorkOrderFactory._meta.model.objects.order_by("id").values_list("serial", flat=True)[7]
    api.get("/work-orders", {"q": serial})
    # when searched by that serial
    with CaptureQueriesContext(connection) as ctx:
        items = api.get("/work-orders", {"q": serial}).json()["items"]
    # then one order, at the price of a list page
    assert [o["serial"] for o in items] == [serial]
    assert len(ctx.captured_queries) <= API_LIST_MAX


# --- the agent queue in the console --------------------------------------------------------


def test_console_queue_costs_the_same_for_5_and_50_orders_first_and_deep(team, client, api_as):
    # given an agent in the console and 5 orders
    agent = UserFactory(role="agent")
    client.force_login(agent)
    add_orders(team, 5)
    client.get(console_queue(team))  # caches: the page-size policy
    five = count(lambda: client.get(console_queue(team)))

    # when there are 50, on the first page and on page 4 (the API's cursor is the console's)
    add_orders(team, 45, start=5)
    fifty = count(lambda: client.get(console_queue(team)))
    cursor = deep_api_cursor(api_as(agent), team, 3)
    deep = count(lambda: client.get(console_queue(team, cursor)))

    # then
    assert five == fifty == deep <= CONSOLE_LIST_MAX


# --- one order -------------------------------------------------------------------------------


@pytest.fixture
def busy_order(db):
    """A closed paid order: quote with lines, report with parts, signed acceptance, ~10 events."""
    agent, engineer = UserFactory(role="agent"), UserFactory(role="engineer")
    order = order_in(Status.CLOSED, agent=agent, customer=CustomerFactory(), engineer=engineer, paid=True)
    return order, agent


def grow(order, agent, notes: int = 20) -> None:
    for i in range(notes):
        services.work_order_note(order_id=order.pk, actor=agent, note=f"Called the customer ({i}).")


# Ceilings of an order's page: session and user (console) or token (API); the order; its events,
# quotes, quote lines, acceptances, documents, report parts and clocks; the warranty terms' stamp;
# the personal-data access log; and on the console page its replacements, plus, where the agent
# may still assign the order, the engineers and the teams. The console pages read one more: the
# complaints panel (complaints.panels, one query), the warranty panel (service.warranty_panel:
# the unit's warranty orders — their repair events too when it has any — and its exchanges; the
# line's Three Guarantees policy comes with the order), and the bell's unread count (one COUNT).
# Where the agent may assign, who can take the order and why (service.dispatching: the dispatch
# stamp, the engineers' load, their leave; the booked visits of the appointment's day if any).
DETAIL_MAX = {"api": 14, "console": 17, "console-open": 22}


@pytest.fixture
def open_order(db):
    """A scheduled paid order the agent may still assign, quote and replace: every form shows."""
    agent, engineer = UserFactory(role="agent"), UserFactory(role="engineer")
    DepartmentFactory()
    order = order_in(Status.SCHEDULED, agent=agent, customer=CustomerFactory(), engineer=engineer, paid=True)
    return order, agent


@pytest.mark.parametrize(
    "surface", ["api", "console", "console-open"], ids=["api-detail", "console-detail", "console-open-detail"]
)
def test_detail_does_not_grow_with_the_timeline(request, api_as, client, surface):
    # given a busy order (closed, or one still open) and the cost of its page
    order, agent = request.getfixturevalue("open_order" if surface == "console-open" else "busy_order")
    if surface == "api":
        api = api_as(agent)
        fetch = lambda: api.get(f"/work-orders/{order.pk}")  # noqa: E731
    else:
        client.force_login(agent)
        fetch = lambda: client.get(reverse("service:detail", args=[order.pk]))  # noqa: E731
    fetch()
    before = count(fetch)

    # when its timeline grows by 20 events
    grow(order, agent)

    # then the page costs exactly the same, and a bounded number of queries
    assert count(fetch) == before <= DETAIL_MAX[surface]


# --- the dashboard -------------------------------------------------------------------------


def test_dashboard_costs_the_same_for_5_and_50_orders(team, api_as):
    # given
    api = api_as(UserFactory(role="agent"))
    month = timezone.localtime().strftime("%Y-%m")
    add_orders(team, 5)
    api.get("/analytics/kpis", {"month": month})
    five = count(lambda: api.get("/analytics/kpis", {"month": month}))
    # when
    add_orders(team, 45, start=5)
    # then: the token and two aggregates
    assert count(lambda: api.get("/analytics/kpis", {"month": month})) == five <= 3


# --- intake ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "how",
    ["serial", "customer-without-serial", "idempotency-key", "urgent-mail-in", "auto-assigned"],
)
def test_the_201_body_is_the_detail(db, api_as, how):
    # given an agent filing a request (the 201 body is built without reading the order back)
    agent, unit = UserFactory(role="agent"), UnitFactory()
    if how == "auto-assigned":
        UserFactory(role="engineer", dispatch={"auto_assign": True})
    body = {"fault_description": "Stops after a few minutes.", "serial": unit.serial}
    headers = {}
    if how == "customer-without-serial":
        body = {"fault_description": "Stops.", "customer_id": unit.owner_id}
    elif how == "idempotency-key":
        headers = {"Idempotency-Key": "bench-1"}
    elif how == "urgent-mail-in":
        body |= {"priority": "urgent", "mode": "mail_in", "contact_name": "Li Lei", "address": "Shanghai"}
    api = api_as(agent)

    # when it is created, then read back
    created = api.post("/service-requests", body, headers=headers)
    assert created.status_code == 201, created.json()
    fetched = api.get(f"/work-orders/{created.json()['id']}")

    # then the two bodies are the same, clocks and timeline included
    assert created.json() == fetched.json()
    actions = ["create", "assign"] if how == "auto-assigned" else ["create"]
    assert created.json()["clocks"] and [e["action"] for e in created.json()["events"]] == actions


def test_intake_costs_a_fixed_number_of_queries(db, api_as):
    # given an agent whose first request warmed the token stamp and the compiled calendar,
    # and an engineer to assign the orders to
    api = api_as(UserFactory(role="agent"))
    UserFactory(role="engineer", dispatch={"auto_assign": True})
    units = [UnitFactory()]
    units += [UnitFactory(model=units[0].model) for _ in range(2)]
    body = lambda unit: {"fault_description": "Stops.", "serial": unit.serial}  # noqa: E731
    api.post("/service-requests", body(units[0]))
    # when two more requests are filed
    first = count(lambda: api.post("/service-requests", body(units[1])))
    second = count(lambda: api.post("/service-requests", body(units[2])))
    # then each costs the same: token, unit, the stamps of the kept SLA policies and of the
    # warranty terms (the terms of a model already seen are kept); in one transaction
    # (savepoint and release here) the pick of the engineer (the dispatch stamp, the candidates'
    # load, their leave: dispatch.selectors) and its booking, the site of the customer's default
    # address, and 5 writes (order, events, SLA record, clocks, and one INSERT for the audit row
    # and the personal-data access row)
    assert first == second <= 14
