"""The failed component decides the coverage (docs/warranty.md): through the services and the API."""

import datetime as dt

import pytest
import time_machine

from core.errors import ValidationFailed
from products.models import ComponentClass, WarrantyTerm
from service import services
from service.models import WorkOrder, WorkOrderEvent
from service.tests.flow import advance, new_order
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory

D = dt.date


def at(day: dt.date, hour: int = 10):
    """A moment of ``day`` in Shanghai (UTC+8)."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, hour - 8, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def people(db):
    return {"agent": UserFactory(role="agent"), "customer": CustomerFactory()}


@pytest.fixture
def model(db):
    """Main unit 36 months, accessories 12, by the Civil Code."""
    model = ProductModelFactory(code="HX-200")
    for code, months in (("main", 36), ("accessory", 12)):
        WarrantyTerm.objects.create(model=model, component_class=ComponentClass.objects.get(code=code), months=months)
    return model


def _assessed(people, unit, day, **data):
    with at(day):
        order = new_order(agent=people["agent"], customer=people["customer"], unit=unit)
        services.work_order_transition(order_id=order.pk, action="acknowledge", actor=people["agent"])
        services.work_order_transition(
            order_id=order.pk, action="assess", actor=people["agent"], data={"cause": "defect", **data}
        )
    return WorkOrder.objects.get(pk=order.pk)


@pytest.mark.parametrize(
    "component, coverage, reason, end",
    [
        ("accessory", "paid", "expired", D(2025, 3, 5)),
        ("main", "warranty", "in_warranty", D(2027, 3, 5)),
        ("", "warranty", "in_warranty", D(2027, 3, 5)),
    ],
    ids=["accessory-year-2-paid", "main-year-2-free", "unnamed-is-the-main-unit"],
)
def test_the_failed_components_period_decides(people, model, component, coverage, reason, end):
    # given a unit sold 2024-03-05, and a fault reported in its second year
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))

    # when the assessment names the failed component
    order = _assessed(people, unit, D(2025, 6, 10), component=component, part="Remote control")

    # then its period decides, and the decision, reason and period are on the order and its timeline
    assert (order.coverage, order.coverage_reason, order.warranty_end) == (coverage, reason, end)
    assert order.warranty_convention == "civil_code"
    assert (order.failed_component.code, order.failed_part) == (component or "main", "Remote control")
    payload = WorkOrderEvent.objects.get(order=order, action="assess").payload
    assert (payload["component"], payload["reason"], payload["warranty_end"], payload["convention"]) == (
        component or "main",
        reason,
        end.isoformat(),
        "civil_code",
    )


def test_a_component_class_the_model_does_not_have_is_refused(people, model):
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))
    ComponentClass.objects.create(code="battery", name="Battery", kind="accessory")

    with pytest.raises(ValidationFailed) as refused:
        _assessed(people, unit, D(2025, 6, 10), component="battery")

    assert refused.value.fields == {"component": ["This product model has no such component class."]}
    order = WorkOrder.objects.get(unit=unit)
    assert (order.status, order.coverage, order.failed_component_id) == ("acknowledged", "undetermined", None)


def test_covered_causes_per_component(people, model):
    # given accessories whose warranty also covers normal wear
    WarrantyTerm.objects.filter(model=model, component_class__code="accessory").update(
        covered_causes=["defect", "wear"]
    )
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))

    # when
    accessory = _assessed(people, unit, D(2024, 9, 10), component="accessory", cause="wear")
    main = _assessed(people, unit, D(2024, 9, 10), component="main", cause="wear")

    # then
    assert (accessory.coverage, main.coverage, main.coverage_reason) == ("warranty", "paid", "cause_not_covered")


def test_a_part_fitted_by_a_repair_has_its_own_warranty(people, model):
    # given an accessory part P-77 fitted by a repair on 2025-01-20 (accessory period ends 2025-03-05)
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))
    engineer = UserFactory(role="engineer")
    with at(D(2025, 1, 20)):
        first = new_order(agent=people["agent"], customer=people["customer"], unit=unit)
        advance(
            first, ["acknowledge", "assess", "+assign", "schedule", "start"], agent=people["agent"], engineer=engineer
        )
        services.report_save(
            order_id=first.pk,
            actor=engineer,
            cause="Worn cable",
            process="New remote",
            minutes_spent=30,
            parts=[{"part_number": "RC-1", "name": "Remote control", "new_serial": "P-77"}],
        )

    # when the same part fails after the accessory period but within 3 months of its fitting
    again = _assessed(people, unit, D(2025, 4, 10), component="accessory", part_serial="P-77")
    other = _assessed(people, unit, D(2025, 4, 10), component="accessory", part_serial="P-78")
    late = _assessed(people, unit, D(2025, 4, 22), component="accessory", part_serial="P-77")

    # then the part's own period (the longer of the unit's rest and 3 months: 2025-04-21) decides
    assert (again.coverage, again.coverage_reason, again.warranty_end) == (
        "warranty",
        "part_in_warranty",
        D(2025, 4, 21),
    )
    assert (other.coverage, other.coverage_reason) == ("paid", "expired")
    assert (late.coverage, late.coverage_reason) == ("paid", "part_expired")
    assert WorkOrderEvent.objects.get(order=again, action="assess").payload["part_replaced_on"] == "2025-01-20"


def test_assess_through_the_api_names_the_component(people, model, api_as):
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))
    with at(D(2025, 6, 10)):
        order = new_order(agent=people["agent"], customer=people["customer"], unit=unit)
        api = api_as(people["agent"])
        api.post(f"/work-orders/{order.pk}/transitions", {"action": "acknowledge"})
        response = api.post(
            f"/work-orders/{order.pk}/transitions",
            {"action": "assess", "cause": "defect", "component": "accessory", "part": "Remote control"},
        )
        other = new_order(agent=people["agent"], customer=people["customer"], unit=unit)
        api.post(f"/work-orders/{other.pk}/transitions", {"action": "acknowledge"})
        unknown = api.post(f"/work-orders/{other.pk}/transitions", {"action": "assess", "component": "nope"})

    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["coverage"], body["coverage_reason"]) == ("paid", "expired")
    assert (unknown.status_code, unknown.json()["fields"]) == (
        422,
        {"component": ["This product model has no such component class."]},
    )
