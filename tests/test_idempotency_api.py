"""Every write of ``/api/v1/`` honours ``Idempotency-Key`` (core/idempotency.py).

For each family of writes (intake, transitions, assignment, quotes, quote decision, report,
acceptance, replacement, shipments, deadline extension, unit registration by JSON and by
multipart with a file): a retry with the same key changes nothing more and gets the same status
and body with ``Idempotency-Replayed: true``; the same key with another body is 409; a refused
request (4xx) is replayed as refused; two users may use the same key; and requests sent at the
same moment with the same key are carried out once.
"""

import json
import threading
from dataclasses import dataclass, field

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connections
from django.test import Client
from django.utils import timezone

from accounts.models import ApiToken
from complaints.models import Complaint
from core.models import AuditLog, Document, IdempotencyKey
from notifications.models import Notification
from products.models import Unit
from service import services
from service.choices import Status
from service.models import (
    Acceptance,
    OrderDocument,
    PartUsed,
    Quote,
    QuoteLine,
    RepairReport,
    Replacement,
    Shipment,
    WorkOrder,
    WorkOrderClock,
    WorkOrderEvent,
)
from service.tests.flow import order_in, pdf_bytes, signature_url
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory

# --- helpers ----------------------------------------------------------------------------------------


@pytest.fixture
def people(db):
    customer_user, other_user = UserFactory(role="customer"), UserFactory(role="customer")
    ProductModelFactory(code="AC-9000")
    return {
        "agent": UserFactory(role="agent"),
        "other_agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user, phone="13812345678"),
        "other_user": other_user,
        "other": CustomerFactory(user=other_user, phone="13987654321"),
    }


@dataclass
class Call:
    """One API write: who sends it, where, with what (a JSON body, or form fields and files)."""

    user: object
    method: str
    path: str
    body: dict = field(default_factory=dict)
    files: dict | None = None  # multipart: field name -> (file name, bytes)

    def send(self, key=None, *, body=None, files=None, path=None, user=None, client=None):
        client = client or token_client(user or self.user)
        headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
        url = "/api/v1" + (path or self.path)
        body = self.body if body is None else body
        files = self.files if files is None else files
        if files is not None:
            data = {**body, **{name: SimpleUploadedFile(fname, content) for name, (fname, content) in files.items()}}
            return client.post(url, data, **headers)
        send = getattr(client, self.method.lower())
        return send(url, json.dumps(body), content_type="application/json", **headers)


def token_client(user) -> Client:
    _, token = ApiToken.issue(user)
    return Client(HTTP_AUTHORIZATION=f"Bearer {token}", HTTP_ACCEPT_LANGUAGE="en")


def snapshot() -> dict:
    """Everything a write of the API may add or change."""
    return {
        "orders": list(
            WorkOrder.objects.order_by("pk").values_list("pk", "status", "version", "assignee_id", "unit_id")
        ),
        "events": WorkOrderEvent.objects.count(),
        "order documents": OrderDocument.objects.count(),
        "quotes": list(Quote.objects.order_by("pk").values_list("pk", "status")),
        "quote lines": QuoteLine.objects.count(),
        "reports": RepairReport.objects.count(),
        "parts": PartUsed.objects.count(),
        "acceptances": Acceptance.objects.count(),
        "shipments": list(Shipment.objects.order_by("pk").values_list("pk", "received_at")),
        "complaints": Complaint.objects.count(),
        "clocks": list(WorkOrderClock.objects.order_by("pk").values_list("pk", "due_at")),
        "replacements": Replacement.objects.count(),
        "units": list(Unit.objects.order_by("pk").values_list("pk", "serial", "owner_id", "status", "proof_id")),
        "documents": Document.objects.count(),
        "notifications": Notification.objects.count(),
        "audit": AuditLog.objects.count(),
    }


def _order(people, status, **kw):
    kw.setdefault("customer", people["customer"])
    return order_in(status, agent=people["agent"], engineer=people["engineer"], **kw)


# --- one write of each family ---------------------------------------------------------------------


