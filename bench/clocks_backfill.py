"""Give the demo's work orders their SLA clocks, when the demo loader did not (benchmark data only).

``seed_demo`` writes orders and events below the services, and (at the time of writing) no
SLA clocks, so every order has ``due_at`` NULL: a queue "sorted by next deadline" would be
empty and the dashboard's SLA compliance would have nothing to count. This script derives,
for every order without clocks, what ``sla.clocks`` would have recorded for the work-order case type:

- the policy matched as ``sla.engine.match_policy`` does (service type, priority, tier,
  industrial line, region), its snapshot in ``OrderSla``;
- each target's clock, started at intake (``fix`` when work started; no ``onsite`` clock for
  mail-in), its deadline from ``sla.businesstime.deadlines_bulk`` (the engine's own maths);
- stopped at the event that meets it (leaving ``new``, arriving ``in_service``, ``resolved``):
  met if on time, else breached; cancelled with the order; paused while the order waits on
  the customer; otherwise running;
- the order's ``due_at``: the earliest deadline of its running clocks.

Simplifications, stated in docs/benchmarks.md: pauses before the current one are not replayed
(the deadline is not moved by them) and ``warn_at`` is the linear share of the span.

Usage (our virtualenv, the benchmark's settings): ``python bench/clocks_backfill.py [--chunk 20000]``.
Prints one JSON line. Does nothing when clocks exist already.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection, transaction  # noqa: E402

from customers.models import Customer  # noqa: E402
from demo.bulk import Adapters, Table  # noqa: E402
from products.models import ProductModel  # noqa: E402
from service.choices import Mode, Status  # noqa: E402
from service.clocks import WORK_ORDER  # noqa: E402
from service.models import OrderSla, WorkOrder, WorkOrderClock, WorkOrderEvent  # noqa: E402
from sla import engine  # noqa: E402
from sla.businesstime import deadlines_bulk  # noqa: E402
from sla.models import BusinessCalendar, CaseKind, SlaPolicy  # noqa: E402

UTC = dt.UTC
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
    "stopped_at",
    "breached_at",
)
SLA_COLUMNS = ("order_id", "policy_code", "snapshot")
STOPS = {"response": "responded", "onsite": "started", "resolution": "resolved", "fix": "resolved"}
STARTS = {"fix": "started"}


def policies():
    """Active request policies in rank order, with their targets and snapshot (as ``match_policy`` sees them)."""
    out = []
    for p in SlaPolicy.objects.filter(active=True, case_type=CaseKind.WORK_ORDER).prefetch_related("targets"):
        cal = engine.calendar_for(policy=p)
        snap = engine.snapshot(p, cal)
        out.append((p, cal.code, snap))
    return out


def match(rows, service_type, priority, tier, industrial, region):
    for p, cal_code, snap in rows:
        if p.service_types and service_type not in p.service_types:
            continue
        if p.priorities and priority not in p.priorities:
            continue
        if p.customer_tiers and tier not in p.customer_tiers:
            continue
        if p.industrial is not None and p.industrial != industrial:
            continue
        if p.regions and region not in p.regions:
            continue
        return p, cal_code, snap
    return None


def parse_ts(value):
    """A timestamp as the raw cursor returns it: aware (PostgreSQL), naive UTC or UTC text (SQLite)."""
    if value is None:
        return None
    if not isinstance(value, dt.datetime):
        value = dt.datetime.fromisoformat(value)
    return value if value.tzinfo is not None else value.replace(tzinfo=UTC)


def milestones(first: int, last: int) -> dict[int, dict]:
    """Per order: when it was first answered, work started, it was resolved or cancelled."""
    seen: dict[int, dict] = {}
    table = WorkOrderEvent._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT order_id, at, from_status, to_status FROM {table} WHERE order_id >= %s AND order_id <= %s "
            "AND (from_status = %s OR to_status IN (%s, %s, %s)) ORDER BY order_id, id",
            [first, last, Status.NEW, Status.IN_SERVICE, Status.RESOLVED, Status.CANCELLED],
        )
        for order_id, at, frm, to in cursor.fetchall():
            m = seen.setdefault(order_id, {})
            if frm == Status.NEW and to != Status.NEW and "responded" not in m:
                m["responded"] = parse_ts(at)
            key = {Status.IN_SERVICE: "started", Status.RESOLVED: "resolved", Status.CANCELLED: "cancelled"}.get(to)
            if key and key not in m:
                m[key] = parse_ts(at)
    return seen


ORDER_FIELDS = (
    "id",
    "created_at",
    "updated_at",
    "status",
    "service_type",
    "priority",
    "mode",
    "customer_id",
    "product_model_id",
)


def orders_after(last: int, chunk: int) -> list[dict]:
    table = WorkOrder._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT {', '.join(ORDER_FIELDS)} FROM {table} WHERE id > %s ORDER BY id LIMIT %s", [last, chunk]
        )
        rows = [dict(zip(ORDER_FIELDS, row, strict=True)) for row in cursor.fetchall()]
    for row in rows:
        row["created_at"], row["updated_at"] = parse_ts(row["created_at"]), parse_ts(row["updated_at"])
    return rows


def epoch(value: dt.datetime) -> int:
    return int(value.timestamp())


def from_epoch(value: int) -> dt.datetime:
    return dt.datetime.fromtimestamp(value, UTC)


def build(orders, seen, rules, calendars, customers, industrial_models, ts):
    """Clock rows, OrderSla rows and the orders' new ``due_at`` for one chunk."""
    pending = []  # (order, target, start, stop, milestones, snap, calendar code)
    sla_rows = []
    for o in orders:
        tier, region = customers.get(o["customer_id"], ("", ""))
        found = match(rules, o["service_type"], o["priority"], tier, o["product_model_id"] in industrial_models, region)
        if found is None:
            continue
        policy, cal_code, snap = found
        sla_rows.append((o["id"], policy.code, json.dumps(snap)))
        m = seen.get(o["id"], {})
        for t in snap["targets"]:
            if t["clock"] == "onsite" and o["mode"] == Mode.MAIL_IN:
                continue
            start = m.get(STARTS[t["clock"]]) if t["clock"] in STARTS else o["created_at"]
            if start is None:
                continue
            pending.append((o, t, start, m.get(STOPS.get(t["clock"], ""), None), m, snap, cal_code))
    # deadlines in bulk, per (calendar, kind, amount)
    groups: dict[tuple, list[int]] = {}
    for i, (_o, t, _start, _stop, _m, _snap, cal_code) in enumerate(pending):
        groups.setdefault((cal_code, t["clock_type"], t["amount"]), []).append(i)
    due = [0] * len(pending)
    for (cal_code, kind, amount), idx in groups.items():
        seconds = amount if kind == "working_days" else amount * 60
        for i, d in zip(
            idx, deadlines_bulk([epoch(pending[i][2]) for i in idx], seconds, calendars[cal_code], kind), strict=True
        ):
            due[i] = d
    clock_rows, next_due = [], {}
    for (o, t, start, stop, m, snap, cal_code), d in zip(pending, due, strict=True):
        due_at = from_epoch(d)
        warn_at = start + (due_at - start) * float(snap["at_risk_ratio"])
        state, paused_at, stopped_at, breached_at = "running", None, None, None
        cancelled = m.get("cancelled")
        if stop is not None and (cancelled is None or stop <= cancelled):
            stopped_at = stop
            state = "met" if stop <= due_at else "breached"
            breached_at = None if state == "met" else due_at
        elif cancelled is not None:
            state, stopped_at = "cancelled", cancelled
        elif WORK_ORDER.waits.get(o["status"]) in snap["pause_on"]:
            state, paused_at = "paused", o["updated_at"]
        if state == "running":
            prev = next_due.get(o["id"])
            next_due[o["id"]] = due_at if prev is None or due_at < prev else prev
        clock_rows.append(
            (
                o["id"],
                t["clock"],
                t["clock_type"],
                t["amount"],
                cal_code,
                state,
                ts(start),
                ts(due_at),
                ts(due_at),
                ts(warn_at),
                False,
                ts(paused_at),
                ts(stopped_at),
                ts(breached_at),
            )
        )
    return clock_rows, sla_rows, next_due


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--chunk", type=int, default=20000)
    args = ap.parse_args()
    started = time.monotonic()
    if WorkOrderClock.objects.exists():
        print(json.dumps({"phase": "clocks_backfill", "skipped": "clocks exist already"}))
        return 0
    rules = policies()
    calendars = {c.code: engine.compile_calendar(c) for c in BusinessCalendar.objects.all()}
    customers = dict((pk, (tier, region)) for pk, tier, region in Customer.objects.values_list("pk", "tier", "region"))
    industrial_models = set(ProductModel.objects.filter(line__is_industrial=True).values_list("pk", flat=True))
    adapt = Adapters()
    clocks_table, sla_table = Table(WorkOrderClock, CLOCK_COLUMNS), Table(OrderSla, SLA_COLUMNS)
    totals = {"orders": 0, "clocks": 0, "due_set": 0}
    last = 0
    while True:
        orders = orders_after(last, args.chunk)
        if not orders:
            break
        seen = milestones(last + 1, orders[-1]["id"])
        last = orders[-1]["id"]
        clock_rows, sla_rows, next_due = build(orders, seen, rules, calendars, customers, industrial_models, adapt.ts)
        with transaction.atomic():
            sla_table.insert(sla_rows)
            totals["clocks"] += clocks_table.insert(clock_rows)
            with connection.cursor() as cursor:
                cursor.executemany(
                    f"UPDATE {WorkOrder._meta.db_table} SET due_at = %s WHERE id = %s",
                    [(adapt.ts(d), pk) for pk, d in next_due.items()],
                )
        totals["orders"] += len(orders)
        totals["due_set"] += len(next_due)
    with connection.cursor() as cursor:
        # PostgreSQL: VACUUM too, as after any bulk load, so that the visibility map lets the
        # dashboard's index-only scans skip the heap (the same is done for the peer's tickets).
        cursor.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
    print(json.dumps({"phase": "clocks_backfill", **totals, "seconds": round(time.monotonic() - started, 1)}))
    return 0


if __name__ == "__main__":
    sys.exit(main())
