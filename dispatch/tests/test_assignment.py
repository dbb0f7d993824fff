"""Automatic assignment at intake (SPEC §4) and the engineers' load counters."""

import datetime as dt

import pytest
from django.utils import timezone

from core.policies import set_policy
from dispatch.eligibility import Job
from dispatch.models import Certificate, CertificateKind, CertificateRequirement
from dispatch.services import engineer_pick
from products.models import ProductLine
from service.models import WorkOrder, WorkOrderEvent
from service.services import request_create, work_order_assign, work_order_transition
from service.tasks import engineer_loads_recount
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    ProductLineFactory,
    ProductModelFactory,
    UnitFactory,
    UserFactory,
    engineer_profile,
)

pytestmark = pytest.mark.django_db


def engineer(name, *, regions="", lines="", load=0, capacity=None, team=None, certificate=None, **kw):
    """An engineer taking automatic assignments: ``regions`` and ``lines`` (product-line codes)
    comma-separated, empty for every one; ``certificate``: the expiry of a 上岗证 they hold."""
    user = UserFactory(
        username=name, role="engineer", department=team or DepartmentFactory(code="field"), dispatch=False
    )
    codes = [c for c in lines.split(",") if c]
    skills = [
        (
            ProductLineFactory(code=c, name=c)
            if not ProductLine.objects.filter(code=c).exists()
            else ProductLine.objects.get(code=c),
            "",
            2,
        )
        for c in codes
    ] or [(None, "", 2)]
    profile = engineer_profile(
        user,
        regions=[r for r in regions.split(",") if r],
        skills=skills,
        auto_assign=kw.pop("auto_assign", True),
        capacity=capacity,
        team=team,
        open_orders=load,
        **kw,
    )
    if certificate is not None:
        kind, _ = CertificateKind.objects.get_or_create(code="qualification", defaults={"name": "上岗证"})
        Certificate.objects.create(profile=profile, kind=kind, valid_until=certificate)
    return profile


def file_request(region="广东省", line="home"):
    customer = CustomerFactory(region=region)
    product_line = ProductLine.objects.filter(code=line).first() or ProductLineFactory(code=line, name=line)
    unit = UnitFactory(owner=customer, model=ProductModelFactory(line=product_line))
    return request_create(actor=UserFactory(role="agent"), fault_description="Stops.", serial=unit.serial)


def test_the_least_loaded_eligible_engineer_gets_the_order():
    # given three engineers with different loads
    engineer("busy", load=5)
    quiet = engineer("quiet", load=1)
    engineer("middle", load=3)

    # when a request comes in
    order = file_request()

    # then the quietest engineer has it, their load went up, and the timeline says so
    assert order.assignee_id == quiet.pk
    quiet.refresh_from_db()
    assert quiet.open_orders == 2 and quiet.last_assigned_at is not None
    event = WorkOrderEvent.objects.get(order=order, action="assign")
    assert event.payload == {
        "assignee": quiet.pk,
        "appointment_at": None,
        "auto": True,
        "rules": ["area", "skill", "shift", "capacity"],  # the rules that held ("why this engineer")
    }
    assert order.status == "new" and order.version == 1


def test_ties_go_round_robin():
    # given two engineers with the same load
    a, b = engineer("a"), engineer("b")
    # when four requests come in
    assignees = [file_request().assignee_id for _ in range(4)]
    # then they alternate (fewest open orders, then the one assigned longest ago)
    assert assignees == [a.pk, b.pk, a.pk, b.pk]


@pytest.mark.parametrize(
    "profile, eligible",
    [
        ({"regions": "广东省,广西"}, True),
        ({"regions": "北京市"}, False),
        ({"regions": "广东"}, False),  # a whole item, not a prefix
        ({"lines": "home,camera"}, True),
        ({"lines": "production-line"}, False),
        ({"certificate": dt.date(2000, 1, 1)}, False),  # the work needs it (see below): expired
        ({"certificate": dt.date(2999, 1, 1)}, True),
        ({}, False),  # the work needs a certificate the engineer does not hold
        ({"auto_assign": False}, False),
        ({"load": 3, "capacity": 3}, False),
        ({"load": 2, "capacity": 3}, True),
        ({"load": 20}, False),  # the default capacity (dispatch.max_open_orders = 20)
        ({"load": 19}, True),
    ],
    ids=lambda v: str(v),
)
def test_who_is_eligible(profile, eligible):
    # given one engineer with this profile, and work on "home" products that needs a 上岗证
    # when the profile speaks of certificates
    p = engineer("only", **profile)
    if "certificate" in profile or not profile:
        kind, _ = CertificateKind.objects.get_or_create(code="qualification", defaults={"name": "上岗证"})
        CertificateRequirement.objects.create(kind=kind, product_line=ProductLineFactory(code="home", name="home"))
    # when a request from 广东省 for a "home" product comes in
    order = file_request(region="广东省", line="home")
    # then it is assigned to them exactly when they are eligible
    assert (order.assignee_id == p.pk) is eligible


