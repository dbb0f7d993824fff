"""Reads of the product archive, including warranty coverage per component class."""

import datetime as dt
from dataclasses import dataclass

from django.db import router

from core import lean, stamps
from core.policies import get_policy
from warranty import rules

from .models import ComponentClass, Unit, WarrantyTerm


@dataclass(frozen=True)
class ComponentCoverage:
    component_class: ComponentClass
    months: int
    start: dt.date | None
    end: dt.date | None
    in_warranty: bool
    reason: str


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
            ComponentClass.objects.using(alias).filter(kind__in=["main", "accessory", "software"]).order_by("id")
        )
    # the months are policies, read through their own cache (core.policies), not kept here
    return [(cc, int(get_policy(f"warranty.months.{cc.kind}"))) for cc in defaults]


def unit_coverage(unit: Unit, *, on: dt.date, cause: str = rules.Cause.DEFECT) -> list[ComponentCoverage]:
    start = rules.warranty_start(
        purchase_date=unit.purchase_date, has_proof=bool(unit.proof_id), sale_date=unit.sale_date
    )
    result = []
    for cc, months in terms_for(unit.model):
        decision = rules.decide(start=start, months=months, on=on, cause=cause)
        result.append(ComponentCoverage(cc, months, decision.start, decision.end, decision.covered, decision.reason))
    return result


def main_coverage(unit: Unit, *, on: dt.date, cause: str) -> rules.Coverage:
    """Coverage of the main unit (or the first class) — what decides a work order."""
    start = rules.warranty_start(
        purchase_date=unit.purchase_date, has_proof=bool(unit.proof_id), sale_date=unit.sale_date
    )
    terms = terms_for(unit.model)
    main = next(
        (m for cc, m in terms if cc.kind == "main"), terms[0][1] if terms else int(get_policy("warranty.months.main"))
    )
    return rules.decide(start=start, months=main, on=on, cause=cause)


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
