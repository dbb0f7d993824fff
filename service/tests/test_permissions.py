"""Permission matrix: role × endpoint × action, and proof that a denial changed nothing.

The world: customer A owns a unit (with a purchase proof) and orders in several states, all
assigned to engineer A; customer B and engineer B are strangers to them. Every request below
targets A's objects.
"""

import datetime as dt
import json
import re

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import Client
from django.utils import timezone

from complaints.models import Complaint
from core.models import AuditLog, Document, IdempotencyKey
from notifications.models import Notification
from products.models import Unit
from products.services import unit_register
from service import services
from service.choices import Status
from service.models import Acceptance, Quote, RepairReport, Replacement, Shipment, WorkOrder, WorkOrderEvent
from service.tests.flow import order_in, pdf_bytes, signature_url
from tests.factories import CustomerFactory, ProductModelFactory, UserFactory


@pytest.fixture(scope="module")
def _world(django_db_setup, django_db_blocker):
    """Built once for the module inside an outer transaction; each test runs in a savepoint of it."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield _build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(_world, db):
    return _world


def _build_world():
    agent = UserFactory(role="agent")
    engineer_a = UserFactory(role="engineer")
    user_a, user_b = UserFactory(role="customer"), UserFactory(role="customer")
    a = CustomerFactory(user=user_a, phone="13812345678")
    CustomerFactory(user=user_b)
    unit = unit_register(
        actor=user_a,
        customer=a,
        serial="A-UNIT-1",
        model_code=ProductModelFactory().code,
        purchase_date=timezone.localdate() - dt.timedelta(days=200),
        proof=SimpleUploadedFile("invoice.pdf", pdf_bytes(), content_type="application/pdf"),
    )

    def order(state, **kw):
        return order_in(state, agent=agent, customer=a, unit=kw.pop("unit", None), engineer=engineer_a, **kw)

    paid = order(Status.ASSESSED, paid=True)
    services.work_order_assign(order_id=paid.pk, actor=agent, assignee_id=engineer_a.pk)
    quote = services.quote_create(order_id=paid.pk, actor=agent, lines=[{"description": "Board", "unit_price": "100"}])
    closed = order(Status.CLOSED, unit=unit)
    return {
        "users": {
            "agent": agent,
            "engineer_a": engineer_a,
            "customer_a": user_a,
            "customer_b": user_b,
            "engineer_b": UserFactory(role="engineer"),
            "analyst": UserFactory(role="analyst"),
            "finance": UserFactory(role="finance"),
            "quality": UserFactory(role="quality"),
            "tech_support": UserFactory(role="tech_support"),
            "complaint_handler": UserFactory(role="complaint_handler"),
            "manager": UserFactory(role="manager"),
        },
        "new": order(Status.NEW),
        "scheduled": order(Status.SCHEDULED),
        "in_service": order(Status.IN_SERVICE),
        "resolved": order(Status.RESOLVED),
        "paid": paid,
        "closed": closed,
        "quote": quote,
        "unit": unit,
        "proof": unit.proof,
        "signature": Acceptance.objects.get(order=closed).signature,
        "customer_a": a,
    }


def snapshot() -> dict:
    """Everything a request could change."""
    return {
        "orders": list(
            WorkOrder.objects.order_by("pk").values_list(
                "pk", "status", "version", "assignee_id", "coverage", "updated_at"
            )
        ),
        "events": WorkOrderEvent.objects.count(),
        # (refusals are logged: denied, and a customer's claim of another's unit: unit_claim_refused)
        "audit": AuditLog.objects.exclude(action__in=["view_pii", "denied", "unit_claim_refused"]).count(),
        "notifications": Notification.objects.count(),
        "mail": len(mail.outbox),
        "quotes": list(Quote.objects.order_by("pk").values_list("pk", "status", "total")),
        "reports": list(RepairReport.objects.order_by("pk").values_list("pk", "cause", "updated_at")),
        "units": list(
            Unit.objects.order_by("pk").values_list("pk", "owner_id", "status", "purchase_date", "proof_id", "colour")
        ),
        "documents": Document.objects.count(),
        "acceptances": Acceptance.objects.count(),
        "complaints": Complaint.objects.count(),
        "replacements": Replacement.objects.count(),
        "shipments": Shipment.objects.count(),
        "idempotency": IdempotencyKey.objects.count(),
    }


def denials() -> list[tuple]:
    """The refused requests logged so far: (actor id, "METHOD path", status)."""
    return list(
        AuditLog.objects.filter(action="denied").order_by("id").values_list("actor_id", "object_repr", "object_id")
    )


def _target(world, spec: str):
    """``{new}`` → the id of that order; ``{quote}``, ``{serial}``, ``{proof}``, ``{signature}``."""
    values = {k: v.pk for k, v in world.items() if isinstance(v, WorkOrder)}
    values.update({f"v_{k}": v.version for k, v in world.items() if isinstance(v, WorkOrder)})
    values.update(
        quote=world["quote"].pk, serial=world["unit"].serial, proof=world["proof"].pk, signature=world["signature"].pk
    )
    return re.sub(r"\{(\w+)\}", lambda m: str(values.get(m.group(1), m.group(0))), spec)


SIGN = {"accepted": True, "signer_name": "B", "signature": None}
ENDPOINTS = {
    "detail": ("get", "/work-orders/{new}", None),
    "detail_assigned": ("get", "/work-orders/{scheduled}", None),
    "transition": ("post", "/work-orders/{new}/transitions", {"action": "cancel", "note": "mine now"}),
    "transition_start": ("post", "/work-orders/{scheduled}/transitions", {"action": "start"}),
    "assign": ("post", "/work-orders/{scheduled}/assignment", {"assignee_id": None}),
    "quote": ("post", "/work-orders/{paid}/quotes", {"lines": [{"description": "x", "unit_price": "1"}]}),
    "decide": ("post", "/quotes/{quote}/decision", {"approve": True}),
    "report": ("put", "/work-orders/{in_service}/report", {"cause": "c", "process": "p", "minutes_spent": 1}),
    "acceptance": ("post", "/work-orders/{resolved}/acceptance", SIGN),
    "replacement": (
        "post",
        "/work-orders/{in_service}/replacement",
        {"ground": "quality_defect", "new_serial": "NEW-X"},
    ),
    "shipment": (
        "post",
        "/work-orders/{new}/shipments",
        {"direction": "in", "carrier": "SF", "tracking_number": "SF1"},
    ),
    "warranty": ("get", "/units/{serial}/warranty", None),
    "claim_unit": ("post", "/units", {"serial": "{serial}"}),
    "request_for_unit": ("post", "/service-requests", {"fault_description": "x", "serial": "{serial}"}),
    "reveal": ("post", "/work-orders/{scheduled}/contact/reveal", None),
}

# (actor, endpoint) → status. Denials (4xx) must leave the world exactly as it was.
MATRIX = [
    # another customer: every object of customer A reads as missing
    ("customer_b", "detail", 404),
    ("customer_b", "transition", 404),
    ("customer_b", "transition_start", 404),
    ("customer_b", "assign", 404),
    ("customer_b", "quote", 404),
    ("customer_b", "decide", 404),
    ("customer_b", "report", 404),
    ("customer_b", "acceptance", 404),
    ("customer_b", "replacement", 404),
    ("customer_b", "shipment", 404),
    ("customer_b", "warranty", 404),
    ("customer_b", "claim_unit", 422),  # reads as an unknown serial (products/tests/test_serial_enumeration.py)
    ("customer_b", "reveal", 404),
    ("customer_b", "request_for_unit", 422),
    # an engineer sees only the orders assigned to them
    ("engineer_b", "detail", 404),
    ("engineer_b", "detail_assigned", 404),
    ("engineer_b", "reveal", 404),
    ("engineer_b", "transition_start", 404),
    ("engineer_b", "assign", 404),
    ("engineer_b", "quote", 404),
    ("engineer_b", "decide", 404),
    ("engineer_b", "report", 404),
    ("engineer_b", "acceptance", 404),
    ("engineer_b", "replacement", 404),
    ("engineer_b", "warranty", 404),
    ("engineer_a", "detail", 404),
    ("engineer_a", "detail_assigned", 200),
    ("engineer_a", "transition_start", 200),
    ("engineer_a", "transition", 404),
    ("engineer_a", "assign", 403),
    ("engineer_a", "quote", 201),
    ("engineer_a", "decide", 403),
    ("engineer_a", "report", 200),
    ("engineer_a", "acceptance", 200),
    ("engineer_a", "replacement", 403),
    ("engineer_a", "request_for_unit", 403),
    # the owner: reads and decides, but staff work is not theirs
    ("customer_a", "detail", 200),
    ("customer_a", "transition", 200),
    ("customer_a", "transition_start", 403),
    ("customer_a", "assign", 403),
    ("customer_a", "quote", 403),
    ("customer_a", "decide", 200),
    ("customer_a", "report", 403),
    ("customer_a", "acceptance", 200),
    ("customer_a", "replacement", 403),
    ("customer_a", "warranty", 200),
    ("customer_a", "claim_unit", 201),
    ("customer_a", "reveal", 200),
    ("customer_a", "request_for_unit", 201),
    # read-only back office: sees, never acts
    *[
        (role, ep, 403)
        for role in ("analyst", "finance", "quality")
        for ep in (
            "transition",
            "transition_start",
            "assign",
            "quote",
            "decide",
            "report",
            "acceptance",
            "replacement",
            "request_for_unit",
        )
    ],
    *[(role, "detail", 200) for role in ("analyst", "finance", "quality")],
    # contact details: only the roles that call or visit the customer reveal them (test_privacy.py)
    *[(role, "reveal", 403) for role in ("analyst", "finance", "quality", "tech_support", "complaint_handler")],
    ("agent", "reveal", 200),
    ("manager", "reveal", 200),
    ("engineer_a", "reveal", 200),
    ("analyst", "warranty", 404),
    ("finance", "warranty", 200),
    ("complaint_handler", "assign", 403),
    ("complaint_handler", "transition", 403),
    ("complaint_handler", "report", 403),
    ("complaint_handler", "replacement", 403),
    ("tech_support", "report", 200),
    ("tech_support", "replacement", 200),
    ("tech_support", "assign", 200),
    ("agent", "detail", 200),
    ("agent", "transition", 200),
    ("agent", "transition_start", 200),
    ("agent", "assign", 200),
    ("agent", "quote", 201),
    ("agent", "decide", 200),
    ("agent", "report", 403),
    ("agent", "acceptance", 200),
    ("agent", "replacement", 200),
    ("agent", "warranty", 200),
    ("manager", "report", 200),
]


def _request(world, actor, endpoint):
    method, path, body = ENDPOINTS[endpoint]
    body = json.loads(_target(world, json.dumps(body))) if body is not None else None
    if endpoint == "acceptance":
        body = {**body, "signature": signature_url()}
    if endpoint == "assign":
        body = {"assignee_id": world["users"]["engineer_a"].pk}
    client = Client()
    headers = {"HTTP_ACCEPT_LANGUAGE": "en"}
    if actor is not None:
        from accounts.models import ApiToken

        _, token = ApiToken.issue(world["users"][actor])
        headers["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    url = "/api/v1" + _target(world, path)
    if method == "get":
        return client.get(url, **headers)
    return getattr(client, method)(url, json.dumps(body), content_type="application/json", **headers)


@pytest.mark.parametrize("actor, endpoint, status", MATRIX, ids=[f"{a}-{e}-{s}" for a, e, s in MATRIX])
def test_permission_matrix(world, actor, endpoint, status):
    # given
    before, logged = snapshot(), denials()

    # when
    response = _request(world, actor, endpoint)

    # then
    assert response.status_code == status, response.content
    if status >= 400:
        body = response.json()
        assert set(body) == {"code", "message", "fields"} and body["message"]
        assert snapshot() == before
    if status in (401, 403, 404):
        # and the refusal is logged: who, what, which status
        new = denials()[len(logged) :]
        assert [(a, str(s)) for a, _r, s in new] == [(world["users"][actor].pk, str(status))]
        assert new[0][1].startswith(ENDPOINTS[endpoint][0].upper() + " /api/v1/")
    else:
        assert denials() == logged


@pytest.mark.parametrize("endpoint", list(ENDPOINTS), ids=str)
def test_anonymous_gets_401_and_changes_nothing(world, endpoint):
    # given
    before = snapshot()

    # when
    response = _request(world, None, endpoint)

    # then
    assert response.status_code == 401
    assert response.json()["code"] == "unauthenticated"
    assert snapshot() == before
    assert [(a, s) for a, _r, s in denials()] == [(None, "401")]


@pytest.mark.parametrize("token", ["", "nonsense", "Bearer"], ids=["empty", "unknown", "no-token"])
def test_bad_token_is_401(world, token):
    # when
    response = Client().get("/api/v1/work-orders", HTTP_AUTHORIZATION=f"Bearer {token}")

    # then
    assert response.status_code == 401


def test_revoked_token_and_inactive_user_are_401(world, api_as):
    # given
    from accounts.models import ApiToken

    revoked = api_as(world["users"]["agent"])
    ApiToken.objects.filter(user=world["users"]["agent"]).update(revoked=True)
    inactive = api_as(world["users"]["analyst"])
    world["users"]["analyst"].is_active = False
    world["users"]["analyst"].save()

    # when / then
    assert revoked.get("/work-orders").status_code == 401
    assert inactive.get("/work-orders").status_code == 401


@pytest.mark.parametrize(
    "actor, visible",
    [
        ("customer_a", {"new", "scheduled", "in_service", "resolved", "paid", "closed"}),
        ("customer_b", set()),
        ("engineer_a", {"scheduled", "in_service", "resolved", "paid", "closed"}),
        ("engineer_b", set()),
        ("analyst", {"new", "scheduled", "in_service", "resolved", "paid", "closed"}),
    ],
    # sorted: a set's order changes with the hash seed, and pytest-xdist's workers must collect the same ids
    ids=lambda value: "+".join(sorted(value)) if isinstance(value, set) else str(value),
)
def test_lists_show_only_visible_orders(world, api_as, actor, visible):
    # when
    response = api_as(world["users"][actor]).get("/work-orders", {"limit": 100})

    # then
    assert {o["id"] for o in response.json()["items"]} == {world[k].pk for k in visible}


@pytest.mark.parametrize(
    "actor, document, status",
    [
        ("customer_a", "proof", 200),
        ("customer_a", "signature", 200),
        ("customer_b", "proof", 404),
        ("customer_b", "signature", 404),
        ("engineer_b", "proof", 404),
        ("engineer_b", "signature", 404),
        ("engineer_a", "signature", 200),
        ("agent", "proof", 200),
    ],
    ids=lambda v: str(v),
)
def test_documents_are_served_only_to_who_may_see_them(world, actor, document, status):
    # given
    client = Client()
    client.force_login(world["users"][actor])

    # when
    response = client.get(f"/files/{world[document].pk}/")

    # then
    assert response.status_code == status


def test_anonymous_document_request_goes_to_login(world):
    # when
    response = Client().get(f"/files/{world['proof'].pk}/")

    # then
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- the console and the portal pages -----------------------------------------------------

PAGES = [
    ("/console/", None),
    ("/console/orders/{new}/", "new"),
    ("/console/engineer/orders/{scheduled}/", "scheduled"),
    ("/portal/", None),
    ("/portal/requests/{new}/", "new"),
]

PAGE_MATRIX = [
    ("agent", "/console/", 200),
    ("analyst", "/console/", 200),
    ("customer_a", "/console/", 403),
    ("engineer_a", "/console/", 403),
    ("agent", "/console/orders/{new}/", 200),
    ("customer_a", "/console/orders/{new}/", 403),
    ("customer_b", "/console/orders/{new}/", 403),
    ("engineer_b", "/console/orders/{new}/", 403),
    ("engineer_a", "/console/engineer/orders/{scheduled}/", 200),
    ("engineer_b", "/console/engineer/orders/{scheduled}/", 404),
    ("customer_a", "/console/engineer/orders/{scheduled}/", 403),
    ("customer_a", "/portal/", 200),
    ("customer_a", "/portal/requests/{new}/", 200),
    ("customer_b", "/portal/requests/{new}/", 404),
    ("agent", "/portal/requests/{new}/", 403),
]


@pytest.mark.parametrize("actor, page, status", PAGE_MATRIX, ids=[f"{a}-{p}-{s}" for a, p, s in PAGE_MATRIX])
def test_pages_by_role(world, actor, page, status):
    # given
    client = Client()
    client.force_login(world["users"][actor])
    before = snapshot()

    # when
    response = client.get(_target(world, page))

    # then
    assert response.status_code == status
    assert snapshot() == before
    logged = [(a, s) for a, _r, s in denials()]
    assert logged == ([(world["users"][actor].pk, str(status))] if status >= 400 else [])


@pytest.mark.parametrize("page", [p for p, _ in PAGES], ids=str)
def test_pages_send_anonymous_users_to_login(world, page):
    # when
    response = Client().get(_target(world, page))

    # then
    assert response.status_code == 302
    assert "/login/" in response["Location"]


@pytest.mark.parametrize(
    "actor, path, data",
    [
        ("customer_b", "/portal/requests/{new}/cancel/", {"note": "not mine"}),
        ("customer_b", "/portal/requests/{paid}/quotes/{quote}/decide/", {"approve": "1"}),
        ("customer_b", "/portal/requests/{resolved}/acceptance/", {"signer_name": "B", "accepted": "1"}),
        ("engineer_b", "/console/orders/{scheduled}/transition/", {"action": "start", "version": "{v_scheduled}"}),
        ("customer_a", "/console/orders/{new}/transition/", {"action": "cancel", "note": "x", "version": "{v_new}"}),
    ],
    ids=["portal-cancel", "portal-decide", "portal-accept", "console-other-engineer", "console-customer"],
)
def test_forbidden_page_posts_change_nothing(world, actor, path, data):
    # given
    client = Client()
    client.force_login(world["users"][actor])
    before = snapshot()

    # when
    data = {k: _target(world, v) for k, v in data.items()}
    response = client.post(_target(world, path), {**data, "signature": signature_url()})

    # then
    assert response.status_code in (403, 404)
    assert snapshot() == before
    assert [(a, s) for a, _r, s in denials()] == [(world["users"][actor].pk, str(response.status_code))]
