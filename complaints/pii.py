"""What the complaints app holds about a person, for the PIPL export and erasure (``core.pii``)."""

from core.pii import PLACEHOLDER, Handler, fields_of

from .models import Complaint


def complaints_export(customer, ctx) -> list:
    return [
        {
            **fields_of(c, ["source", "description", "status", "created_at"]),
            "order": c.order.number if c.order_id else None,
        }
        for c in Complaint.objects.filter(customer=customer).select_related("order").order_by("id")
    ]


def complaints_erase(customer, ctx) -> None:
    Complaint.objects.filter(customer=customer).update(description=PLACEHOLDER)


COMPLAINTS = Handler(key="complaints", order=60, export=complaints_export, erase=complaints_erase)
