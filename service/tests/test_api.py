"""The work-order API: intake, idempotency, lists, detail, transitions, quotes, report, acceptance."""

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Complaint
from core.models import AuditLog, Document
from core.pagination import encode_cursor
from notifications.models import Notification
from service import services
from service.choices import Status
from service.customer_messages import ON_ACTION
from service.models import Acceptance, Quote, WorkOrder, WorkOrderEvent
from service.tests.flow import order_in, png_bytes, signature_url
from tests.factories import CustomerFactory, UnitFactory, UserFactory, WorkOrderFactory

REQUEST = {"fault_description": "Display flickers", "service_type": "repair", "priority": "urgent"}


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    other_user = UserFactory(role="customer")
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user, phone="13812345678"),
        "other_user": other_user,
        "other": CustomerFactory(user=other_user, phone="13987654321"),
    }


def _order(people, state, **kw):
    kw.setdefault("customer", people["customer"])
    return order_in(state, agent=people["agent"], engineer=people["engineer"], **kw)


# --- intake -------------------------------------------------------------------------------


def test_customer_submits_a_service_request(people, api_as):
    # given a customer with a registered unit
    unit = UnitFactory(owner=people["customer"])

    # when
    response = api_as(people["customer_user"]).post("/service-requests", {**REQUEST, "serial": unit.serial})

    # then a new order for that customer and unit
    assert response.status_code == 201, response.json()
    body = response.json()
    order = WorkOrder.objects.get(pk=body["id"])
    assert (order.customer_id, order.unit_id, order.status, order.channel, order.priority) == (
        people["customer"].pk,
        unit.pk,
        Status.NEW,
        "portal",
        "urgent",
    )
    assert body["number"] == f"WO{order.pk:08d}"
    assert body["contact_phone"] == "13812345678"
    # and its first event and audit row
    assert [(e.action, e.to_status, e.actor_id) for e in order.events.all()] == [
        ("create", "new", people["customer_user"].pk)
    ]
    audit = AuditLog.objects.get(object_type="service.workorder", object_id=str(order.pk))
    assert (audit.action, audit.actor_id, audit.before) == ("create", people["customer_user"].pk, None)
    assert audit.after["status"] == "new"


def test_agent_keys_in_a_request_for_a_customer(people, api_as):
    # when
    response = api_as(people["agent"]).post("/service-requests", {**REQUEST, "customer_id": people["customer"].pk})

    # then
    assert response.status_code == 201
    order = WorkOrder.objects.get(pk=response.json()["id"])
    assert (order.customer_id, order.channel, order.created_by_id) == (
        people["customer"].pk,
        "phone",
        people["agent"].pk,
    )


def test_agent_intake_logs_the_order_and_the_view_of_its_contact_data_in_one_commit(people, api_as):
    # given an agent keying in a request for a customer (the 201 body shows the contact data)
    api = api_as(people["agent"])

    # when
    with CaptureQueriesContext(connection) as ctx:
        response = api.post("/service-requests", {**REQUEST, "customer_id": people["customer"].pk})

    # then one create row and one personal-data access row for the new order (names shown; the
    # phone and address are masked for staff: docs/security.md)
    assert response.status_code == 201
    assert response.json()["contact_phone"] == "138****5678"
    order_id = str(response.json()["id"])
    rows = AuditLog.objects.filter(object_type="service.workorder", object_id=order_id).order_by("id")
    assert [(r.action, r.actor_id) for r in rows] == [
        ("create", people["agent"].pk),
        ("view_pii", people["agent"].pk),
    ]
    assert rows[1].after == {"fields": ["contact_name", "customer.name"]}
    # both rows in one INSERT, the last write of the intake's transaction: building the body wrote nothing
    writes = [q["sql"].upper() for q in ctx.captured_queries if q["sql"].upper().startswith(("INSERT", "UPDATE"))]
    assert writes[-1].startswith('INSERT INTO "CORE_AUDITLOG"')
    assert sum(w.startswith('INSERT INTO "CORE_AUDITLOG"') for w in writes) == 1


def test_a_customer_filing_for_themself_logs_no_access_to_their_own_data(people, api_as):
    response = api_as(people["customer_user"]).post("/service-requests", REQUEST)

    assert response.status_code == 201
    actions = AuditLog.objects.filter(object_type="service.workorder", object_id=str(response.json()["id"]))
    assert list(actions.values_list("action", flat=True)) == ["create"]


