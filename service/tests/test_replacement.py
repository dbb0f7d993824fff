"""Replacement and return under warranty: the service and its endpoint."""

import datetime as dt

import pytest

from core.errors import Conflict, Forbidden, ValidationFailed
from core.models import AuditLog
from core.policies import set_policy
from products.models import Unit
from service.choices import Status
from service.models import Replacement, WorkOrderEvent
from service.replacement import ReplacementGround as G
from service.services.replacement import prior_repairs_in_warranty, replacement_create
from service.tests.flow import order_in
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "manager": UserFactory(role="manager"),
        "customer": CustomerFactory(),
    }


def _unit_with_repairs(people, repairs: int) -> Unit:
    """A unit in warranty with ``repairs`` finished warranty repairs (each a resolved order with a report)."""
    unit = UnitFactory(owner=people["customer"], colour="white")
    for _ in range(repairs):
        order_in(
            Status.RESOLVED, agent=people["agent"], customer=people["customer"], unit=unit, engineer=people["engineer"]
        )
    return unit


def _state(unit: Unit, order) -> dict:
    unit.refresh_from_db()
    return {
        "unit": (unit.status, unit.replaced_by_id),
        "units": Unit.objects.count(),
        "replacements": Replacement.objects.count(),
        "events": WorkOrderEvent.objects.filter(order=order).count(),
        "audit": AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
    }


def _expected(ground, in_warranty, prior, required) -> bool:
    if not in_warranty:
        return False
    if prior >= 2:  # the Three Guarantees owe an exchange after two repairs of the same fault, whatever the ground
        return True
    return {
        G.QUALITY_DEFECT: True,
        G.REPAIR_CAUSED_LOSS: prior >= 1,
        G.FAULT_PERSISTS: prior >= required,
        G.SPECIAL: False,
    }[ground]


@pytest.mark.parametrize("required", [1, 2], ids=["policy-1", "policy-2"])
@pytest.mark.parametrize("prior", [0, 1, 2], ids=["0-repairs", "1-repair", "2-repairs"])
@pytest.mark.parametrize("in_warranty", [True, False], ids=["in-warranty", "expired"])
@pytest.mark.parametrize("ground", list(G), ids=[g.value for g in G])
def test_replacement_follows_the_rule_and_the_policy(people, ground, in_warranty, prior, required):
    # given a unit with ``prior`` warranty repairs, the policy, and a new order on it
    set_policy("replacement.prior_repairs", required)
    unit = _unit_with_repairs(people, prior)
    if not in_warranty:
        Unit.objects.filter(pk=unit.pk).update(sale_date=dt.date(2015, 1, 1))
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    before = _state(unit, order)
    allowed = _expected(ground, in_warranty, prior, required)

    # when
    try:
        replacement = replacement_create(order_id=order.pk, actor=people["agent"], ground=ground, new_serial="NEW-0001")
    except Conflict as exc:
        replacement, error = None, exc
    else:
        error = None

    # then
    assert (replacement is not None) is allowed
    if allowed:
        assert replacement.prior_repairs == prior
        assert _state(unit, order)["unit"] == (Unit.Status.RETURNED, replacement.new_unit_id)
    else:
        assert error.code.startswith("replacement_")
        assert _state(unit, order) == before


def test_replacement_marks_the_old_unit_returned_and_records_the_new_one(people):
    # given
    unit = _unit_with_repairs(people, 0)
    other_model = ProductModelFactory()
    order = order_in(Status.IN_SERVICE, agent=people["agent"], customer=people["customer"], unit=unit)

    # when
    replacement = replacement_create(
        order_id=order.pk,
        actor=people["agent"],
        ground=G.QUALITY_DEFECT,
        new_serial=" NEW-0042 ",
        new_model_code=other_model.code,
        new_colour="graphite",
    )

    # then the old unit was collected
    unit.refresh_from_db()
    assert unit.status == Unit.Status.RETURNED
    new = replacement.new_unit
    assert unit.replaced_by_id == new.pk
    # and the new unit's serial, model and colour are recorded, owned by the customer, same warranty start
    assert (new.serial, new.model_id, new.colour, new.owner_id) == (
        "NEW-0042",
        other_model.pk,
        "graphite",
        people["customer"].pk,
    )
    assert (new.sale_date, new.purchase_date) == (unit.sale_date, unit.purchase_date)
    assert (replacement.new_serial, replacement.new_model_id, replacement.new_colour) == (
        "NEW-0042",
        other_model.pk,
        "graphite",
    )
    assert replacement.created_by_id == people["agent"].pk
    # and one event on the order, audit rows for both units and the replacement
    event = WorkOrderEvent.objects.filter(order=order).last()
    assert (event.action, event.actor_id, event.from_status, event.to_status) == (
        "replace",
        people["agent"].pk,
        "in_service",
        "in_service",
    )
    assert event.payload == {
        "ground": "quality_defect",
        "new_serial": " NEW-0042 ",
        "is_return": False,
        "entitled": ["repair"],
    }
    audited = set(AuditLog.objects.filter(actor=people["agent"]).values_list("object_type", "object_id", "action"))
    assert {
        ("products.unit", str(new.pk), "create"),
        ("products.unit", str(unit.pk), "update"),
        ("service.replacement", str(replacement.pk), "create"),
    } <= audited
    old_row = AuditLog.objects.get(object_type="products.unit", object_id=str(unit.pk), action="update")
    assert old_row.before == {"status": "active", "replaced_by_id": None}
    assert old_row.after == {"status": "returned", "replaced_by_id": new.pk}


