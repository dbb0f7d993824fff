"""Live cases written through the services after the bulk load, so that a newcomer's first
pages show what the bulk rows cannot: complaints whose SLA clocks run now.

Five recent orders each get a complaint, opened by the agent and moved by the complaint
handler through the complaint workflow to a different stage (received, acknowledged,
classified, investigating, waiting for the customer), every step through
``complaints.services`` like a user's click; their clocks (complaint policy) are on the
orders' pages in the console.
"""

from complaints.choices import Category, Source
from complaints.services import complaint_open, complaint_transition
from service.choices import Status
from service.models import WorkOrder

from . import catalogue

PATHS = (
    (),
    ("acknowledge",),
    ("acknowledge", "classify"),
    ("acknowledge", "classify", "investigate"),
    ("acknowledge", "classify", "investigate", "wait_customer"),
)
CATEGORIES = (Category.SERVICE, Category.PRODUCT_QUALITY, Category.INFORMATION, Category.OTHER, Category.SERVICE)
SOURCES = (Source.PHONE, Source.EMAIL, Source.ONLINE, Source.PHONE, Source.EMAIL)
NOTE = "已联系客户核实情况。"


def complaints_showcase(*, users: dict) -> int:
    """Open and move the showcase complaints; returns how many were opened."""
    agent, handler = users["agent"], users["complaints"]
    orders = list(
        WorkOrder.objects.filter(status__in=[Status.RESOLVED, Status.ACCEPTED, Status.CLOSED, Status.REOPENED])
        .order_by("-id")
        .values_list("id", "customer_id")[: len(PATHS)]
    )
    for i, ((order_id, customer_id), path) in enumerate(zip(orders, PATHS, strict=False)):
        complaint = complaint_open(
            actor=agent,
            customer_id=customer_id,
            source=SOURCES[i],
            description=catalogue.COMPLAINTS[i % len(catalogue.COMPLAINTS)][0],  # recorded by the agent
            order_id=order_id,
        )
        for action in path:
            data = {"category": CATEGORIES[i], "owner_id": handler.pk} if action == "classify" else {}
            complaint_transition(complaint_id=complaint.pk, action=action, actor=handler, note=NOTE, data=data)
    return len(orders)