def test_a_refused_intake_writes_no_audit_row(people, api_as):
    before = AuditLog.objects.exclude(action="denied").count()

    response = api_as(people["agent"]).post("/service-requests", {**REQUEST, "serial": "NO-SUCH-SERIAL"})

    assert response.status_code == 422
    assert response.json()["code"] == "unknown_serial"
    assert AuditLog.objects.exclude(action="denied").count() == before
    assert not WorkOrder.objects.exists()


def test_agent_request_by_serial_finds_the_owner(people, api_as):
    # given
    unit = UnitFactory(owner=people["other"])

    # when
    response = api_as(people["agent"]).post(
        "/service-requests", {**REQUEST, "serial": unit.serial, "channel": "wechat"}
    )

    # then
    assert response.status_code == 201
    order = WorkOrder.objects.get(pk=response.json()["id"])
    assert (order.customer_id, order.channel) == (people["other"].pk, "wechat")


def test_idempotency_key_retry_returns_the_same_order(people, api_as):
    # given
    api = api_as(people["customer_user"])
    first = api.post("/service-requests", REQUEST, headers={"Idempotency-Key": "abc-123"})

    # when the client retries the same request
    retry = api.post("/service-requests", REQUEST, headers={"Idempotency-Key": "abc-123"})

    # then
    assert (first.status_code, retry.status_code) == (201, 201)
    assert retry.json()["id"] == first.json()["id"]
    assert WorkOrder.objects.count() == 1
    assert WorkOrderEvent.objects.count() == 1


