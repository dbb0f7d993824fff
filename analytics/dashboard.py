"""The manager's dashboard: the figures of a period, computed live in SQL.

The orders are the console queue's own filter (``service.filters``) over the actor's scope:
received in the period (days in the service's time zone), of a region, product line and team.
The SLA figures count the clocks *started* in the period (at intake, or when work started for
``fix``), of the orders of the same region, line and team, as ``sla.kpi`` does. Each figure
carries the queue's query string that lists exactly the orders behind it (its drill-down), so a
figure and its list cannot disagree. Six statements, whatever the volume (and on PostgreSQL one
``SET LOCAL`` for plans made for their values, ``custom_plans``):

1. the orders by (status, day received), with how many are overdue and at risk: the counts by
   status, the intake per day and the open backlog by age (in days since received) all come
   from these groups — a range scan of index ``wo_status_created`` (status, created_at, id,
   due_at) per status; the orders at risk from index ``clock_running_warn`` (warned, not due);
2. the clocks by (clock, state): the compliance per clock — a range scan of index ``clock_kpi``
   (clock, state, started_at, due_at, stopped_at, order) per clock and state, the orders of a
   region, line or team (or a team-scoped actor) matched by id from their own indexes;
3. and 4. the stopped first-response and resolution clocks by minutes taken and by minutes
   allowed (deadline − start): the distributions of the times and of the targets, from the same
   index;
5. and 6. the first overdue and at-risk orders, by deadline (their ids from the indexes).

Durations are grouped in whole minutes below two hours and in 0.1-hour steps above, so the
medians and 90th percentiles are exact to what the page shows. Nothing is cached or
pre-aggregated (the figures are right the moment an order changes); the reads go to the read
replica when there is one. Measured at a million orders in docs/benchmarks.md.
"""

import datetime as dt
import math
from dataclasses import dataclass
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.roles import can
from core.errors import Forbidden, ValidationFailed
from core.plans import custom_plans
from core.replica import replica_reads
from service import filters as F
from service.choices import OPEN_STATUSES, Status
from service.models import WorkOrder, WorkOrderClock
from service.permissions import visible_to
from sla.models import Clock, ClockName

from .sql import LocalDate, minutes_bucket

PRESETS = (7, 30, 90)
DEFAULT_DAYS = 30
MAX_DAYS = 366
TOP = 10  # rows of the overdue and at-risk lists; the full lists are a drill-down away
CLOCKS = (ClockName.RESPONSE, ClockName.ONSITE, ClockName.RESOLUTION, ClockName.FIX)  # a work order's
TIMED = (ClockName.RESPONSE, ClockName.RESOLUTION)
CLOCK_STATES = (("met", gettext_lazy("Met on time")), ("breached", gettext_lazy("Breached")))
PENDING_LABEL = gettext_lazy("Pending")
# The open backlog by age: days since the order was received (in the service's time zone),
# first and last day of each bucket (None: no limit).
AGES = (
    (0, 0, gettext_lazy("Today")),
    (1, 2, gettext_lazy("1–2 days")),
    (3, 7, gettext_lazy("3–7 days")),
    (8, 14, gettext_lazy("8–14 days")),
    (15, 30, gettext_lazy("15–30 days")),
    (31, None, gettext_lazy("Over 30 days")),
)
State = Clock.State
STOPPED = (State.MET, State.BREACHED)  # the clocks a duration is known of (with their stop time)


