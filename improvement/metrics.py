"""The effect check's metrics, each computed in SQL over a half-open window ``[start, end)``
(docs/improvement.md has the definitions):

- ``complaint_rate``: complaints received in the window per 100 work orders received in it;
- ``first_response_sla``: of the work orders' first-response clocks started in the window,
  the share met among those decided (met, or breached: stopped late or past the deadline), %;
- ``resolution_median``: the median of (closed − received) in hours over the work orders
  closed in the window (the middle row(s) picked by the database: ORDER BY … LIMIT/OFFSET);
- ``reopen_rate``: reopen events in the window per 100 work orders closed in it.

``effect`` compares a metric over two equal windows around the day the action started doing:
``L = min(window_days, now − done_from)``, before ``[done_from − L, done_from)``, after
``[done_from, done_from + L)``.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from django.db.models import Count, DurationField, ExpressionWrapper, F, Q

from complaints.models import Complaint
from service.choices import EventType as OrderEventType
from service.models import WorkOrder, WorkOrderClock, WorkOrderEvent
from sla.models import Clock

from .choices import LOWER_IS_BETTER, Metric

TWO = Decimal("0.01")


@dataclass(frozen=True)
class Measure:
    value: Decimal | None  # None: nothing to measure in the window
    numerator: Decimal | int
    denominator: int


def _pct(num, den) -> Decimal | None:
    if not den:
        return None
    return (Decimal(num) * 100 / Decimal(den)).quantize(TWO, ROUND_HALF_UP)


def complaint_rate(start, end) -> Measure:
    complaints = Complaint.objects.filter(received_at__gte=start, received_at__lt=end).count()
    orders = WorkOrder.objects.filter(created_at__gte=start, created_at__lt=end).count()
    return Measure(_pct(complaints, orders), complaints, orders)


def first_response_sla(start, end) -> Measure:
    late = Q(state=Clock.State.BREACHED) | Q(breached_at__isnull=False) & ~Q(state=Clock.State.MET)
    row = WorkOrderClock.objects.filter(clock="response", started_at__gte=start, started_at__lt=end).aggregate(
        met=Count("id", filter=Q(state=Clock.State.MET)), late=Count("id", filter=late)
    )
    decided = row["met"] + row["late"]
    return Measure(_pct(row["met"], decided), row["met"], decided)


def resolution_median(start, end) -> Measure:
    closed = WorkOrder.objects.filter(closed_at__gte=start, closed_at__lt=end, closed_at__isnull=False)
    n = closed.count()
    if not n:
        return Measure(None, 0, 0)
    took = ExpressionWrapper(F("closed_at") - F("created_at"), output_field=DurationField())
    middle = (n - 1) // 2
    rows = list(
        closed.annotate(took=took).order_by("took", "id").values_list("took", flat=True)[middle : middle + 2 - n % 2]
    )
    seconds = sum(Decimal(r.total_seconds()) for r in rows) / len(rows)
    return Measure((seconds / 3600).quantize(TWO, ROUND_HALF_UP), seconds, n)


def reopen_rate(start, end) -> Measure:
    reopened = WorkOrderEvent.objects.filter(action=OrderEventType.REOPEN, at__gte=start, at__lt=end).count()
    closed = WorkOrder.objects.filter(closed_at__gte=start, closed_at__lt=end).count()
    return Measure(_pct(reopened, closed), reopened, closed)


MEASURES = {
    Metric.COMPLAINT_RATE: complaint_rate,
    Metric.FIRST_RESPONSE_SLA: first_response_sla,
    Metric.RESOLUTION_MEDIAN: resolution_median,
    Metric.REOPEN_RATE: reopen_rate,
}


def measure(metric: str, start: dt.datetime, end: dt.datetime) -> Measure:
    return MEASURES[Metric(metric)](start, end)


@dataclass(frozen=True)
class Effect:
    metric: str
    days: Decimal
    before_start: dt.datetime
    pivot: dt.datetime
    after_end: dt.datetime
    before: Measure
    after: Measure

    @property
    def change(self) -> Decimal | None:
        if self.before.value is None or self.after.value is None:
            return None
        return self.after.value - self.before.value

    @property
    def improved(self) -> bool | None:
        if self.change is None or self.change == 0:
            return None if self.change is None else False
        return self.change < 0 if self.metric in LOWER_IS_BETTER else self.change > 0


def effect(metric: str, *, pivot: dt.datetime, now: dt.datetime, window_days: int) -> Effect:
    length = min(dt.timedelta(days=window_days), max(now - pivot, dt.timedelta(0)))
    before = measure(metric, pivot - length, pivot)
    after = measure(metric, pivot, pivot + length)
    days = Decimal(length.total_seconds() / 86400).quantize(TWO, ROUND_HALF_UP)
    return Effect(metric, days, pivot - length, pivot, pivot + length, before, after)
