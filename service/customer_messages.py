"""What the customer is told about their order, and when (docs/notifications.md).

Each kind is a translated template with placeholders, rendered in the customer's own
language (``notifications.preferences``) and sent through the channels they chose. The
services call ``customer_notify`` inside their transaction, after their own event row: the
notification rows and the order's ``customer_notified`` event are written in the same
commit as the change they announce, and a rollback leaves neither.

- acknowledgement (``acknowledge``): the process, the expected handling time (the order's
  resolution and on-site deadlines from its SLA clocks) and who pays (seed 001 §1.1.5);
- appointment (``schedule``, or a new time while scheduled): date and time, the engineer;
- quote (``quote_create``): the amount, approve it in the portal;
- resolution (``resolve``): what was done, please confirm acceptance;
- closure (``close``).
"""

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from notifications.services import Message, channels_label, channels_used, notify_many
from products.selectors import main_coverage
from products.warranty import Cause

from .choices import Coverage, EventType, MessageKind
from .models import WorkOrder, WorkOrderEvent, order_number

K = MessageKind
SUBJECTS = {
    K.ACKNOWLEDGEMENT: _("Service request %(number)s received"),
    K.APPOINTMENT: _("Appointment for %(number)s"),
    K.QUOTE: _("Quote for %(number)s: %(total)s CNY"),
    K.RESOLUTION: _("%(number)s is repaired: please confirm"),
    K.CLOSURE: _("%(number)s is closed"),
}
ACK_TEXT = _(
    "We have accepted your request %(number)s. Next we check the fault and the warranty, agree a visit "
    "or a mail-in repair with you, and keep you informed here."
)
RESOLUTION_DUE = _("Expected handling time: resolved by %(resolution_due)s.")
ONSITE_DUE = _("An engineer will be on site by %(onsite_due)s.")
PAYER = {
    Coverage.WARRANTY: _("Who pays: the repair is in warranty and free of charge."),
    Coverage.PAID: _(
        "Who pays: the repair is out of warranty and chargeable; you approve a quote before any paid work."
    ),
    "in_period": _(
        "Who pays: your product is within its warranty period, so the repair is free of charge if the fault "
        "is covered; we confirm it when we assess the fault."
    ),
    "out_of_period": _(
        "Who pays: your product is out of warranty, so the repair is chargeable; you approve a quote before "
        "any paid work."
    ),
    "unknown": _(
        "Who pays: we decide it when we assess the fault: free of charge in warranty, otherwise chargeable "
        "after you approve a quote."
    ),
}
APPOINTMENT_AT = _("Your appointment: %(when)s, engineer %(engineer)s.")
APPOINTMENT_OPEN = _("Engineer %(engineer)s will call you to agree the time of the visit.")
PREPARE = _("Please have the product and its purchase proof ready.")
QUOTE_TEXT = _("The repair of %(number)s is chargeable. Quote: %(total)s CNY.")
QUOTE_PLAN = _("Repair plan: %(plan)s")
QUOTE_APPROVE = _("Please approve or reject it on your request's page; paid work starts only after your approval.")
RESOLUTION_DONE = _("What was done: %(process)s")
RESOLUTION_CONFIRM = _("Please check the product and confirm your acceptance on your request's page.")
CLOSURE_TEXT = _("Your service order %(number)s is closed. Thank you; we may call you to ask how satisfied you are.")
OUR_ENGINEER = _("our engineer")

# The transition after which the customer is told something (``services.work_order_transition``).
ON_ACTION = {
    EventType.ACKNOWLEDGE: K.ACKNOWLEDGEMENT,
    EventType.SCHEDULE: K.APPOINTMENT,
    EventType.RESOLVE: K.RESOLUTION,
    EventType.CLOSE: K.CLOSURE,
}


def local(value: dt.datetime | None) -> str:
    return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if value else ""


def _acknowledgement(order: WorkOrder) -> tuple[list, dict]:
    due = {
        c.clock: c.due_at
        for c in order.clocks.filter(stopped_at__isnull=True, clock__in=("resolution", "onsite")).only(
            "clock", "due_at"
        )
    }
    return acknowledgement(due, _payer(order))


# The texts from what they say (also the bulk demo loader's, which has no order rows to read).


