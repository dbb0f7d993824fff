"""The demo's year of history, written through the services.

Every drafted order (``drafts.OrderDrafter``: who asked, for which unit, which route through
the workflow and when each step happened) is replayed through the product's own services —
``request_create``, ``work_order_transition``, ``work_order_assign``, ``quote_create``,
``quote_decide``, ``report_save``, ``acceptance_sign``, ``shipment_record``,
``shipment_received``, ``complaint_open``, ``complaint_transition`` — each called with
``now=`` the step's historic moment. So each order has exactly the rows the product writes
(its SLA snapshot and clocks, every event, audit row and domain-event reaction), computed by
the product's own rules at the time of each step: the SLA engine starts the clocks at intake,
meets, pauses and breaches them on the way, and the dispatch rule auto-assigns at intake
against the engineers' loads of that day.

The steps of all orders run in time order (a heap with one pending step per order), as
they would have happened; each service commits on its own, so domain events reach their
subscribers after each commit as in production (a refused acceptance opens its complaint,
with the refusal's time). At the end the SLA scan runs once at the real current time, as
the minute job would: running clocks past their warning time are marked at risk, past their
deadline breached, with their events and notifications.

A later module adds its demo data the same way: draft what happens and when, then call its
services with ``now=`` from a step here (or from a chapter of its own in ``generator``).
"""

import base64
import datetime as dt
import heapq
import io
import time
from collections.abc import Callable
from contextlib import AbstractContextManager, nullcontext
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from PIL import Image, ImageDraw

from complaints.choices import Category
from complaints.choices import Source as ComplaintSource
from complaints.choices import Status as ComplaintStatus
from complaints.models import Complaint, ComplaintClock, ComplaintEvent, ComplaintSla
from complaints.services import complaint_open, complaint_transition
from core.models import AuditLog, Document
from feedback.models import Answer, FollowUp, Invitation, Response
from feedback.services import followup_complete, survey_record_call
from notifications.models import Notification
from service.models import (
    Acceptance,
    OrderDocument,
    OrderSla,
    PartUsed,
    Quote,
    QuoteLine,
    RepairReport,
    Shipment,
    WorkOrder,
    WorkOrderClock,
    WorkOrderEvent,
)
from service.services import (
    acceptance_sign,
    quote_create,
    quote_decide,
    report_save,
    request_create,
    work_order_assign,
    work_order_transition,
)
from service.services.shipping import shipment_received, shipment_record
from sla.escalation import scan_clocks

from . import surveys
from .drafts import Draft
from .lifecycle import from_micros, to_micros

# The tables the services write for the demo's orders (counted for the summary).
WRITTEN = (
    WorkOrder,
    WorkOrderEvent,
    WorkOrderClock,
    OrderSla,
    Quote,
    QuoteLine,
    RepairReport,
    PartUsed,
    Acceptance,
    OrderDocument,
    Document,
    Shipment,
    Complaint,
    ComplaintEvent,
    ComplaintClock,
    ComplaintSla,
    AuditLog,
    Notification,
    Invitation,
    Response,
    Answer,
    FollowUp,
)
HOUR_US = 3_600_000_000
# A handled complaint's steps, in hours after it was opened (cut off at "now").
COMPLAINT_STEPS = (("acknowledge", 2), ("classify", 20), ("investigate", 26), ("resolve", 96), ("close", 120))
COMPLAINT_NOTE = "已联系客户核实并处理。"
COMPLAINT_NOTICE = {
    "measures": "已联系客户核实并处理。",
    "result": "问题已解决，客户认可。",
    "follow_up": "一周后回访。",
}
COMPLAINT_CATEGORIES = (Category.SERVICE, Category.PRODUCT_QUALITY, Category.INFORMATION, Category.OTHER)


