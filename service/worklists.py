"""Reads behind the work lists of finance and quality (their home pages).

Each starts from the actor's scope (``permissions.visible_to``) and costs a fixed number of
queries whatever the page's depth: one for the page, one for what the page's rows need.
"""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q, Sum

from core.pagination import keyset_page

from .choices import Coverage, EventType, QuoteStatus
from .models import Quote, WorkOrderEvent
from .permissions import visible_to

# The finance list's quote filter: which paid orders to show.
QUOTE_STATES = ("pending", "approved", "none")


def _paid_orders(actor, quote_state: str = ""):
    qs = visible_to(actor).filter(coverage=Coverage.PAID)
    if quote_state in (QuoteStatus.PENDING, QuoteStatus.APPROVED):
        qs = qs.filter(Exists(Quote.objects.filter(order=OuterRef("pk"), status=quote_state)))
    elif quote_state == "none":
        qs = qs.exclude(Exists(Quote.objects.filter(order=OuterRef("pk"))))
    return qs


def chargeable_orders(*, actor, quote_state: str, cursor: str | None, size: int):
    """Out-of-warranty (paid) orders, newest first, each with ``quote_list`` (its quotes, newest
    first): two queries."""
    qs = _paid_orders(actor, quote_state).select_related("customer", "product_model")
    rows, next_cursor = keyset_page(qs, order=["-id"], cursor=cursor, size=size)
    by_id = {o.pk: o for o in rows}
    for o in rows:
        o.quote_list = []
    for quote in Quote.objects.filter(order_id__in=list(by_id) or [0]).order_by("-id"):
        by_id[quote.order_id].quote_list.append(quote)
    return rows, next_cursor


def chargeable_totals(*, actor) -> dict:
    """Counts and sums (CNY) of the quotes of the paid orders the actor sees, per quote status,
    and the number of paid orders without a quote: two queries."""
    quotes = Quote.objects.filter(order__in=_paid_orders(actor).values("id")).aggregate(
        pending=Count("id", filter=Q(status=QuoteStatus.PENDING)),
        pending_total=Sum("total", filter=Q(status=QuoteStatus.PENDING)),
        approved=Count("id", filter=Q(status=QuoteStatus.APPROVED)),
        approved_total=Sum("total", filter=Q(status=QuoteStatus.APPROVED)),
    )
    quotes["unquoted"] = _paid_orders(actor, "none").count()
    return quotes


QUALITY_EVENTS = (EventType.REOPEN, EventType.REFUSE)


def quality_orders(*, actor, since: dt.datetime, cursor: str | None, size: int):
    """Orders reopened, or whose acceptance the customer refused, since ``since``, newest first,
    each with ``quality_events`` (those events in the period, newest first): two queries."""
    events = _quality_events(since)
    qs = (
        visible_to(actor)
        .filter(pk__in=events.values("order_id"))
        .select_related("customer", "product_model", "assignee")
    )
    rows, next_cursor = keyset_page(qs, order=["-id"], cursor=cursor, size=size)
    by_id = {o.pk: o for o in rows}
    for o in rows:
        o.quality_events = []
    for event in events.filter(order_id__in=list(by_id) or [0]).order_by("-at", "-id"):
        by_id[event.order_id].quality_events.append(event)
    return rows, next_cursor


def quality_order_count(*, actor, since: dt.datetime) -> int:
    return visible_to(actor).filter(pk__in=_quality_events(since).values("order_id")).count()


def _quality_events(since: dt.datetime):
    """The period's reopen and refuse events, read from the index ``event_action_at`` (the
    orders are then found by id, not by reading every order of the scope)."""
    return WorkOrderEvent.objects.filter(action__in=[str(a) for a in QUALITY_EVENTS], at__gte=since)