def acknowledgement(due: dict, payer: str) -> tuple[list, dict]:
    """``due``: the deadlines of the running resolution and on-site clocks; ``payer`` a key of ``PAYER``."""
    lines, values = [ACK_TEXT], {}
    if due.get("resolution"):
        lines.append(RESOLUTION_DUE)
        values["resolution_due"] = local(due["resolution"])
    if due.get("onsite"):
        lines.append(ONSITE_DUE)
        values["onsite_due"] = local(due["onsite"])
    lines.append(PAYER[payer])
    return lines, values


def _payer(order: WorkOrder) -> str:
    if order.coverage in (Coverage.WARRANTY, Coverage.PAID) or order.unit_id is None:
        return payer(order.coverage, has_unit=order.unit_id is not None, in_period=False)
    decision = main_coverage(order.unit, on=timezone.localdate(order.created_at), cause=order.cause or Cause.DEFECT)
    return payer(order.coverage, has_unit=True, in_period=decision.covered)


def _appointment(order: WorkOrder) -> tuple[list, dict]:
    return appointment(order.assignee.display_name() if order.assignee_id else None, order.appointment_at)


def appointment(engineer: str | None, at: dt.datetime | None) -> tuple[list, dict]:
    engineer = engineer or OUR_ENGINEER
    if at:
        return [APPOINTMENT_AT, PREPARE], {"when": local(at), "engineer": engineer}
    return [APPOINTMENT_OPEN, PREPARE], {"engineer": engineer}


def _resolution(order: WorkOrder) -> tuple[list, dict]:
    report = getattr(order, "report", None)
    return resolution(report.process if report is not None else "")


def resolution(process: str) -> tuple[list, dict]:
    process = process.strip()
    lines = ([RESOLUTION_DONE] if process else []) + [RESOLUTION_CONFIRM]
    return lines, {"process": process[:500]}


def _quote(order: WorkOrder, quote) -> tuple[list, dict]:
    return quoted(quote.total, quote.plan)


def quoted(total, plan: str) -> tuple[list, dict]:
    lines = [QUOTE_TEXT] + ([QUOTE_PLAN] if plan.strip() else []) + [QUOTE_APPROVE]
    return lines, {"total": f"{total:,.2f}", "plan": plan.strip()[:300]}


def payer(coverage: str, *, has_unit: bool, in_period: bool) -> str:
    """Who pays, as the acknowledgement says it (``PAYER``'s key)."""
    if coverage in (Coverage.WARRANTY, Coverage.PAID):
        return coverage
    if not has_unit:
        return "unknown"
    return "in_period" if in_period else "out_of_period"


def customer_notify(order: WorkOrder, kind: str, *, actor, at: dt.datetime, quote=None) -> WorkOrderEvent | None:
    """Tell the order's customer (if they have a portal login) and record it on the timeline."""
    user = order.customer.user if order.customer_id else None
    if user is None or not user.is_active:
        return None
    if kind == K.ACKNOWLEDGEMENT:
        lines, values = _acknowledgement(order)
    elif kind == K.APPOINTMENT:
        lines, values = _appointment(order)
    elif kind == K.QUOTE:
        lines, values = _quote(order, quote)
    elif kind == K.RESOLUTION:
        lines, values = _resolution(order)
    else:
        lines, values = [CLOSURE_TEXT], {}
    values["number"] = order_number(order.pk)
    rows = notify_many([Message([user], SUBJECTS[kind], lines, order.pk, kind, values)], now=at)
    channels = channels_used(rows)
    return WorkOrderEvent.objects.create(
        order=order,
        actor=actor,
        action=EventType.CUSTOMER_NOTIFIED,
        from_status=order.status,
        to_status=order.status,
        payload={"kind": kind, "channels": channels},
        at=at,
    )


def notified_label(payload: dict) -> str:
    """ "Customer notified: acknowledgement (In-app, SMS)" for the timeline."""
    kinds = dict(MessageKind.choices)
    channels = channels_label(payload.get("channels", ()))
    return gettext("%(event)s: %(kind)s (%(channels)s)") % {
        "event": EventType.CUSTOMER_NOTIFIED.label,
        "kind": kinds.get(payload.get("kind"), payload.get("kind", "")),
        "channels": channels,
    }
