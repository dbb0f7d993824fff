"""Mail-in shipments: recorded on the order's timeline, scoped like the order."""

import pytest

from service.models import Shipment, WorkOrderEvent
from service.services import request_create

pytestmark = pytest.mark.django_db


@pytest.fixture
def mail_in_order(customer_user, unit_of):
    unit = unit_of(customer_user)
    return request_create(actor=customer_user, fault_description="Screen flickers", serial=unit.serial, mode="mail_in")


def test_customer_records_inbound_parcel_and_agent_marks_it_received(customer_user, agent, api_as, mail_in_order):
    # given a mail-in order of the customer
    customer_api, agent_api = api_as(customer_user), api_as(agent)
    # when the customer sends the unit and the centre receives it
    r = customer_api.post(
        f"/work-orders/{mail_in_order.pk}/shipments",
        {"direction": "in", "carrier": "SF Express", "tracking_number": "SF123456789"},
    )
    assert r.status_code == 201, r.content
    r2 = agent_api.post(f"/shipments/{r.json()['id']}/received")
    # then both steps are on the timeline
    assert r2.status_code == 200 and r2.json()["received_at"]
    actions = list(WorkOrderEvent.objects.filter(order=mail_in_order).values_list("action", flat=True))
    assert actions[-2:] == ["shipment", "shipment_received"]


def test_customer_cannot_record_outbound_or_touch_another_customers_order(
    customer_user, make_user, api_as, mail_in_order
):
    other = make_user("customer")
    r = api_as(customer_user).post(
        f"/work-orders/{mail_in_order.pk}/shipments", {"direction": "out", "carrier": "SF", "tracking_number": "1"}
    )
    assert r.status_code == 403
    r = api_as(other).post(
        f"/work-orders/{mail_in_order.pk}/shipments", {"direction": "in", "carrier": "SF", "tracking_number": "1"}
    )
    assert r.status_code == 404
    assert Shipment.objects.count() == 0


def test_onsite_orders_have_no_shipments(customer_user, unit_of, api_as):
    unit = unit_of(customer_user)
    order = request_create(actor=customer_user, fault_description="Noise", serial=unit.serial)
    r = api_as(customer_user).post(
        f"/work-orders/{order.pk}/shipments", {"direction": "in", "carrier": "SF", "tracking_number": "1"}
    )
    assert r.status_code == 409 and r.json()["code"] == "not_mail_in"