def intake(people):
    return Call(
        people["customer_user"],
        "POST",
        "/service-requests",
        {"fault_description": "Display flickers", "service_type": "repair"},
    )


def transition(people):
    order = _order(people, Status.NEW)
    return Call(people["agent"], "POST", f"/work-orders/{order.pk}/transitions", {"action": "acknowledge", "note": "n"})


def assignment(people):
    order = _order(people, Status.ASSESSED)
    return Call(people["agent"], "POST", f"/work-orders/{order.pk}/assignment", {"assignee_id": people["engineer"].pk})


def quote(people):
    order = _order(people, Status.ASSESSED, paid=True)
    line = {"kind": "labour", "description": "Repair", "quantity": "1", "unit_price": "120.00"}
    return Call(people["agent"], "POST", f"/work-orders/{order.pk}/quotes", {"lines": [line], "plan": "Fix it"})


def quote_decision(people):
    order = _order(people, Status.ASSESSED, paid=True)
    q = services.quote_create(
        order_id=order.pk, actor=people["agent"], lines=[{"description": "Fan", "unit_price": "50"}]
    )
    return Call(people["customer_user"], "POST", f"/quotes/{q.pk}/decision", {"approve": True, "note": "ok"})


def report(people):
    order = _order(people, Status.IN_SERVICE)
    body = {
        "cause": "Cracked solder joint",
        "process": "Resoldered",
        "minutes_spent": 50,
        "parts": [{"part_number": "PB-1", "name": "Power board", "old_serial": "PB-OLD", "new_serial": "PB-NEW"}],
    }
    return Call(people["engineer"], "PUT", f"/work-orders/{order.pk}/report", body)


def acceptance(people):
    order = _order(people, Status.RESOLVED)
    body = {"accepted": False, "signer_name": "Zhang San", "signature": signature_url(), "comment": "Still noisy"}
    return Call(people["customer_user"], "POST", f"/work-orders/{order.pk}/acceptance", body)


def replacement(people):
    order = _order(people, Status.ASSESSED, unit=UnitFactory(owner=people["customer"], colour="white"))
    body = {"ground": "quality_defect", "new_serial": "IDEM-NEW-1", "new_colour": "red"}
    return Call(people["agent"], "POST", f"/work-orders/{order.pk}/replacement", body)


def shipment(people):
    unit = UnitFactory(owner=people["customer"])
    order = services.request_create(
        actor=people["customer_user"], fault_description="Noise", serial=unit.serial, mode="mail_in"
    )
    body = {"direction": "in", "carrier": "SF Express", "tracking_number": "SF123456789"}
    return Call(people["customer_user"], "POST", f"/work-orders/{order.pk}/shipments", body)


def shipment_received(people):
    from service.services.shipping import shipment_record

    unit = UnitFactory(owner=people["customer"])
    order = services.request_create(
        actor=people["customer_user"], fault_description="Noise", serial=unit.serial, mode="mail_in"
    )
    parcel = shipment_record(
        order_id=order.pk, actor=people["customer_user"], direction="in", carrier="SF", tracking_number="SF1"
    )
    return Call(people["agent"], "POST", f"/shipments/{parcel.pk}/received")


def extension(people):
    order = _order(people, Status.ACKNOWLEDGED)
    body = {"reason": "Waiting for the manufacturer's part", "extra": 2}
    return Call(people["agent"], "POST", f"/work-orders/{order.pk}/clocks/resolution/extension", body)


def unit_json(people):
    body = {"serial": "IDEM-001", "model": "AC-9000", "purchase_date": "2025-01-15"}
    return Call(people["customer_user"], "POST", "/units", body)


def unit_multipart(people):
    body = {"serial": "IDEM-002", "model": "AC-9000", "purchase_date": "2024-02-29"}
    return Call(people["customer_user"], "POST", "/units", body, files={"proof": ("发票 invoice.pdf", pdf_bytes())})


FAMILIES = [
    intake,
    transition,
    assignment,
    quote,
    quote_decision,
    report,
    acceptance,
    replacement,
    shipment,
    shipment_received,
    extension,
    unit_json,
    unit_multipart,
]