def test_idempotency_key_with_a_different_body_is_refused(people, api_as):
    # given
    api = api_as(people["customer_user"])
    api.post("/service-requests", REQUEST, headers={"Idempotency-Key": "abc-123"})

    # when
    response = api.post(
        "/service-requests", {**REQUEST, "fault_description": "Other"}, headers={"Idempotency-Key": "abc-123"}
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_mismatch"
    assert WorkOrder.objects.count() == 1


def test_idempotency_keys_are_per_user(people, api_as):
    # given one customer used a key
    api_as(people["customer_user"]).post("/service-requests", REQUEST, headers={"Idempotency-Key": "same"})

    # when another customer sends the same key
    response = api_as(people["other_user"]).post("/service-requests", REQUEST, headers={"Idempotency-Key": "same"})

    # then they get their own order, not the first customer's
    assert response.status_code == 201
    assert response.json()["customer"]["id"] == people["other"].pk
    assert WorkOrder.objects.count() == 2


def test_requests_without_a_key_are_not_deduplicated(people, api_as):
    # when
    api = api_as(people["customer_user"])
    api.post("/service-requests", REQUEST)
    api.post("/service-requests", REQUEST)

    # then
    assert WorkOrder.objects.count() == 2


def test_a_failed_request_does_not_burn_its_key(people, api_as):
    # given a first attempt that failed validation in the service (unknown serial)
    api = api_as(people["customer_user"])
    failed = api.post("/service-requests", {**REQUEST, "serial": "NOPE"}, headers={"Idempotency-Key": "k1"})

    # when the corrected request is sent with the same key
    fixed = api.post("/service-requests", REQUEST, headers={"Idempotency-Key": "k1"})

    # then nothing was remembered from the failure
    assert failed.status_code == 422
    assert fixed.status_code == 201
    assert WorkOrder.objects.count() == 1


# --- the list -----------------------------------------------------------------------------


def _ids(response):
    assert response.status_code == 200, response.json()
    return [o["id"] for o in response.json()["items"]]


@pytest.fixture
def assorted(people):
    """Orders with distinct attributes for the filter tests (bare rows: this is a read test)."""
    engineer = people["engineer"]
    now = timezone.now()
    c = people["customer"]
    return {
        "new": WorkOrderFactory(customer=c, status="new"),
        "closed": WorkOrderFactory(customer=c, status="closed"),
        "urgent": WorkOrderFactory(customer=c, status="acknowledged", priority="urgent"),
        "install": WorkOrderFactory(customer=c, status="assessed", service_type="installation", channel="email"),
        "assigned": WorkOrderFactory(customer=c, status="in_service", assignee=engineer),
        "overdue": WorkOrderFactory(customer=c, status="scheduled", due_at=now - dt.timedelta(hours=1)),
        "due_later": WorkOrderFactory(customer=c, status="scheduled", due_at=now + dt.timedelta(hours=5)),
        "overdue_but_closed": WorkOrderFactory(customer=c, status="closed", due_at=now - dt.timedelta(days=2)),
        "by_serial": WorkOrderFactory(customer=c, status="new", serial="SER-FIND-ME"),
        "by_phone": WorkOrderFactory(customer=c, status="new", contact_phone="13700001111"),
    }


@pytest.mark.parametrize(
    "params, expected",
    [
        ({"status": ["closed"]}, {"closed", "overdue_but_closed"}),
        ({"status": ["new", "acknowledged"]}, {"new", "urgent", "by_serial", "by_phone"}),
        ({"priority": "urgent"}, {"urgent"}),
        ({"service_type": "installation"}, {"install"}),
        ({"channel": "email"}, {"install"}),
        ({"overdue": "true"}, {"overdue"}),
        ({"q": "SER-FIND-ME"}, {"by_serial"}),
        ({"q": " 13700001111 "}, {"by_phone"}),
        ({"status": ["scheduled"], "sort": "due"}, {"overdue", "due_later"}),
        ({"priority": "urgent", "channel": "email"}, set()),
    ],
    ids=[
        "status-one",
        "status-multi",
        "priority",
        "type",
        "channel",
        "overdue",
        "q-serial",
        "q-phone",
        "sort-due",
        "combined-none",
    ],
)
def test_list_filters(people, api_as, assorted, params, expected):
    # when
    response = api_as(people["agent"]).get("/work-orders", params)

    # then
    assert set(_ids(response)) == {assorted[k].pk for k in expected}


def test_list_filter_by_assignee(people, api_as, assorted):
    # when
    response = api_as(people["agent"]).get("/work-orders", {"assignee": people["engineer"].pk})

    # then
    assert _ids(response) == [assorted["assigned"].pk]


@pytest.mark.parametrize("form", ["WO{:08d}", "wo{:08d}", " WO{:08d} "], ids=["upper", "lower", "padded"])
def test_list_search_by_order_number(people, api_as, assorted, form):
    # when
    response = api_as(people["agent"]).get("/work-orders", {"q": form.format(assorted["urgent"].pk)})

    # then
    assert _ids(response) == [assorted["urgent"].pk]


def test_sort_due_orders_by_deadline(people, api_as, assorted):
    # when
    response = api_as(people["agent"]).get("/work-orders", {"sort": "due"})

    # then
    assert _ids(response) == [assorted[k].pk for k in ("overdue_but_closed", "overdue", "due_later")]


def _walk(api, params, limit):
    seen, cursor, pages = [], None, 0
    while True:
        response = api.get("/work-orders", {**params, "limit": limit, **({"cursor": cursor} if cursor else {})})
        seen += _ids(response)
        pages += 1
        cursor = response.json()["next_cursor"]
        if not cursor:
            return seen, pages
        assert pages < 100


@pytest.mark.parametrize("sort", ["newest", "oldest", "due"], ids=str)
def test_cursor_pagination_returns_every_visible_order_once(people, api_as, sort):
    # given 10 orders of the customer among 5 of another customer, some sharing a creation time
    now = timezone.now()
    mine = [WorkOrderFactory(customer=people["customer"], due_at=now + dt.timedelta(hours=i % 3)) for i in range(10)]
    [WorkOrderFactory(customer=people["other"], due_at=now) for _ in range(5)]
    WorkOrder.objects.filter(pk__in=[o.pk for o in mine[:4]]).update(created_at=now)

    # when the customer walks the list 3 at a time
    seen, pages = _walk(api_as(people["customer_user"]), {"sort": sort}, 3)

    # then every one of their orders exactly once, in order, over 4 pages
    assert pages == 4
    assert sorted(seen) == sorted(o.pk for o in mine)
    assert len(seen) == len(set(seen))
    key = {"newest": ("-created_at", "-id"), "oldest": ("created_at", "id"), "due": ("due_at", "id")}[sort]
    assert seen == list(
        WorkOrder.objects.filter(customer=people["customer"]).order_by(*key).values_list("pk", flat=True)
    )


def test_pagination_is_stable_while_new_orders_arrive(people, api_as):
    # given
    [WorkOrderFactory(customer=people["customer"]) for _ in range(6)]
    api = api_as(people["agent"])
    first = api.get("/work-orders", {"limit": 3})
    before = set(WorkOrder.objects.values_list("pk", flat=True))

    # when a new order arrives between two pages
    WorkOrderFactory(customer=people["customer"])
    second = api.get("/work-orders", {"limit": 3, "cursor": first.json()["next_cursor"]})

    # then the second page continues where the first ended
    assert set(_ids(first)) | set(_ids(second)) == before


@pytest.mark.parametrize(
    "cursor",
    [
        "not-a-cursor!!",
        "%%%",
        encode_cursor(["x"]),
        encode_cursor({"a": 1}),
        encode_cursor(["2024-01-01T00:00:00+00:00", 1, 2]),
        encode_cursor(["yesterday", 5]),
        encode_cursor(["2024-13-45T00:00:00+00:00", 5]),
        encode_cursor(["2024-01-01T00:00:00+00:00", "five"]),
        encode_cursor(["2024-01-01T00:00:00+00:00", 2**70]),
        encode_cursor(["2024-01-01T00:00:00+00:00", None]),
        encode_cursor([None, 5]),
        encode_cursor([["nested"], {"x": 1}]),
        encode_cursor([12345, 5]),
        encode_cursor(["2024-01-01T00:00:00+00:00", 1.5]),
        encode_cursor(["2024-01-01T00:00:00+00:00", True]),
    ],
    ids=[
        "garbage",
        "percent",
        "short",
        "object",
        "long",
        "not-a-date",
        "impossible-date",
        "id-not-int",
        "id-huge",
        "id-null",
        "date-null",
        "nested",
        "date-int",
        "id-float",
        "id-bool",
    ],
)
def test_forged_cursor_is_422_not_500(people, api_as, cursor):
    # given
    WorkOrderFactory(customer=people["customer"])

    # when
    response = api_as(people["agent"]).get("/work-orders", {"cursor": cursor})

    # then
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "bad_cursor"
    assert body["message"]


def test_cursor_of_another_sort_does_not_crash(people, api_as):
    # given a cursor of the "due" sort used for the "oldest" sort (same shape)
    [WorkOrderFactory(customer=people["customer"], due_at=timezone.now()) for _ in range(3)]
    api = api_as(people["agent"])
    cursor = api.get("/work-orders", {"limit": 1, "sort": "due"}).json()["next_cursor"]

    # when
    response = api.get("/work-orders", {"limit": 1, "sort": "oldest", "cursor": cursor})

    # then it is a valid cursor for a different order: no crash, a page
    assert response.status_code == 200


def _count(api, params) -> int:
    with CaptureQueriesContext(connection) as ctx:
        assert api.get("/work-orders", params).status_code == 200
    return len(ctx.captured_queries)


def test_list_query_count_is_constant(people, api_as, django_assert_num_queries):
    # given 5 orders with assignees and models, and a warmed-up token
    engineer = people["engineer"]
    units = [UnitFactory(owner=people["customer"]) for _ in range(3)]

    def make(n):
        for i in range(n):
            unit = units[i % 3]
            WorkOrderFactory(
                customer=CustomerFactory(),
                assignee=engineer if i % 2 else UserFactory(role="engineer"),
                unit=unit,
                product_model=unit.model,
                serial=unit.serial,
            )

    make(5)
    api = api_as(people["agent"])
    api.get("/work-orders")
    small = _count(api, {"limit": 25})

    # when there are 40 orders, on the first page and on a deep page
    make(35)
    cursor = None
    for _ in range(3):
        cursor = api.get("/work-orders", {"limit": 10, **({"cursor": cursor} if cursor else {})}).json()["next_cursor"]

    # then the same number of queries (and few of them)
    assert small <= 5  # token, page, the page's SLA clocks, the personal-data access log
    with django_assert_num_queries(small):
        assert len(api.get("/work-orders", {"limit": 25}).json()["items"]) == 25
    with django_assert_num_queries(small):
        assert len(api.get("/work-orders", {"limit": 10, "cursor": cursor}).json()["items"]) == 10
    with django_assert_num_queries(small):
        assert len(api.get("/work-orders", {"limit": 100, "status": ["new", "closed"], "q": ""}).json()["items"]) == 40


@pytest.mark.parametrize("who", ["agent", "engineer", "customer_user", "analyst"], ids=str)
def test_list_query_count_does_not_grow_with_the_data_for_any_role(people, api_as, who):
    # given
    user = people.get(who) or UserFactory(role=who)
    [WorkOrderFactory(customer=people["customer"], assignee=people["engineer"]) for _ in range(2)]
    api = api_as(user)
    api.get("/work-orders")
    few = _count(api, {})

    # when
    [WorkOrderFactory(customer=people["customer"], assignee=people["engineer"]) for _ in range(12)]
    many = _count(api, {})

    # then
    assert few == many <= 5


def test_detail_query_count_is_bounded(people, api_as, django_assert_num_queries):
    # given a closed paid order with a quote, a report with parts, a signature and its events
    order = _order(people, Status.CLOSED, paid=True)
    api = api_as(people["agent"])
    api.get(f"/work-orders/{order.pk}")
    with CaptureQueriesContext(connection) as ctx:
        api.get(f"/work-orders/{order.pk}")
    base = len(ctx.captured_queries)

    # when its timeline grows by 20 notes and a second quote is on it
    for i in range(20):
        services.work_order_note(order_id=order.pk, actor=UserFactory(role="agent"), note=f"note {i}")
    services.work_order_transition(order_id=order.pk, action="reopen", actor=people["agent"], note="again")

    # then the detail costs the same, and little
    with django_assert_num_queries(base):
        response = api.get(f"/work-orders/{order.pk}")
    assert base <= 14
    body = response.json()
    assert len(body["events"]) >= 30
    assert body["report"]["minutes_spent"] == 45
    assert body["acceptance"]["signature_url"]
    assert body["quotes"][0]["lines"]


# --- detail and transitions ---------------------------------------------------------------


def test_detail_shows_the_timeline_and_the_allowed_actions(people, api_as):
    # given
    order = _order(people, Status.ACKNOWLEDGED)

    # when
    body = api_as(people["agent"]).get(f"/work-orders/{order.pk}").json()

    # then
    assert [(e["action"], e["from_status"], e["to_status"]) for e in body["events"]] == [
        ("create", "", "new"),
        ("acknowledge", "new", "acknowledged"),
        ("customer_notified", "acknowledged", "acknowledged"),  # the customer's acknowledgement message
    ]
    assert set(body["allowed_actions"]) == {"assess", "wait_customer", "cancel"}
    assert body["fault_description"] == "The unit does not start."


@pytest.mark.parametrize(
    "who, state, action, status",
    [
        ("agent", Status.NEW, "acknowledge", 200),
        ("agent", Status.CLOSED, "acknowledge", 409),
        ("engineer", Status.NEW, "acknowledge", 404),
        ("engineer", Status.SCHEDULED, "start", 200),
        ("engineer", Status.SCHEDULED, "close", 403),
        ("customer_user", Status.NEW, "acknowledge", 403),
        ("other_user", Status.NEW, "cancel", 404),
    ],
    ids=[
        "ok",
        "invalid-409",
        "unassigned-engineer-404",
        "engineer-ok",
        "engineer-cannot-close-403",
        "customer-403",
        "other-customer-404",
    ],
)
def test_transition_responses(people, api_as, who, state, action, status):
    # given
    order = _order(people, state)
    before = (order.status, order.version, order.events.count(), _told(order))

    # when
    response = api_as(people[who]).post(f"/work-orders/{order.pk}/transitions", {"action": action, "note": "n"})

    # then
    assert response.status_code == status, response.json()
    order.refresh_from_db()
    if status == 200:
        told = 1 if action in ON_ACTION else 0  # the customer's message of the move
        assert order.events.count() == before[2] + 1 + told
    else:
        assert set(response.json()) == {"code", "message", "fields"}
        assert (order.status, order.version, order.events.count(), _told(order)) == before  # and nothing sent


def _told(order) -> int:
    return Notification.objects.filter(order_id=order.pk).count()


def test_missing_order_is_404(people, api_as):
    # when
    response = api_as(people["agent"]).post("/work-orders/999999/transitions", {"action": "acknowledge"})

    # then
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_assignment(people, api_as):
    # given
    order = _order(people, Status.ASSESSED)
    other_engineer = UserFactory(role="engineer")
    at = "2026-12-01T09:30:00+08:00"

    # when
    response = api_as(people["agent"]).post(
        f"/work-orders/{order.pk}/assignment", {"assignee_id": other_engineer.pk, "appointment_at": at}
    )

    # then
    assert response.status_code == 200, response.json()
    order.refresh_from_db()
    assert order.assignee_id == other_engineer.pk
    assert order.appointment_at == dt.datetime(2026, 12, 1, 1, 30, tzinfo=dt.UTC)
    assert order.events.last().action == "assign"


@pytest.mark.parametrize("role", ["agent", "customer", "analyst"], ids=str)
def test_only_engineers_can_be_assigned(people, api_as, role):
    # given
    order = _order(people, Status.ASSESSED)
    before = (order.assignee_id, order.version)

    # when
    response = api_as(people["agent"]).post(
        f"/work-orders/{order.pk}/assignment", {"assignee_id": UserFactory(role=role).pk}
    )

    # then
    assert response.status_code == 422
    assert response.json()["code"] == "bad_assignee"
    order.refresh_from_db()
    assert (order.assignee_id, order.version) == before


# --- quotes, report, acceptance -----------------------------------------------------------

QUOTE = {
    "lines": [
        {"kind": "labour", "description": "Diagnosis and repair", "quantity": "1.5", "unit_price": "120.00"},
        {"kind": "material", "description": "Main board", "quantity": "1", "unit_price": "455.555"},
    ],
    "plan": "Replace the main board",
    "estimated_hours": "2",
}


def test_quote_for_a_paid_repair(people, api_as):
    # given an assessed paid repair, assigned to the engineer who proposes the quote
    order = _order(people, Status.ASSESSED, paid=True)
    services.work_order_assign(order_id=order.pk, actor=people["agent"], assignee_id=people["engineer"].pk)

    # when
    response = api_as(people["engineer"]).post(
        f"/work-orders/{order.pk}/quotes", {**QUOTE, "lines": QUOTE["lines"][:1]}
    )

    # then
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["status"], body["currency"], Decimal(body["total"])) == ("pending", "CNY", Decimal("180.00"))
    assert [Decimal(ln["amount"]) for ln in body["lines"]] == [Decimal("180.00")]
    assert [e.action for e in order.events.order_by("id")][-2:] == ["quote", "customer_notified"]


