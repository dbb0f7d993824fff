"""Object scoping by department: members of a team marked ``scope_orders`` see only that
team's work orders (routed to the team, or assigned to one of its engineers)."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from service.choices import Status
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory, WorkOrderFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def teams():
    south = DepartmentFactory(code="south", kind="field_service", scope_orders=True)
    north = DepartmentFactory(code="north", kind="field_service", scope_orders=True)
    desk = DepartmentFactory(code="desk", kind="customer_service")  # not scoped
    south_engineer = UserFactory(role="engineer", department=south)
    customer = CustomerFactory()
    orders = {
        "routed_south": WorkOrderFactory(customer=customer, department=south),
        "assigned_south_engineer": WorkOrderFactory(
            customer=customer, assignee=south_engineer, status=Status.SCHEDULED
        ),
        "routed_north": WorkOrderFactory(customer=customer, department=north),
        "unrouted": WorkOrderFactory(customer=customer),
    }
    return {"south": south, "north": north, "desk": desk, "orders": orders}


SOUTH_ONLY = {"routed_south", "assigned_south_engineer"}
EVERYTHING = {"routed_south", "assigned_south_engineer", "routed_north", "unrouted"}


@pytest.mark.parametrize(
    "role, team, sees",
    [
        ("supervisor", "south", SOUTH_ONLY),
        ("agent", "south", SOUTH_ONLY),
        ("tech_support", "south", SOUTH_ONLY),
        ("complaint_handler", "south", SOUTH_ONLY),
        ("supervisor", "desk", EVERYTHING),  # a team that is not scoped
        ("supervisor", None, EVERYTHING),  # no team
        ("manager", "south", EVERYTHING),  # organisation-wide roles
        ("analyst", "south", EVERYTHING),
        ("quality", "south", EVERYTHING),
    ],
)
def test_who_sees_which_orders_in_the_api_list_and_detail(teams, api_as, role, team, sees):
    # given a user of that role in that team
    user = UserFactory(role=role, department=teams[team] if team else None)
    api = api_as(user)
    ids = {name: o.pk for name, o in teams["orders"].items()}

    # when they list the orders and open each one
    listed = {o["id"] for o in api.get("/work-orders", {"limit": 100}).json()["items"]}
    opened = {name for name, pk in ids.items() if api.get(f"/work-orders/{pk}").status_code == 200}

    # then both show exactly their scope; the rest reads as not found
    assert listed == {ids[n] for n in sees}
    assert opened == sees


def test_a_scoped_supervisor_cannot_act_on_another_teams_order(teams, api_as):
    # given a south supervisor and a north order
    order = teams["orders"]["routed_north"]
    api = api_as(UserFactory(role="supervisor", department=teams["south"]))

    # when they try to move or reassign it
    moved = api.post(f"/work-orders/{order.pk}/transitions", {"action": "acknowledge"})
    assigned = api.post(f"/work-orders/{order.pk}/assignment", {"assignee_id": None})

    # then it is not found and nothing changed
    assert (moved.status_code, assigned.status_code) == (404, 404)
    order.refresh_from_db()
    assert (order.status, order.version) == (Status.NEW, 1)


def test_the_console_queue_and_order_page_are_scoped_too(teams):
    # given a south agent signed in to the console
    client = Client()
    client.force_login(UserFactory(role="agent", department=teams["south"]))
    north = teams["orders"]["routed_north"]
    south = teams["orders"]["routed_south"]

    # when they open the queue and the two orders
    queue = client.get(reverse("service:queue")).content.decode()

    # then only their team's orders are there
    assert south.number in queue and north.number not in queue
    assert client.get(reverse("service:detail", args=[south.pk])).status_code == 200
    assert client.get(reverse("service:detail", args=[north.pk])).status_code == 404


def test_the_scope_is_read_once_per_request(teams, api_as):
    # given a scoped supervisor acting on one of the team's orders (the transition and the
    # detail it answers with each start from the actor's scope)
    order = teams["orders"]["routed_south"]
    api = api_as(UserFactory(role="supervisor", department=teams["south"]))

    # when
    with CaptureQueriesContext(connection) as ctx:
        response = api.post(f"/work-orders/{order.pk}/transitions", {"action": "acknowledge"})

    # then the team's flag was read once
    assert response.status_code == 200, response.json()
    assert sum('FROM "accounts_department"' in q["sql"] for q in ctx.captured_queries) == 1
