"""What the service app holds about a person, for the PIPL export and erasure (``core.pii``):
their work orders with everything hanging off them."""

from core.pii import PLACEHOLDER, Handler, document_summary, fields_of
from notifications.models import Notification

from .models import Acceptance, RepairReport, Replacement, Shipment, WorkOrder, WorkOrderEvent

# ---------------------------------------------------------------- work orders

_ORDER_FIELDS = [
    "status",
    "service_type",
    "priority",
    "channel",
    "mode",
    "contact_name",
    "contact_phone",
    "address",
    "serial",
    "fault_description",
    "preferred_time",
    "coverage",
    "cause",
    "appointment_at",
    "created_at",
    "closed_at",
]


def work_orders_export(customer, ctx) -> list:
    orders = list(
        WorkOrder.objects.filter(customer=customer)
        .order_by("id")
        .select_related("product_model")
        .prefetch_related("events", "quotes__lines", "acceptances__signature", "shipments", "documents__document")
    )
    reports = {r.order_id: r for r in RepairReport.objects.filter(order__in=orders).prefetch_related("parts")}
    return [_order_export(o, reports.get(o.pk)) for o in orders]


def _order_export(order, report) -> dict:
    return {
        "number": order.number,
        **fields_of(order, _ORDER_FIELDS),
        "product_model": order.product_model.code if order.product_model_id else None,
        "events": [fields_of(e, ["at", "action", "from_status", "to_status", "note"]) for e in order.events.all()],
        "quotes": [
            {
                **fields_of(q, ["status", "currency", "total", "plan", "created_at", "decided_at"]),
                "lines": [
                    fields_of(ln, ["kind", "description", "quantity", "unit_price", "amount"]) for ln in q.lines.all()
                ],
            }
            for q in order.quotes.all()
        ],
        "report": None
        if report is None
        else {
            **fields_of(report, ["service_date", "cause", "process", "minutes_spent"]),
            "parts": [
                fields_of(p, ["part_number", "name", "old_serial", "new_serial", "quantity"])
                for p in report.parts.all()
            ],
        },
        "acceptances": [
            {
                **fields_of(a, ["accepted", "signer_name", "signed_at", "comment"]),
                "signature": document_summary(a.signature),
            }
            for a in order.acceptances.all()
        ],
        "shipments": [
            fields_of(s, ["direction", "carrier", "tracking_number", "shipped_at", "received_at"])
            for s in order.shipments.all()
        ],
        "documents": [{"kind": d.kind, **document_summary(d.document)} for d in order.documents.all()],
    }


def work_orders_values(customer, ctx) -> set:
    """The contact details typed into the orders and the acceptances' signer names."""
    values = set()
    for name, phone, address in WorkOrder.objects.filter(customer=customer).values_list(
        "contact_name", "contact_phone", "address"
    ):
        values |= {name, phone, address}
    values |= set(Acceptance.objects.filter(order__customer=customer).values_list("signer_name", flat=True))
    return values


def work_orders_linked(customer, ctx) -> dict:
    """Staff notifications about the person's orders carry the order id, not a foreign key."""
    orders = WorkOrder.objects.filter(customer=customer).values("pk")
    return {Notification: set(Notification.objects.filter(order_id__in=orders).values_list("pk", flat=True))}


def work_orders_erase(customer, ctx) -> None:
    orders = WorkOrder.objects.filter(customer=customer)
    orders.update(contact_name=PLACEHOLDER, contact_phone=PLACEHOLDER, fault_description=PLACEHOLDER)
    orders.exclude(address="").update(address=PLACEHOLDER)
    orders.exclude(preferred_time="").update(preferred_time=PLACEHOLDER)
    WorkOrderEvent.objects.filter(order__customer=customer).exclude(note="").update(note=PLACEHOLDER)
    Acceptance.objects.filter(order__customer=customer).update(signer_name=PLACEHOLDER)
    Acceptance.objects.filter(order__customer=customer).exclude(comment="").update(comment=PLACEHOLDER)
    Shipment.objects.filter(order__customer=customer).update(tracking_number=PLACEHOLDER)


WORK_ORDERS = Handler(
    key="work_orders",
    order=50,
    export=work_orders_export,
    values=work_orders_values,
    linked=work_orders_linked,
    erase=work_orders_erase,
    # a unit may have had other owners, whose orders are not this person's
    skip_edges=[(WorkOrder, "unit")],
)

# The units of a replacement may have had other owners: the walk does not follow them.
REPLACEMENTS = Handler(
    key="replacements",
    order=55,
    skip_edges=[(Replacement, "old_unit"), (Replacement, "new_unit")],
)
