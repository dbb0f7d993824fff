"""Reads for the portal. Every read starts from the customer's own scope."""

import datetime as dt

from core.errors import NotFound
from core.pagination import keyset_page
from products.models import Unit
from products.selectors import units_coverage
from service import filters as order_filters
from service.selectors import work_order_list


def my_units(actor):
    """Units owned by the signed-in customer (none for anybody else)."""
    if actor is None or not actor.is_authenticated or not actor.is_customer:
        return Unit.objects.none()
    return Unit.objects.filter(owner__user=actor)


def my_unit(actor, unit_id: int) -> Unit:
    """One of my units; somebody else's reads as not found."""
    unit = my_units(actor).select_related("model", "proof").filter(pk=unit_id).first()
    if unit is None:
        raise NotFound()
    return unit


def units_page(*, actor, cursor: str | None, size: int, on: dt.date):
    """One page of my units with their coverage per component class, in a fixed number of queries.

    The coverage is ``products.selectors.units_coverage``: the terms of all models on the page
    are read at once.
    """
    qs = my_units(actor).select_related("model")
    rows, next_cursor = keyset_page(qs, order=["-id"], cursor=cursor, size=size)
    coverage = units_coverage(rows, on=on)
    return [(unit, coverage[unit.pk]) for unit in rows], next_cursor


def requests_page(*, actor, cursor: str | None, size: int):
    """One page of my requests, newest first: a single query however deep."""
    if not actor.is_customer:
        return [], None
    return work_order_list(actor=actor, f=order_filters.WorkOrderFilter(sort="newest"), cursor=cursor, size=size)
