"""End to end through the API and the portal (docs/warranty.md): an accessory fault in year 2 is a
paid repair with the reason shown; a fault on day 5 offers return, exchange or repair; a third
failure after two repairs owes an exchange, and a remedy the rules do not allow needs a manager
with a reason."""

import datetime as dt

import pytest
import time_machine
from django.urls import reverse

from products.models import ComponentClass, Unit, WarrantyTerm
from service.choices import Status
from service.models import Replacement, WorkOrder
from service.tests.flow import order_in
from tests.factories import ProductModelFactory, UnitFactory, UserFactory

D = dt.date


def at(day: dt.date):
    """10:00 in Shanghai on ``day``."""
    return time_machine.travel(dt.datetime(day.year, day.month, day.day, 2, tzinfo=dt.UTC), tick=False)


@pytest.fixture
def model(db):
    model = ProductModelFactory(code="HX-200", name="Smart lock")
    for code, months in (("main", 36), ("accessory", 12)):
        WarrantyTerm.objects.create(model=model, component_class=ComponentClass.objects.get(code=code), months=months)
    return model


def _request(api, serial: str) -> int:
    response = api.post("/service-requests", {"fault_description": "It stopped working.", "serial": serial})
    assert response.status_code == 201, response.json()
    return response.json()["id"]


def test_an_accessory_fault_in_year_2_is_a_paid_repair_with_the_reason_shown(
    model, customer_user, agent, api_as, browser_as
):
    # given a lock sold 2024-03-05; the customer reports a fault on 2025-06-10 through the API
    unit = UnitFactory(owner=customer_user.customer, model=model, sale_date=D(2024, 3, 5))
    with at(D(2025, 6, 10)):
        order_id = _request(api_as(customer_user), unit.serial)
        # when the agent finds the remote control (an accessory) failed
        staff = api_as(agent)
        staff.post(f"/work-orders/{order_id}/transitions", {"action": "acknowledge"})
        body = staff.post(
            f"/work-orders/{order_id}/transitions",
            {"action": "assess", "cause": "defect", "component": "accessory", "part": "Remote control"},
        ).json()
        # and the customer opens the request in the portal
        page = browser_as(customer_user).get(reverse("portal:request_detail", args=[order_id])).content.decode()
        page_zh = (
            browser_as(customer_user)
            .get(reverse("portal:request_detail", args=[order_id]), HTTP_ACCEPT_LANGUAGE="zh-hans")
            .content.decode()
        )

    # then it is a paid repair, and the customer reads why and which period was used
    assert (body["coverage"], body["coverage_reason"]) == ("paid", "expired")
    assert "Paid repair" in page and "The warranty period has ended." in page
    assert "Failed component: Accessories · Remote control" in page
    assert "配件 · Remote control" in page_zh and "Accessories" not in page_zh  # the component in her language
    assert "Warranty period used: until 2025-03-05" in page


def test_a_fault_on_day_5_offers_return_exchange_or_repair(model, customer_user, api_as, browser_as):
    # given a lock sold five days ago
    unit = UnitFactory(owner=customer_user.customer, model=model, sale_date=D(2025, 3, 3))

    # when the customer asks the API and opens the product in the portal on day 5
    with at(D(2025, 3, 8)):
        body = api_as(customer_user).get(f"/units/{unit.serial}/entitlements").json()
        page = browser_as(customer_user).get(reverse("portal:unit_detail", args=[unit.pk]))
        zh = browser_as(customer_user)
        zh.defaults["HTTP_ACCEPT_LANGUAGE"] = "zh-hans"
        page_zh = zh.get(reverse("portal:unit_detail", args=[unit.pk])).content.decode()

    # then return, exchange and repair are offered, with the reason and the last day
    assert [r["remedy"] for r in body["remedies"]] == ["return", "exchange", "repair"]
    html = page.content.decode()
    for remedy in ("return", "exchange", "repair"):
        assert f'data-remedy="{remedy}"' in html
    assert "return, exchange or repair, as the customer chooses" in html and "until 2025-03-10" in html
    assert "退货" in page_zh and "换货" in page_zh and "三包" in page_zh


