"""Test data: work orders driven to any state through the real services, and real files.

Not a test module: the workflow, API, permission and warranty tests share these builders so
that every order they use went through the same write path as production data.
"""

import base64
import functools
import io

from django.utils import timezone
from PIL import Image, ImageDraw

from service import services
from service.choices import Status
from service.models import Acceptance, WorkOrder
from tests.factories import UnitFactory, UserFactory

S = Status

# The shortest legal path from "new" to each state; each step is a transition or a helper below.
PATHS: dict[str, list[str]] = {
    S.NEW: [],
    S.ACKNOWLEDGED: ["acknowledge"],
    S.ASSESSED: ["acknowledge", "assess"],
    S.SCHEDULED: ["acknowledge", "assess", "+quote", "+assign", "schedule"],
    S.IN_SERVICE: ["acknowledge", "assess", "+quote", "+assign", "schedule", "start"],
    S.AWAITING_PARTS: ["acknowledge", "assess", "+quote", "+assign", "schedule", "start", "wait_parts"],
    S.AWAITING_CUSTOMER: ["acknowledge", "assess", "+quote", "+assign", "schedule", "start", "wait_customer"],
    S.RESOLVED: ["acknowledge", "assess", "+quote", "+assign", "schedule", "start", "+report", "resolve"],
    S.ACCEPTED: ["acknowledge", "assess", "+quote", "+assign", "schedule", "start", "+report", "resolve", "+sign"],
    S.CLOSED: [
        "acknowledge",
        "assess",
        "+quote",
        "+assign",
        "schedule",
        "start",
        "+report",
        "resolve",
        "+sign",
        "close",
    ],
    S.CANCELLED: ["cancel"],
    S.REOPENED: ["acknowledge", "assess", "+quote", "+assign", "schedule", "start", "+report", "resolve", "reopen"],
}
NOTE = "Customer asked for it."


def png_bytes(size=(240, 90)) -> bytes:
    """A real PNG with a scribble on it, as a signature pad would produce."""
    img = Image.new("RGB", size, "white")
    draw = ImageDraw.Draw(img)
    draw.line([(10, 60), (60, 20), (110, 70), (170, 15), (230, 50)], fill="black", width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return out.getvalue()


def signature_url() -> str:
    return "data:image/png;base64," + base64.b64encode(png_bytes()).decode()


@functools.cache
def pdf_bytes() -> bytes:
    """A real (one-page) PDF, written by Pillow (once: the PDF carries its creation time)."""
    out = io.BytesIO()
    Image.new("RGB", (120, 160), "white").save(out, format="PDF")
    return out.getvalue()


def new_order(*, agent, customer, unit=None, **kw) -> WorkOrder:
    """A work order keyed in by an agent for ``customer`` (a Customer), optionally for ``unit``."""
    return services.request_create(
        actor=agent,
        customer_id=customer.pk,
        serial=unit.serial if unit is not None else "",
        fault_description=kw.pop("fault_description", "The unit does not start."),
        **kw,
    )


def advance(order: WorkOrder, steps, *, agent, engineer=None, paid=False) -> WorkOrder:
    """Apply ``steps`` (names from ``PATHS``) to ``order``; returns it fresh from the database."""
    for step in steps:
        if step == "+quote":
            if paid:
                quote = services.quote_create(
                    order_id=order.pk,
                    actor=agent,
                    lines=[{"kind": "labour", "description": "Repair", "unit_price": "180.00"}],
                )
                services.quote_decide(quote_id=quote.pk, actor=agent, approve=True)
        elif step == "+assign":
            if engineer is not None:
                services.work_order_assign(order_id=order.pk, actor=agent, assignee_id=engineer.pk)
        elif step == "+report":
            services.report_save(
                order_id=order.pk,
                actor=engineer or UserFactory(role="tech_support"),
                cause="Loose connector",
                process="Replaced the connector",
                minutes_spent=45,
            )
        elif step == "+sign":
            services.acceptance_sign(
                order_id=order.pk, actor=agent, accepted=True, signer_name="Zhang San", signature=signature_url()
            )
        elif step == "assess":
            services.work_order_transition(
                order_id=order.pk, action="assess", actor=agent, data={"cause": "misuse" if paid else "defect"}
            )
        else:
            services.work_order_transition(order_id=order.pk, action=step, actor=agent, note=NOTE)
    return WorkOrder.objects.get(pk=order.pk)


def order_in(status: str, *, agent, customer, unit=None, engineer=None, paid=False) -> WorkOrder:
    """An order in ``status`` for a unit of ``customer`` (a new in-warranty unit unless given).

    ``paid``: assessed as a paid repair (cause not covered) with an approved quote."""
    unit = unit or UnitFactory(owner=customer)
    order = new_order(agent=agent, customer=customer, unit=unit)
    return advance(order, PATHS[status], agent=agent, engineer=engineer, paid=paid)


def sign(order: WorkOrder, *, accepted: bool, by) -> Acceptance:
    """A signed acceptance (or refusal) row on a resolved order, without taking the transition."""
    return Acceptance.objects.create(
        order=order,
        accepted=accepted,
        signer_name="Zhang San",
        signed_at=timezone.now(),
        recorded_by=by,
        comment="" if accepted else "Still broken.",
    )
