"""Dashboard KPIs for a month, computed live from indexed aggregates.

Two grouped queries, whatever the size of the tables, both index-only range scans:

1. the orders *received* in the month (``created_at`` in the month, in the service's time
   zone) by their current status — index ``wo_status_created`` (status, created_at);
2. the SLA clocks *started* in the month (at intake, or when work started for ``fix``) by
   (clock, state), with the ones still running past their deadline counted apart and the
   time the stopped ones took — index ``clock_kpi`` (clock, state, started_at, due_at,
   stopped_at). The filters name every status, clock and state explicitly so that PostgreSQL
   (no skip scan before version 18) walks one index range per value, like SQLite does.

Nothing is cached or pre-aggregated, so the figures are right the moment an order changes:
there is no rollup to keep in step with the services (measured at a million orders in
docs/benchmarks.md). The reads go to the read replica when there is one
(``core.replica.replica_reads``).
"""

import datetime as dt
import re
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, F, FloatField, Func, Q, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can
from core.errors import Forbidden, ValidationFailed
from core.replica import replica_reads
from service.choices import OPEN_STATUSES, Status
from service.models import WorkOrderClock
from service.permissions import visible_to
from sla.models import ClockName

MONTH = re.compile(r"^(\d{4})-(\d{2})$")
State = WorkOrderClock.State


@dataclass(frozen=True)
class Month:
    label: str
    start: dt.datetime  # aware, first instant of the month in the service's time zone
    end: dt.datetime  # aware, first instant of the next month


def parse_month(text: str | None, *, now: dt.datetime | None = None) -> Month:
    """``YYYY-MM`` (default: the current month) as local month boundaries."""
    zone = ZoneInfo(settings.TIME_ZONE)
    if not text:
        local = timezone.localtime(now or timezone.now(), zone)
        year, month = local.year, local.month
    else:
        match = MONTH.match(text.strip())
        year, month = (int(match[1]), int(match[2])) if match else (0, 0)
        if not (2000 <= year <= 2100 and 1 <= month <= 12):
            msg = _("Enter a month as YYYY-MM, e.g. 2026-09.")
            raise ValidationFailed(msg, code="bad_month", fields={"month": [msg]})
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return Month(label=f"{year:04d}-{month:02d}", start=start, end=end)


class Seconds(Func):
    """``end - start`` in seconds, computed by the database itself.

    Django's own datetime subtraction runs a Python function per row on SQLite (1.4 s for a
    month at 100,000 orders a year, measured); ``julianday`` / ``EXTRACT(EPOCH …)`` do not."""

    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


def _seconds(value) -> float:
    return 0.0 if value is None else float(value)


def month_kpis(*, actor, month: Month, now: dt.datetime | None = None) -> dict:
    """Counts by state, SLA compliance per clock and overall, and the average response time."""
    if not can(actor, "order.view_all"):
        raise Forbidden(_("Only back-office staff see the dashboard."))
    now = now or timezone.now()
    with replica_reads():
        visible = visible_to(actor)
        received = visible.filter(status__in=Status.values, created_at__gte=month.start, created_at__lt=month.end)
        by_status = dict(received.order_by().values_list("status").annotate(n=Count("*")))
        clocks = WorkOrderClock.objects.filter(
            clock__in=ClockName.values, state__in=State.values, started_at__gte=month.start, started_at__lt=month.end
        )
        if visible.query.has_filters():  # an actor with a narrower scope: only their orders' clocks
            clocks = clocks.filter(order__in=visible)
        groups = list(
            clocks.order_by()
            .values("clock", "state")
            .annotate(
                n=Count("*"),
                late=Count("due_at", filter=Q(state=State.RUNNING, due_at__lt=now)),
                stopped=Count("stopped_at"),
                took=Sum(Seconds(F("stopped_at"), F("started_at")), filter=Q(clock="response")),
            )
        )
    return {
        "month": month.label,
        "start": month.start,
        "end": month.end,
        "received": sum(by_status.values()),
        "by_status": [{"status": s.value, "count": by_status.get(s.value, 0)} for s in Status],
        "open": sum(n for s, n in by_status.items() if s in OPEN_STATUSES),
        "sla": _compliance(groups),
        "response": _response_time(groups),
        "computed_at": now,
    }


def _compliance(groups: list[dict]) -> dict:
    """Met on time / (met + breached), where a clock still running past its deadline is breached
    already; clocks still within their deadline, paused or cancelled are not counted yet."""
    by_clock: dict[str, dict] = {}
    for g in groups:
        row = by_clock.setdefault(g["clock"], {"clock": g["clock"], "met": 0, "breached": 0, "pending": 0})
        if g["state"] == State.MET:
            row["met"] += g["n"]
        elif g["state"] == State.BREACHED:
            row["breached"] += g["n"]
        elif g["state"] in (State.RUNNING, State.PAUSED):
            row["breached"] += g["late"]
            row["pending"] += g["n"] - g["late"]
    rows = sorted(by_clock.values(), key=lambda r: r["clock"])
    for row in rows:
        row["compliance"] = _ratio(row["met"], row["met"] + row["breached"])
    met, breached = sum(r["met"] for r in rows), sum(r["breached"] for r in rows)
    return {"met": met, "breached": breached, "compliance": _ratio(met, met + breached), "by_clock": rows}


def _response_time(groups: list[dict]) -> dict:
    """The average time from the request to the first response, over responded orders."""
    answered = [g for g in groups if g["clock"] == ClockName.RESPONSE and g["stopped"]]
    count = sum(g["stopped"] for g in answered)
    total = sum(_seconds(g["took"]) for g in answered)
    return {"count": count, "average_minutes": round(total / count / 60, 1) if count else None}


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