@dataclass(frozen=True)
class Filters:
    """What the dashboard is filtered by: the orders received from one day to another (both
    included, in the service's time zone), of a customer region, product line and team."""

    received_from: dt.date
    received_to: dt.date
    region: str = ""
    product_line: int | None = None
    department: int | None = None

    @property
    def days(self) -> int:
        return (self.received_to - self.received_from).days + 1

    def orders(self, **extra) -> F.WorkOrderFilter:
        """The queue's filter of these orders, narrowed by ``extra`` (its fields)."""
        base = {
            "received_from": self.received_from,
            "received_to": self.received_to,
            "region": self.region,
            "product_line": self.product_line,
            "department": self.department,
        }
        return F.WorkOrderFilter(**(base | extra))

    @property
    def narrowed(self) -> bool:
        return bool(self.region) or self.product_line is not None or self.department is not None

    def clock_query(self, clock: str, state: str) -> str:
        """The queue's query string for the orders whose ``clock``, started in the period, is in
        ``state`` (``service.filters.CLOCK_STATES``)."""
        return self.query(
            received_from=None,
            received_to=None,
            clock=clock,
            clock_state=state,
            clock_from=self.received_from,
            clock_to=self.received_to,
        )

    def query(self, **extra) -> str:
        """The console queue's (and ``GET /api/v1/work-orders``') query string for the same orders."""
        params: dict = {"received_from": self.received_from.isoformat(), "received_to": self.received_to.isoformat()}
        if self.region:
            params["region"] = self.region
        if self.product_line is not None:
            params["product_line"] = self.product_line
        if self.department is not None:
            params["department"] = self.department
        params.update(extra)
        return urlencode(
            {
                k: (1 if v is True else v.isoformat() if isinstance(v, dt.date) else v)
                for k, v in params.items()
                if v is not None
            }
        )


def parse_filters(
    *,
    received_from: dt.date | None = None,
    received_to: dt.date | None = None,
    days: int | None = None,
    region: str = "",
    product_line: int | None = None,
    department: int | None = None,
    now: dt.datetime | None = None,
) -> Filters:
    """The period from its two days, or the last ``days`` days up to today (a preset), or the
    last 30 days; at most a year. Raises ``ValidationFailed`` (422) for a wrong period."""
    F.check_days(received_from=received_from, received_to=received_to)
    today = timezone.localdate(now or timezone.now(), ZoneInfo(settings.TIME_ZONE))
    if received_from is None and received_to is None and days:
        received_to, received_from = today, today - dt.timedelta(days=days - 1)
    received_to = received_to or today
    received_from = received_from or received_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    if received_from > received_to:
        msg = _("The first day comes after the last.")
        raise ValidationFailed(msg, code="bad_period", fields={"received_from": [msg]})
    if (received_to - received_from).days + 1 > MAX_DAYS:
        msg = _("At most %(n)s days at a time.") % {"n": MAX_DAYS}
        raise ValidationFailed(msg, code="bad_period", fields={"received_from": [msg]})
    return Filters(
        received_from=received_from,
        received_to=received_to,
        region=(region or "").strip(),
        product_line=product_line,
        department=department,
    )


