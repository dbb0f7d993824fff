"""Reads of work orders; every read starts from the actor's scope."""

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from core import lean
from core.errors import NotFound
from core.pagination import keyset_page

from . import filters as F
from .models import (
    Acceptance,
    OrderDocument,
    PartUsed,
    Quote,
    QuoteLine,
    RepairReport,
    Replacement,
    WorkOrder,
    WorkOrderClock,
    WorkOrderEvent,
)
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


@dataclass(frozen=True)
class QuoteDetail:
    quote: Quote
    lines: tuple[QuoteLine, ...]  # in the order they were entered


@dataclass(frozen=True)
class OrderDetail:
    """An order and everything its pages and the API's detail show, read by ``work_order_detail``.

    ``order`` comes with its customer, assignee, product model, unit (and the unit's model),
    team, SLA record and repair report (with its engineer) joined; the pages, the presenters and
    the templates take the order's other rows from here, never from the order's relations
    (``order.events.all()`` would read them again). The clocks are ``order.sla_clocks``, as on
    the list pages (``attach_clocks``)."""

    order: WorkOrder
    events: tuple[WorkOrderEvent, ...]  # oldest first, with their actors
    quotes: tuple[QuoteDetail, ...]  # newest first
    acceptances: tuple[Acceptance, ...]  # the latest signature first
    documents: tuple[OrderDocument, ...]  # with their files
    report: RepairReport | None
    parts: tuple[PartUsed, ...]  # the report's

    @property
    def clocks(self) -> list:
        return clocks_of(self.order)

    @property
    def acceptance(self) -> Acceptance | None:
        """The latest acceptance or refusal, if any."""
        return self.acceptances[0] if self.acceptances else None

    def quote_in(self, status: str) -> QuoteDetail | None:
        """The newest quote in ``status``, if any."""
        return next((q for q in self.quotes if q.quote.status == status), None)


def work_order_detail(*, actor, order_id: int) -> OrderDetail:
    """The order with its children (``OrderDetail``), if ``actor`` may see it.

    Every statement is the ORM's, compiled once per database (``core.lean.Compiled``): the
    order's row with its nine joined tables, limited to the ids ``visible_to(actor)`` gives for
    ``order_id`` (the scope is compiled on each request: one subquery), then the children in
    one round trip on PostgreSQL (``order_children``)."""
    scope = visible_to(actor).filter(pk=order_id).values("pk")
    try:
        where, params = scope.query.sql_with_params()
    except EmptyResultSet:  # visible_to(actor) is .none()
        raise NotFound(_("Work order not found.")) from None
    alias = scope.db
    found = _ORDER.fetch(alias, lean.Fragment(where, tuple(params)))
    if not found:
        raise NotFound(_("Work order not found."))
    return order_children(found[0])


_ORDER = lean.Compiled(
    lambda scope: WorkOrder.objects.select_related(
        "customer",
        "assignee",
        "product_model",
        "unit__model__line__three_guarantees",
        "department",
        "sla",
        "report__engineer",
        "failed_component",
    ).filter(pk__in=scope)
)
# The order's child rows: the ORM's prefetching of the same rows cost 4 of an order page's
# ~17 ms of CPU, nearly all of it building and compiling the queries (bench/page_profile.py).
_CHILDREN = {
    "events": lean.Compiled(
        lambda order: WorkOrderEvent.objects.filter(order_id=order).select_related("actor").order_by("at", "id")
    ),
    "quotes": lean.Compiled(lambda order: Quote.objects.filter(order_id=order).order_by("-id")),
    "lines": lean.Compiled(lambda order: QuoteLine.objects.filter(quote__order_id=order).order_by("id")),
    "acceptances": lean.Compiled(lambda order: Acceptance.objects.filter(order_id=order).order_by("-signed_at", "-id")),
    "documents": lean.Compiled(
        lambda order: OrderDocument.objects.filter(order_id=order).select_related("document").order_by("id")
    ),
    "parts": lean.Compiled(lambda report: PartUsed.objects.filter(report_id=report).order_by("id")),
    "clocks": lean.Compiled(lambda order: WorkOrderClock.objects.filter(order_id=order).order_by("id")),
}
_REPLACEMENTS = lean.Compiled(
    lambda order: Replacement.objects.filter(order_id=order).select_related("new_model").order_by("id")
)


def replacements_of(order: WorkOrder) -> list:
    """The order's replacements (or returns), oldest first, with the new unit's model: what the
    console's order page lists (one statement)."""
    return _REPLACEMENTS.fetch(order._state.db, order.pk)


def order_children(order: WorkOrder) -> OrderDetail:
    """The detail of ``order`` (read with its report joined): its events, quotes (with lines),
    acceptances, documents, report parts and clocks, one statement each (none for the parts of
    no report), all in one round trip on PostgreSQL (``core.lean.fetch_many``). Elsewhere the
    lines are read only when there are quotes; in a pipeline they come along at no extra trip."""
    alias = order._state.db
    report = getattr(order, "report", None) if WorkOrder.report.is_cached(order) else None
    keys = dict.fromkeys(("events", "quotes", "acceptances", "documents", "clocks"), order.pk)
    if report is not None:
        keys["parts"] = report.pk
    if lean.pipelined(connections[alias]):
        keys["lines"] = order.pk
    statements = [_CHILDREN[name].statement(alias, key) for name, key in keys.items()]
    rows = dict(zip(keys, lean.fetch_many(alias, statements), strict=True))

    def built(name: str) -> tuple:
        return tuple(_CHILDREN[name].build(alias, rows[name])) if name in rows else ()

    quotes = built("quotes")
    by_quote: dict[int, list] = {q.pk: [] for q in quotes}
    if quotes:
        lines = built("lines") if "lines" in rows else _CHILDREN["lines"].fetch(alias, order.pk)
        for line in lines:
            by_quote[line.quote_id].append(line)
    order.sla_clocks = list(built("clocks"))
    acceptances = built("acceptances")
    # read by the workflow's guards when the page shows which actions may pass (no query of their own)
    order.loaded_quotes, order.loaded_acceptances = quotes, acceptances
    return OrderDetail(
        order=order,
        events=built("events"),
        quotes=tuple(QuoteDetail(q, tuple(by_quote[q.pk])) for q in quotes),
        acceptances=acceptances,
        documents=built("documents"),
        report=report,
        parts=built("parts"),
    )