def test_quote_amounts_are_rounded_to_cents(people, api_as):
    # given
    order = _order(people, Status.ASSESSED, paid=True)

    # when
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/quotes", QUOTE)

    # then either the schema refuses 3 decimals or the service rounds half-up to cents
    if response.status_code == 201:
        assert Decimal(response.json()["total"]) == Decimal("180.00") + Decimal("455.56")
    else:
        assert response.status_code == 422
        assert "lines.1.unit_price" in response.json()["fields"]


def test_new_quote_withdraws_the_pending_one(people, api_as):
    # given
    order = _order(people, Status.ASSESSED, paid=True)
    api = api_as(people["agent"])
    first = api.post(f"/work-orders/{order.pk}/quotes", {**QUOTE, "lines": QUOTE["lines"][:1]}).json()

    # when
    api.post(f"/work-orders/{order.pk}/quotes", {**QUOTE, "lines": QUOTE["lines"][:1]})

    # then
    assert Quote.objects.get(pk=first["id"]).status == "withdrawn"
    assert order.quotes.filter(status="pending").count() == 1


def test_warranty_repair_needs_no_quote(people, api_as):
    # given an in-warranty order
    order = _order(people, Status.ASSESSED)

    # when
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/quotes", {**QUOTE, "lines": QUOTE["lines"][:1]})

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "not_paid_repair"
    assert not Quote.objects.exists()


