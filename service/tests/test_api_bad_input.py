"""Bad input gives a clear 4xx in the ``{code, message, fields}`` shape, never a 500, and changes nothing."""

import datetime as dt
import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.utils import timezone
from django.utils.translation import gettext, override

from core.models import AuditLog, Document
from core.policies import set_policy
from products.models import Unit
from service import services
from service.choices import Status
from service.models import WorkOrder, WorkOrderEvent
from service.tests.flow import order_in, pdf_bytes
from tests.factories import CustomerFactory, ProductModelFactory, UserFactory, WorkOrderFactory

HOSTILE = [
    "<script>alert('x')</script>",
    "'; DROP TABLE service_workorder; --",
    'Robert"); DELETE FROM core_auditlog WHERE ("1"="1',
    "\u202egnp.exe \u202d右到左",
    "{{ 7*7 }} {% debug %} ${7*7}",
    "😀 emoji and 中文 and \t tabs \r\n newlines",
]


@pytest.fixture
def people(db):
    user = UserFactory(role="customer")
    other = UserFactory(role="customer")
    return {
        "agent": UserFactory(role="agent"),
        "customer_user": user,
        "customer": CustomerFactory(user=user, phone="13812345678"),
        "other_user": other,
        "other": CustomerFactory(user=other),
    }


def assert_error(response, status, code=None):
    """The one error shape, with a message a person can read."""
    assert response.status_code in (status if isinstance(status, tuple) else (status,)), response.content[:500]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert isinstance(body["message"], str) and body["message"].strip()
    assert isinstance(body["fields"], dict)
    assert all(isinstance(v, list) and all(isinstance(m, str) and m for m in v) for v in body["fields"].values())
    if code:
        assert body["code"] == code
    return body


def counts():
    return (
        WorkOrder.objects.count(),
        WorkOrderEvent.objects.count(),
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
        Unit.objects.count(),
        Document.objects.count(),
    )


# --- malformed bodies ---------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/service-requests", "/units", "/work-orders/{id}/transitions", "/work-orders/{id}/quotes", "/quotes/1/decision"],
    ids=["request", "units", "transition", "quote", "decision"],
)
@pytest.mark.parametrize(
    "raw",
    ['{"fault_description": ', "not json at all", "\x00\x01\x02", "{'single': 'quotes'}", '{"a": 1}}'],
    ids=["truncated", "text", "binary", "single-quotes", "trailing"],
)
def test_malformed_json_is_400(people, api_as, path, raw):
    # given
    order = WorkOrder.objects.create(
        customer=people["customer"],
        contact_name="x",
        contact_phone="1",
        service_type="repair",
        channel="phone",
        fault_description="x",
    )
    before = counts()

    # when
    response = api_as(people["agent"]).post(path.format(id=order.pk), raw=raw)

    # then
    assert_error(response, 400, "malformed_request")
    assert counts() == before


@pytest.mark.parametrize(
    "body, field",
    [
        ({}, "fault_description"),
        ({"fault_description": ""}, "fault_description"),
        ({"fault_description": 123}, "fault_description"),
        ({"fault_description": ["a", "list"]}, "fault_description"),
        ({"fault_description": {"an": "object"}}, "fault_description"),
        ({"fault_description": "x", "customer_id": "abc"}, "customer_id"),
        ({"fault_description": "x", "customer_id": 1.5}, "customer_id"),
        ({"fault_description": "x", "customer_id": 2**70}, "customer_id"),
        ({"fault_description": "x", "customer_id": -1}, "customer_id"),
        ({"fault_description": "x", "customer_id": [1]}, "customer_id"),
        ({"fault_description": "x", "service_type": "teleportation"}, "service_type"),
        ({"fault_description": "x", "priority": "asap"}, "priority"),
        ({"fault_description": "x", "channel": "pigeon"}, "channel"),
        ({"fault_description": "x", "mode": "telepathy"}, "mode"),
        ({"fault_description": "x", "serial": "S" * 61}, "serial"),
        ({"fault_description": "x" * 5001}, "fault_description"),
        ({"fault_description": "x", "contact_phone": "1" * 31}, "contact_phone"),
        ({"fault_description": "x", "serial": None}, "serial"),
    ],
    ids=[
        "missing",
        "blank",
        "int-for-str",
        "list-for-str",
        "object-for-str",
        "str-for-int",
        "float-for-int",
        "huge-int",
        "negative-id",
        "list-for-int",
        "unknown-type",
        "unknown-priority",
        "unknown-channel",
        "unknown-mode",
        "serial-too-long",
        "description-too-long",
        "phone-too-long",
        "null-serial",
    ],
)
def test_service_request_field_errors(people, api_as, body, field):
    # given
    before = counts()

    # when
    response = api_as(people["agent"]).post("/service-requests", body)

    # then
    error = assert_error(response, 422, "validation_error")
    assert field in error["fields"], error
    assert counts() == before