def dashboard(*, actor, filters: Filters, now: dt.datetime | None = None) -> dict:
    """Every figure of the dashboard, each with the queue's query string of its orders."""
    if not can(actor, "dashboard.view"):
        raise Forbidden(_("Only managers, supervisors and analysts see the dashboard."))
    now = now or timezone.now()
    zone = ZoneInfo(settings.TIME_ZONE)
    start = F.local_midnight(filters.received_from)
    end = F.local_midnight(filters.received_to + dt.timedelta(days=1))
    with replica_reads(), custom_plans(WorkOrder):
        # every status named: one index range per status on PostgreSQL too (no skip scan before 18)
        orders = F.apply(visible_to(actor), filters.orders(status=Status.values), now=now).order_by()
        groups = list(
            orders.values("status", day=_local_day(zone, start, end)).annotate(
                n=Count("*"),
                overdue=Count("pk", filter=Q(due_at__lt=now, status__in=OPEN_STATUSES)),
                at_risk=Count("pk", filter=F.at_risk_q(now)),
            )
        )
        clocks = WorkOrderClock.objects.filter(
            clock__in=CLOCKS, state__in=State.values, started_at__gte=start, started_at__lt=end
        ).order_by()
        if filters.narrowed or visible_to(actor).query.has_filters():
            # the clocks of the orders of a region, line or team (or the actor's scope): the
            # KPI index carries the order's id, the orders come from their own indexes
            subjects = F.apply(visible_to(actor), filters.orders(received_from=None, received_to=None), now=now)
            # implied (a clock starts with its order or later); spares the orders received since
            subjects = subjects.filter(created_at__lt=end + F.CLOCK_MARGIN)
            clocks = clocks.filter(order_id__in=subjects.order_by().values("pk"))
        clock_groups = list(
            clocks.values("clock", "state").annotate(
                n=Count("*"), late=Count("due_at", filter=Q(state=State.RUNNING, due_at__lt=now))
            )
        )
        stopped = clocks.filter(clock__in=TIMED, state__in=STOPPED, stopped_at__isnull=False)
        took = list(stopped.values("clock", m=minutes_bucket("stopped_at", "started_at")).annotate(n=Count("*")))
        allowed = list(stopped.values("clock", m=minutes_bucket("due_at", "started_at")).annotate(n=Count("*")))
        lists = {
            "overdue": orders.filter(due_at__lt=now, status__in=OPEN_STATUSES),
            "at_risk": orders.filter(F.at_risk_q(now)),
        }
        # the first ids from the indexes, then their rows (not every candidate's row)
        rows = {
            name: list(
                WorkOrder.objects.filter(pk__in=qs.order_by("due_at", "id").values("pk")[:TOP])
                .select_related("department", "product_model")
                .order_by("due_at", "id")
            )
            for name, qs in lists.items()
        }
    today = timezone.localdate(now, zone)
    return {
        "received_from": filters.received_from,
        "received_to": filters.received_to,
        "region": filters.region,
        "product_line": filters.product_line,
        "department": filters.department,
        **_order_figures(filters, groups, today),
        "sla": _compliance(filters, clock_groups),
        "times": _times(filters, took, allowed),
        "overdue_orders": [_row(o) for o in rows["overdue"]],
        "at_risk_orders": [_row(o) for o in rows["at_risk"]],
        "computed_at": now,
    }


def _local_day(zone, start, end):
    return LocalDate("created_at", zone=zone, start=start, end=end)


def _order_figures(filters: Filters, groups: list[dict], today: dt.date) -> dict:
    by_status = dict.fromkeys(Status.values, 0)
    per_day: dict[dt.date, int] = {}
    open_per_day: dict[dt.date, int] = {}
    overdue = at_risk = 0
    for g in groups:
        by_status[g["status"]] = by_status.get(g["status"], 0) + g["n"]
        per_day[g["day"]] = per_day.get(g["day"], 0) + g["n"]
        if g["status"] in OPEN_STATUSES:
            open_per_day[g["day"]] = open_per_day.get(g["day"], 0) + g["n"]
        overdue += g["overdue"]
        at_risk += g["at_risk"]
    days = [filters.received_from + dt.timedelta(days=i) for i in range(filters.days)]
    return {
        "received": sum(by_status.values()),
        "received_query": filters.query(),
        "open": sum(open_per_day.values()),
        "open_query": filters.query(open=True),
        "overdue": overdue,
        "overdue_query": filters.query(overdue=True, sort="due"),
        "at_risk": at_risk,
        "at_risk_query": filters.query(at_risk=True, sort="due"),
        "by_status": [
            {
                "status": s.value,
                "label": str(s.label),
                "count": by_status[s.value],
                "query": filters.query(status=s.value),
            }
            for s in Status
        ],
        "per_day": [
            {"day": d, "count": per_day.get(d, 0), "query": filters.query(received_from=d, received_to=d)} for d in days
        ],
        "backlog": _backlog(filters, open_per_day, today),
    }


