"""What the services would write for a drafted order, worked out in memory (the bulk path).

``Effects.of(draft)`` walks the same service calls as ``history.Replay`` (``history.order_ops``,
without the complaints) and records, per call, what that service writes on the order: its
event row (with the same payload, the SLA clock changes included), its audit row, and the
order's SLA snapshot and clocks — computed by the SLA engine's own functions
(``sla.clocks.plan_for`` at intake, ``sla.clocks.move_clocks`` on every transition), under
the policy ``sla.engine.match_policy`` picks, so the deadlines, pauses, met and breached
clocks are the engine's. ``demo/tests/test_shapes.py`` holds it to the service path.

No database here (it runs in the drafting helper process too): the policies and calendars
are read once by ``Policies`` in the parent.

What the bulk rows leave out: signature files (an acceptance has no signature document), the
complaints' own events, clocks and audit rows, and the audit rows' full snapshots (their
``before``/``after`` hold the status only).
"""

import dataclasses
import json
from dataclasses import dataclass, field

from service.choices import Status
from service.clocks import WORK_ORDER as WORK_ORDER_CASE
from service.customer_messages import ON_ACTION, appointment, payer, quoted, resolution
from service.dispatching import visit_length
from service.models import WorkOrderClock, order_number
from sla import clocks as sla_clocks
from sla import engine
from sla.models import CaseKind

from . import messages
from .drafts import Draft
from .history import LATE_VISIT_REASON, order_ops
from .lifecycle import from_micros, to_micros

VERSIONED_KINDS = frozenset({"create", "move", "sign", "assign", "report"})  # what moves the order's version


class Policies:
    """The work-order policies and calendars, read once; matched per distinct key (pure afterwards)."""

    def __init__(self):
        self.cfg = engine.config()
        self.calendars = {c.code: engine.compile_calendar(c) for c in self.cfg.calendars}
        self._matched: dict[tuple, tuple | None] = {}

    def match(self, service_type: str, priority: str, tier: str, region: str, industrial: bool):
        """``(policy code, snapshot, snapshot as JSON, compiled calendar)`` or None."""
        key = (service_type, priority, tier, region, industrial)
        if key not in self._matched:
            policy = engine.match_policy(
                case_type=CaseKind.WORK_ORDER,
                service_type=service_type,
                priority=priority,
                customer_tier=tier,
                industrial=industrial,
                region=region,
                cfg=self.cfg,
            )
            if policy is None:
                self._matched[key] = None
            else:
                calendar = engine.calendar_for(policy=policy, region=region, cfg=self.cfg)
                snap = engine.snapshot(policy, calendar)
                self._matched[key] = (policy.code, snap, json.dumps(snap), self.calendars[calendar.code])
        return self._matched[key]


class _Clock:
    """A work-order clock in memory: the model's fields with their defaults, without the model's
    ``__init__`` (a third of the intake's clock plan at a million orders). The SLA engine reads
    and sets only attributes (``sla.clocks.plan_for``, ``move_clocks``)."""

    defaults = {f.attname: f.get_default() for f in WorkOrderClock._meta.concrete_fields if not f.primary_key}

    def __init__(self, order=None, **fields):
        self.__dict__.update(self.defaults)
        self.__dict__.update(fields)


# The work-order case type with in-memory clocks (everything else the same).
CASE = dataclasses.replace(WORK_ORDER_CASE, clock_model=_Clock)


@dataclass(frozen=True)
class _Mode:
    """The one attribute the work-order case type reads to skip a clock (``service.clocks._skips``)."""

    mode: str


@dataclass
class OrderEffects:
    events: list = field(default_factory=list)  # (us, actor role, action, from, to, note, payload JSON)
    # (us, actor role, action, object type, object id, object repr, before, after)
    audits: list = field(default_factory=list)
    clocks: list = field(default_factory=list)  # unsaved clock instances
    # the customer's messages: (us, recipient, channel, kind, subject, body, link, sent)
    notes: list = field(default_factory=list)
    sla: tuple | None = None  # (policy code, snapshot JSON)
    version: int = 0
    updated_us: int = 0
    due_at: object = None


