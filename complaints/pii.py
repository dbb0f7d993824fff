"""What the complaints app holds about a person, for the PIPL export and erasure (``core.pii``)."""

from core.pii import PLACEHOLDER, Handler, fields_of

from .models import Complaint


def complaints_export(customer, ctx) -> list:
    return [
        {
            **fields_of(c, ["channel", "description", "status", "received_at", "measures", "result", "follow_up"]),
            "order": c.order.number if c.order_id else None,
        }
        for c in Complaint.objects.filter(customer=customer).select_related("order").order_by("id")
    ]


def complaints_erase(customer, ctx) -> None:
    complaints = Complaint.objects.filter(customer=customer)
    complaints.update(description=PLACEHOLDER)
    for name in ("measures", "result", "follow_up"):  # the result notice may quote the customer
        complaints.exclude(**{name: ""}).update(**{name: PLACEHOLDER})


COMPLAINTS = Handler(key="complaints", order=60, export=complaints_export, erase=complaints_erase)