def _backlog(filters: Filters, open_per_day: dict[dt.date, int], today: dt.date) -> list[dict]:
    """Open orders by days since received, each bucket the days of the period it covers."""
    out = []
    for first, last, label in AGES:
        newest = min(filters.received_to, today - dt.timedelta(days=first))
        oldest = filters.received_from if last is None else max(filters.received_from, today - dt.timedelta(days=last))
        count = sum(n for day, n in open_per_day.items() if oldest <= day <= newest)
        query = filters.query(received_from=oldest, received_to=newest, open=True) if oldest <= newest else ""
        out.append(
            {"bucket": f"{first}-{'' if last is None else last}", "label": str(label), "count": count, "query": query}
        )
    return out


def _compliance(filters: Filters, groups: list[dict]) -> dict:
    """Of the clocks started in the period: met on time and breached per clock (a clock still
    running past its deadline is breached already; running within it or paused is pending), as
    ``sla.kpi.compliance`` counts them."""
    rows = {c: {"met": 0, "breached": 0, "pending": 0} for c in CLOCKS}
    for g in groups:
        row = rows[g["clock"]]
        if g["state"] == State.MET:
            row["met"] += g["n"]
        elif g["state"] == State.BREACHED:
            row["breached"] += g["n"]
        elif g["state"] in (State.RUNNING, State.PAUSED):
            row["breached"] += g["late"]
            row["pending"] += g["n"] - g["late"]
    by_clock = [
        {
            "clock": c.value,
            "label": str(c.label),
            **rows[c],
            "compliance": _ratio(rows[c]["met"], rows[c]["met"] + rows[c]["breached"]),
            "queries": {s: filters.clock_query(c.value, s) for s in ("met", "breached", "pending")},
        }
        for c in CLOCKS
    ]
    met, breached = sum(r["met"] for r in by_clock), sum(r["breached"] for r in by_clock)
    return {"met": met, "breached": breached, "compliance": _ratio(met, met + breached), "by_clock": by_clock}


def _times(filters: Filters, took: list[dict], allowed: list[dict]) -> list[dict]:
    """Per timed clock, the minutes its stopped clocks took and were allowed (deadline − start,
    pauses and extensions included): median and 90th percentile (nearest rank)."""
    out = []
    for c in TIMED:
        actual = _histogram(took, c)
        target = _histogram(allowed, c)
        out.append(
            {
                "clock": c.value,
                "label": str(c.label),
                "count": sum(actual.values()),
                "median_minutes": percentile(actual, 0.5),
                "p90_minutes": percentile(actual, 0.9),
                "target_median_minutes": percentile(target, 0.5),
                "target_p90_minutes": percentile(target, 0.9),
                "query": filters.clock_query(c.value, "stopped"),
            }
        )
    return out


def _histogram(groups: list[dict], clock: str) -> dict[int, int]:
    out: dict[int, int] = {}
    for g in groups:
        if g["clock"] == clock and g["m"] is not None:
            out[int(g["m"])] = out.get(int(g["m"]), 0) + g["n"]
    return out


def percentile(histogram: dict[int, int], share: float) -> int | None:
    """The smallest value with at least ``share`` of the values at or below it (nearest rank)."""
    total = sum(histogram.values())
    if not total:
        return None
    rank, seen = max(1, math.ceil(share * total)), 0
    for value in sorted(histogram):
        seen += histogram[value]
        if seen >= rank:
            return value
    return None  # pragma: no cover (seen reaches total)


def _row(order: WorkOrder) -> dict:
    return {
        "id": order.pk,
        "number": order.number,
        "status": order.status,
        "status_label": str(order.get_status_display()),
        "priority": order.priority,
        "due_at": order.due_at,
        "department": order.department.name if order.department else "",
        "department_en": order.department.label_in("en") if order.department else "",
        "product_model": order.product_model.name if order.product_model else "",
        "product_model_en": order.product_model.label_in("en") if order.product_model else "",
    }


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