@pytest.mark.parametrize(
    "raw",
    ["[]", '[{"fault_description": "x"}]', '"a string"', "42", "null", "true"],
    ids=["list", "list-of-object", "string", "number", "null", "bool"],
)
def test_a_body_that_is_not_an_object_is_422(people, api_as, raw):
    # given
    before = counts()

    # when
    response = api_as(people["customer_user"]).post("/service-requests", raw=raw)

    # then
    assert_error(response, (400, 422))
    assert counts() == before


@pytest.mark.parametrize(
    "raw", ["0", "false", '""', "[]", "null"], ids=["zero", "false", "empty-string", "list", "null"]
)
def test_a_falsy_body_is_not_taken_for_an_empty_object(people, api_as, raw):
    # given an order and an endpoint whose fields are all optional (a partial update)
    order = services.request_create(
        actor=people["agent"], customer_id=people["customer"].pk, fault_description="Stops."
    )
    version = WorkOrder.objects.get(pk=order.pk).version

    # when
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/assignment", raw=raw)

    # then it is refused, and nothing changed
    assert_error(response, 422)
    assert WorkOrder.objects.get(pk=order.pk).version == version


@pytest.mark.parametrize(
    "raw", ["[]", '"a string"', "42", "null", ""], ids=["list", "string", "number", "null", "empty"]
)
def test_unit_body_that_is_not_an_object_is_4xx(people, api_as, raw):
    # when
    response = api_as(people["customer_user"]).post("/units", raw=raw)

    # then
    assert_error(response, (400, 422))
    assert not Unit.objects.exists()


@pytest.mark.parametrize(
    "path, body, field",
    [
        ("/work-orders/{id}/transitions", {}, "action"),
        ("/work-orders/{id}/transitions", {"action": "assess", "cause": "aliens"}, "cause"),
        ("/work-orders/{id}/transitions", {"action": "acknowledge", "version": "one"}, "version"),
        ("/work-orders/{id}/transitions", {"action": ["acknowledge"]}, "action"),
        ("/work-orders/{id}/assignment", {"assignee_id": "bob"}, "assignee_id"),
        ("/work-orders/{id}/assignment", {"assignee_id": 2**70}, "assignee_id"),
        ("/work-orders/{id}/assignment", {"appointment_at": "next tuesday"}, "appointment_at"),
        ("/work-orders/{id}/quotes", {"lines": []}, "lines"),
        ("/work-orders/{id}/quotes", {"lines": {"description": "x"}}, "lines"),
        ("/work-orders/{id}/quotes", {"lines": [{"description": "x", "unit_price": "free"}]}, "lines.0.unit_price"),
        ("/work-orders/{id}/quotes", {"lines": [{"description": "x", "unit_price": "-5"}]}, "lines.0.unit_price"),
        ("/work-orders/{id}/quotes", {"lines": [{"description": "x", "unit_price": "1e30"}]}, "lines.0.unit_price"),
        ("/work-orders/{id}/quotes", {"lines": [{"description": "x", "unit_price": "NaN"}]}, "lines.0.unit_price"),
        (
            "/work-orders/{id}/quotes",
            {"lines": [{"description": "x", "unit_price": "1", "kind": "bribe"}]},
            "lines.0.kind",
        ),
        ("/work-orders/{id}/report", {"cause": "c", "process": "p", "minutes_spent": "lots"}, "minutes_spent"),
        ("/work-orders/{id}/report", {"cause": "c", "process": "p", "minutes_spent": -1}, "minutes_spent"),
        (
            "/work-orders/{id}/report",
            {"cause": "c", "process": "p", "minutes_spent": 5, "service_date": "2024-02-30"},
            "service_date",
        ),
        ("/work-orders/{id}/acceptance", {"signer_name": "x"}, "signature"),
        ("/work-orders/{id}/replacement", {"ground": "because"}, "ground"),
        ("/quotes/{id}/decision", {"approve": "perhaps"}, "approve"),
        ("/quotes/{id}/decision", {}, "approve"),
    ],
    ids=[
        "no-action",
        "unknown-cause",
        "str-version",
        "list-action",
        "str-assignee",
        "huge-assignee",
        "bad-datetime",
        "no-lines",
        "object-for-list",
        "str-price",
        "negative-price",
        "huge-price",
        "nan-price",
        "unknown-line-kind",
        "str-minutes",
        "negative-minutes",
        "impossible-date",
        "no-signature",
        "unknown-ground",
        "str-bool",
        "no-decision",
    ],
)
def test_order_endpoint_field_errors(people, api_as, path, body, field):
    # given
    order = order_in(Status.IN_SERVICE, agent=people["agent"], customer=people["customer"])
    before = counts()
    method = "put" if path.endswith("/report") else "post"

    # when
    response = getattr(api_as(UserFactory(role="manager")), method)(path.format(id=order.pk), body)

    # then
    error = assert_error(response, 422)
    assert field in error["fields"], error
    assert counts() == before


