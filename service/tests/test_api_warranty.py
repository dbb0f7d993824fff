"""``GET /units/{serial}/warranty?component=`` and ``GET /units/{serial}/entitlements`` (docs/warranty.md)."""

import datetime as dt

import pytest
import time_machine

from products.models import ComponentClass, ProductLine, ThreeGuaranteesPolicy, WarrantyTerm
from service.choices import Status
from service.tests.flow import order_in
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory

D = dt.date


def at(day: dt.date):
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    customer = CustomerFactory(user=customer_user)
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": customer,
        "other_user": CustomerFactory(user=UserFactory(role="customer")).user,
    }


@pytest.fixture
def model(db):
    model = ProductModelFactory(code="HX-200")
    for code, months in (("main", 36), ("accessory", 12)):
        WarrantyTerm.objects.create(model=model, component_class=ComponentClass.objects.get(code=code), months=months)
    return model


def test_warranty_of_one_component(people, api_as, model):
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))

    body = api_as(people["customer_user"]).get(
        f"/units/{unit.serial}/warranty", {"on": "2025-06-10", "component": "accessory"}
    )

    assert body.status_code == 200, body.json()
    component = body.json()["component"]
    assert (component["in_warranty"], component["reason"], component["last_day"], component["convention"]) == (
        False,
        "expired",
        "2025-03-05",
        "civil_code",
    )
    assert component["reason_text"] == "The warranty period has ended."


@pytest.mark.parametrize(
    "params, field",
    [
        ({"component": "nope"}, "component"),
        ({"on": "1999-12-31"}, "on"),
        ({"on": "2100-01-01"}, "on"),
        ({"on": "not-a-date"}, "on"),
    ],
    ids=["unknown-component", "before-window", "after-window", "garbage"],
)
def test_bad_input_is_a_422_naming_the_field(people, api_as, model, params, field):
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))

    response = api_as(people["customer_user"]).get(f"/units/{unit.serial}/warranty", params)

    assert response.status_code == 422
    assert field in response.json()["fields"]


@pytest.mark.parametrize("path", ["warranty", "entitlements"])
def test_another_customers_unit_reads_as_unknown(people, api_as, model, path):
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2024, 3, 5))
    api = api_as(people["other_user"])

    mine_not = api.get(f"/units/{unit.serial}/{path}")
    unknown = api.get(f"/units/NO-SUCH/{path}")

    assert mine_not.status_code == unknown.status_code == 404
    assert mine_not.json() == unknown.json()


def test_a_fault_on_day_5_offers_return_exchange_or_repair(people, api_as, model):
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2025, 3, 3))

    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/entitlements", {"on": "2025-03-08"}).json()

    assert [r["remedy"] for r in body["remedies"]] == ["return", "exchange", "repair"]
    assert body["remedies"][0]["until"] == "2025-03-10"
    assert body["remedies"][0]["reason"]["code"] == "within_return_days"
    assert (body["return_ends"], body["exchange_ends"], body["period_ends"]) == (
        "2025-03-10",
        "2025-03-18",
        "2026-03-03",
    )


def test_a_third_failure_after_two_repairs_owes_an_exchange(people, api_as, model):
    # given a unit sold 2025-03-03 repaired twice under warranty (the same fault: main unit)
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2025, 3, 3))
    for day in (D(2025, 4, 1), D(2025, 5, 1)):
        with at(day):
            order_in(
                Status.RESOLVED,
                agent=people["agent"],
                customer=people["customer"],
                unit=unit,
                engineer=people["engineer"],
            )

    # when the staff asks on the day of the third failure
    with at(D(2025, 6, 1)):
        body = api_as(people["agent"]).get(f"/units/{unit.serial}/entitlements").json()

    # then
    assert body["on"] == "2025-06-01"
    assert [r["remedy"] for r in body["remedies"]] == ["return", "exchange", "repair"]
    assert body["remedies"][1]["reason"]["code"] == "repaired_twice"
    assert [(r["fault"], r["received"], r["returned"]) for r in body["repairs"]] == [
        ("main", "2025-04-01", "2025-04-01"),
        ("main", "2025-05-01", "2025-05-01"),
    ]


def test_a_past_date_counts_the_repair_and_the_wait_for_parts_as_they_were_on_that_day(people, api_as, model):
    # given a unit sold 2025-03-03, handed in 2025-04-01 and waiting for parts since then
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2025, 3, 3))
    with at(D(2025, 4, 1)):
        order_in(
            Status.AWAITING_PARTS,
            agent=people["agent"],
            customer=people["customer"],
            unit=unit,
            engineer=people["engineer"],
        )
    # and a later repair handed in after the day asked about
    with at(D(2025, 6, 1)):
        order_in(
            Status.RESOLVED, agent=people["agent"], customer=people["customer"], unit=unit, engineer=people["engineer"]
        )

    # when asked in September about 2025-04-11 (the wait still open today)
    with at(D(2025, 9, 1)):
        body = api_as(people["agent"]).get(f"/units/{unit.serial}/entitlements", {"on": "2025-04-11"}).json()

    # then only what had happened by 2025-04-11 counts: ten days in repair, all of them waiting for parts
    assert [(r["received"], r["days_in_repair"], r["parts_wait_days"]) for r in body["repairs"]] == [
        ("2025-04-01", 10, 10)
    ]
    assert body["deducted_days"] == 10


def test_a_line_under_contract_has_no_three_guarantees(people, api_as):
    line = ProductLine.objects.create(code="press", name="Presses", is_industrial=True)
    unit = UnitFactory(owner=people["customer"], model=ProductModelFactory(line=line), sale_date=D(2025, 3, 3))

    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/entitlements", {"on": "2025-03-05"}).json()

    assert (body["applies"], body["remedies"], body["notes"][0]["code"]) == (False, [], "not_applicable")


def test_the_lines_policy_is_read(people, api_as, model):
    ThreeGuaranteesPolicy.objects.create(line=model.line, return_days=10)
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2025, 3, 3))

    body = api_as(people["customer_user"]).get(f"/units/{unit.serial}/entitlements", {"on": "2025-03-12"}).json()

    assert body["return_ends"] == "2025-03-13"
    assert "return" in [r["remedy"] for r in body["remedies"]]


def test_entitlements_in_chinese(people, api_as, model):
    unit = UnitFactory(owner=people["customer"], model=model, sale_date=D(2025, 3, 3))

    body = (
        api_as(people["customer_user"])
        .get(f"/units/{unit.serial}/entitlements", {"on": "2025-03-08"}, headers={"Accept-Language": "zh-hans"})
        .json()
    )

    assert body["remedies"][0]["label"] == "退货"
