"""Reads for the portal. Every read starts from the customer's own scope."""

import datetime as dt
from collections import defaultdict

from core.errors import NotFound
from core.pagination import keyset_page
from core.policies import get_policy
from products.models import ComponentClass, Unit, WarrantyTerm
from products.selectors import ComponentCoverage
from service import filters as order_filters
from service.selectors import work_order_list
from warranty import rules

DEFAULT_KINDS = ("main", "accessory", "software")


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

    The coverage is the same as ``products.selectors.unit_coverage`` gives one unit at a time
    (a test keeps the two in step), but the terms of all models on the page are read at once.
    """
    qs = my_units(actor).select_related("model")
    rows, next_cursor = keyset_page(qs, order=["-id"], cursor=cursor, size=size)
    coverage = coverage_of(rows, on=on)
    return [(unit, coverage[unit.pk]) for unit in rows], next_cursor


def coverage_of(units: list[Unit], *, on: dt.date) -> dict[int, list[ComponentCoverage]]:
    terms: dict[int, list] = defaultdict(list)
    model_ids = {u.model_id for u in units}
    if model_ids:
        for term in (
            WarrantyTerm.objects.filter(model_id__in=model_ids)
            .select_related("component_class")
            .order_by("model_id", "component_class_id")
        ):
            terms[term.model_id].append((term.component_class, term.months))
    defaults = []
    if model_ids - set(terms):
        defaults = [
            (cc, int(get_policy(f"warranty.months.{cc.kind}")))
            for cc in ComponentClass.objects.filter(kind__in=DEFAULT_KINDS).order_by("id")
        ]
    result = {}
    for unit in units:
        start = rules.warranty_start(
            purchase_date=unit.purchase_date, has_proof=bool(unit.proof_id), sale_date=unit.sale_date
        )
        rows = []
        for cc, months in terms.get(unit.model_id) or defaults:
            d = rules.decide(start=start, months=months, on=on, cause=rules.Cause.DEFECT)
            rows.append(ComponentCoverage(cc, months, d.start, d.end, d.covered, d.reason))
        result[unit.pk] = rows
    return result


def requests_page(*, actor, cursor: str | None, size: int):
    """One page of my requests, newest first: a single query however deep."""
    if not actor.is_customer:
        return [], None
    return work_order_list(actor=actor, f=order_filters.WorkOrderFilter(sort="newest"), cursor=cursor, size=size)