# --- unknown things and forged ids --------------------------------------------------------


def test_unknown_serial_in_a_request(people, api_as):
    # when
    response = api_as(people["customer_user"]).post(
        "/service-requests", {"fault_description": "x", "serial": "NO-SUCH"}
    )

    # then
    error = assert_error(response, 422, "unknown_serial")
    assert "serial" in error["fields"]
    assert not WorkOrder.objects.exists()


def test_unknown_customer_in_a_request(people, api_as):
    # when
    response = api_as(people["agent"]).post("/service-requests", {"fault_description": "x", "customer_id": 999999})

    # then
    assert_error(response, 422, "unknown_customer")


@pytest.mark.parametrize(
    "serial, status",
    [("NO-SUCH", 404), ("%00", (404, 422)), ("a" * 300, 404), ("SN%20WITH%20SPACE", 404), ("%E4%B8%AD%E6%96%87", 404)],
    ids=["unknown", "nul", "long", "spaces", "chinese"],
)
def test_unknown_serial_warranty_is_4xx(people, api_as, serial, status):
    # when
    response = api_as(people["agent"]).get(f"/units/{serial}/warranty")

    # then
    assert_error(response, status)


def test_a_path_outside_the_api_routes_is_404(people, api_as):
    # when
    response = api_as(people["agent"]).get("/units/..%2F..%2Fetc%2Fpasswd/warranty")

    # then
    assert response.status_code == 404


@pytest.mark.parametrize(
    "order_id",
    [str(2**70), str(2**63), str(2**63 - 1), "-1", "0", "999999999"],
    ids=["2**70", "2**63", "max-bigint", "negative", "zero", "missing"],
)
@pytest.mark.parametrize(
    "method, path, body",
    [
        ("get", "/work-orders/{id}", None),
        ("post", "/work-orders/{id}/transitions", {"action": "acknowledge"}),
        ("post", "/work-orders/{id}/assignment", {}),
        ("put", "/work-orders/{id}/report", {"cause": "c", "process": "p", "minutes_spent": 1}),
        ("post", "/quotes/{id}/decision", {"approve": True}),
        ("post", "/work-orders/{id}/replacement", {"ground": "quality_defect", "new_serial": "x"}),
    ],
    ids=["detail", "transition", "assign", "report", "decision", "replacement"],
)
def test_forged_ids_are_4xx(people, api_as, order_id, method, path, body):
    # given
    before = counts()
    api = api_as(UserFactory(role="manager"))

    # when
    url = path.format(id=order_id)
    response = api.get(url) if method == "get" else getattr(api, method)(url, body)

    # then
    assert_error(response, (404, 422))
    assert counts() == before


@pytest.mark.parametrize("order_id", ["abc", "1.5", "1e3", "0x10", "%20"], ids=["word", "float", "exp", "hex", "space"])
def test_non_numeric_ids_are_4xx(people, api_as, order_id):
    # when
    response = api_as(people["agent"]).get(f"/work-orders/{order_id}")

    # then
    assert 400 <= response.status_code < 500