@pytest.mark.parametrize("approve, status", [(True, "approved"), (False, "rejected")], ids=["approve", "reject"])
def test_customer_decides_the_quote(people, api_as, approve, status):
    # given
    order = _order(people, Status.ASSESSED, paid=True)
    quote = services.quote_create(
        order_id=order.pk, actor=people["agent"], lines=[{"description": "Fan", "unit_price": "50"}]
    )
    api = api_as(people["customer_user"])

    # when
    response = api.post(f"/quotes/{quote.pk}/decision", {"approve": approve, "note": "ok"})

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == status
    assert response.json()["decided_at"]
    assert order.events.last().action == f"quote_{status}"
    # and a quote is decided once
    again = api.post(f"/quotes/{quote.pk}/decision", {"approve": not approve})
    assert again.status_code == 409
    assert again.json()["code"] == "quote_decided"
    assert Quote.objects.get(pk=quote.pk).status == status


def test_report_and_acceptance_with_a_drawn_signature(people, api_as):
    # given an order in service with the engineer
    order = _order(people, Status.IN_SERVICE)
    engineer_api = api_as(people["engineer"])

    # when the engineer writes the report and resolves
    report = engineer_api.put(
        f"/work-orders/{order.pk}/report",
        {
            "cause": "Cracked solder joint",
            "process": "Resoldered and tested",
            "minutes_spent": 50,
            "parts": [{"part_number": "PB-1", "name": "Power board", "old_serial": "PB-OLD", "new_serial": "PB-NEW"}],
        },
    )
    resolved = engineer_api.post(f"/work-orders/{order.pk}/transitions", {"action": "resolve"})
    # and the customer signs on the engineer's phone
    accepted = engineer_api.post(
        f"/work-orders/{order.pk}/acceptance", {"accepted": True, "signer_name": "李四", "signature": signature_url()}
    )

    # then
    assert report.status_code == 200, report.json()
    assert report.json()["report"]["parts"][0]["new_serial"] == "PB-NEW"
    assert report.json()["report"]["engineer"] == people["engineer"].display_name()
    assert resolved.json()["status"] == "resolved"
    assert accepted.status_code == 200, accepted.json()
    body = accepted.json()
    assert body["status"] == "accepted"
    assert body["acceptance"]["signer_name"] == "李四"
    acceptance = Acceptance.objects.get(order=order)
    assert acceptance.signature.content_type == "image/png"
    # and the signature image is served to the customer, and to nobody else
    client = Client()
    client.force_login(people["customer_user"])
    image = client.get(body["acceptance"]["signature_url"])
    assert image.status_code == 200
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")
    client.force_login(people["other_user"])
    assert client.get(body["acceptance"]["signature_url"]).status_code == 404


