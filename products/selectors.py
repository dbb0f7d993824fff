"""Reads of the product archive, including warranty coverage per component class."""

import datetime as dt
from dataclasses import dataclass

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


def terms_for(product_model) -> list[tuple[ComponentClass, int]]:
    """The model's warranty terms; a model without terms gets the policy defaults per class kind."""
    terms = [
        (t.component_class, t.months)
        for t in WarrantyTerm.objects.filter(model=product_model)
        .select_related("component_class")
        .order_by("component_class_id")
    ]
    if terms:
        return terms
    return [
        (cc, int(get_policy(f"warranty.months.{cc.kind}")))
        for cc in ComponentClass.objects.filter(kind__in=["main", "accessory", "software"]).order_by("id")
    ]


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


def unit_by_serial(serial: str):
    if "\x00" in serial:  # no serial holds one, and PostgreSQL cannot even compare with it
        return None
    return Unit.objects.select_related("model", "owner").filter(serial=serial.strip()).first()