# --- a retry is carried out once --------------------------------------------------------------------


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_a_retry_changes_nothing_more_and_gets_the_same_answer(people, family):
    # given a write that went through with a key
    call = family(people)
    before = snapshot()
    first = call.send("key-1")
    assert 200 <= first.status_code < 300, first.content
    assert not first.has_header("Idempotency-Replayed")
    after_first = snapshot()
    assert after_first != before

    # when the client retries it
    retry = call.send("key-1")

    # then nothing more changed and the answer is the first one, marked as replayed
    assert snapshot() == after_first
    assert (retry.status_code, retry.content) == (first.status_code, first.content)
    assert retry["Idempotency-Replayed"] == "true"
    assert retry["Content-Type"] == first["Content-Type"]


@pytest.mark.parametrize("family", FAMILIES, ids=lambda f: f.__name__)
def test_the_same_key_with_another_body_is_409(people, family):
    # given
    call = family(people)
    call.send("key-1")
    before = snapshot()

    # when the same key comes with another body (for an upload: another file)
    if call.files:
        response = call.send("key-1", files={"proof": ("发票 invoice.pdf", pdf_bytes() + b"\n")})
    else:
        response = call.send("key-1", body={**call.body, "other": "field"})

    # then
    assert response.status_code == 409, response.content
    assert response.json()["code"] == "idempotency_mismatch"
    assert response.json()["message"]
    assert snapshot() == before


def test_the_same_key_on_another_endpoint_is_409(people):
    # given a key used for a transition
    call = transition(people)
    call.send("key-1")
    before = snapshot()

    # when the client sends it with an intake
    response = intake(people).send(
        "key-1", user=call.user, body={"fault_description": "x", "customer_id": people["customer"].pk}
    )

    # then
    assert (response.status_code, response.json()["code"]) == (409, "idempotency_mismatch")
    assert snapshot() == before


def test_without_a_key_a_retry_runs_again(people):
    # given (the control: what the key prevents)
    call = transition(people)
    call.send()

    # when
    again = call.send()

    # then the second acknowledgement is refused by the workflow, not replayed
    assert again.status_code == 409
    assert again.json()["code"] != "idempotency_mismatch"
    assert not again.has_header("Idempotency-Replayed")


# --- users ----------------------------------------------------------------------------------------


def test_two_agents_may_use_the_same_key(people):
    # given two orders, acknowledged by two agents with the same key
    mine, theirs = transition(people), transition(people)

    # when
    first = mine.send("shared")
    second = theirs.send("shared", user=people["other_agent"])

    # then both ran
    assert (first.status_code, second.status_code) == (200, 200)
    assert not second.has_header("Idempotency-Replayed")
    assert {o.status for o in WorkOrder.objects.all()} == {Status.ACKNOWLEDGED}


def test_two_customers_may_register_units_with_the_same_key(people):
    # when
    first = unit_json(people).send("shared")
    second = unit_json(people).send(
        "shared", user=people["other_user"], body={"serial": "IDEM-OTHER", "model": "AC-9000"}
    )

    # then
    assert (first.status_code, second.status_code) == (201, 201)
    assert sorted(Unit.objects.values_list("serial", "owner_id")) == [
        ("IDEM-001", people["customer"].pk),
        ("IDEM-OTHER", people["other"].pk),
    ]


def test_a_key_is_per_user_even_for_the_same_request(people):
    # given an agent's transition with a key
    call = transition(people)
    call.send("k")

    # when another agent sends the very same request with the same key
    response = call.send("k", user=people["other_agent"])

    # then it is not the first agent's answer: it ran (and the workflow refused it)
    assert response.status_code == 409
    assert response.json()["code"] != "idempotency_mismatch"
    assert not response.has_header("Idempotency-Replayed")


# --- refused requests ------------------------------------------------------------------------------


