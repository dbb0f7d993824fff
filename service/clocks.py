"""SLA clocks on work orders: started at intake, met, paused, resumed and extended by transitions.

The maths is in ``sla.businesstime`` (pure); policies and calendars in ``sla.engine``.
Semantics (see docs/sla.md):
- ``response`` is met when the order leaves ``new``; ``onsite`` when work starts
  (on-site orders only); ``resolution`` and ``fix`` when the order is resolved;
  ``fix`` starts when work starts.
- While the order is in one of the policy's pause statuses every running clock is
  paused; on leaving it the due time moves by exactly the paused time of the clock's
  own type (working time for business and working-day clocks, elapsed time for
  calendar clocks).
- ``warn_at`` is the instant the clock is "at risk" (default 80 % of its target).
- Cancelling an order cancels its running clocks.
"""

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from sla import engine
from sla.businesstime import ClockKind, add_business_time, shift_due_for_pause, working_time_between

from .choices import Mode, Status
from .models import OrderSla, WorkOrder, WorkOrderClock

MET_WHEN = {
    "response": lambda frm, to: frm == Status.NEW and to != Status.NEW,
    "onsite": lambda frm, to: to == Status.IN_SERVICE,
    "resolution": lambda frm, to: to == Status.RESOLVED,
    "fix": lambda frm, to: to == Status.RESOLVED,
    "acknowledge": lambda frm, to: frm == Status.NEW and to != Status.NEW,
    "classify": lambda frm, to: to not in (Status.NEW, Status.ACKNOWLEDGED),
}
STARTS_LATER = {"fix": Status.IN_SERVICE}


def _warn_at(start: dt.datetime, due: dt.datetime, clock_type: str, ratio: Decimal, cal) -> dt.datetime:
    if clock_type == ClockKind.CALENDAR:
        return start + (due - start) * float(ratio)
    span = working_time_between(start, due, cal)
    return add_business_time(start, span * float(ratio), cal).due


def _new_clock(order, target: dict, start: dt.datetime, cal_code: str, cal, ratio) -> WorkOrderClock:
    res = engine.due(start, target["clock_type"], target["amount"], cal)
    return WorkOrderClock(
        order=order, clock=target["clock"], clock_type=target["clock_type"], amount=target["amount"],
        calendar_code=cal_code, started_at=start, due_at=res.due, original_due_at=res.due,
        warn_at=_warn_at(start, res.due, target["clock_type"], ratio, cal), provisional=res.provisional,
    )


def clocks_start(order: WorkOrder, *, now: dt.datetime | None = None) -> list[WorkOrderClock]:
    """Match the policy, record it on the order and start its clocks (called at intake)."""
    now = now or order.created_at or timezone.now()
    customer = order.customer
    industrial = bool(order.product_model_id and order.product_model.line.is_industrial)
    policy = engine.match_policy(
        service_type=order.service_type, priority=order.priority, customer_tier=customer.tier,
        industrial=industrial, region=customer.region,
    )
    if policy is None:
        return []
    calendar = engine.calendar_for(policy=policy, region=customer.region)
    snap = engine.snapshot(policy, calendar)
    OrderSla.objects.create(order=order, policy_code=policy.code, snapshot=snap)
    cal = engine.compile_calendar(calendar)
    ratio = Decimal(snap["at_risk_ratio"])
    clocks = [
        _new_clock(order, t, now, calendar.code, cal, ratio)
        for t in snap["targets"]
        if t["clock"] not in STARTS_LATER and not (t["clock"] == "onsite" and order.mode == Mode.MAIL_IN)
    ]
    WorkOrderClock.objects.bulk_create(clocks)
    _refresh_next_due(order, clocks)
    return clocks


def clocks_on_transition(order: WorkOrder, from_status: str, to_status: str, *, now: dt.datetime | None = None) -> dict:
    """Apply a transition's effect on the order's clocks; returns a summary for the event payload."""
    now = now or timezone.now()
    sla = OrderSla.objects.filter(order=order).first()
    if sla is None:
        return {}
    snap = sla.snapshot
    pause_statuses = set(snap.get("pause_statuses", []))
    clocks = list(WorkOrderClock.objects.filter(order=order).select_for_update().order_by("id"))
    cal = None
    changes: dict[str, str] = {}

    def calendar():
        nonlocal cal
        if cal is None:
            from sla.models import BusinessCalendar

            cal = engine.compile_calendar(BusinessCalendar.objects.get(code=snap["calendar"]))
        return cal

    for c in clocks:
        if c.state == WorkOrderClock.State.PAUSED and to_status not in pause_statuses:
            res = shift_due_for_pause(c.due_at, c.paused_at, now, calendar(), c.clock_type)
            paused = working_time_between(c.paused_at, now, calendar()) if c.clock_type != "calendar" else now - c.paused_at
            if c.warn_at and c.warn_at > c.paused_at:
                c.warn_at = shift_due_for_pause(c.warn_at, c.paused_at, now, calendar(), c.clock_type).due
            c.due_at, c.provisional = res.due, c.provisional or res.provisional
            c.paused_seconds += int(paused.total_seconds())
            c.paused_at, c.state = None, WorkOrderClock.State.RUNNING
            changes[c.clock] = "resumed"
        if c.state in (WorkOrderClock.State.RUNNING, WorkOrderClock.State.PAUSED):
            if to_status == Status.CANCELLED:
                c.state, c.stopped_at = WorkOrderClock.State.CANCELLED, now
                changes[c.clock] = "cancelled"
            elif MET_WHEN.get(c.clock, lambda f, t: False)(from_status, to_status):
                met = c.due_at is None or now <= c.due_at or c.state == WorkOrderClock.State.PAUSED
                c.state = WorkOrderClock.State.MET if met else WorkOrderClock.State.BREACHED
                c.stopped_at = now
                if not met and c.breached_at is None:
                    c.breached_at = c.due_at
                changes[c.clock] = c.state
            elif to_status in pause_statuses and c.state == WorkOrderClock.State.RUNNING:
                c.state, c.paused_at = WorkOrderClock.State.PAUSED, now
                changes[c.clock] = "paused"
        elif c.state == WorkOrderClock.State.BREACHED and c.stopped_at is None and MET_WHEN.get(c.clock, lambda f, t: False)(from_status, to_status):
            c.stopped_at = now
            changes[c.clock] = "stopped_late"
    new = []
    existing = {c.clock for c in clocks}
    for t in snap["targets"]:
        if STARTS_LATER.get(t["clock"]) == to_status and t["clock"] not in existing:
            new.append(_new_clock(order, t, now, snap["calendar"], calendar(), Decimal(snap["at_risk_ratio"])))
            changes[t["clock"]] = "started"
    if changes:
        WorkOrderClock.objects.bulk_update(
            clocks, ["state", "due_at", "warn_at", "provisional", "paused_at", "paused_seconds", "stopped_at", "breached_at"]
        )
        WorkOrderClock.objects.bulk_create(new)
        _refresh_next_due(order, clocks + new)
    return changes


def _refresh_next_due(order: WorkOrder, clocks) -> None:
    """The order's ``due_at`` is the earliest due time of its running clocks (for sorting lists)."""
    running = [c.due_at for c in clocks if c.state in (WorkOrderClock.State.RUNNING, WorkOrderClock.State.BREACHED)
               and c.stopped_at is None and c.due_at]
    due = min(running) if running else None
    if order.due_at != due:
        WorkOrder.objects.filter(pk=order.pk).update(due_at=due)
        order.due_at = due
