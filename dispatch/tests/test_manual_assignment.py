"""Every assignment path checks the same rules: the console's form, the API and the service;
a supervisor may override them with a recorded reason (docs/dispatch.md)."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from core.models import AuditLog
from service.choices import Status
from service.models import WorkOrder
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def setting():
    agent, supervisor = UserFactory(role="agent"), UserFactory(role="supervisor")
    north = UserFactory(role="engineer", dispatch={"regions": ["北京市"]})
    south = UserFactory(role="engineer", dispatch={"regions": ["广东省"]})
    order = order_in(Status.ASSESSED, agent=agent, customer=CustomerFactory(region="广东省"))
    return agent, supervisor, north, south, order


def snapshot(order):
    order = WorkOrder.objects.get(pk=order.pk)
    return (order.assignee_id, order.appointment_at, order.version, order.events.count())


def test_the_api_refuses_an_engineer_who_breaks_a_rule_and_changes_nothing(api_as, setting):
    agent, _supervisor, north, south, order = setting
    before = snapshot(order)
    r = api_as(agent).post(f"/work-orders/{order.pk}/assignment", {"assignee_id": north.pk})
    assert r.status_code == 422
    assert r.json()["code"] == "not_eligible"
    assert "广东省" in r.json()["fields"]["assignee_id"][0]
    assert snapshot(order) == before
    # an eligible one is fine
    assert api_as(agent).post(f"/work-orders/{order.pk}/assignment", {"assignee_id": south.pk}).status_code == 200


def test_an_agent_cannot_override_even_with_a_reason(api_as, setting):
    agent, _supervisor, north, _south, order = setting
    before = snapshot(order)
    body = {"assignee_id": north.pk, "reason": "He is nearby today."}
    assert api_as(agent).post(f"/work-orders/{order.pk}/assignment", body).json()["code"] == "not_eligible"
    assert snapshot(order) == before


def test_a_supervisor_overrides_with_a_reason_that_is_recorded(api_as, setting):
    _agent, supervisor, north, _south, order = setting
    api = api_as(supervisor)
    # without a reason: asked for one, nothing changed
    before = snapshot(order)
    r = api.post(f"/work-orders/{order.pk}/assignment", {"assignee_id": north.pk})
    assert r.status_code == 422 and r.json()["code"] == "reason_required" and "reason" in r.json()["fields"]
    assert snapshot(order) == before
    # with one: assigned, and the event and the audit row say which rules were overridden and why
    r = api.post(f"/work-orders/{order.pk}/assignment", {"assignee_id": north.pk, "reason": "Only he has the part."})
    assert r.status_code == 200
    event = WorkOrder.objects.get(pk=order.pk).events.get(action="assign")
    assert event.payload["override"] == {"rules": ["area"], "reason": "Only he has the part."}
    assert event.note == "Only he has the part."
    assert AuditLog.objects.filter(action="assign", object_id=str(order.pk)).exists()


def test_the_console_form_refuses_too(client, setting):
    agent, _supervisor, north, _south, order = setting
    client.force_login(agent)
    before = snapshot(order)
    r = client.post(
        reverse("service:assign", args=[order.pk]), {"assignee": north.pk, "version": order.version}, follow=True
    )
    assert snapshot(order) == before
    assert "广东省" in r.content.decode()


def test_a_new_time_is_checked_against_the_engineers_hours(api_as, setting):
    agent, _supervisor, _north, _south, order = setting
    office = UserFactory(role="engineer", dispatch={"shifts": [(d, "09:00", "17:00") for d in range(7)]})
    api = api_as(agent)
    late_evening = timezone.localtime().replace(hour=20, minute=0, second=0, microsecond=0) + dt.timedelta(days=1)
    r = api.post(
        f"/work-orders/{order.pk}/assignment",
        {"assignee_id": office.pk, "appointment_at": late_evening.isoformat(), "reason": "x"},
    )
    assert r.status_code == 422 and r.json()["code"] == "not_eligible"
    assert "Off duty" in r.json()["fields"]["assignee_id"][0]


def test_eligible_engineers_lists_everyone_with_reasons(api_as, setting):
    agent, _supervisor, north, south, order = setting
    UserFactory(role="engineer", dispatch=False)  # no profile: listed, never eligible
    r = api_as(agent).get(f"/work-orders/{order.pk}/eligible-engineers")
    assert r.status_code == 200
    rows = r.json()["engineers"]
    assert rows[0]["id"] == south.pk and rows[0]["eligible"] is True
    verdict = {row["id"]: row for row in rows}
    assert verdict[north.pk]["eligible"] is False
    assert [x["rule"] for x in verdict[north.pk]["reasons"] if not x["ok"]] == ["area"]
    assert any(not row["eligible"] and row["reasons"][0]["rule"] == "active" for row in rows)


@pytest.mark.parametrize("role", ["engineer", "customer", "finance"])
def test_eligible_engineers_is_for_those_who_assign(api_as, setting, role):
    order = setting[-1]
    r = api_as(UserFactory(role=role)).get(f"/work-orders/{order.pk}/eligible-engineers")
    assert r.status_code in (403, 404)


def test_eligible_engineers_in_chinese(api_as, setting):
    agent, _s, north, _south, order = setting
    r = api_as(agent).get(f"/work-orders/{order.pk}/eligible-engineers", headers={"Accept-Language": "zh-hans"})
    verdict = {row["id"]: row for row in r.json()["engineers"]}
    assert "不负责" in verdict[north.pk]["reasons"][0]["message"]


def test_intake_stores_the_site_and_the_console_links_to_it_in_both_datums(api_as, client):
    from tests.factories import UnitFactory

    agent = UserFactory(role="agent")
    unit = UnitFactory()
    body = {"fault_description": "Stops.", "serial": unit.serial, "address": "上海市浦东新区世纪大道1号"}
    r = api_as(agent).post("/service-requests", body | {"site_lat": 31.1774276, "site_lng": 121.5272106})
    assert r.status_code == 201, r.json()
    order = WorkOrder.objects.get(pk=r.json()["id"])
    assert (float(order.site_lat), float(order.site_lng)) == (31.177428, 121.527211)
    # half a pair is refused
    bad = api_as(agent).post("/service-requests", body | {"site_lat": 31.1})
    assert bad.status_code == 422 and bad.json()["code"] == "bad_location"
    # a coordinate that is not a number (true/false, a string) is refused, not read as 0 or 1
    # (found by the API fuzzing: "site_lng": false was accepted as 0.0)
    count = WorkOrder.objects.count()
    for value in (False, True, "121.5"):
        wrong = api_as(agent).post("/service-requests", body | {"site_lat": 31.1, "site_lng": value})
        assert wrong.status_code == 422, (value, wrong.json())
    assert WorkOrder.objects.count() == count
    # the revealed address links to Amap at the GCJ-02 point and to Baidu at the BD-09 point
    supervisor = UserFactory(role="supervisor")
    client.force_login(supervisor)
    page = client.post(reverse("service:contact_reveal", args=[order.pk]), follow=True).content.decode()
    assert "to=121.531542,31.175304" in page
    assert "coord_type=bd09ll" in page