def test_refusal_reopens_the_order_and_opens_a_complaint(people, api_as, django_capture_on_commit_callbacks):
    # given
    order = _order(people, Status.RESOLVED)

    # when
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(people["customer_user"]).post(
            f"/work-orders/{order.pk}/acceptance",
            {"accepted": False, "signer_name": "Zhang San", "signature": signature_url(), "comment": "Still noisy"},
        )

    # then
    assert response.status_code == 200, response.json()
    assert response.json()["status"] == "reopened"
    complaint = Complaint.objects.get(order=order)
    assert (complaint.channel, complaint.description, complaint.customer_id) == (
        "refused_acceptance",
        "Still noisy",
        people["customer"].pk,
    )


@pytest.mark.parametrize(
    "signature",
    [
        "data:image/png;base64,!!!!",
        "data:image/png;base64," + "A" * 64,
        "data:image/png;base64," + __import__("base64").b64encode(b"GIF89a not really").decode(),
        "data:image/png;base64," + __import__("base64").b64encode(png_bytes()[:60]).decode(),
        "hello",
        "",
    ],
    ids=["not-base64", "not-an-image", "gif-header", "truncated-png", "not-a-data-url", "empty"],
)
def test_garbage_signature_is_422_and_changes_nothing(people, api_as, signature):
    # given
    order = _order(people, Status.RESOLVED)
    before = (order.status, order.version, order.events.count(), Document.objects.count())

    # when
    response = api_as(people["engineer"]).post(
        f"/work-orders/{order.pk}/acceptance", {"accepted": True, "signer_name": "A", "signature": signature}
    )

    # then
    assert response.status_code == 422, response.json()
    assert "signature" in response.json()["fields"]
    order.refresh_from_db()
    assert (order.status, order.version, order.events.count(), Document.objects.count()) == before
    assert not Acceptance.objects.exists()


