"""What every demo order must carry: the rows intake and each of its steps write.

Not a test module: the demo tests share it.

``missing_rows()`` reads the orders with their events, SLA snapshot, clocks and audit rows
and returns, per order number, what is missing or inconsistent (an empty dict: none):

- the ``create`` event and the order's ``create`` audit row, at its creation time;
- its SLA snapshot and one clock per target of the policy, started at intake (``fix`` when
  the work started; no ``onsite`` clock for a mail-in order), each stopped clock stopped by
  one of the order's events;
- an audit row for every event a service writes (``transition:<action>`` for a transition,
  ``assign``, the quote's, the report's, the acceptance's, the shipment's);
- the next deadline (``due_at``) the earliest of its running clocks, the version the count of
  the steps that move it.
"""

from collections import defaultdict

from core.models import AuditLog
from service.choices import Mode
from service.models import OrderSla, WorkOrder, WorkOrderClock, WorkOrderEvent
from service.workflow import TRANSITIONS
from sla.clocks import next_due
from sla.models import ClockEvent

VERSIONED = frozenset(TRANSITIONS) | {"create", "assign", "report"}
# event action -> the audit row (action, object type) the service writes with it
CHILD_AUDITS = {
    "quote": ("create", "service.quote"),
    "quote_approved": ("update", "service.quote"),
    "quote_rejected": ("update", "service.quote"),
    "shipment": ("create", "service.shipment"),
    "shipment_received": ("update", "service.shipment"),
}
SCAN_EVENTS = frozenset({ClockEvent.AT_RISK, ClockEvent.BREACHED})


def missing_rows(orders=None) -> dict[str, list[str]]:
    orders = list(orders if orders is not None else WorkOrder.objects.order_by("id"))
    ids = [o.pk for o in orders]
    events, clocks, audits = defaultdict(list), defaultdict(list), defaultdict(list)
    for e in WorkOrderEvent.objects.filter(order_id__in=ids).order_by("order_id", "at", "id"):
        events[e.order_id].append(e)
    for c in WorkOrderClock.objects.filter(order_id__in=ids).order_by("order_id", "id"):
        clocks[c.order_id].append(c)
    slas = dict(OrderSla.objects.filter(order_id__in=ids).values_list("order_id", "snapshot"))
    numbers = {o.number: o.pk for o in orders}
    for row in AuditLog.objects.filter(object_type__startswith="service.").order_by("at", "id"):
        if row.object_type == "service.workorder":
            pk = int(row.object_id) if row.object_id.isdigit() else None
        else:  # a child of an order: its text starts with the order's number
            pk = numbers.get(row.object_repr.split(" ", 1)[0])
        if pk is not None:
            audits[pk].append(row)
    problems = {}
    for order in orders:
        found = _check(order, events[order.pk], clocks[order.pk], slas.get(order.pk), audits[order.pk])
        if found:
            problems[order.number] = found
    return problems


def _check(order, events, clocks, snapshot, audits) -> list[str]:
    found = []
    if not events or events[0].action != "create" or events[0].at != order.created_at:
        found.append("no create event at the creation time")
    verbs = defaultdict(list)  # (action, object type) -> times
    for row in audits:
        verbs[(row.action, row.object_type)].append(row.at)
    if order.created_at not in verbs[("create", "service.workorder")]:
        found.append("no create audit row")
    for e in events[1:]:
        if e.action in SCAN_EVENTS:
            continue
        if e.action in TRANSITIONS:
            wanted = (f"transition:{e.action}", "service.workorder")
        elif e.action == "assign":
            wanted = ("assign", "service.workorder")
        elif e.action == "report":
            wanted = None
            if not any(e.at in verbs[(v, "service.repairreport")] for v in ("create", "update")):
                found.append(f"no audit row of the report at {e.at:%Y-%m-%d %H:%M}")
        else:
            wanted = CHILD_AUDITS.get(e.action)
        if wanted is not None and e.at not in verbs[wanted]:
            found.append(f"no audit row {wanted[0]} for the event {e.action} at {e.at:%Y-%m-%d %H:%M}")
        if e.action in ("accept", "refuse") and e.at not in verbs[("create", "service.acceptance")]:
            found.append(f"no audit row of the acceptance of {e.action}")
    if snapshot is None:
        found.append("no SLA snapshot")
        return found
    started = next((e.at for e in events if e.action == "start"), None)
    expected = {}
    for target in snapshot["targets"]:
        name = target["clock"]
        if name == "onsite" and order.mode == Mode.MAIL_IN:
            continue
        if name == "fix":
            if started is not None:
                expected[name] = started
            continue
        expected[name] = order.created_at
    have = {c.clock: c for c in clocks}
    if set(have) != set(expected):
        found.append(f"clocks {sorted(have)} where the policy starts {sorted(expected)}")
    times = {e.at for e in events}
    for name, start in expected.items():
        c = have.get(name)
        if c is None:
            continue
        if c.started_at != start:
            found.append(f"clock {name} started at {c.started_at}, not {start}")
        if c.stopped_at is not None and c.stopped_at not in times:
            found.append(f"clock {name} stopped at {c.stopped_at} by no event")
    if order.due_at != next_due(clocks):
        found.append(f"next deadline {order.due_at}, not {next_due(clocks)}")
    if order.version != sum(1 for e in events if e.action in VERSIONED):
        found.append(f"version {order.version} for {sum(1 for e in events if e.action in VERSIONED)} steps")
    return found
