"""A work order as dispatch sees it: the ``dispatch.eligibility.Job`` of an order, the visits
booked per engineer and day, and the verdicts every assignment path reads (docs/dispatch.md)."""

import datetime as dt

from django.db.models import Count
from django.db.models.functions import TruncDate
from django.utils import timezone

from core.geo import Point
from core.policies import get_policy
from dispatch import services as dispatch
from dispatch.eligibility import Job, Verdict

from .choices import OPEN_STATUSES, Priority
from .models import WorkOrder, WorkOrderClock


def visit_length() -> dt.timedelta:
    return dt.timedelta(minutes=int(get_policy("appointments.visit_minutes")))


def onsite_deadline(order: WorkOrder) -> dt.datetime | None:
    """The running on-site clock's deadline (``None`` once met, or without one); from the
    clocks a selector attached (``sla_clocks``) when it did."""
    attached = getattr(order, "sla_clocks", None)
    if attached is not None:
        return next((c.due_at for c in attached if c.clock == "onsite" and c.stopped_at is None), None)
    return (
        WorkOrderClock.objects.filter(order_id=order.pk, clock="onsite", stopped_at__isnull=True)
        .values_list("due_at", flat=True)
        .first()
    )


def site_of(order: WorkOrder) -> Point | None:
    return Point.of(order.site_lat, order.site_lng)


def job_for(
    order: WorkOrder,
    *,
    starts: dt.datetime | None = None,
    deadline: dt.datetime | None | bool = True,
) -> Job:
    """The order as a job; ``starts``: the visit's time (its end is one visit length later);
    ``deadline``: ``True`` reads the on-site clock, else the value given."""
    if order.unit_id is not None:  # loaded with the order's unit by the detail selector
        line = order.unit.model.line
    else:
        line = order.product_model.line if order.product_model_id else None
    return Job(
        region=order.customer.region if order.customer_id else "",
        product_line_id=line.pk if line else None,
        product_line_label=line.label if line else "",
        service_type=order.service_type,
        urgent=order.priority == Priority.URGENT,
        starts=starts,
        ends=starts + visit_length() if starts else None,
        deadline=onsite_deadline(order) if deadline is True else deadline,
        location=site_of(order),
        current_assignee_id=order.assignee_id,
    )


def booked_visits(engineer_ids, *, days, exclude_order_id: int | None = None) -> dict[int, dict[dt.date, int]]:
    """Visits booked per engineer and local day (open orders with an appointment those days)."""
    days = sorted(set(days))
    if not days:
        return {}
    zone = timezone.get_current_timezone()
    start = dt.datetime.combine(days[0], dt.time(0), tzinfo=zone)
    end = dt.datetime.combine(days[-1] + dt.timedelta(days=1), dt.time(0), tzinfo=zone)
    rows = (
        WorkOrder.objects.filter(
            assignee_id__in=list(engineer_ids),
            status__in=sorted(OPEN_STATUSES),
            appointment_at__gte=start,
            appointment_at__lt=end,
        )
        .exclude(pk=exclude_order_id)
        .annotate(day=TruncDate("appointment_at", tzinfo=zone))
        .values("assignee_id", "day")
        .annotate(n=Count("id"))
    )
    result: dict[int, dict[dt.date, int]] = {}
    for r in rows:
        result.setdefault(r["assignee_id"], {})[r["day"]] = r["n"]
    return result


def order_verdicts(order: WorkOrder, *, starts=None, ids=None, now=None) -> list[Verdict]:
    """Every field engineer (or ``ids``) judged for the order, eligible first."""
    job = job_for(order, starts=starts)

    def visits(engineer_ids):
        return booked_visits(engineer_ids, days=[timezone.localdate(starts)], exclude_order_id=order.pk)

    return dispatch.verdicts(job, ids=ids, now=now, visits=visits if starts else None)


def order_verdict(order: WorkOrder, engineer_id: int, *, starts=None, now=None) -> Verdict:
    return order_verdicts(order, starts=starts, ids=[engineer_id], now=now)[0]