def test_a_refused_transition_is_replayed_as_refused(people):
    # given a move the workflow refuses (a new order cannot be resolved)
    call = transition(people)
    first = call.send("k", body={"action": "resolve"})
    before = snapshot()

    # when it is retried
    retry = call.send("k", body={"action": "resolve"})

    # then the same 409, replayed, and nothing changed
    assert first.status_code == 409
    assert (retry.status_code, retry.content, retry["Idempotency-Replayed"]) == (409, first.content, "true")
    assert snapshot() == before


def test_a_request_that_failed_validation_is_replayed_as_failed(people):
    # given a quote with a line without a price
    call = quote(people)
    bad = {"lines": [{"kind": "labour", "description": "Repair"}]}
    first = call.send("k", body=bad)

    # when it is retried as is
    retry = call.send("k", body=bad)

    # then
    assert first.status_code == 422
    assert (retry.status_code, retry.content, retry["Idempotency-Replayed"]) == (422, first.content, "true")
    assert not Quote.objects.exists()


def test_a_corrected_request_may_reuse_the_key_of_a_refused_one(people):
    # given a refused quote
    call = quote(people)
    call.send("k", body={"lines": [{"kind": "labour", "description": "Repair"}]})

    # when the corrected quote is sent with the same key, then retried
    fixed = call.send("k")
    retry = call.send("k")

    # then the corrected one ran once
    assert fixed.status_code == 201, fixed.content
    assert (retry.status_code, retry.content, retry["Idempotency-Replayed"]) == (201, fixed.content, "true")
    assert Quote.objects.count() == 1


def test_a_refused_multipart_upload_is_replayed_and_changes_nothing(people):
    # given an upload whose file is not a PDF or image
    call = unit_multipart(people)
    not_a_pdf = {"proof": ("invoice.pdf", b"MZ this is a program")}
    first = call.send("k", files=not_a_pdf)
    before = snapshot()

    # when it is retried
    retry = call.send("k", files=not_a_pdf)

    # then
    assert first.status_code == 422, first.content
    assert (retry.status_code, retry.content, retry["Idempotency-Replayed"]) == (422, first.content, "true")
    assert snapshot() == before
    assert not Document.objects.exists()


@pytest.mark.parametrize("key", ["k" * 201, "k\x00"], ids=["too-long", "nul"])
def test_a_bad_key_is_400_and_nothing_runs(people, key):
    # given
    call = transition(people)
    before = snapshot()

    # when
    response = call.send(key)

    # then
    assert response.status_code == 400
    assert response.json()["code"] == "invalid_idempotency_key"
    assert "Idempotency-Key" in response.json()["fields"]
    assert snapshot() == before
    assert not IdempotencyKey.objects.exists()


def test_the_session_of_the_browser_works_too(people):
    # given a customer logged in (the console's and the portal's JavaScript use the session)
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(people["customer_user"])
    call = unit_multipart(people)

    # when the upload is sent twice with the same key
    first = call.send("k", client=client)
    retry = call.send("k", client=client)

    # then one unit, one proof
    assert first.status_code == 201, first.content
    assert (retry.content, retry["Idempotency-Replayed"]) == (first.content, "true")
    assert Unit.objects.filter(serial="IDEM-002").count() == 1
    assert Document.objects.count() == 1


def test_a_different_file_under_the_same_name_and_size_is_another_request(people):
    # given an upload
    call = unit_multipart(people)
    original = pdf_bytes()
    call.send("k")

    # when a file of the same name and size but other content is sent with the key
    changed = original[:-2] + (b"\n\n" if original[-2:] != b"\n\n" else b"  ")
    response = call.send("k", files={"proof": ("发票 invoice.pdf", changed)})

    # then
    assert len(changed) == len(original)
    assert (response.status_code, response.json()["code"]) == (409, "idempotency_mismatch")
    assert Document.objects.count() == 1


@pytest.mark.django_db(transaction=True)  # (the denial log's failed write must not end the test's transaction)
def test_a_nul_in_the_path_is_refused_and_replayed_not_a_500(people):
    # given a path parameter with a NUL character
    call = extension(people)
    path = call.path.replace("/resolution/", "/res%00olution/")

    # when it is sent, then retried, with a key
    first = call.send("k", path=path)
    retry = call.send("k", path=path)

    # then a refusal (stored, so replayed), never a server error
    assert 400 <= first.status_code < 500, first.content
    assert (retry.status_code, retry.content, retry["Idempotency-Replayed"]) == (
        first.status_code,
        first.content,
        "true",
    )