def test_other_customers_order_id_is_404(people, api_as):
    # given
    theirs = order_in(Status.NEW, agent=people["agent"], customer=people["other"])
    before = counts()

    # when
    api = api_as(people["customer_user"])
    read = api.get(f"/work-orders/{theirs.pk}")
    cancel = api.post(f"/work-orders/{theirs.pk}/transitions", {"action": "cancel", "note": "x"})

    # then
    assert_error(read, 404, "not_found")
    assert_error(cancel, 404, "not_found")
    assert read.json() == api.get("/work-orders/999999").json()
    assert counts() == before


@pytest.mark.parametrize(
    "params",
    [
        {"assignee": "x"},
        {"assignee": str(2**70)},
        {"limit": "0"},
        {"limit": "1000"},
        {"limit": "ten"},
        {"overdue": "perhaps"},
        {"sort": "random"},
        {"q": "x" * 61},
        {"department": "-3"},
    ],
    ids=[
        "str-assignee",
        "huge-assignee",
        "zero-limit",
        "huge-limit",
        "str-limit",
        "str-bool",
        "unknown-sort",
        "long-q",
        "negative-dept",
    ],
)
def test_bad_list_parameters_are_422(people, api_as, params):
    # when
    response = api_as(people["agent"]).get("/work-orders", params)

    # then
    assert_error(response, 422, "validation_error")


@pytest.mark.parametrize(
    "q",
    ["WO²", "WO¹²³", "WO٣", "WO99999999999999999999999", "WO-1", "WO", "wo 12", "%", "'", "--", "\u202e"],
    ids=[
        "superscript",
        "superscripts",
        "arabic-digit",
        "huge",
        "negative",
        "prefix-only",
        "space",
        "percent",
        "quote",
        "dashes",
        "rtl",
    ],
)
def test_odd_searches_never_crash(people, api_as, q):
    # given
    WorkOrderFactory(customer=people["customer"])

    # when
    response = api_as(people["agent"]).get("/work-orders", {"q": q})

    # then
    assert response.status_code == 200, response.content
    assert response.json()["items"] == []


@pytest.mark.parametrize(
    "lines, field",
    [
        ([{"description": "x", "unit_price": "9999999999", "quantity": "99999999"}], "lines.0"),
        ([{"description": "x", "unit_price": "9999999999", "quantity": "2"}], "lines.0"),
        ([{"description": "x", "unit_price": "9999999999"}] * 3, "lines"),
    ],
    ids=["line-overflow", "line-just-over", "total-overflow"],
)
def test_quote_amounts_beyond_the_money_columns_are_422(people, api_as, lines, field):
    # given a paid repair
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], paid=True)
    before = counts()

    # when
    response = api_as(people["agent"]).post(f"/work-orders/{order.pk}/quotes", {"lines": lines})

    # then
    error = assert_error(response, 422)
    assert any(k.startswith(field) for k in error["fields"]), error
    assert counts() == before
    assert not order.quotes.exists()


@pytest.mark.parametrize("value", ["\x00", "abc\x00def"], ids=["nul", "embedded-nul"])
@pytest.mark.parametrize("param", ["q", "status", "priority", "channel", "service_type"], ids=str)
def test_nul_bytes_in_query_parameters_never_crash(people, api_as, param, value):
    # when
    response = api_as(people["agent"]).get("/work-orders", {param: value})

    # then
    assert response.status_code in (200, 400, 422)
    if response.status_code != 200:
        assert_error(response, (400, 422))


def test_too_many_query_fields_is_400(people, api_as):
    # given more fields than Django accepts in one request
    api = api_as(people["agent"])
    query = "&".join(["status=new"] * 1500)

    # when
    response = api.client.get(f"/api/v1/work-orders?{query}", HTTP_AUTHORIZATION=f"Bearer {api.token}")

    # then
    assert_error(response, 400, "bad_request")


# --- dates --------------------------------------------------------------------------------


def test_purchase_date_in_the_future_is_refused(people, api_as):
    # given
    model = ProductModelFactory()
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    # when
    response = api_as(people["customer_user"]).post(
        "/units", {"serial": "F-1", "model": model.code, "purchase_date": tomorrow.isoformat()}
    )

    # then
    error = assert_error(response, 422, "date_in_future")
    assert "purchase_date" in error["fields"]
    assert not Unit.objects.exists()


