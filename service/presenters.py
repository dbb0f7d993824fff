"""Work orders as data for the API, the console's lists and the printable report, with personal
data masked: names by role, phone and address for every staff role (SPEC §11, docs/security.md)."""

from django.urls import reverse

from core.audit import record_pii_view
from core.masking import mask_address, mask_name, mask_phone
from sla.schemas import clock_data

from .permissions import NAME_FIELDS, sees_own_contact, sees_unmasked_pii
from .selectors import OrderDetail, clocks_of
from .workflow import available, available_with_reasons


def log_pii_view(actor, orders) -> None:
    """Audit that a staff member was shown the customer's names unmasked: one row for one order
    (a detail) or one row for a whole page of a list, listing the order ids. Customers seeing
    their own data are not logged; phone and address are never shown to staff here (a reveal is
    logged on its own, ``services.contact_reveal``)."""
    if actor is None or not actor.is_authenticated or actor.is_customer:
        return
    single = not isinstance(orders, (list, tuple))
    shown = [o for o in ([orders] if single else orders) if sees_unmasked_pii(actor, o)]
    if shown:
        record_pii_view(actor=actor, obj=shown[0] if single else shown, fields=NAME_FIELDS)


def order_summary(order, actor) -> dict:
    """One order as lists and pages show it: no query of its own (lists call it per row)."""
    clear = sees_unmasked_pii(actor, order)
    own = sees_own_contact(actor, order)
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "version": order.version,
        "customer": {"id": order.customer_id, "name": order.customer.name if clear else mask_name(order.customer.name)},
        "contact_name": order.contact_name if clear else mask_name(order.contact_name),
        "contact_phone": order.contact_phone if own else mask_phone(order.contact_phone),
        "serial": order.serial,
        "product_model": order.product_model.code if order.product_model_id else None,
        "service_type": order.service_type,
        "priority": order.priority,
        "channel": order.channel,
        "mode": order.mode,
        "address": order.address if own else mask_address(order.address),
        "assignee": {"id": order.assignee_id, "name": order.assignee.display_name()} if order.assignee_id else None,
        "coverage": order.coverage,
        "coverage_reason": order.coverage_reason,
        "cause": order.cause,
        "due_at": order.due_at,
        "created_at": order.created_at,
        "updated_at": order.updated_at,
        "closed_at": order.closed_at,
        "sla_policy": sla_policy(order),
        "clocks": [clock_data(c) for c in clocks_of(order)],
    }


def sla_policy(order) -> dict | None:
    """The policy recorded on the order when it came in (``select_related("sla")`` in lists)."""
    sla = getattr(order, "sla", None)
    if sla is None:
        return None
    snap = sla.snapshot
    name = snap.get("name", "")
    return {
        "code": sla.policy_code,
        "name": name,
        "name_en": snap.get("name_en") or name,
        "calendar": snap.get("calendar", ""),
    }


def order_detail(detail: OrderDetail, actor, *, log_view: bool = True) -> dict:
    """The detail body; ``log_view=False`` when the caller has logged the view of the contact
    data already (intake, in the order's own commit)."""
    order, report, latest = detail.order, detail.report, detail.acceptance
    data = order_summary(order, actor)
    if log_view:
        log_pii_view(actor, order)
    data.update(
        fault_description=order.fault_description,
        preferred_time=order.preferred_time,
        appointment_at=order.appointment_at,
        allowed_actions=[t.action for t in available(order, actor)],
        actions=[
            {"action": o.action, "label": str(o.transition.label), "allowed": o.allowed, "reason": o.reason}
            for o in available_with_reasons(order, actor)
        ],
        events=[
            {
                "at": e.at,
                "actor": e.actor.display_name() if e.actor_id else None,
                "action": e.action,
                "from_status": e.from_status,
                "to_status": e.to_status,
                "note": e.note,
                "payload": e.payload,
            }
            for e in detail.events
        ],
        quotes=[
            {
                "id": q.quote.pk,
                "status": q.quote.status,
                "currency": q.quote.currency,
                "total": q.quote.total,
                "plan": q.quote.plan,
                "estimated_hours": q.quote.estimated_hours,
                "decided_at": q.quote.decided_at,
                "lines": [
                    {
                        "kind": ln.kind,
                        "description": ln.description,
                        "quantity": ln.quantity,
                        "unit_price": ln.unit_price,
                        "amount": ln.amount,
                    }
                    for ln in q.lines
                ],
            }
            for q in detail.quotes
        ],
        report=None
        if report is None
        else {
            "engineer": report.engineer.display_name(),
            "service_date": report.service_date,
            "cause": report.cause,
            "process": report.process,
            "minutes_spent": report.minutes_spent,
            "parts": [
                {
                    "part_number": p.part_number,
                    "name": p.name,
                    "old_serial": p.old_serial,
                    "new_serial": p.new_serial,
                    "quantity": p.quantity,
                }
                for p in detail.parts
            ],
        },
        acceptance=None
        if latest is None
        else {
            "accepted": latest.accepted,
            "signer_name": latest.signer_name,
            "signed_at": latest.signed_at,
            "signature_url": reverse("document", args=[latest.signature_id]) if latest.signature_id else None,
            "comment": latest.comment,
        },
    )
    return data
