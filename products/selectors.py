"""Reads of the product archive, including warranty coverage per component class."""

import datetime as dt
from collections import defaultdict

from django.db import router

from core import lean, stamps
from core.policies import get_policy

from . import warranty
from .models import ComponentClass, Unit, WarrantyTerm

ComponentCoverage = warranty.ComponentCoverage
DEFAULT_KINDS = ("main", "accessory", "software")  # the component classes of a model without terms


_TERMS: dict[str, tuple[tuple, dict]] = {}  # per database: (stamp, {model id: terms})


def _terms_stamp_expressions() -> list[str]:
    """Moves whenever a warranty term or a component class is added, changed (``updated_at``)
    or deleted (the count, or the highest id, moves); ``core.stamps``."""
    t, c = WarrantyTerm._meta.db_table, ComponentClass._meta.db_table
    return [
        f"(SELECT {agg} FROM {table})"  # noqa: S608 (table names)
        for table in (t, c)
        for agg in ("COUNT(*)", "MAX(id)", "MAX(updated_at)")
    ]


stamps.register("warranty_terms", _terms_stamp_expressions)


def terms_for(product_model) -> list[tuple[ComponentClass, int]]:
    """The model's warranty terms; a model without terms gets the policy defaults per class kind.

    Every intake checks the unit's warranty: the terms are kept per process and read again
    only when the stamp moves, so an edit in the admin is seen by the very next request
    (the same scheme as the SLA policies, ``sla.engine.config``)."""
    alias = router.db_for_read(WarrantyTerm)
    stamp = stamps.read(alias, "warranty_terms")
    cached = _TERMS.get(alias)
    if cached is None or cached[0] != stamp:
        cached = _TERMS[alias] = (stamp, {})
    by_model = cached[1]
    terms = by_model.get(product_model.pk)
    if terms is None:
        terms = by_model[product_model.pk] = [
            (t.component_class, t.months)
            for t in WarrantyTerm.objects.using(alias)
            .filter(model_id=product_model.pk)
            .select_related("component_class")
            .order_by("component_class_id")
        ]
    if terms:
        return list(terms)
    defaults = by_model.get(None)
    if defaults is None:
        defaults = by_model[None] = list(
            ComponentClass.objects.using(alias).filter(kind__in=DEFAULT_KINDS).order_by("id")
        )
    # the months are policies, read through their own cache (core.policies), not kept here
    return [(cc, int(get_policy(f"warranty.months.{cc.kind}"))) for cc in defaults]


def unit_coverage(unit: Unit, *, on: dt.date, cause: str = warranty.Cause.DEFECT) -> list[ComponentCoverage]:
    """The unit's coverage per component class on ``on`` (its model's terms, kept per process)."""
    return warranty.component_coverage(unit, terms_for(unit.model), on=on, cause=cause)


def main_coverage(unit: Unit, *, on: dt.date, cause: str) -> warranty.Coverage:
    """Coverage of the main unit (or the first class) — what decides a work order."""
    return warranty.main_of(
        unit_coverage(unit, on=on, cause=cause),
        unit=unit,
        default_months=int(get_policy("warranty.months.main")),
        on=on,
        cause=cause,
    )


def units_coverage(units: list[Unit], *, on: dt.date) -> dict[int, list[ComponentCoverage]]:
    """``unit_coverage`` of many units (a page of them) with every model's terms read in one query."""
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
    return {unit.pk: warranty.component_coverage(unit, terms.get(unit.model_id) or defaults, on=on) for unit in units}


_UNIT = lean.Compiled(lambda serial: Unit.objects.select_related("model__line", "owner").filter(serial=serial))


def unit_with_owner(serial: str) -> Unit | None:
    """The unit with this serial, its model, product line and owner (one statement).

    What every intake looks up first: the ORM's ``select_related("model__line", "owner")``
    compiled once (``core.lean.Compiled``); building and compiling it on every request costs
    ten times the CPU of the statement."""
    if not serial or "\x00" in serial:
        return None
    found = _UNIT.fetch(router.db_for_read(Unit), serial)
    return found[0] if found else None


def unit_by_serial(serial: str):
    if "\x00" in serial:  # no serial holds one, and PostgreSQL cannot even compare with it
        return None
    return Unit.objects.select_related("model", "owner").filter(serial=serial.strip()).first()
