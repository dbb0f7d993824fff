"""Test data: complaints driven to any state through the real services (not a test module)."""

from complaints import services
from complaints.choices import Category, Source, Status

S = Status
PATHS: dict[str, list[str]] = {
    S.NEW: [],
    S.ACKNOWLEDGED: ["acknowledge"],
    S.CLASSIFIED: ["acknowledge", "classify"],
    S.INVESTIGATING: ["acknowledge", "classify", "investigate"],
    S.WAITING_CUSTOMER: ["acknowledge", "classify", "investigate", "wait_customer"],
    S.RESOLVED: ["acknowledge", "classify", "investigate", "resolve"],
    S.CLOSED: ["acknowledge", "classify", "investigate", "resolve", "close"],
}
NOTE = "Called the customer."


NOTICE = {"measures": "Retrained the engineer.", "result": "Apologised; repaired.", "follow_up": "Call in a week."}


def data_for(action: str, handler) -> dict:
    if action == "classify":
        return {"category": Category.SERVICE, "service_aspect": "attitude", "owner_id": handler.pk}
    return dict(NOTICE) if action == "resolve" else {}


def complaint_in(status: str, *, handler, customer, order=None, now=None):
    complaint = services.complaint_open(
        actor=handler,
        customer_id=customer.pk,
        channel=Source.PHONE,
        description="The engineer was late and rude.",
        order_id=order.pk if order is not None else None,
        now=now,
    )
    for action in PATHS[status]:
        complaint = services.complaint_transition(
            complaint_id=complaint.pk, action=action, actor=handler, note=NOTE, data=data_for(action, handler), now=now
        )
    assert complaint.status == status
    return complaint
