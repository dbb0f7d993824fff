"""Test data for the improvement app, through the real services (not a test module)."""

import datetime as dt

from complaints import services as complaint_services
from complaints.choices import Channel
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UnitFactory

DUE = dt.date(2026, 12, 31)


def complaint_of(category: str, *, handler, agent=None, engineer=None, with_order=True, batch="B2026-07"):
    """A complaint classified into ``category`` (on a closed order of a unit of ``batch``)."""
    customer = CustomerFactory()
    order = None
    if with_order:
        unit = UnitFactory(owner=customer, batch=batch)
        order = order_in("closed", agent=agent, customer=customer, unit=unit, engineer=engineer)
    complaint = complaint_services.complaint_open(
        actor=handler,
        customer_id=customer.pk,
        channel=Channel.PHONE,
        description="洗衣机漏水，工程师态度差。The washer leaks.",
        order_id=order.pk if order else None,
    )
    for action in ("acknowledge", "classify", "investigate"):
        data = {"category": category, "owner_id": handler.pk} if action == "classify" else {}
        if action == "classify" and category == "service":
            data["service_aspect"] = "attitude"
        complaint = complaint_services.complaint_transition(
            complaint_id=complaint.pk, action=action, actor=handler, data=data
        )
    return complaint
