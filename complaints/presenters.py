"""Complaints as the API shows them (``complaints.schemas``); clocks in the work order's shape."""

from accounts.roles import can
from core.masking import mask_name
from sla.schemas import clock_data

from .models import complaint_number
from .workflow import COMPLAINT


def _customer_name(c, actor) -> str:
    if actor.is_customer or can(actor, "pii.view_unmasked"):
        return c.customer.name
    return mask_name(c.customer.name)


def complaint_summary(c, actor) -> dict:
    return {
        "id": c.pk,
        "number": complaint_number(c.pk),
        "status": c.status,
        "version": c.version,
        "customer": {"id": c.customer_id, "name": _customer_name(c, actor)},
        "channel": c.channel,
        "category": c.category,
        "service_aspect": c.service_aspect,
        "major": c.major,
        "owner": {"id": c.owner_id, "name": c.owner.display_name()} if c.owner_id else None,
        "department": c.department.code if c.department_id else None,
        "order_id": c.order_id,
        "serial": c.unit.serial if c.unit_id else None,
        "received_at": c.received_at,
        "due_at": c.due_at,
        "callback_at": c.callback_at,
        "resolved_at": c.resolved_at,
        "closed_at": c.closed_at,
        "clocks": [clock_data(k) for k in c.sla_clocks],
    }


def complaint_detail_data(detail, actor) -> dict:
    c = detail.complaint
    data = complaint_summary(c, actor)
    options = [] if actor.is_customer else COMPLAINT.available_with_reasons(c, actor)
    data.update(
        {
            "description": c.description,
            "measures": c.measures,
            "result": c.result,
            "follow_up": c.follow_up,
            "actions": [
                {"action": o.action, "label": str(o.transition.label), "allowed": o.allowed, "reason": o.reason}
                for o in options
            ],
            "events": [
                {
                    "at": e.at,
                    "actor": e.actor.display_name() if e.actor_id else None,
                    "action": e.action,
                    "from_status": e.from_status,
                    "to_status": e.to_status,
                    "note": e.note,
                    "payload": e.payload if not actor.is_customer else {},
                }
                for e in detail.events
            ],
        }
    )
    return data
