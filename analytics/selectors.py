"""Dashboard KPIs for a month, computed live from indexed aggregates.

Two grouped queries, whatever the size of the tables, both index-only range scans:

1. the orders *received* in the month (``created_at`` in the month, in the service's time
   zone) by their current status — index ``wo_status_created`` (status, created_at);
2. the work orders' SLA clocks *started* in the month (at intake, or when work started for
   ``fix``) by (clock, state) — ``sla.kpi.clock_groups`` over index ``clock_kpi`` (clock,
   state, started_at, due_at, stopped_at). The filters name every status, clock and state
   explicitly so that PostgreSQL (no skip scan before version 18) walks one index range per
   value, like SQLite does.

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
from django.db.models import Count
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can
from core.errors import Forbidden, ValidationFailed
from core.replica import replica_reads
from service.choices import OPEN_STATUSES, Status
from service.permissions import visible_to
from sla import cases, kpi
from sla.models import CaseKind

# A month as the API documents it (analytics/api.py): YYYY-MM from 2000-01 to 2100-12, or empty
# for the current month. Matched whole (no surrounding spaces); anything else is a 422 ``bad_month``.
MONTH_PATTERN = r"^((?:20[0-9]{2}|2100)-(?:0[1-9]|1[0-2]))?$"
MONTH = re.compile(MONTH_PATTERN)


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
        if MONTH.fullmatch(text) is None:
            msg = _("Enter a month as YYYY-MM, e.g. 2026-09.")
            raise ValidationFailed(msg, code="bad_month", fields={"month": [msg]})
        year, month = (int(part) for part in text.split("-"))
    start = dt.datetime(year, month, 1, tzinfo=zone)
    end = dt.datetime(year + month // 12, month % 12 + 1, 1, tzinfo=zone)
    return Month(label=f"{year:04d}-{month:02d}", start=start, end=end)


def month_kpis(*, actor, month: Month, now: dt.datetime | None = None) -> dict:
    """Counts by state, SLA compliance per clock and overall, and the average response time."""
    if not can(actor, "order.view_all"):
        raise Forbidden(_("Only back-office staff see the dashboard."))
    now = now or timezone.now()
    with replica_reads():
        visible = visible_to(actor)
        received = visible.filter(status__in=Status.values, created_at__gte=month.start, created_at__lt=month.end)
        by_status = dict(received.order_by().values_list("status").annotate(n=Count("*")))
        groups = kpi.clock_groups(
            cases.get(CaseKind.WORK_ORDER),
            start=month.start,
            end=month.end,
            now=now,
            # an actor with a narrower scope: only their orders' clocks
            subjects=visible if visible.query.has_filters() else None,
        )
    return {
        "month": month.label,
        "start": month.start,
        "end": month.end,
        "received": sum(by_status.values()),
        "by_status": [{"status": s.value, "count": by_status.get(s.value, 0)} for s in Status],
        "open": sum(n for s, n in by_status.items() if s in OPEN_STATUSES),
        "sla": kpi.compliance(groups),
        "response": kpi.response_time(groups),
        "computed_at": now,
    }
