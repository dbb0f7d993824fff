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
- ``clock_extend``: a handler moves a running (or paused) clock's deadline later, before
  it passes, with a reason; ``original_due_at`` keeps the first deadline and the customer
  is notified.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit, lean
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from notifications.services import notify
from sla import engine
from sla.businesstime import ClockKind, add_business_time, add_working_days, shift_due_for_pause, working_time_between
from sla.models import BusinessCalendar

from .choices import Mode, Status
from .models import OrderSla, WorkOrder, WorkOrderClock, WorkOrderEvent
from .permissions import visible_to

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
        order=order,
        clock=target["clock"],
        clock_type=target["clock_type"],
        amount=target["amount"],
        calendar_code=cal_code,
        started_at=start,
        due_at=res.due,
        original_due_at=res.due,
        warn_at=_warn_at(start, res.due, target["clock_type"], ratio, cal),
        provisional=res.provisional,
    )


@dataclass
class ClockPlan:
    """What intake will store of the SLA: the matched policy's snapshot and the clocks to start."""

    policy_code: str
    snapshot: dict
    clocks: list[WorkOrderClock]

    @property
    def next_due(self) -> dt.datetime | None:
        return min((c.due_at for c in self.clocks if c.due_at), default=None)


def clocks_plan(order: WorkOrder, *, now: dt.datetime) -> ClockPlan | None:
    """Match the policy and compute the clocks of a new order, without writing anything (the
    order need not be saved yet, so its ``due_at`` goes into the same INSERT)."""
    customer = order.customer
    industrial = bool(order.product_model_id and order.product_model.line.is_industrial)
    cfg = engine.config()
    policy = engine.match_policy(
        service_type=order.service_type,
        priority=order.priority,
        customer_tier=customer.tier,
        industrial=industrial,
        region=customer.region,
        cfg=cfg,
    )
    if policy is None:
        return None
    calendar = engine.calendar_for(policy=policy, region=customer.region, cfg=cfg)
    snap = engine.snapshot(policy, calendar)
    cal = engine.compile_calendar(calendar)
    ratio = Decimal(snap["at_risk_ratio"])
    clocks = [
        _new_clock(None, t, now, calendar.code, cal, ratio)
        for t in snap["targets"]
        if t["clock"] not in STARTS_LATER and not (t["clock"] == "onsite" and order.mode == Mode.MAIL_IN)
    ]
    return ClockPlan(policy_code=policy.code, snapshot=snap, clocks=clocks)


def clocks_save(order: WorkOrder, plan: ClockPlan | None) -> list[WorkOrderClock]:
    """Record the plan of a just-inserted order: its SLA snapshot and its running clocks."""
    if plan is None:
        return []
    (order.sla,) = lean.insert([OrderSla(order=order, policy_code=plan.policy_code, snapshot=plan.snapshot)])
    for c in plan.clocks:
        c.order = order
    lean.insert(plan.clocks)  # every intake: the ORM's bulk_create costs three times the CPU
    _refresh_next_due(order, plan.clocks)
    return plan.clocks


def clocks_start(order: WorkOrder, *, now: dt.datetime | None = None) -> list[WorkOrderClock]:
    """Match the policy, record it on the order and start its clocks (for an order saved without them)."""
    now = now or order.created_at or timezone.now()
    return clocks_save(order, clocks_plan(order, now=now))


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
            paused = (
                working_time_between(c.paused_at, now, calendar()) if c.clock_type != "calendar" else now - c.paused_at
            )
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
        elif (
            c.state == WorkOrderClock.State.BREACHED
            and c.stopped_at is None
            and MET_WHEN.get(c.clock, lambda f, t: False)(from_status, to_status)
        ):
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
            clocks,
            ["state", "due_at", "warn_at", "provisional", "paused_at", "paused_seconds", "stopped_at", "breached_at"],
        )
        WorkOrderClock.objects.bulk_create(new)
        _refresh_next_due(order, clocks + new)
    return changes


def _refresh_next_due(order: WorkOrder, clocks) -> None:
    """The order's ``due_at`` is the earliest due time of its running clocks (for sorting lists)."""
    running = [
        c.due_at
        for c in clocks
        if c.state in (WorkOrderClock.State.RUNNING, WorkOrderClock.State.BREACHED)
        and c.stopped_at is None
        and c.due_at
    ]
    due = min(running) if running else None
    if order.due_at != due:
        WorkOrder.objects.filter(pk=order.pk).update(due_at=due)
        order.due_at = due


