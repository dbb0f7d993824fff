"""``/api/v1/complaints``: every endpoint, bad input, scope, idempotency, query counts."""

import datetime as dt
from types import SimpleNamespace

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from complaints.models import Complaint, ComplaintEvent
from complaints.tests.flow import NOTICE, complaint_in
from service.tests.flow import order_in
from tests.factories import CustomerFactory, DepartmentFactory, UnitFactory, UserFactory


@pytest.fixture
def team(db):
    desk = DepartmentFactory(code="problem-handling")
    customer_user = UserFactory(role="customer")
    return SimpleNamespace(
        agent=UserFactory(role="agent"),
        engineer=UserFactory(role="engineer"),
        handler=UserFactory(role="complaint_handler", department=desk),
        customer_user=customer_user,
        customer=CustomerFactory(user=customer_user),
        other=CustomerFactory(user=UserFactory(role="customer")),
    )


def body(team, **kw):
    return {"customer_id": team.customer.pk, "channel": "phone", "description": "安装师傅迟到两小时。", **kw}


def test_staff_file_a_complaint_with_its_clocks_in_the_work_order_shape(team, api_as):
    api = api_as(team.agent)
    received = (timezone.localtime() - dt.timedelta(hours=2)).replace(microsecond=0)
    r = api.post("/complaints", body(team, received_at=received.isoformat(), category="service"))
    assert r.status_code == 201, r.content
    data = r.json()
    assert (data["status"], data["channel"], data["category"]) == ("new", "phone", "service")
    assert dt.datetime.fromisoformat(data["received_at"]) == received
    assert {c["clock"] for c in data["clocks"]} == {"acknowledge", "classify", "resolution"}
    # the same keys as a work order's clocks (sla.schemas.ClockOut)
    order = order_in("new", agent=team.agent, customer=team.customer)
    wo = api.get(f"/work-orders/{order.pk}").json()
    assert set(data["clocks"][0]) == set(wo["clocks"][0])
    assert [a["action"] for a in data["actions"]] == ["acknowledge"]


def test_idempotency_key_returns_the_same_complaint(team, api_as):
    api = api_as(team.agent)
    first = api.post("/complaints", body(team), headers={"Idempotency-Key": "cp-1"})
    again = api.post("/complaints", body(team), headers={"Idempotency-Key": "cp-1"})
    assert first.status_code == again.status_code == 201
    assert first.json()["id"] == again.json()["id"] and Complaint.objects.count() == 1
    other = api.post("/complaints", body(team, description="另一件事"), headers={"Idempotency-Key": "cp-1"})
    assert other.status_code in (409, 422) and Complaint.objects.count() == 1


@pytest.mark.parametrize(
    "change",
    [
        {"channel": "fax"},
        {"channel": "refused_acceptance"},
        {"description": ""},
        {"description": "x" * 5001},
        {"customer_id": "abc"},
        {"customer_id": 0},
        {"received_at": "2999-01-01T00:00:00"},
        {"received_at": "not a date"},
        {"order_id": 10**12},
        {"serial": "NO-SUCH-SERIAL"},
        {"category": "nonsense"},
    ],
)
def test_bad_input_is_a_4xx_and_files_nothing(team, api_as, change):
    r = api_as(team.agent).post("/complaints", body(team, **change))
    assert 400 <= r.status_code < 500, r.content
    assert not Complaint.objects.exists()


def test_a_future_receipt_is_refused_with_its_code(team, api_as):
    future = (timezone.now() + dt.timedelta(hours=1)).isoformat()
    r = api_as(team.agent).post("/complaints", body(team, received_at=future))
    assert r.status_code == 422 and r.json()["code"] == "received_in_future"


def test_malformed_json_is_a_400(team, api_as):
    r = api_as(team.agent).post("/complaints", raw="{not json")
    assert r.status_code in (400, 422)


def test_a_customer_files_for_itself_only_and_sees_its_own(team, api_as):
    api = api_as(team.customer_user)
    own = api.post("/complaints", body(team, channel="api"))
    assert own.status_code == 201, own.content
    assert api.post("/complaints", body(team, channel="api", customer_id=team.other.pk)).status_code == 404
    theirs = complaint_in("new", handler=team.handler, customer=team.other)
    assert api.get(f"/complaints/{theirs.pk}").status_code == 404
    ids = [c["id"] for c in api.get("/complaints").json()["items"]]
    assert ids == [own.json()["id"]]
    # a customer takes no actions
    r = api.post(f"/complaints/{own.json()['id']}/transitions", {"action": "acknowledge"})
    assert r.status_code in (403, 404)


def test_unit_and_order_are_linked_by_serial_and_id(team, api_as):
    unit = UnitFactory(owner=team.customer)
    order = order_in("new", agent=team.agent, customer=team.customer)
    r = api_as(team.agent).post("/complaints", body(team, serial=unit.serial, order_id=order.pk))
    assert r.status_code == 201, r.content
    assert (r.json()["serial"], r.json()["order_id"]) == (unit.serial, order.pk)
    foreign = order_in("new", agent=team.agent, customer=team.other)
    assert api_as(team.agent).post("/complaints", body(team, order_id=foreign.pk)).status_code == 422