def test_report_service_date_in_the_future_is_refused(people, api_as):
    # given
    engineer = UserFactory(role="engineer")
    order = order_in(Status.IN_SERVICE, agent=people["agent"], customer=people["customer"], engineer=engineer)
    tomorrow = timezone.localdate() + dt.timedelta(days=1)

    # when
    response = api_as(engineer).put(
        f"/work-orders/{order.pk}/report",
        {"cause": "c", "process": "p", "minutes_spent": 1, "service_date": tomorrow.isoformat()},
    )

    # then
    assert_error(response, 422, "date_in_future")


# --- size ---------------------------------------------------------------------------------


def test_ten_megabytes_of_text_is_refused_clearly(people, api_as):
    # given
    body = json.dumps({"fault_description": "A" * (10 * 1024 * 1024)})

    # when
    response = api_as(people["customer_user"]).post("/service-requests", raw=body)

    # then
    error = assert_error(response, (413, 422))
    assert error["code"] in ("too_large", "validation_error")
    assert not WorkOrder.objects.exists()


def test_ten_megabytes_to_units_is_refused_clearly(people, api_as):
    # when
    response = api_as(people["customer_user"]).post("/units", raw=json.dumps({"serial": "X" * (10 * 1024 * 1024)}))

    # then
    assert_error(response, (413, 422))
    assert not Unit.objects.exists()


def test_long_idempotency_key_is_refused(people, api_as):
    # when
    response = api_as(people["customer_user"]).post(
        "/service-requests", {"fault_description": "x"}, headers={"Idempotency-Key": "k" * 201}
    )

    # then (a bad header, not a bad field: 400, see core/idempotency.py)
    error = assert_error(response, 400, "invalid_idempotency_key")
    assert "Idempotency-Key" in error["fields"]
    assert not WorkOrder.objects.exists()


# --- hostile strings ----------------------------------------------------------------------


@pytest.mark.parametrize("text", HOSTILE, ids=["script", "sql", "sql-quotes", "rtl-override", "templates", "unicode"])
def test_hostile_strings_are_stored_and_returned_verbatim(people, api_as, text):
    # given
    api = api_as(people["customer_user"])

    # when
    response = api.post(
        "/service-requests", {"fault_description": text, "address": text[:300], "preferred_time": text[:100]}
    )

    # then
    assert response.status_code == 201, response.content
    order = WorkOrder.objects.get(pk=response.json()["id"])
    assert (order.fault_description, order.address) == (text, text[:300])
    detail = api.get(f"/work-orders/{order.pk}")
    assert detail["Content-Type"].startswith("application/json")
    assert detail.json()["fault_description"] == text
    assert WorkOrder.objects.count() == 1


def test_hostile_strings_are_escaped_on_the_console_page(people, api_as):
    # given an order with a script in its description
    response = api_as(people["customer_user"]).post("/service-requests", {"fault_description": HOSTILE[0]})
    client = Client()
    client.force_login(people["agent"])

    # when
    page = client.get(f"/console/orders/{response.json()['id']}/")

    # then
    assert page.status_code == 200
    assert b"<script>alert(" not in page.content
    assert b"&lt;script&gt;alert(" in page.content


@pytest.mark.parametrize(
    "body",
    [
        {"fault_description": "before\x00after"},
        {"fault_description": "x", "address": "\x00"},
        {"fault_description": "x", "serial": "SN\x00"},
    ],
    ids=["description", "address", "serial"],
)
def test_nul_bytes_in_a_body_are_refused_on_every_database(people, api_as, body):
    # when
    response = api_as(people["customer_user"]).post("/service-requests", body)

    # then
    assert_error(response, 422, "validation_error")
    assert not WorkOrder.objects.exists()


def test_nul_bytes_in_a_unit_registration_are_refused(people, api_as):
    # given
    model = ProductModelFactory()

    # when
    as_json = api_as(people["customer_user"]).post("/units", {"serial": "A\x00B", "model": model.code})
    client = Client()
    client.force_login(people["customer_user"])
    as_form = client.post("/api/v1/units", {"serial": "C\x00D", "model": model.code})

    # then
    assert_error(as_json, 422)
    assert_error(as_form, 422)
    assert not Unit.objects.exists()


# --- uploads ------------------------------------------------------------------------------