def test_acceptance_before_resolution_is_409(people, api_as):
    # given
    order = _order(people, Status.IN_SERVICE)

    # when
    response = api_as(people["engineer"]).post(
        f"/work-orders/{order.pk}/acceptance", {"accepted": True, "signer_name": "A", "signature": signature_url()}
    )

    # then
    assert response.status_code == 409
    assert not Acceptance.objects.exists()


def test_report_outside_service_is_409(people, api_as):
    # given
    order = _order(people, Status.SCHEDULED)

    # when
    response = api_as(people["engineer"]).put(
        f"/work-orders/{order.pk}/report", {"cause": "c", "process": "p", "minutes_spent": 5}
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "not_in_service"


def test_a_report_saved_with_a_stale_version_is_409_and_the_first_report_stands(people, api_as):
    # given an order in service, read at its current version
    order = _order(people, Status.IN_SERVICE)
    api = api_as(people["engineer"])
    version = api.get(f"/work-orders/{order.pk}").json()["version"]
    first = {"cause": "first", "process": "p", "minutes_spent": 5, "version": version}

    # when two saves both claim that version
    saved = api.put(f"/work-orders/{order.pk}/report", first)
    stale = api.put(f"/work-orders/{order.pk}/report", {**first, "cause": "second"})

    # then the first moved the version on and the second was refused
    assert saved.status_code == 200 and saved.json()["version"] == version + 1
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    assert saved.json()["report"]["cause"] == "first"
    assert api.get(f"/work-orders/{order.pk}").json()["report"]["cause"] == "first"


# --- masking ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "role, masked",
    [
        ("analyst", True),
        ("finance", True),
        ("quality", True),
        ("tech_support", True),
        ("agent", False),
        ("supervisor", False),
        ("manager", False),
        ("complaint_handler", False),
        ("admin", False),
    ],
    ids=str,
)
def test_list_masks_personal_data_for_roles_that_do_not_need_it(people, api_as, role, masked):
    # given
    WorkOrderFactory(customer=people["customer"], contact_name="王小明", address="上海市浦东新区世纪大道100号")

    # when
    item = api_as(UserFactory(role=role)).get("/work-orders").json()["items"][0]

    # then names are masked for roles that do not need them; phone and address for every staff role
    assert (item["contact_phone"], item["address"]) == ("138****5678", "上海市浦东新****")
    assert "12345678" not in json.dumps(item)
    assert item["contact_name"] == ("王**" if masked else "王小明")