def test_an_inactive_engineer_is_not_picked():
    p = engineer("gone")
    p.user.is_active = False
    p.user.save()
    assert file_request().assignee_id is None


def test_nobody_eligible_leaves_the_order_unassigned_without_an_assign_event():
    engineer("north", regions="北京市")
    order = file_request(region="广东省")
    assert order.assignee_id is None and order.department_id is None
    assert not WorkOrderEvent.objects.filter(order=order, action="assign").exists()


def test_the_order_goes_to_the_engineers_team():
    # given an engineer whose profile names a team, and one who has only a department
    team = DepartmentFactory(code="south-team")
    p = engineer("south", team=team)
    order = file_request()
    assert (order.assignee_id, order.department_id) == (p.pk, team.pk)
    p.auto_assign = False
    p.save()
    q = engineer("plain", team=None)
    order = file_request()
    assert (order.assignee_id, order.department_id) == (q.pk, q.user.department_id)


def test_automatic_assignment_can_be_switched_off_and_capacity_set():
    p = engineer("e", load=5)
    set_policy("dispatch.auto_assign", False)
    assert file_request().assignee_id is None
    set_policy("dispatch.auto_assign", True)
    set_policy("dispatch.max_open_orders", 5)
    assert file_request().assignee_id is None
    set_policy("dispatch.max_open_orders", 6)
    assert file_request().assignee_id == p.pk


def test_the_pick_books_the_engineer_so_capacity_is_never_exceeded():
    # given one engineer with room for two more
    p = engineer("e", load=1, capacity=3)
    now = timezone.now()
    # when three picks are made in a row
    picks = [engineer_pick(Job(region="广东省"), now=now) for _ in range(3)]
    # then only two were booked
    assert [bool(x) for x in picks] == [True, True, False]
    p.refresh_from_db()
    assert p.open_orders == 3


def test_load_follows_reassignment_and_the_end_of_the_order():
    # given an auto-assigned order
    a, b = engineer("a"), engineer("b", load=1)
    order = file_request()
    assert order.assignee_id == a.pk
    supervisor = UserFactory(role="supervisor")

    # when a supervisor hands it to b, then the order is cancelled
    work_order_assign(order_id=order.pk, actor=supervisor, assignee_id=b.pk)
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.open_orders, b.open_orders) == (0, 2)
    work_order_transition(order_id=order.pk, action="cancel", actor=supervisor, note="Duplicate.")

    # then b's load drops back
    b.refresh_from_db()
    assert b.open_orders == 1


def test_the_recount_repairs_drift():
    # given counters that disagree with the orders
    a = engineer("a", load=7)
    b = engineer("b", load=0)
    for _ in range(2):
        file_request()  # b gets the first, then b again (a is loaded)
    WorkOrder.objects.filter(assignee_id=b.pk).update(assignee_id=a.pk)

    # when the periodic recount runs
    assert engineer_loads_recount() == 2

    # then every counter equals the open orders assigned
    a.refresh_from_db(), b.refresh_from_db()
    assert (a.open_orders, b.open_orders) == (2, 0)


def test_engineer_sees_the_order_assigned_to_them(api_as):
    p = engineer("e")
    order = file_request()
    r = api_as(p.user).get(f"/work-orders/{order.pk}")
    assert r.status_code == 200 and r.json()["assignee"]["id"] == p.pk


def test_the_intake_response_shows_the_assignment_and_the_warranty_check(api_as):
    p = engineer("e")
    unit = UnitFactory(owner=CustomerFactory(region="广东省"))
    r = api_as(UserFactory(role="agent")).post("/service-requests", {"fault_description": "x", "serial": unit.serial})
    assert r.status_code == 201, r.json()
    body = r.json()
    assert body["assignee"]["id"] == p.pk
    assert [e["action"] for e in body["events"]] == ["create", "assign"]
    warranty = body["events"][0]["payload"]["warranty"]
    assert warranty["in_period"] is True and warranty["until"] > timezone.localdate().isoformat()