def test_new_unit_keeps_the_model_when_none_is_given(people):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)

    # when
    replacement = replacement_create(
        order_id=order.pk, actor=people["agent"], ground=G.QUALITY_DEFECT, new_serial="NEW-7"
    )

    # then
    assert replacement.new_unit.model_id == unit.model_id


def test_return_takes_the_unit_back_without_a_new_one(people):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    units_before = Unit.objects.count()

    # when
    replacement = replacement_create(order_id=order.pk, actor=people["agent"], ground=G.QUALITY_DEFECT, is_return=True)

    # then
    unit.refresh_from_db()
    assert (unit.status, unit.replaced_by_id) == (Unit.Status.RETURNED, None)
    assert (replacement.is_return, replacement.new_unit_id) == (True, None)
    assert Unit.objects.count() == units_before


def test_special_case_with_a_managers_approval(people):
    # given an expired unit: only a special case can replace it
    unit = _unit_with_repairs(people, 0)
    Unit.objects.filter(pk=unit.pk).update(sale_date=dt.date(2015, 1, 1))
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)

    # when
    replacement = replacement_create(
        order_id=order.pk,
        actor=people["manager"],
        ground=G.SPECIAL,
        new_serial="NEW-9",
        manager_approved=True,
        approval_reason="Goodwill for a key customer.",
    )

    # then the approval, its reason and what the rules owed are recorded and audited
    assert replacement.approved_by_id == people["manager"].pk
    assert (replacement.override_reason, replacement.entitled) == ("Goodwill for a key customer.", [])
    event = WorkOrderEvent.objects.get(order=order, action="replace")
    assert (event.payload["approved_by_manager"], event.payload["approval_reason"]) == (
        True,
        "Goodwill for a key customer.",
    )
    assert AuditLog.objects.filter(action="create", object_type="service.replacement").exists()


def test_a_managers_override_needs_a_reason(people):
    # given an expired unit
    unit = _unit_with_repairs(people, 0)
    Unit.objects.filter(pk=unit.pk).update(sale_date=dt.date(2015, 1, 1))
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    before = _state(unit, order)

    # when / then
    with pytest.raises(ValidationFailed) as exc:
        replacement_create(
            order_id=order.pk, actor=people["manager"], ground=G.SPECIAL, new_serial="N", manager_approved=True
        )
    assert exc.value.code == "approval_reason_required"
    assert _state(unit, order) == before


def test_only_a_manager_can_approve_a_special_case(people):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    before = _state(unit, order)

    # when / then
    with pytest.raises(Forbidden):
        replacement_create(
            order_id=order.pk, actor=people["agent"], ground=G.SPECIAL, new_serial="N", manager_approved=True
        )
    assert _state(unit, order) == before


def test_special_case_without_approval_is_refused(people):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    before = _state(unit, order)

    # when
    with pytest.raises(Conflict) as exc:
        replacement_create(order_id=order.pk, actor=people["manager"], ground=G.SPECIAL, new_serial="N")

    # then
    assert exc.value.code == "replacement_needs_manager_approval"
    assert _state(unit, order) == before


@pytest.mark.parametrize("role", ["engineer", "analyst", "finance", "quality", "complaint_handler"], ids=str)
def test_roles_without_the_capability_cannot_replace(people, role):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(
        Status.SCHEDULED, agent=people["agent"], customer=people["customer"], unit=unit, engineer=people["engineer"]
    )
    actor = people["engineer"] if role == "engineer" else UserFactory(role=role)
    before = _state(unit, order)

    # when / then (the engineer is the order's own: they see it, but may not replace)
    with pytest.raises(Forbidden):
        replacement_create(order_id=order.pk, actor=actor, ground=G.QUALITY_DEFECT, new_serial="N")
    assert _state(unit, order) == before


