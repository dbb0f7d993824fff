"""Who may open which console page: a permission matrix, anonymous users, customers, wrong engineers."""

import pytest
from django.urls import reverse

from core.models import AuditLog
from service.choices import Status
from service.models import WorkOrder
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory

STAFF_ROLES = [
    "agent",
    "tech_support",
    "complaint_handler",
    "supervisor",
    "manager",
    "admin",
    "quality",
    "analyst",
    "finance",
]
ALL_ROLES = [*STAFF_ROLES, "engineer", "customer"]


@pytest.fixture
def world(db):
    agent = UserFactory(role="agent")
    owner = UserFactory(role="customer")
    customer = CustomerFactory(user=owner)
    engineer = UserFactory(role="engineer")
    order = order_in(Status.RESOLVED, agent=agent, customer=customer, engineer=engineer)
    return {"agent": agent, "owner": owner, "engineer": engineer, "order": order}


def user_for(world, role):
    if role == "engineer":
        return world["engineer"]
    if role == "customer":
        return world["owner"]
    return UserFactory(role=role)


# page → roles that get 200 (everyone else signed in gets 403, or 404 where the order is out of scope)
PAGES = {
    "queue": (set(STAFF_ROLES), 403),
    "new": ({"agent", "tech_support", "complaint_handler", "supervisor", "manager", "admin"}, 403),
    "detail": (set(STAFF_ROLES), 403),
    "engineer": ({"engineer"}, 403),
    "engineer_order": ({"engineer"}, 403),
    "report_print": (set(ALL_ROLES), 404),
}
MATRIX = [(page, role) for page in PAGES for role in ALL_ROLES]


def page_url(page, order):
    return reverse(f"service:{page}", args=[order.pk] if page in {"detail", "engineer_order", "report_print"} else [])


@pytest.mark.parametrize("page, role", MATRIX, ids=[f"{p}-{r}" for p, r in MATRIX])
def test_permission_matrix(client, world, page, role):
    # given a signed-in user of ``role``
    client.force_login(user_for(world, role))
    allowed, refusal = PAGES[page]
    # when the page is opened
    response = client.get(page_url(page, world["order"]))
    # then it renders for the right roles and is refused for the others
    assert response.status_code == (200 if role in allowed else refusal)


@pytest.mark.parametrize("page", list(PAGES), ids=str)
def test_anonymous_users_are_sent_to_log_in(client, world, page):
    response = client.get(page_url(page, world["order"]))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


ACTIONS = ["transition", "assign", "quote_create", "report_save", "acceptance", "replacement", "note"]


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_a_customer_can_never_post_to_the_console(client, world, action):
    # given the order's own customer
    client.force_login(world["owner"])
    before = (
        WorkOrder.objects.get(pk=world["order"].pk).version,
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
    )
    # when they post to a console action
    response = client.post(reverse(f"service:{action}", args=[world["order"].pk]), {"action": "accept", "version": 1})
    # then it is refused and nothing changed
    assert response.status_code == 403
    assert (
        WorkOrder.objects.get(pk=world["order"].pk).version,
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
    ) == before


def test_another_customer_cannot_print_the_report(client, world):
    stranger = UserFactory(role="customer")
    CustomerFactory(user=stranger)
    client.force_login(stranger)
    assert client.get(reverse("service:report_print", args=[world["order"].pk])).status_code == 404


def test_the_owner_can_print_their_report(client, world):
    client.force_login(world["owner"])
    body = client.get(reverse("service:report_print", args=[world["order"].pk])).content.decode()
    assert world["order"].number in body and "Loose connector" in body


def test_a_missing_order_is_404(client, world):
    client.force_login(world["agent"])
    assert client.get(reverse("service:detail", args=[999999])).status_code == 404
    assert client.get("/console/orders/99999999999999999999999/").status_code == 404


@pytest.mark.parametrize("action", ACTIONS, ids=str)
def test_actions_only_accept_post(client, world, action):
    client.force_login(world["agent"])
    assert client.get(reverse(f"service:{action}", args=[world["order"].pk])).status_code == 405


@pytest.mark.parametrize("page", ["queue", "new", "detail", "engineer", "engineer_order", "report_print"], ids=str)
def test_pages_carry_no_inline_script_or_style(client, world, page):
    # the Content-Security-Policy forbids inline script and style: console.css / console.js instead
    user = world["engineer"] if page.startswith("engineer") else world["agent"]
    client.force_login(user)
    body = client.get(page_url(page, world["order"])).content.decode()
    main = body[body.index("<main>") :]
    assert 'style="' not in main and "onclick" not in main and "hx-on" not in main
    assert "<script>" not in main
    assert "service/console.js" in main and "service/console.css" in main


def test_a_refused_htmx_form_gets_a_422_partial(client, world):
    client.force_login(world["agent"])
    response = client.post(reverse("service:note", args=[world["order"].pk]), {"note": ""}, HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 422 and response["HX-Retarget"] == "#flash"
    assert "<html" not in body and "This field is required." in body