class Effects:
    def __init__(self, policies: Policies, now_us: int, reach: "messages.Reach | None" = None):
        self.policies, self.now_us = policies, now_us
        self.visit = visit_length()
        self.reach = reach or messages.Reach()

    def of(self, d: Draft, ids: dict) -> OrderEffects:
        """``ids``: the ids the rows refer to — ``quote``, ``report``, ``acceptances`` (a list),
        ``shipments`` (by direction)."""
        out = OrderEffects()
        tier, region, industrial = d.match
        matched = self.policies.match(d.service_type, d.priority, tier, region, industrial)
        snap = cal = None
        clocks: list = []
        status, reported, signed = Status.NEW.value, False, 0
        number, pk = order_number(d.pk), str(d.pk)
        tell = self.reach.tell if d.customer_user is not None else None
        coverage, appointment_at = "", None
        for op in order_ops(d, self.now_us, complaints=False):
            us, kind = op.us, op.kind
            at = from_micros(us)
            if kind in VERSIONED_KINDS:
                out.version += 1
                out.updated_us = us
            if kind == "create":
                payload = {"channel": d.channel}
                if d.warranty is not None:
                    payload["warranty"] = d.warranty
                out.events.append((us, "creator", "create", "", status, "", payload))
                out.audits.append((us, "creator", "create", "service.workorder", pk, number, None, {"status": status}))
                if matched is not None:
                    code, snap, snap_json, cal = matched
                    plan = sla_clocks.plan_for(CASE, _Mode(d.mode), now=at, policy_code=code, snapshot=snap, cal=cal)
                    clocks = list(plan.clocks)
                    out.sla = (code, snap_json)
                continue
            if kind in ("move", "sign"):
                if kind == "sign":
                    accepted, note, after = op.args
                    action, by = ("accept" if accepted else "refuse"), "engineer"
                    label = f"{number} {'accepted' if accepted else 'refused'}"
                    acceptance = str(ids["acceptances"][signed])
                    out.audits.append((us, by, "create", "service.acceptance", acceptance, label, None, None))
                    signed += 1
                else:
                    action, by, note, after = op.args
                before, status = status, after
                payload = _assessed(d) if action == "assess" else {}
                if snap is not None:
                    changes, new = sla_clocks.move_clocks(
                        CASE,
                        snap,
                        clocks,
                        None,
                        action=action,
                        to_state=status,
                        now=at,
                        calendar=lambda cal=cal: cal,
                    )
                    clocks += new
                    if changes:
                        payload["clocks"] = changes
                out.events.append((us, by, action, before, status, note, payload))
                out.audits.append(
                    (
                        us,
                        by,
                        f"transition:{action}",
                        "service.workorder",
                        pk,
                        number,
                        {"status": before},
                        {"status": status},
                    )
                )
                if action == "assess":
                    coverage = d.coverage
                message = ON_ACTION.get(action)
                if tell is not None and message is not None:
                    if message == messages.K.ACKNOWLEDGEMENT:
                        in_period = bool(d.warranty and d.warranty.get("in_period"))
                        who = payer(coverage, has_unit=d.unit_id is not None, in_period=in_period)
                        lines, values = messages.acknowledgement(clocks, who)
                    elif message == messages.K.APPOINTMENT:
                        lines, values = appointment(self.reach.engineer(d.assignee), appointment_at)
                    elif message == messages.K.RESOLUTION:
                        lines, values = resolution(d.report[1] if reported and d.report else "")
                    else:
                        lines, values = [messages.texts.CLOSURE_TEXT], {}
                    tell(out, d, us, by, message, status, lines, values)
            elif kind == "assign":
                payload = {"assignee": d.assignee, "appointment_at": d.appointment_at.isoformat()}
                note = ""
                onsite = next((c for c in clocks if c.clock == "onsite" and c.stopped_at is None), None)
                if onsite is not None and onsite.due_at and d.appointment_at + self.visit > onsite.due_at:
                    payload["late"] = {"reason": LATE_VISIT_REASON}  # as work_order_assign records it
                    note = LATE_VISIT_REASON
                out.events.append((us, "desk", "assign", status, status, note, payload))
                out.audits.append((us, "desk", "assign", "service.workorder", pk, number, None, None))
                moved = appointment_at != d.appointment_at
                appointment_at = d.appointment_at
                if tell is not None and status == Status.SCHEDULED and moved:  # a new time
                    lines, values = appointment(self.reach.engineer(d.assignee), appointment_at)
                    tell(out, d, us, "desk", messages.K.APPOINTMENT, status, lines, values)
            elif kind == "quote":
                quote, total = ids["quote"]
                out.events.append((us, "desk", "quote", status, status, "", {"quote": quote, "total": str(total)}))
                out.audits.append(
                    (us, "desk", "create", "service.quote", str(quote), f"{number} {total} CNY", None, None)
                )
                if tell is not None:
                    lines, values = quoted(total, ids["quote_plan"])
                    tell(out, d, us, "desk", messages.K.QUOTE, status, lines, values)
            elif kind == "decide":
                (approve,) = op.args
                quote, total = ids["quote"]
                action = "quote_approved" if approve else "quote_rejected"
                out.events.append((us, "customer", action, status, status, "", {"quote": quote}))
                out.audits.append(
                    (us, "customer", "update", "service.quote", str(quote), f"{number} {total} CNY", None, None)
                )
            elif kind == "report":
                payload = {"minutes_spent": d.report[2], "parts": len(d.parts)}
                out.events.append((us, "engineer", "report", status, status, "", payload))
                verb = "update" if reported else "create"
                reported = True
                report = str(ids["report"])
                out.audits.append(
                    (us, "engineer", verb, "service.repairreport", report, f"{number} report", None, None)
                )
            elif kind in ("ship", "receive"):
                direction = op.args[0]
                shipment, tracking = ids["shipments"][direction]
                label = f"{number} {direction} {tracking}"
                by = "customer" if (direction == "in") == (kind == "ship") else "desk"
                if kind == "ship":
                    _d, carrier, tracking = op.args
                    payload = {"direction": direction, "carrier": carrier, "tracking_number": tracking}
                    out.events.append((us, by, "shipment", status, status, "", payload))
                    out.audits.append((us, by, "create", "service.shipment", str(shipment), label, None, None))
                else:
                    payload = {"shipment": shipment, "direction": direction}
                    out.events.append((us, by, "shipment_received", status, status, "", payload))
                    out.audits.append((us, by, "update", "service.shipment", str(shipment), label, None, None))
        out.clocks = clocks
        out.due_at = sla_clocks.next_due(clocks)
        return out


def _assessed(d: Draft) -> dict:
    """The assessment's payload, as ``service.workflow._apply`` writes it."""
    if d.unit_id is None:
        return {"cause": d.cause, "covered": False, "reason": d.coverage_reason}
    payload = {
        "cause": d.cause,
        "covered": d.coverage == "warranty",
        "reason": d.coverage_reason,
        "warranty_end": d.decision_end.isoformat() if d.decision_end else None,
    }
    if d.failed_component is not None:
        payload.update(component="main", months=d.months, convention=d.convention)
    return payload


def micros(value) -> int | None:
    return None if value is None else to_micros(value)