def _upload(user, files, **data):
    client = Client()
    client.force_login(user)
    return client.post("/api/v1/units", {**data, **files}, HTTP_ACCEPT_LANGUAGE="en")


@pytest.mark.parametrize(
    "name, content, code",
    [
        ("invoice.pdf", b"This is only text, renamed to .pdf\n" * 20, "bad_file_type"),
        ("invoice.pdf", b"%PDF-1.4\n1 0 obj <<>> endobj\n", "bad_file_type"),
        ("invoice.pdf", b"MZ\x90\x00\x03" + b"\x00" * 200, "bad_file_type"),
        ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100, "bad_file_type"),
        ("invoice.pdf", b"", None),
        ("invoice.html", b"<html><script>alert(1)</script></html>", "bad_file_type"),
    ],
    ids=["text-as-pdf", "truncated-pdf", "exe-as-pdf", "broken-png", "empty", "html"],
)
def test_fake_files_are_refused(people, name, content, code):
    # given
    model = ProductModelFactory()
    before = counts()

    # when
    response = _upload(
        people["customer_user"], {"proof": SimpleUploadedFile(name, content)}, serial="U-1", model=model.code
    )

    # then
    error = assert_error(response, 422, code)
    assert "proof" in error["fields"]
    assert counts() == before


def test_oversized_upload_is_refused(people):
    # given a small upload limit and a real PDF above it
    set_policy("upload.max_bytes", 1024)
    model = ProductModelFactory()
    big_pdf = pdf_bytes()[:-6] + b" " * 2048 + b"%%EOF\n"

    # when
    response = _upload(
        people["customer_user"], {"proof": SimpleUploadedFile("a.pdf", big_pdf)}, serial="U-2", model=model.code
    )

    # then
    error = assert_error(response, 422, "file_too_large")
    assert "proof" in error["fields"]
    assert not Unit.objects.exists()


def test_ten_megabyte_upload_is_refused(people):
    # given the default limit (5 MB) and a 10 MB "PDF"
    model = ProductModelFactory()
    huge = b"%PDF-1.4\n" + b"0" * (10 * 1024 * 1024) + b"\n%%EOF\n"

    # when
    response = _upload(
        people["customer_user"], {"proof": SimpleUploadedFile("big.pdf", huge)}, serial="U-3", model=model.code
    )

    # then
    assert_error(response, (413, 422))
    assert not Unit.objects.exists()
    assert not Document.objects.exists()


def test_multipart_field_errors(people):
    # when
    response = _upload(
        people["customer_user"], {}, serial="U-4", model=ProductModelFactory().code, purchase_date="31/12/2024"
    )

    # then
    error = assert_error(response, 422, "validation_error")
    assert "purchase_date" in error["fields"]


# --- the language of errors ---------------------------------------------------------------


def test_field_messages_follow_accept_language(people, api_as):
    # given a message Django's own catalogue translates
    with override("zh-hans"):
        chinese = gettext("This field is required.")
    assert chinese != "This field is required."

    # when
    api = api_as(people["customer_user"])
    en = api.post("/service-requests", {}).json()
    zh = api.post("/service-requests", {}, headers={"Accept-Language": "zh-hans"}).json()

    # then
    assert en["fields"]["fault_description"] == ["This field is required."]
    assert zh["fields"]["fault_description"] == [chinese]


@pytest.mark.parametrize(
    "call",
    ["validation", "not_found", "unauthenticated", "conflict"],
    ids=str,
)
def test_error_messages_are_translated(people, api_as, call):
    # given (passes once the project's zh-Hans catalogue is compiled)
    order = order_in(
        Status.CLOSED, agent=people["agent"], customer=people["customer"], engineer=UserFactory(role="engineer")
    )

    def send(lang):
        api = api_as(people["agent"])
        headers = {"Accept-Language": lang}
        if call == "validation":
            return api.post("/service-requests", {}, headers=headers)
        if call == "not_found":
            return api.get("/work-orders/999999", headers=headers)
        if call == "conflict":
            return api.post(f"/work-orders/{order.pk}/transitions", {"action": "acknowledge"}, headers=headers)
        return Client().get("/api/v1/work-orders", HTTP_ACCEPT_LANGUAGE=lang)

    # when
    en, zh = send("en").json(), send("zh-hans").json()

    # then
    assert en["code"] == zh["code"]
    assert en["message"] != zh["message"]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in zh["message"])