def test_customer_sees_their_own_number_unmasked(people, api_as):
    # given
    order = WorkOrderFactory(customer=people["customer"])

    # when
    listed = api_as(people["customer_user"]).get("/work-orders").json()["items"]
    detail = api_as(people["customer_user"]).get(f"/work-orders/{order.pk}").json()

    # then
    assert [i["contact_phone"] for i in listed] == ["13812345678"]
    assert detail["contact_phone"] == "13812345678"


def test_engineer_reveals_the_number_of_their_own_order_only(people, api_as):
    # given
    mine = WorkOrderFactory(customer=people["customer"], assignee=people["engineer"])
    theirs = WorkOrderFactory(customer=people["other"], assignee=UserFactory(role="engineer"))
    api = api_as(people["engineer"])

    # when
    detail = api.get(f"/work-orders/{mine.pk}").json()
    revealed = api.post(f"/work-orders/{mine.pk}/contact/reveal")
    refused = api.post(f"/work-orders/{theirs.pk}/contact/reveal")

    # then masked in the detail, in full through the (logged) reveal, and only for my order
    assert detail["contact_phone"] == "138****5678"
    assert revealed.status_code == 200 and revealed.json()["contact_phone"] == "13812345678"
    assert refused.status_code == 404 and "13987654321" not in refused.content.decode()


def test_masked_detail_for_analyst(people, api_as):
    # given
    order = WorkOrderFactory(customer=people["customer"])

    # when
    detail = api_as(UserFactory(role="analyst")).get(f"/work-orders/{order.pk}").json()

    # then
    assert detail["contact_phone"] == "138****5678"
    assert detail["customer"]["name"] != people["customer"].name
