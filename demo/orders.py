"""Turning drafted work orders into rows, and writing them batch by batch.

``OrderFormatter`` turns a batch of drafts into plain tuples for every table (ids
from ``bulk.Ids`` blocks, values from ``bulk.Adapters``) without touching the
database; ``OrderWriter`` writes one batch in one transaction, one ``bulk.Table``
insert per table. No randomness here: the drafts decided everything.

``write_orders`` runs drafting and formatting in a forked helper process when the
set is large enough to pay for it, so that Python builds the next batch while the
database writes this one (on two cores that is nearly twice as fast; a thread does
not help, the GIL serialises it). The helper only computes: it never uses the
database connection it inherits, and it leaves with ``os._exit`` through
``multiprocessing``. The drafter is the only user of the random generator, in both
modes, so the data are the same for the same seed.
"""

import json
import multiprocessing
import queue
import traceback
from collections.abc import Callable

from django.db import transaction

from complaints.choices import Source as ComplaintSource
from complaints.choices import Status as ComplaintStatus
from complaints.models import Complaint
from core.models import AuditLog
from feedback.models import FollowUp, Invitation, Response
from notifications.models import Notification
from products.models import ProductModel
from service.choices import Status
from service.models import (
    Acceptance,
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

from . import surveys
from .bulk import Adapters, Ids, Table
from .drafts import Draft, OrderDrafter
from .effects import Effects, OrderEffects, Policies
from .lifecycle import to_micros

ORDER_COLUMNS = (
    "id",
    "status",
    "version",
    "customer_id",
    "contact_name",
    "contact_phone",
    "unit_id",
    "serial",
    "product_model_id",
    "service_type",
    "priority",
    "channel",
    "mode",
    "fault_description",
    "address",
    "preferred_time",
    "assignee_id",
    "department_id",
    "appointment_at",
    "coverage",
    "coverage_reason",
    "cause",
    "failed_component_id",
    "warranty_end",
    "warranty_convention",
    "paused_from",
    "due_at",
    "created_by_id",
    "created_at",
    "updated_at",
    "closed_at",
)
EVENT_COLUMNS = ("order_id", "at", "actor_id", "action", "from_status", "to_status", "note", "payload")
QUOTE_COLUMNS = (
    "id",
    "order_id",
    "status",
    "currency",
    "total",
    "estimated_hours",
    "plan",
    "created_by_id",
    "created_at",
    "decided_by_id",
    "decided_at",
)
LINE_COLUMNS = ("quote_id", "kind", "description", "quantity", "unit_price", "amount")
REPORT_COLUMNS = (
    "id",
    "order_id",
    "engineer_id",
    "service_date",
    "cause",
    "process",
    "minutes_spent",
    "created_at",
    "updated_at",
)
PART_COLUMNS = ("report_id", "part_number", "name", "old_serial", "new_serial", "quantity")
ACCEPTANCE_COLUMNS = (
    "id",
    "order_id",
    "accepted",
    "signer_name",
    "signed_at",
    "signature_id",
    "comment",
    "recorded_by_id",
)
COMPLAINT_COLUMNS = (
    "customer_id",
    "order_id",
    "channel",
    "description",
    "status",
    "version",
    "category",
    "paused_from",
    "created_at",
    "updated_at",
    "closed_at",
    "received_at",
)
SHIPMENT_COLUMNS = ("id", "order_id", "direction", "carrier", "tracking_number", "shipped_at", "received_at")
CLOCK_COLUMNS = (
    "order_id",
    "clock",
    "clock_type",
    "amount",
    "calendar_code",
    "state",
    "started_at",
    "due_at",
    "original_due_at",
    "warn_at",
    "provisional",
    "paused_at",
    "paused_seconds",
    "stopped_at",
    "breached_at",
)
SLA_COLUMNS = ("order_id", "policy_code", "snapshot")
AUDIT_COLUMNS = ("at", "actor_id", "action", "object_type", "object_id", "object_repr", "before", "after")


NOTIFICATION_COLUMNS = (
    "recipient_id",
    "channel",
    "kind",
    "subject",
    "body",
    "order_id",
    "link",
    "created_at",
    "sent_at",
    "attempts",
    "error",
)
TABLES = {
    "orders": (WorkOrder, ORDER_COLUMNS),
    "quotes": (Quote, QUOTE_COLUMNS),
    "lines": (QuoteLine, LINE_COLUMNS),
    "reports": (RepairReport, REPORT_COLUMNS),
    "parts": (PartUsed, PART_COLUMNS),
    "events": (WorkOrderEvent, EVENT_COLUMNS),
    "acceptances": (Acceptance, ACCEPTANCE_COLUMNS),
    "complaints": (Complaint, COMPLAINT_COLUMNS),
    "shipments": (Shipment, SHIPMENT_COLUMNS),
    "slas": (OrderSla, SLA_COLUMNS),
    "clocks": (WorkOrderClock, CLOCK_COLUMNS),
    "audits": (AuditLog, AUDIT_COLUMNS),
    "invitations": surveys.TABLES["invitations"],
    "responses": surveys.TABLES["responses"],
    "answers": surveys.TABLES["answers"],
    "followups": surveys.TABLES["followups"],
    "notifications": (Notification, NOTIFICATION_COLUMNS),
}  # in the order they are written (parents first)
CLOSED, REOPENED = Status.CLOSED.value, Status.REOPENED.value
REFUSED_ACCEPTANCE = ComplaintSource.REFUSED_ACCEPTANCE.value
COMPLAINT_NEW, COMPLAINT_CLOSED = ComplaintStatus.NEW.value, ComplaintStatus.CLOSED.value


class OrderFormatter:
    """Rows for a batch of drafts. Pure: ids come from the blocks it was given, the policies
    from ``effects`` (read before)."""

    def __init__(self, tz, adapt: Adapters, ids: dict[str, Ids], effects: Effects, feedback: surveys.Rows):
        self.tz, self.adapt, self.ids, self.effects, self.feedback = tz, adapt, ids, effects, feedback

    def rows(self, drafts: list[Draft]) -> dict[str, list[tuple]]:
        for d, pk in zip(drafts, self.ids["orders"].take(len(drafts)), strict=True):
            d.pk = pk
        quotes, lines = self._quotes(drafts)
        reports, parts = self._reports(drafts)
        signed = [d for d in drafts for _step in d.plan.acceptances]
        acceptances: dict[int, list[int]] = {}
        for d, pk in zip(signed, self.ids["acceptances"].take(len(signed)), strict=True):
            acceptances.setdefault(d.pk, []).append(pk)
        shipped = [(d, s) for d in drafts for s in d.shipments]
        shipments: dict[int, dict] = {}
        for (d, s), pk in zip(shipped, self.ids["shipments"].take(len(shipped)), strict=True):
            shipments.setdefault(d.pk, {})[s[0]] = (pk, s[2])
        effects = []
        for d in drafts:
            ids = {
                "quote": (quotes[d.pk][0], quotes[d.pk][4]) if d.pk in quotes else None,
                "quote_plan": quotes[d.pk][6] if d.pk in quotes else "",
                "report": reports[d.pk][0] if d.pk in reports else None,
                "acceptances": acceptances.get(d.pk, []),
                "shipments": shipments.get(d.pk, {}),
            }
            effects.append(self.effects.of(d, ids))
        feedback = self.feedback.rows(drafts, self._actors, self.adapt.micros)
        return {
            "orders": [self._order_row(d, e) for d, e in zip(drafts, effects, strict=True)],
            "quotes": list(quotes.values()),
            "lines": lines,
            "reports": list(reports.values()),
            "parts": parts,
            "events": self._events(drafts, effects),
            "acceptances": self._acceptances(drafts, acceptances),
            "complaints": self._complaints(drafts),
            "shipments": self._shipments(drafts, shipments),
            "slas": [(d.pk, e.sla[0], e.sla[1]) for d, e in zip(drafts, effects, strict=True) if e.sla],
            "clocks": self._clocks(drafts, effects),
            "audits": self._audits(drafts, effects) + feedback["audits"],
            "invitations": feedback["invitations"],
            "responses": feedback["responses"],
            "answers": feedback["answers"],
            "followups": feedback["followups"],
            "notifications": self._notifications(drafts, effects) + feedback["notifications"],
        }

    def _order_row(self, d: Draft, e: OrderEffects) -> tuple:
        plan, stamp = d.plan, self.adapt.micros
        return (
            d.pk,
            d.status,
            e.version,
            d.customer_id,
            d.contact_name,
            d.contact_phone,
            d.unit_id,
            d.serial,
            d.product_model_id,
            d.service_type,
            d.priority,
            d.channel,
            d.mode,
            d.fault,
            d.address,
            d.preferred_time,
            d.assignee,
            d.department,
            self.adapt.ts(d.appointment_at),
            d.coverage,
            d.coverage_reason,
            d.cause,
            d.failed_component,
            d.decision_end if d.failed_component is not None else None,
            d.convention,
            plan.paused_from,
            self.adapt.ts(e.due_at),
            d.created_by,
            stamp(plan.steps[0].us),
            stamp(e.updated_us),
            stamp(plan.last("close").us) if d.status == CLOSED else None,
        )

    def _quotes(self, drafts: list[Draft]) -> tuple[dict[int, tuple], list[tuple]]:
        """Quote rows by order id (the id first, the total fifth) and their lines."""
        stamp, quotes, lines = self.adapt.micros, {}, []
        quoted = [d for d in drafts if d.plan.quote_status]
        for d, pk in zip(quoted, self.ids["quotes"].take(len(quoted)), strict=True):
            plan = d.plan
            asked, decided = plan.first("quote"), plan.last("quote_" + plan.quote_status)
            quotes[d.pk] = (
                pk,
                d.pk,
                plan.quote_status,
                "CNY",
                sum(line[4] for line in d.quote_lines),
                d.quote_hours,
                "；".join(line[1] for line in d.quote_lines[1:]) or "检测维修",
                d.desk,
                stamp(asked.us),
                (d.customer_user or d.desk) if decided else None,
                stamp(decided.us) if decided else None,
            )
            lines += [(pk, *line) for line in d.quote_lines]
        return quotes, lines

    def _reports(self, drafts: list[Draft]) -> tuple[dict[int, tuple], list[tuple]]:
        stamp, day, tz, reports, parts = self.adapt.micros, self.adapt.day, self.tz, {}, []
        reported = [d for d in drafts if d.report is not None]
        for d, pk in zip(reported, self.ids["reports"].take(len(reported)), strict=True):
            first, last = d.plan.first("report"), d.plan.last("report")
            cause, process, minutes = d.report
            service_date = day(last.at.astimezone(tz).date())
            reports[d.pk] = (
                pk,
                d.pk,
                d.assignee,
                service_date,
                cause,
                process,
                minutes,
                stamp(first.us),
                stamp(last.us),
            )
            parts += [(pk, number, name, old, new, 1) for number, name, _price, old, new in d.parts]
        return reports, parts

    def _actors(self, d: Draft) -> dict[str, int | None]:
        return {
            "creator": d.created_by,
            "desk": d.desk,
            "engineer": d.assignee,
            "customer": d.customer_user or d.desk,
        }

    def _events(self, drafts: list[Draft], effects: list[OrderEffects]) -> list[tuple]:
        stamp, dumps, events = self.adapt.micros, json.dumps, []
        for d, e in zip(drafts, effects, strict=True):
            actors = self._actors(d)
            events += [
                (d.pk, stamp(us), actors[by], action, before, after, note, dumps(payload))
                for us, by, action, before, after, note, payload in e.events
            ]
        return events

    def _notifications(self, drafts: list[Draft], effects: list[OrderEffects]) -> list[tuple]:
        """The customer's messages (few: only customers with a portal login are told)."""
        stamp = self.adapt.micros
        return [
            (user, channel, kind, subject, body, d.pk, link, stamp(us), stamp(us) if sent else None, 0, "")
            for d, e in zip(drafts, effects, strict=True)
            for us, user, channel, kind, subject, body, link, sent in e.notes
        ]

    def _audits(self, drafts: list[Draft], effects: list[OrderEffects]) -> list[tuple]:
        stamp, dumps, rows = self.adapt.micros, json.dumps, []
        for d, e in zip(drafts, effects, strict=True):
            actors = self._actors(d)
            rows += [
                (
                    stamp(us),
                    actors[by],
                    action,
                    kind,
                    pk,
                    label,
                    None if before is None else dumps(before),
                    None if after is None else dumps(after),
                )
                for us, by, action, kind, pk, label, before, after in e.audits
            ]
        return rows

    def _clocks(self, drafts: list[Draft], effects: list[OrderEffects]) -> list[tuple]:
        ts, rows = self.adapt.ts, []
        for d, e in zip(drafts, effects, strict=True):
            rows += [
                (
                    d.pk,
                    c.clock,
                    c.clock_type,
                    c.amount,
                    c.calendar_code,
                    str(c.state),
                    ts(c.started_at),
                    ts(c.due_at),
                    ts(c.original_due_at),
                    ts(c.warn_at),
                    c.provisional,
                    ts(c.paused_at),
                    c.paused_seconds,
                    ts(c.stopped_at),
                    ts(c.breached_at),
                )
                for c in e.clocks
            ]
        return rows

    def _acceptances(self, drafts: list[Draft], ids: dict[int, list[int]]) -> list[tuple]:
        stamp = self.adapt.micros
        return [
            (pk, d.pk, step.action == "accept", d.contact_name, stamp(step.us), None, step.note, d.assignee)
            for d in drafts
            for step, pk in zip(d.plan.acceptances, ids.get(d.pk, []), strict=True)
        ]

    def _complaints(self, drafts: list[Draft]) -> list[tuple]:
        """A complaint for every refused acceptance, and the drafted complaints after closing."""
        ts, stamp, rows = self.adapt.ts, self.adapt.micros, []
        for d in drafts:
            for step in d.plan.acceptances:
                if step.action == "refuse":
                    at = stamp(step.us)
                    status = COMPLAINT_NEW if d.status == REOPENED else COMPLAINT_CLOSED
                    closed = at if status == COMPLAINT_CLOSED else None
                    rows.append(
                        (d.customer_id, d.pk, REFUSED_ACCEPTANCE, step.note, status, 1, "", "", at, at, closed, at)
                    )
            if d.complaint is not None:
                at, source, text, status = d.complaint
                closed = ts(at) if status == COMPLAINT_CLOSED else None
                rows.append((d.customer_id, d.pk, source, text, status, 1, "", "", ts(at), ts(at), closed, ts(at)))
        return rows

    def _shipments(self, drafts: list[Draft], ids: dict[int, dict]) -> list[tuple]:
        ts = self.adapt.ts
        return [
            (ids[d.pk][direction][0], d.pk, direction, carrier, tracking, ts(shipped), ts(received))
            for d in drafts
            for direction, carrier, tracking, shipped, received in d.shipments
        ]


class OrderWriter:
    def __init__(self):
        self.tables = {name: Table(model, columns, compact=True) for name, (model, columns) in TABLES.items()}

    def write(self, rows: dict[str, list[tuple]]) -> int:
        """Write one batch in one transaction (a savepoint inside ``bulk.load_scope``)."""
        with transaction.atomic():
            return sum(table.insert(rows[name]) for name, table in self.tables.items())


# Below this many orders, drafting in this process costs less than starting a helper.
PROCESS_THRESHOLD = 20_000


def write_orders(
    drafter: OrderDrafter,
    *,
    count: int,
    batch: int,
    report: Callable,
    people: dict[str, int],
    helper: bool | None = None,
) -> int:
    """Draft, format and write ``count`` orders, ``batch`` per transaction. ``people``: the user
    ids of the demo's ``agent`` and ``lead`` (the supervisor), who take the surveys' calls."""
    ids = {
        "orders": Ids(WorkOrder),
        "quotes": Ids(Quote),
        "reports": Ids(RepairReport),
        "acceptances": Ids(Acceptance),
        "shipments": Ids(Shipment),
        "invitations": Ids(Invitation),
        "responses": Ids(Response),
        "followups": Ids(FollowUp),
    }
    now_us = to_micros(drafter.now)
    effects = Effects(Policies(), now_us)
    lines = dict(ProductModel.objects.values_list("pk", "line_id"))
    feedback = surveys.Rows(
        policy=surveys.Policy.read(), reach=effects.reach, people=people, lines=lines, ids=ids, now_us=now_us
    )
    formatter = OrderFormatter(drafter.tz, Adapters(compact=True), ids, effects, feedback)
    if helper is None:
        helper = count >= PROCESS_THRESHOLD and "fork" in multiprocessing.get_all_start_methods()
    batches = (
        _helper_batches(drafter, formatter, count, batch)
        if helper
        else _local_batches(drafter, formatter, count, batch)
    )
    writer, rows, done = OrderWriter(), 0, 0
    for size, batch_rows in batches:
        rows += writer.write(batch_rows)
        done += size
        report("orders", done, count, rows)
    return rows


def _local_batches(drafter: OrderDrafter, formatter: OrderFormatter, count: int, batch: int):
    for first in range(0, count, batch):
        drafts = [drafter.draft(i) for i in range(first, min(first + batch, count))]
        yield len(drafts), formatter.rows(drafts)


def _produce(drafter: OrderDrafter, formatter: OrderFormatter, count: int, batch: int, out) -> None:
    """The helper process: draft and format every batch, hand them over in order."""
    try:
        for item in _local_batches(drafter, formatter, count, batch):
            out.put(item)
    except BaseException:
        out.put(("error", traceback.format_exc()))


def _helper_batches(drafter: OrderDrafter, formatter: OrderFormatter, count: int, batch: int):
    context = multiprocessing.get_context("fork")
    channel = context.Queue(maxsize=2)
    process = context.Process(
        target=_produce, args=(drafter, formatter, count, batch, channel), name="demo-drafter", daemon=True
    )
    process.start()
    try:
        done = 0
        while done < count:
            try:
                size, batch_rows = channel.get(timeout=5)
            except queue.Empty:
                if not process.is_alive():
                    raise RuntimeError("The demo drafting process stopped unexpectedly.") from None
                continue
            if size == "error":
                raise RuntimeError(f"Drafting the demo orders failed:\n{batch_rows}")
            done += size
            yield size, batch_rows
    finally:
        if process.is_alive():
            process.terminate()
        process.join()