def test_a_third_failure_after_two_repairs_owes_an_exchange(model, customer_user, agent, api_as):
    # given two warranty repairs of the main unit, done and resolved
    unit = UnitFactory(owner=customer_user.customer, model=model, sale_date=D(2025, 3, 3))
    engineer = UserFactory(role="engineer")
    for day in (D(2025, 4, 1), D(2025, 5, 6)):
        with at(day):
            order_in(Status.RESOLVED, agent=agent, customer=customer_user.customer, unit=unit, engineer=engineer)

    # when it fails a third time
    with at(D(2025, 6, 2)):
        order_id = _request(api_as(customer_user), unit.serial)
        staff = api_as(agent)
        staff.post(f"/work-orders/{order_id}/transitions", {"action": "acknowledge"})
        staff.post(f"/work-orders/{order_id}/transitions", {"action": "assess", "cause": "defect"})
        entitled = staff.get(f"/units/{unit.serial}/entitlements").json()
        # and the agent records the exchange the rules owe, on the ground "special case"
        exchanged = staff.post(f"/work-orders/{order_id}/replacement", {"ground": "special", "new_serial": "HX-NEW-1"})

    # then the exchange is owed and recorded without a manager
    assert entitled["remedies"][1] == {
        "remedy": "exchange",
        "label": "Exchange",
        "reason": {
            "code": "repaired_twice",
            "text": "The same fault has been repaired 2 times: an exchange is owed, "
            "or a return if no exchange is possible.",
        },
        "until": "2026-03-03",
    }
    assert exchanged.status_code == 200, exchanged.json()
    replacement = Replacement.objects.get(order_id=order_id)
    assert (replacement.entitled, replacement.approved_by_id) == (["exchange", "repair", "return"], None)
    # and the new unit's Three Guarantees period starts again from the exchange
    new = Unit.objects.get(serial="HX-NEW-1")
    with at(D(2025, 6, 10)):
        fresh = api_as(customer_user).get(f"/units/{new.serial}/entitlements").json()
    assert (fresh["period_start"], fresh["period_ends"], fresh["repairs"]) == ("2025-06-02", "2026-06-02", [])


def test_a_remedy_the_rules_do_not_allow_needs_a_manager_with_a_reason(model, customer_user, agent, api_as):
    # given a fault on day 20 (only repair is owed) of a unit that was never repaired
    unit = UnitFactory(owner=customer_user.customer, model=model, sale_date=D(2025, 3, 3))
    manager = UserFactory(role="manager")
    with at(D(2025, 3, 23)):
        order_id = _request(api_as(customer_user), unit.serial)
        api_as(agent).post(f"/work-orders/{order_id}/transitions", {"action": "acknowledge"})
        api_as(agent).post(f"/work-orders/{order_id}/transitions", {"action": "assess", "cause": "misuse"})
        # when the agent, then a manager without a reason, then with one, record a return
        body = {"ground": "special", "is_return": True, "goods_condition": "Boxed, unused"}
        by_agent = api_as(agent).post(f"/work-orders/{order_id}/replacement", body)
        no_reason = api_as(manager).post(f"/work-orders/{order_id}/replacement", {**body, "manager_approved": True})
        approved = api_as(manager).post(
            f"/work-orders/{order_id}/replacement",
            {**body, "manager_approved": True, "approval_reason": "Goodwill: key customer."},
        )

    # then
    assert by_agent.status_code == 409 and by_agent.json()["code"] == "replacement_needs_manager_approval"
    assert no_reason.status_code == 422 and no_reason.json()["code"] == "approval_reason_required"
    assert approved.status_code == 200, approved.json()
    replacement = Replacement.objects.get(order_id=order_id)
    assert (replacement.override_reason, replacement.goods_condition, replacement.entitled) == (
        "Goodwill: key customer.",
        "Boxed, unused",
        ["repair"],
    )
    timeline = [e["action"] for e in approved.json()["events"]]
    assert "replace" in timeline
    assert WorkOrder.objects.get(pk=order_id).unit.status == "returned"