def signature(seed: int) -> str:
    """A drawn signature as the signature pad sends it (a PNG data URL), a different stroke per seed."""
    img = Image.new("L", (200, 70), 255)
    points = [(10 + 30 * i, 15 + (seed * (i + 3) * 7919) % 45) for i in range(7)]
    ImageDraw.Draw(img).line(points, fill=0, width=3)
    out = io.BytesIO()
    img.save(out, format="PNG")
    return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()


# What the desk wrote when the drafted visit fell after the on-site deadline.
LATE_VISIT_REASON = "客户要求的上门时间"


@dataclass(slots=True)
class Op:
    us: int  # when (microseconds since the epoch)
    kind: str
    args: tuple = ()


@dataclass
class Counts:
    orders: int = 0
    calls: int = 0
    seconds: float = 0.0
    by_kind: dict = field(default_factory=dict)


def order_ops(d: Draft, now_us: int, *, complaints: bool, survey: "surveys.Policy | None" = None) -> list[Op]:
    """The service calls that make one drafted order, in time order (steps at the same moment
    keep their order). ``complaints``: with the complaints about it and their handling;
    ``survey``: with the answer to its survey and its follow-ups (``demo.surveys``)."""
    ops = []
    for step in d.plan.steps:
        if step.action == "create":
            ops.append(Op(step.us, "create"))
        elif step.action in ("accept", "refuse"):
            ops.append(Op(step.us, "sign", (step.action == "accept", step.note, step.to_status)))
            if step.action == "refuse" and complaints:
                ops += _refusal_handled(d, step.us, now_us)
        elif step.action in ("quote_approved", "quote_rejected"):
            ops.append(Op(step.us, "decide", (step.action == "quote_approved",)))
        elif step.action in ("assign", "quote", "report"):
            ops.append(Op(step.us, step.action))
        else:
            ops.append(Op(step.us, "move", (step.action, step.by, step.note, step.to_status)))
    for direction, carrier, tracking, shipped, received in d.shipments:
        ops.append(Op(to_micros(shipped), "ship", (direction, carrier, tracking)))
        if received is not None:
            ops.append(Op(to_micros(received), "receive", (direction,)))
    if d.complaint is not None and complaints:
        at, source, text, status = d.complaint
        start = to_micros(at)
        ops.append(Op(start, "complain", (source, text)))
        if status == ComplaintStatus.CLOSED:
            ops += _complaint_steps(start, start + 120 * HOUR_US, now_us)
    if survey is not None:
        ops += [Op(us, kind, args) for us, kind, args in surveys.ops(d, now_us, survey)]
    ops.sort(key=lambda op: op.us)  # stable: steps at the same moment keep their order
    return ops


def _refusal_handled(d: Draft, refused_us: int, now_us: int) -> list[Op]:
    """The complaint a refusal opens is handled by the time the order is finished again."""
    later = [s for s in d.plan.steps if s.us > refused_us]
    if not later:
        return []
    return [Op(refused_us, "refusal_complaint")] + _complaint_steps(refused_us, later[-1].us, now_us)