def test_a_unit_cannot_be_replaced_twice(people):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    replacement_create(order_id=order.pk, actor=people["agent"], ground=G.QUALITY_DEFECT, new_serial="NEW-1")
    before = _state(unit, order)

    # when
    with pytest.raises(Conflict) as exc:
        replacement_create(order_id=order.pk, actor=people["agent"], ground=G.QUALITY_DEFECT, new_serial="NEW-2")

    # then
    assert exc.value.code == "unit_returned"
    assert _state(unit, order) == before


def test_the_new_serial_must_not_belong_to_someone(people):
    # given
    unit = _unit_with_repairs(people, 0)
    taken = UnitFactory(owner=CustomerFactory())
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    before = _state(unit, order)

    # when
    with pytest.raises(Conflict) as exc:
        replacement_create(order_id=order.pk, actor=people["agent"], ground=G.QUALITY_DEFECT, new_serial=taken.serial)

    # then
    assert exc.value.code == "unit_owned"
    assert _state(unit, order) == before
    taken.refresh_from_db()
    assert taken.owner_id != people["customer"].pk


@pytest.mark.parametrize(
    "kw, field",
    [
        ({"ground": "nonsense", "new_serial": "N"}, "ground"),
        ({"ground": G.QUALITY_DEFECT, "new_serial": "  "}, "new_serial"),
        ({"ground": G.QUALITY_DEFECT, "new_serial": "N", "new_model_code": "NO-SUCH-MODEL"}, "new_model"),
    ],
    ids=["bad-ground", "no-new-serial", "unknown-model"],
)
def test_invalid_replacement_input(people, kw, field):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    before = _state(unit, order)

    # when
    with pytest.raises(ValidationFailed) as exc:
        replacement_create(order_id=order.pk, actor=people["agent"], **kw)

    # then
    assert field in exc.value.fields
    assert _state(unit, order) == before


@pytest.mark.parametrize("status", [Status.CLOSED, Status.CANCELLED], ids=str)
def test_finished_orders_cannot_replace(people, status):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(status, agent=people["agent"], customer=people["customer"], unit=unit, engineer=people["engineer"])
    before = _state(unit, order)

    # when
    with pytest.raises(Conflict) as exc:
        replacement_create(order_id=order.pk, actor=people["agent"], ground=G.QUALITY_DEFECT, new_serial="N")

    # then
    assert exc.value.code == "order_finished"
    assert _state(unit, order) == before


def test_prior_repairs_count_only_warranty_repairs_of_this_unit(people):
    # given two warranty repairs of the unit, a paid repair of it, and a repair of another unit
    unit = _unit_with_repairs(people, 2)
    order_in(
        Status.RESOLVED,
        agent=people["agent"],
        customer=people["customer"],
        unit=unit,
        engineer=people["engineer"],
        paid=True,
    )
    _unit_with_repairs(people, 1)
    current = order_in(
        Status.RESOLVED, agent=people["agent"], customer=people["customer"], unit=unit, engineer=people["engineer"]
    )

    # when
    count = prior_repairs_in_warranty(unit, exclude_order_id=current.pk)

    # then
    assert count == 2


def test_replacement_endpoint(people, api_as):
    # given
    unit = _unit_with_repairs(people, 0)
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    api = api_as(people["agent"])

    # when
    response = api.post(
        f"/work-orders/{order.pk}/replacement",
        {"ground": "quality_defect", "new_serial": "API-NEW-1", "new_colour": "red"},
    )

    # then
    assert response.status_code == 200, response.content
    assert response.json()["events"][-1]["action"] == "replace"
    assert Unit.objects.get(serial="API-NEW-1").colour == "red"


def test_replacement_endpoint_refusal_is_409_and_changes_nothing(people, api_as):
    # given an expired unit
    unit = _unit_with_repairs(people, 0)
    Unit.objects.filter(pk=unit.pk).update(sale_date=dt.date(2015, 1, 1))
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], unit=unit)
    before = _state(unit, order)

    # when
    response = api_as(people["agent"]).post(
        f"/work-orders/{order.pk}/replacement", {"ground": "quality_defect", "new_serial": "X1"}
    )

    # then
    assert response.status_code == 409
    assert response.json()["code"] == "replacement_out_of_warranty"
    assert response.json()["message"]
    assert _state(unit, order) == before
