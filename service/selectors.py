"""Reads of work orders; every read starts from the actor's scope."""

import datetime as dt

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _

from accounts.models import Department, User
from core import lean
from core.errors import NotFound
from core.lean import Shape
from core.models import Document
from core.pagination import keyset_page
from customers.models import Customer
from products.models import ProductModel, Unit
from service.models import Replacement

from . import filters as F
from .models import (
    Acceptance,
    OrderDocument,
    OrderSla,
    PartUsed,
    Quote,
    QuoteLine,
    RepairReport,
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


def work_order_detail(*, actor, order_id: int) -> WorkOrder:
    """The order with what its pages and the API's detail show: customer, people, unit, team,
    SLA record and repair report joined; events (with their actors), quotes and their lines,
    acceptances, documents, the report's parts and the SLA clocks loaded by ``order_children``
    as if prefetched (``order.events.all()`` and the like run no query).

    The row is read through ``core.lean``, limited to the ids ``visible_to(actor)`` gives for
    ``order_id``: the scope stays the ORM's (one subquery), the nine joined tables are not
    compiled on every request."""
    scope = visible_to(actor).filter(pk=order_id).values("pk")
    try:
        where, params = scope.query.sql_with_params()
    except EmptyResultSet:  # visible_to(actor) is .none()
        raise NotFound(_("Work order not found.")) from None
    alias = scope.db
    connection = connections[alias]
    with connection.cursor() as cursor:
        cursor.execute(_statements(connection)["order"] % {"scope": where}, params)
        row = cursor.fetchone()
    if row is None:
        raise NotFound(_("Work order not found."))
    order = _ORDER.build(row, alias)
    for name, field in (("sla", OrderSla.order.field), ("report", RepairReport.order.field)):
        joined = getattr(order, name, None)
        if joined is not None:
            field.set_cached_value(joined, order)
    order_children(order)
    return order


_ORDER = Shape(
    WorkOrder,
    "w",
    [
        ("cu", Customer, "w", "customer"),
        ("a", User, "w", "assignee"),
        ("pm", ProductModel, "w", "product_model"),
        ("un", Unit, "w", "unit"),
        ("um", ProductModel, "un", "model"),
        ("dp", Department, "w", "department"),
        ("s", OrderSla, "w", "sla"),
        ("r", RepairReport, "w", "report"),
        ("re", User, "r", "engineer"),
    ],
)


# The order's child rows through ``core.lean``: each statement is written once per process and
# run with the order's id; the ORM's prefetching of the same rows cost 4 of an order page's
# ~17 ms of CPU, nearly all of it building and compiling the queries (bench/page_profile.py).
_EVENTS = Shape(WorkOrderEvent, "e", [("u", User, "e", "actor")])
_QUOTES = Shape(Quote, "q")
_LINES = Shape(QuoteLine, "l")
_ACCEPTANCES = Shape(Acceptance, "a")
_DOCUMENTS = Shape(OrderDocument, "d", [("f", Document, "d", "document")])
_PARTS = Shape(PartUsed, "p")
_CLOCKS = Shape(WorkOrderClock, "c")
_REPLACEMENTS = Shape(Replacement, "r", [("m", ProductModel, "r", "new_model")])
_STATEMENTS: dict[str, dict[str, str]] = {}


def _statements(connection) -> dict[str, str]:
    got = _STATEMENTS.get(connection.alias)
    if got is None:
        qn = connection.ops.quote_name

        def t(model) -> str:
            return qn(model._meta.db_table)

        def c(model, field: str) -> str:
            return qn(model._meta.get_field(field).column)

        w = WorkOrder
        got = _STATEMENTS[connection.alias] = {  # noqa: S608 (names from the models)
            # %(scope)s: the actor's scope, compiled by the ORM (a %-template: its own %s stay)
            "order": f"SELECT {_ORDER.columns(connection)} FROM {t(w)} w"
            f" INNER JOIN {t(Customer)} cu ON cu.{c(Customer, 'id')} = w.{c(w, 'customer')}"
            f" LEFT OUTER JOIN {t(User)} a ON a.{c(User, 'id')} = w.{c(w, 'assignee')}"
            f" LEFT OUTER JOIN {t(ProductModel)} pm ON pm.{c(ProductModel, 'id')} = w.{c(w, 'product_model')}"
            f" LEFT OUTER JOIN {t(Unit)} un ON un.{c(Unit, 'id')} = w.{c(w, 'unit')}"
            f" LEFT OUTER JOIN {t(ProductModel)} um ON um.{c(ProductModel, 'id')} = un.{c(Unit, 'model')}"
            f" LEFT OUTER JOIN {t(Department)} dp ON dp.{c(Department, 'id')} = w.{c(w, 'department')}"
            f" LEFT OUTER JOIN {t(OrderSla)} s ON s.{c(OrderSla, 'order')} = w.{c(w, 'id')}"
            f" LEFT OUTER JOIN {t(RepairReport)} r ON r.{c(RepairReport, 'order')} = w.{c(w, 'id')}"
            f" LEFT OUTER JOIN {t(User)} re ON re.{c(User, 'id')} = r.{c(RepairReport, 'engineer')}"
            f" WHERE w.{c(w, 'id')} IN (%(scope)s)",
            "events": f"SELECT {_EVENTS.columns(connection)} FROM {t(WorkOrderEvent)} e"
            f" LEFT OUTER JOIN {t(User)} u ON u.{c(User, 'id')} = e.{c(WorkOrderEvent, 'actor')}"
            f" WHERE e.{c(WorkOrderEvent, 'order')} = %s ORDER BY e.{c(WorkOrderEvent, 'at')}, e.{c(WorkOrderEvent, 'id')}",
            "quotes": f"SELECT {_QUOTES.columns(connection)} FROM {t(Quote)} q"
            f" WHERE q.{c(Quote, 'order')} = %s ORDER BY q.{c(Quote, 'id')} DESC",
            "lines": f"SELECT {_LINES.columns(connection)} FROM {t(QuoteLine)} l"
            f" INNER JOIN {t(Quote)} q ON q.{c(Quote, 'id')} = l.{c(QuoteLine, 'quote')}"
            f" WHERE q.{c(Quote, 'order')} = %s ORDER BY l.{c(QuoteLine, 'id')}",
            "acceptances": f"SELECT {_ACCEPTANCES.columns(connection)} FROM {t(Acceptance)} a"
            f" WHERE a.{c(Acceptance, 'order')} = %s"
            f" ORDER BY a.{c(Acceptance, 'signed_at')} DESC, a.{c(Acceptance, 'id')} DESC",
            "documents": f"SELECT {_DOCUMENTS.columns(connection)} FROM {t(OrderDocument)} d"
            f" INNER JOIN {t(Document)} f ON f.{c(Document, 'id')} = d.{c(OrderDocument, 'document')}"
            f" WHERE d.{c(OrderDocument, 'order')} = %s ORDER BY d.{c(OrderDocument, 'id')}",
            "parts": f"SELECT {_PARTS.columns(connection)} FROM {t(PartUsed)} p"
            f" WHERE p.{c(PartUsed, 'report')} = %s ORDER BY p.{c(PartUsed, 'id')}",
            "clocks": f"SELECT {_CLOCKS.columns(connection)} FROM {t(WorkOrderClock)} c"
            f" WHERE c.{c(WorkOrderClock, 'order')} = %s ORDER BY c.{c(WorkOrderClock, 'id')}",
            "replacements": f"SELECT {_REPLACEMENTS.columns(connection)} FROM {t(Replacement)} r"
            f" LEFT OUTER JOIN {t(ProductModel)} m ON m.{c(ProductModel, 'id')} = r.{c(Replacement, 'new_model')}"
            f" WHERE r.{c(Replacement, 'order')} = %s ORDER BY r.{c(Replacement, 'id')}",
        }
    return got


def prefetched(instance, name: str, rows: list) -> None:
    """Make ``instance.<name>.all()`` answer ``rows`` without a query, as ``prefetch_related``
    leaves it (the rows' link back to ``instance`` is set too; a further ``.filter()`` on the
    relation still queries, limited to ``instance``)."""
    manager = getattr(instance, name)
    link = manager.field
    for row in rows:
        link.set_cached_value(row, instance)
    qs = manager.get_queryset()
    qs._result_cache = rows
    qs._prefetch_done = True
    if not hasattr(instance, "_prefetched_objects_cache"):
        instance._prefetched_objects_cache = {}
    instance._prefetched_objects_cache[link.remote_field.cache_name] = qs


def _fetch(order: WorkOrder, name: str, shape: Shape, key: int) -> list:
    alias = order._state.db
    (rows,) = lean.fetch_many(alias, [(_statements(connections[alias])[name], [key])])
    return [shape.build(row, alias) for row in rows]


def replacements_of(order: WorkOrder) -> list:
    """The order's replacements (or returns), oldest first, with the new unit's model: what the
    console's order page lists (one statement through ``core.lean``)."""
    return _fetch(order, "replacements", _REPLACEMENTS, order.pk)


def order_children(order: WorkOrder) -> None:
    """Load the order's events, quotes (with lines), acceptances, documents, report parts and
    clocks (``order.sla_clocks``) through ``core.lean.fetch_many``: one statement each (none
    for the parts of no report), all in one round trip on PostgreSQL. Elsewhere the lines are
    read only when there are quotes; in a pipeline they come along at no extra round trip."""
    alias = order._state.db
    connection = connections[alias]
    statements = _statements(connection)
    report = getattr(order, "report", None) if WorkOrder.report.is_cached(order) else None
    keys = dict.fromkeys(("events", "quotes", "acceptances", "documents", "clocks"), order.pk)
    if report is not None:
        keys["parts"] = report.pk
    if lean.pipelined(connection):
        keys["lines"] = order.pk
    rows = dict(zip(keys, lean.fetch_many(alias, [(statements[n], [k]) for n, k in keys.items()]), strict=True))

    def built(name: str, shape: Shape) -> list:
        return [shape.build(row, alias) for row in rows[name]]

    prefetched(order, "events", built("events", _EVENTS))
    quotes = built("quotes", _QUOTES)
    if quotes:
        by_quote: dict[int, list] = {q.pk: [] for q in quotes}
        lines = built("lines", _LINES) if "lines" in rows else _fetch(order, "lines", _LINES, order.pk)
        for line in lines:
            by_quote[line.quote_id].append(line)
        for q in quotes:
            prefetched(q, "lines", by_quote[q.pk])
    prefetched(order, "quotes", quotes)
    prefetched(order, "acceptances", built("acceptances", _ACCEPTANCES))
    prefetched(order, "documents", built("documents", _DOCUMENTS))
    if report is not None:
        prefetched(report, "parts", built("parts", _PARTS))
    order.sla_clocks = built("clocks", _CLOCKS)


def report_of(order: WorkOrder):
    """The order's repair report with its engineer and parts, or None. No query when the order
    came from ``work_order_detail``, which joins it (one query fewer per order page)."""
    from .models import RepairReport

    if WorkOrder.report.is_cached(order):
        return getattr(order, "report", None)
    return RepairReport.objects.filter(order=order).select_related("engineer").prefetch_related("parts").first()