def test_forged_ids_are_404(team, api_as):
    api = api_as(team.handler)
    for path in ("/complaints/999999", "/complaints/99999999999999999999"):
        assert api.get(path).status_code in (404, 422)
    assert api.post("/complaints/999999/transitions", {"action": "acknowledge"}).status_code == 404
    assert api.post("/complaints/999999/extension", {"reason": "x", "extra": 1}).status_code == 404
    assert api_as(team.engineer).get("/complaints").json()["items"] == []


def test_transitions_classify_resolve_close_with_version(team, api_as):
    api = api_as(team.handler)
    c = complaint_in("acknowledged", handler=team.handler, customer=team.customer)
    stale = api.post(f"/complaints/{c.pk}/transitions", {"action": "classify", "category": "other", "version": 1})
    assert stale.status_code == 409 and stale.json()["code"] == "stale_version"
    r = api.post(
        f"/complaints/{c.pk}/transitions",
        {"action": "classify", "category": "product_quality", "major": True, "version": c.version},
    )
    assert r.status_code == 200, r.content
    data = r.json()
    assert (data["status"], data["owner"]["id"], data["major"]) == ("classified", team.handler.pk, True)
    api.post(f"/complaints/{c.pk}/transitions", {"action": "investigate"})
    missing = api.post(f"/complaints/{c.pk}/transitions", {"action": "resolve"})
    assert missing.status_code == 422 and set(missing.json()["fields"]) >= {"measures", "result", "follow_up"}
    r = api.post(f"/complaints/{c.pk}/transitions", {"action": "resolve", **NOTICE})
    assert r.status_code == 200 and r.json()["result"] == NOTICE["result"]
    assert api.post(f"/complaints/{c.pk}/transitions", {"action": "close"}).json()["status"] == "closed"
    assert api.post(f"/complaints/{c.pk}/transitions", {"action": "fly"}).status_code == 422
    assert api.post(f"/complaints/{c.pk}/transitions", {"action": "close"}).status_code == 409


def test_extension_needs_a_reason_and_a_running_clock(team, api_as):
    api = api_as(team.handler)
    c = complaint_in("investigating", handler=team.handler, customer=team.customer)
    assert api.post(f"/complaints/{c.pk}/extension", {"reason": "", "extra": 2}).status_code == 422
    assert api.post(f"/complaints/{c.pk}/extension", {"reason": "x", "clock": "nope", "extra": 2}).status_code == 404
    assert (
        api.post(f"/complaints/{c.pk}/extension", {"reason": "x", "clock": "classify", "extra": 2}).status_code == 409
    )
    r = api.post(f"/complaints/{c.pk}/extension", {"reason": "等待检测报告", "extra": 2})
    assert r.status_code == 200, r.content
    assert r.json()["clock"] == "resolution" and r.json()["extension_reason"] == "等待检测报告"
    assert ComplaintEvent.objects.filter(complaint=c, action="sla_extended").exists()
    assert api_as(team.engineer).post(f"/complaints/{c.pk}/extension", {"reason": "x", "extra": 1}).status_code in (
        403,
        404,
    )


def test_list_filters_and_keyset_pages(team, api_as):
    api = api_as(team.handler)
    a = complaint_in("classified", handler=team.handler, customer=team.customer)
    b = complaint_in("new", handler=team.handler, customer=team.other)
    c = complaint_in("closed", handler=team.handler, customer=team.customer)

    def ids(**params):
        r = api.get("/complaints", params)
        assert r.status_code == 200, r.content
        return [x["id"] for x in r.json()["items"]]

    assert ids() == [c.pk, b.pk, a.pk]
    assert ids(status="new") == [b.pk]
    assert ids(customer=team.customer.pk) == [c.pk, a.pk]
    assert ids(owner=team.handler.pk) == [c.pk, a.pk]
    assert ids(category="service") == [c.pk, a.pk]
    Complaint.objects.filter(pk=b.pk).update(due_at=timezone.now() - dt.timedelta(minutes=5))
    assert ids(overdue="true") == [b.pk]
    today = timezone.localdate().isoformat()
    assert ids(received_from=today, received_to=today) == [c.pk, b.pk, a.pk]
    assert ids(received_to="2001-01-01") == []
    first = api.get("/complaints", {"limit": 2}).json()
    second = api.get("/complaints", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert [x["id"] for x in first["items"] + second["items"]] == [c.pk, b.pk, a.pk]
    assert second["next_cursor"] is None
    for bad in ({"cursor": "garbage"}, {"status": "nope"}, {"limit": 0}, {"received_from": "1900-01-01"}):
        assert 400 <= api.get("/complaints", bad).status_code < 500


def test_the_list_costs_the_same_queries_for_one_or_many(team, api_as):
    api = api_as(team.handler)
    complaint_in("classified", handler=team.handler, customer=team.customer)
    api.get("/complaints")  # warm the token and caches

    def count():
        with CaptureQueriesContext(connection) as ctx:
            assert api.get("/complaints").status_code == 200
        return len(ctx.captured_queries)

    one = count()
    for _ in range(6):
        complaint_in("investigating", handler=team.handler, customer=team.other)
    assert count() == one <= 6


def test_the_detail_costs_a_fixed_number_of_queries(team, api_as):
    api = api_as(team.handler)
    c = complaint_in("investigating", handler=team.handler, customer=team.customer)
    api.get(f"/complaints/{c.pk}")
    with CaptureQueriesContext(connection) as ctx:
        assert api.get(f"/complaints/{c.pk}").status_code == 200
    assert len(ctx.captured_queries) <= 8
