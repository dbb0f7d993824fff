"""Reads of work orders; every read starts from the actor's scope."""

import datetime as dt

from django.db.models import Prefetch
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.pagination import keyset_page

from . import filters as F
from .models import Acceptance, OrderDocument, Quote, WorkOrder, WorkOrderClock, WorkOrderEvent
from .permissions import visible_to


def _parse_cursor(order):
    def parse(values):
        out = []
        for key, value in zip(order, values, strict=True):
            name = key.lstrip("-")
            if name.endswith("_at") and isinstance(value, str):
                value = parse_datetime(value)
                if value is None:
                    from core.errors import ValidationFailed

                    raise ValidationFailed(_("The cursor is not valid."), code="bad_cursor")
            out.append(value)
        return out

    return parse


def work_order_list(
    *, actor, f: F.WorkOrderFilter, cursor: str | None = None, size: int = 25, now: dt.datetime | None = None
):
    """One page of orders: one query, plus one for the page's SLA clocks, whatever the page depth."""
    qs = F.apply(visible_to(actor), f, now=now).select_related("customer", "assignee", "product_model", "sla")
    rows, next_cursor = keyset_page(qs, order=f.order, cursor=cursor, size=size, parse=_parse_cursor(f.order))
    attach_clocks(rows)
    return rows, next_cursor


def attach_clocks(orders) -> None:
    """Set ``order.sla_clocks`` (by id) for every order with one query — also for an empty
    page (``pk=0`` never exists), so that every page costs the same number of queries."""
    by_order: dict[int, list] = {o.pk: [] for o in orders}
    for clock in WorkOrderClock.objects.filter(order_id__in=list(by_order) or [0]).order_by("id"):
        by_order[clock.order_id].append(clock)
    for o in orders:
        o.sla_clocks = by_order[o.pk]


def clocks_of(order) -> list:
    """The order's clocks, attached by ``attach_clocks`` when the order came from a selector."""
    clocks = getattr(order, "sla_clocks", None)
    return list(order.clocks.order_by("id")) if clocks is None else clocks


def work_order_detail(*, actor, order_id: int) -> WorkOrder:
    order = (
        visible_to(actor)
        .select_related(
            "customer", "assignee", "product_model", "unit", "unit__model", "department", "sla", "report__engineer"
        )
        .prefetch_related(
            "report__parts",
            Prefetch("events", queryset=WorkOrderEvent.objects.select_related("actor").order_by("at", "id")),
            Prefetch("quotes", queryset=Quote.objects.prefetch_related("lines").order_by("-id")),
            Prefetch("acceptances", queryset=Acceptance.objects.order_by("-signed_at", "-id")),
            Prefetch("documents", queryset=OrderDocument.objects.select_related("document")),
        )
        .filter(pk=order_id)
        .first()
    )
    if order is None:
        raise NotFound(_("Work order not found."))
    attach_clocks([order])
    return order


def report_of(order: WorkOrder):
    """The order's repair report with its engineer and parts, or None. No query when the order
    came from ``work_order_detail``, which joins it (one query fewer per order page)."""
    from .models import RepairReport

    if WorkOrder.report.is_cached(order):
        return getattr(order, "report", None)
    return RepairReport.objects.filter(order=order).select_related("engineer").prefetch_related("parts").first()