EXTEND_ROLES = frozenset({Role.AGENT, Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


def _extended_due(c: WorkOrderClock, cal, *, new_due_at: dt.datetime | None, extra: int | None):
    """The new deadline: an explicit instant, or ``extra`` in the clock's own unit (elapsed
    minutes, working minutes, or working days); returns ``(due, provisional)``."""
    if new_due_at is not None:
        if timezone.is_naive(new_due_at):
            new_due_at = timezone.make_aware(new_due_at, cal.zone)
        return new_due_at, False
    if c.clock_type == ClockKind.CALENDAR:
        return c.due_at + dt.timedelta(minutes=extra), False
    if c.clock_type == ClockKind.BUSINESS:
        res = add_business_time(c.due_at, dt.timedelta(minutes=extra), cal)
    else:
        res = add_working_days(c.due_at, extra, cal)
    return res.due, res.provisional


def clock_extend(
    *,
    order_id: int,
    clock: str,
    actor,
    reason: str,
    new_due_at: dt.datetime | None = None,
    extra: int | None = None,
) -> WorkOrderClock:
    """Extend one clock's deadline before it passes, with a reason; the customer is told."""
    role = Role.ADMIN if actor.is_superuser else actor.role
    if role not in EXTEND_ROLES:
        raise Forbidden(_("Your role cannot extend a deadline."))
    reason = (reason or "").strip()
    if not reason:
        msg = _("Give the reason for the extension; the customer will see it.")
        raise ValidationFailed(msg, fields={"reason": [msg]})
    if (new_due_at is None) == (extra is None) or (extra is not None and extra < 1):
        msg = _("Give either the new deadline or the extra time (a positive number).")
        raise ValidationFailed(msg, code="bad_extension", fields={"new_due_at": [msg], "extra": [msg]})
    with transaction.atomic():
        order = visible_to(actor).select_for_update().filter(pk=order_id).first()
        if order is None:
            raise NotFound(_("Work order not found."))
        clocks = list(WorkOrderClock.objects.filter(order=order).select_for_update().order_by("id"))
        c = next((x for x in clocks if x.clock == clock), None)
        if c is None:
            raise NotFound(_("This work order has no such clock."))
        now = timezone.now()
        if c.state not in (WorkOrderClock.State.RUNNING, WorkOrderClock.State.PAUSED) or c.due_at is None:
            raise Conflict(_("This clock has stopped; its deadline cannot be extended."), code="clock_stopped")
        cal = engine.compile_calendar(BusinessCalendar.objects.get(code=c.calendar_code))
        effective = c.due_at
        if c.state == WorkOrderClock.State.PAUSED and c.paused_at:  # the deadline it would have if resumed now
            effective = shift_due_for_pause(c.due_at, c.paused_at, now, cal, c.clock_type).due
        if now > effective:
            raise Conflict(_("The deadline has passed; an extension must be made before it."), code="deadline_passed")
        due, provisional = _extended_due(c, cal, new_due_at=new_due_at, extra=extra)
        if due <= c.due_at:
            msg = _("The new deadline must be later than the current one.")
            raise ValidationFailed(msg, code="not_later", fields={"new_due_at": [msg]})
        before = audit.snapshot(c)
        previous = c.due_at
        ratio = Decimal(order.sla.snapshot.get("at_risk_ratio", "0.8")) if hasattr(order, "sla") else Decimal("0.8")
        c.original_due_at = c.original_due_at or previous
        c.due_at, c.provisional = due, provisional
        c.warn_at = _warn_at(c.started_at, due, c.clock_type, ratio, cal)
        if c.warn_at > now:
            c.at_risk, c.escalation_level = False, 0
        c.extension_reason, c.extended_at, c.extended_by = reason, now, actor
        c.save(
            update_fields=[
                "due_at",
                "original_due_at",
                "provisional",
                "warn_at",
                "at_risk",
                "escalation_level",
                "extension_reason",
                "extended_at",
                "extended_by",
            ]
        )
        _refresh_next_due(order, clocks)
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action="sla_extended",
            from_status=order.status,
            to_status=order.status,
            note=reason,
            payload={
                "clock": c.clock,
                "from": previous.isoformat(),
                "to": due.isoformat(),
                "original_due_at": c.original_due_at.isoformat(),
            },
        )
        audit.record(actor=actor, action="sla_extend", obj=c, before=before)
        customer_user = order.customer.user
        if customer_user is not None:
            values = {
                "number": order.number,
                "due": timezone.localtime(due, cal.zone).strftime("%Y-%m-%d %H:%M"),
                "reason": reason,
            }
            notify(
                users=[customer_user],
                subject=_("Work order %(number)s: new deadline") % values,
                body=_(
                    "We need more time for your work order %(number)s. The new deadline is %(due)s. Reason: %(reason)s"
                )
                % values,
                order=order,
            )
    return c