# --- at the same moment ----------------------------------------------------------------------------


def _at_once(calls: list) -> list:
    """Send the calls from threads released together; returns the responses in order."""
    barrier = threading.Barrier(len(calls))
    responses: list = [None] * len(calls)

    def run(i, fn):
        try:
            barrier.wait(timeout=10)
            responses[i] = fn()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(i, fn)) for i, fn in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)
    return responses


def _executed_once(responses):
    """One response is the execution; each other one is its replay or a 409 ``idempotency_in_progress``."""
    executed = [r for r in responses if 200 <= r.status_code < 300 and not r.has_header("Idempotency-Replayed")]
    assert len(executed) == 1, [(r.status_code, r.content[:200]) for r in responses]
    for r in responses:
        if r is executed[0]:
            continue
        if r.status_code == 409:
            assert r.json()["code"] == "idempotency_in_progress", r.content
        else:
            assert (r.status_code, r.content, r["Idempotency-Replayed"]) == (
                executed[0].status_code,
                executed[0].content,
                "true",
            )
    return executed[0]


@pytest.mark.django_db(transaction=True)
def test_intakes_sent_at_the_same_moment_with_one_key_file_one_order():
    # given a customer's client ready to send the same request four times at once
    people_ = {"customer_user": UserFactory(role="customer")}
    CustomerFactory(user=people_["customer_user"])
    call = intake(people_)
    clients = [token_client(call.user) for _ in range(4)]
    ApiToken.objects.update(last_used_at=timezone.now())  # (the requests then write nothing else)

    # when
    responses = _at_once([lambda c=c: call.send("same", client=c) for c in clients])

    # then one order was filed, and every answer is about it
    executed = _executed_once(responses)
    assert WorkOrder.objects.count() == 1
    order = WorkOrder.objects.get()
    assert executed.json()["id"] == order.pk
    assert WorkOrderEvent.objects.filter(order=order, action="create").count() == 1


@pytest.mark.django_db(transaction=True)
def test_uploads_sent_at_the_same_moment_with_one_key_store_one_file():
    # given
    user = UserFactory(role="customer")
    CustomerFactory(user=user)
    ProductModelFactory(code="AC-9000")
    call = unit_multipart({"customer_user": user})
    clients = [token_client(user) for _ in range(3)]
    ApiToken.objects.update(last_used_at=timezone.now())

    # when
    responses = _at_once([lambda c=c: call.send("same", client=c) for c in clients])

    # then
    _executed_once(responses)
    assert Unit.objects.count() == 1
    assert Document.objects.count() == 1


# --- every write, present and future ------------------------------------------------------------------


def test_every_write_operation_of_the_api_honours_the_key():
    # given the API as mounted under /api/v1/
    from config.api import api

    writes = [
        (path, sorted(op.methods), getattr(op.run, "idempotent", False))
        for bound in api._get_bound_routers()
        for path, view in bound.path_operations.items()
        for op in view.operations
        if {"POST", "PUT", "PATCH", "DELETE"} & set(op.methods)
    ]

    # then each of them goes through the mechanism (an async operation would not: it would fail here)
    assert len(writes) >= 12
    assert [w for w in writes if not w[2]] == []


def test_the_openapi_document_shows_the_header_on_every_write(db):
    # when
    spec = Client().get("/api/v1/openapi.json").json()

    # then
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            headers = {p["name"]: p for p in operation.get("parameters", []) if p["in"] == "header"}
            is_write = method in {"post", "put", "patch", "delete"}
            assert ("Idempotency-Key" in headers) == is_write, (method, path)
            if is_write:
                assert headers["Idempotency-Key"]["schema"] == {"type": "string", "maxLength": 200}
                assert headers["Idempotency-Key"]["required"] is False