def _complaint_steps(start: int, end: int, now_us: int) -> list[Op]:
    """Acknowledge … close, spread over ``start``–``end`` (at most five days), none after now."""
    span = min(end - start, 120 * HOUR_US)
    steps = []
    for action, hours in COMPLAINT_STEPS:
        at = start + max(1, span * hours // 120)
        if at > now_us:
            break
        steps.append(Op(at, "complaint_move", (action,)))
    return steps


class Replay:
    """The drafted orders, step by step through the services, in time order."""

    def __init__(self, drafts: list[Draft], *, users: dict, departments: dict[str, int], now: dt.datetime):
        self.drafts, self.now, self.now_us = drafts, now, to_micros(now)
        self.users = users  # by pk
        self.field_service = departments["field-service"]
        self.handler = next(u for u in users.values() if u.username == "complaints")
        self.agent = next(u for u in users.values() if u.username == "agent")
        self.lead = next(u for u in users.values() if u.username == "supervisor")
        self.survey = surveys.Policy.read()
        self.order_ids: list[int | None] = [None] * len(drafts)
        self.quotes: dict[int, int] = {}  # draft index -> pending quote id
        self.shipments: dict[tuple[int, str], int] = {}  # (draft index, direction) -> shipment id
        self.complaints: dict[int, int] = {}  # draft index -> complaint id (the one being handled)

    def ops(self, index: int) -> list[Op]:
        return order_ops(self.drafts[index], self.now_us, complaints=True, survey=self.survey)

    # -- running it

    def run(
        self,
        progress: Callable[[int, int, int], None] | None = None,
        scan_at: dt.datetime | None = None,
        each: Callable[[], AbstractContextManager] | None = None,
    ) -> Counts:
        """``each``: a context around each service call, for a caller that holds a transaction
        open (a test): it must deliver what the call's commit would have (Django's
        ``captureOnCommitCallbacks(execute=True)``)."""
        if each is None and transaction.get_connection().in_atomic_block:
            raise RuntimeError(
                "The demo is written through the services, whose domain events reach their subscribers "
                "after each commit: run it outside a transaction."
            )
        each = each or nullcontext
        connection = transaction.get_connection()
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            # One commit per service call: without waiting for each to reach the disk (the
            # session only; a crash loses at most the last few, as before any load)
            with connection.cursor() as cursor:
                cursor.execute("SET synchronous_commit TO OFF")
        try:
            return self._run(progress, scan_at, each)
        finally:
            if connection.vendor == "postgresql" and not connection.in_atomic_block:
                with connection.cursor() as cursor:
                    cursor.execute("RESET synchronous_commit")

    def _run(self, progress, scan_at, each) -> Counts:
        counts, started = Counts(), time.monotonic()
        plans = [self.ops(i) for i in range(len(self.drafts))]
        heap = [(ops[0].us, i, 0) for i, ops in enumerate(plans) if ops]
        heapq.heapify(heap)
        every = max(1, len(self.drafts) // 20)
        while heap:
            _us, i, k = heapq.heappop(heap)
            op = plans[i][k]
            with each():
                self.do(i, op)
            counts.calls += 1
            counts.by_kind[op.kind] = counts.by_kind.get(op.kind, 0) + 1
            if op.kind == "create":
                counts.orders += 1
                if progress is not None and counts.orders % every == 0:
                    progress(counts.orders, len(self.drafts), counts.calls)
            if k + 1 < len(plans[i]):
                heapq.heappush(heap, (plans[i][k + 1].us, i, k + 1))
        result = scan_clocks(now=scan_at or timezone.now())
        counts.by_kind["scan"] = len(result.at_risk) + len(result.breached)
        counts.seconds = time.monotonic() - started
        return counts

    def do(self, index: int, op: Op) -> None:
        d, now = self.drafts[index], from_micros(op.us)
        order_id = self.order_ids[index]
        users = self.users
        desk = users[d.desk]
        engineer = users.get(d.assignee) if d.assignee else None
        customer = users[d.customer_user] if d.customer_user else None
        kind = op.kind
        if kind == "create":
            order = request_create(
                actor=users[d.created_by],
                customer_id=None if users[d.created_by].is_customer else d.customer_id,
                serial=d.serial,
                fault_description=d.fault,
                service_type=d.service_type,
                channel=d.channel,
                contact_name=d.contact_name,
                contact_phone=d.contact_phone,
                priority=d.priority,
                mode=d.mode,
                address=d.address,
                preferred_time=d.preferred_time,
                now=now,
            )
            self.order_ids[index] = d.pk = order.pk
        elif kind == "move":
            action, by, note, _to = op.args
            actor = engineer if by == "engineer" else desk
            data = {"cause": d.cause} if action == "assess" else None
            work_order_transition(order_id=order_id, action=action, actor=actor, note=note, data=data, now=now)
        elif kind == "assign":
            work_order_assign(
                order_id=order_id,
                actor=desk,
                assignee_id=d.assignee,
                appointment_at=d.appointment_at,
                department_id=self.field_service,
                reason=LATE_VISIT_REASON,  # recorded only for a visit after the on-site deadline
                now=now,
            )
        elif kind == "quote":
            quote = quote_create(
                order_id=order_id,
                actor=desk,
                lines=[
                    {"kind": k, "description": text, "quantity": qty, "unit_price": price}
                    for k, text, qty, price, _amount in d.quote_lines
                ],
                plan="；".join(line[1] for line in d.quote_lines[1:]) or "检测维修",
                estimated_hours=d.quote_hours,
                now=now,
            )
            self.quotes[index] = quote.pk
        elif kind == "decide":
            (approve,) = op.args
            quote_decide(quote_id=self.quotes.pop(index), actor=customer or desk, approve=approve, now=now)
        elif kind == "report":
            cause, process, minutes = d.report
            report_save(
                order_id=order_id,
                actor=engineer,
                cause=cause,
                process=process,
                minutes_spent=minutes,
                service_date=timezone.localdate(now),
                parts=[
                    {"part_number": number, "name": name, "old_serial": old, "new_serial": new, "quantity": 1}
                    for number, name, _price, old, new in d.parts
                ],
                now=now,
            )
        elif kind == "sign":
            accepted, note, _to = op.args
            acceptance_sign(
                order_id=order_id,
                actor=engineer,
                accepted=accepted,
                signer_name=d.contact_name,
                signature=signature(order_id),
                comment=note,
                now=now,
            )
        elif kind == "ship":
            direction, carrier, tracking = op.args
            inbound = direction == Shipment.Direction.INBOUND
            shipment = shipment_record(
                order_id=order_id,
                actor=(customer or desk) if inbound else desk,
                direction=direction,
                carrier=carrier,
                tracking_number=tracking,
                shipped_at=now,
                now=now,
            )
            self.shipments[(index, direction)] = shipment.pk
        elif kind == "receive":
            (direction,) = op.args
            inbound = direction == Shipment.Direction.INBOUND
            shipment_received(
                shipment_id=self.shipments[(index, direction)], actor=desk if inbound else customer, now=now
            )
        elif kind == "complain":
            source, text = op.args
            complaint = complaint_open(
                actor=self.agent,
                customer_id=d.customer_id,
                channel=source,
                description=text,
                order_id=order_id,
                now=now,
            )
            self.complaints[index] = complaint.pk
        elif kind == "refusal_complaint":  # opened by the refusal's subscriber: find it
            self.complaints[index] = (
                Complaint.objects.filter(order_id=order_id, channel=ComplaintSource.REFUSED_ACCEPTANCE)
                .order_by("-id")
                .values_list("id", flat=True)
                .first()
            )
        elif kind == "complaint_move":
            (action,) = op.args
            data = None
            if action == "classify":
                category = COMPLAINT_CATEGORIES[index % len(COMPLAINT_CATEGORIES)]
                data = {"category": category, "service_aspect": "efficiency", "owner_id": self.handler.pk}
            elif action == "resolve":
                data = COMPLAINT_NOTICE
            note = COMPLAINT_NOTE if action in ("resolve",) else ""
            complaint_transition(
                complaint_id=self.complaints[index], action=action, actor=self.handler, note=note, data=data, now=now
            )
        elif kind == "survey_answer":  # answered on a call (the invitation came with the closing)
            (answers,) = op.args
            survey_record_call(actor=self.agent, customer_id=d.customer_id, order_id=order_id, answers=answers, now=now)
        elif kind == "followup_done":
            reason, by, outcome, note = op.args
            followup = FollowUp.objects.filter(order_id=order_id, reason=reason).values_list("pk", flat=True).first()
            actor = self.lead if by == "lead" else self.agent
            followup_complete(actor=actor, followup_id=followup, outcome=outcome, note=note, now=now)
        else:
            raise ValueError(f"unknown step {kind!r}")
