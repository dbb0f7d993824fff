"""The warranty rules of the product archive as pure functions (SPEC §2, docs/warranty.md).

Period: counted from the purchase date on the proof (the sale date when there is no
proof) by ``products.periods.period`` under the term's convention. By default the Civil
Code's (arts. 201–204): bought 2023-11-23 with 36 months → the last day is 2026-11-23, or
the next working day when that is a rest day. A term may keep the former convention,
"through the day before the anniversary" (→ 2026-11-22, never moved).

Coverage needs both: the date inside the period and a cause in scope (a defect of
the product, an error in the manual or technical guidance, transport damage caused
by the company). Otherwise the order is a paid repair and the reason says why.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import Convention, WorkingDay, add_months, period


class Cause(models.TextChoices):
    DEFECT = "defect", _("Defect of the product")
    MANUAL_ERROR = "manual_error", _("Error in the manual or technical guidance")
    TRANSPORT_DAMAGE = "transport_damage", _("Transport damage caused by the company")
    MISUSE = "misuse", _("Improper use or installation by the customer")
    ACCIDENT = "accident", _("Accidental damage (drop, liquid, fire)")
    UNAUTHORISED_REPAIR = "unauthorised_repair", _("Repaired or modified by a third party")
    WEAR = "wear", _("Normal wear and consumables")
    FORCE_MAJEURE = "force_majeure", _("Force majeure (lightning, flood…)")


COVERED_CAUSES = frozenset({Cause.DEFECT, Cause.MANUAL_ERROR, Cause.TRANSPORT_DAMAGE})


class Reason(models.TextChoices):
    IN_WARRANTY = "in_warranty", _("Within the warranty period and the cause is covered.")
    EXPIRED = "expired", _("The warranty period has ended.")
    NOT_STARTED = "not_started", _("The fault date is before the warranty start.")
    CAUSE_NOT_COVERED = "cause_not_covered", _("The cause of the fault is not covered by the warranty.")
    NO_START_DATE = "no_start_date", _("No purchase proof or sale date: the warranty cannot be established.")
    PART_IN_WARRANTY = (
        "part_in_warranty",
        _("The part was replaced in an earlier repair and is within its own warranty."),
    )
    PART_EXPIRED = "part_expired", _("The part replaced in an earlier repair is past its own warranty.")


@dataclass(frozen=True)
class Coverage:
    covered: bool
    reason: str
    start: dt.date | None
    end: dt.date | None  # last covered day, inclusive
    convention: str = Convention.CIVIL_CODE


__all__ = ["Convention", "add_months", "period_end"]


def period_end(start: dt.date, months: int) -> dt.date:
    """The last covered day under the former convention: the day before the anniversary."""
    return period(start, months=months, convention=Convention.ANNIVERSARY_EVE).last_day


def warranty_start(*, purchase_date: dt.date | None, has_proof: bool, sale_date: dt.date | None):
    """Purchase date on the proof; the sale date when there is no proof."""
    if has_proof and purchase_date:
        return purchase_date
    return sale_date


def decide(
    *,
    start: dt.date | None,
    months: int,
    on: dt.date,
    cause: str,
    convention: str = Convention.CIVIL_CODE,
    working_day: WorkingDay | None = None,
    covered_causes: frozenset[str] | None = None,
) -> Coverage:
    """Is a fault on ``on`` with ``cause`` covered by a ``months``-long warranty from ``start``
    counted under ``convention`` (rest days by ``working_day``), for ``covered_causes``
    (default: the causes of SPEC §2)?"""
    if start is None:
        return Coverage(False, Reason.NO_START_DATE, None, None, convention)
    end = period(start, months=months, convention=convention, working_day=working_day).last_day
    if on < start:
        return Coverage(False, Reason.NOT_STARTED, start, end, convention)
    if on > end:
        return Coverage(False, Reason.EXPIRED, start, end, convention)
    if cause not in (COVERED_CAUSES if covered_causes is None else covered_causes):
        return Coverage(False, Reason.CAUSE_NOT_COVERED, start, end, convention)
    return Coverage(True, Reason.IN_WARRANTY, start, end, convention)


@dataclass(frozen=True)
class Term:
    """One component class's warranty on a model: its months, convention and covered causes."""

    component_class: object  # products.models.ComponentClass
    months: int
    convention: str = Convention.CIVIL_CODE
    covered_causes: frozenset[str] | None = None  # None: COVERED_CAUSES


def as_term(term) -> Term:
    """A ``Term``, or a pair of component class and months (the Civil Code convention)."""
    return term if isinstance(term, Term) else Term(*term)


@dataclass(frozen=True)
class ComponentCoverage:
    component_class: object  # products.models.ComponentClass
    months: int
    start: dt.date | None
    end: dt.date | None
    in_warranty: bool
    reason: str
    convention: str = Convention.CIVIL_CODE
    covered_causes: frozenset[str] | None = None  # None: COVERED_CAUSES

    def covers_cause(self, cause: str) -> bool:
        return cause in (COVERED_CAUSES if self.covered_causes is None else self.covered_causes)


def unit_start(unit) -> dt.date | None:
    """The start of a unit's warranty (``warranty_start`` over the unit's fields)."""
    return warranty_start(purchase_date=unit.purchase_date, has_proof=bool(unit.proof_id), sale_date=unit.sale_date)


def component_coverage(
    unit, terms, *, on: dt.date, cause: str = Cause.DEFECT, working_day: WorkingDay | None = None
) -> list[ComponentCoverage]:
    """The unit's coverage per component class under ``terms`` (``Term`` or pairs of component
    class and months): the one computation of coverage, whichever way the terms were read."""
    start = unit_start(unit)
    result = []
    for term in map(as_term, terms):
        d = decide(
            start=start,
            months=term.months,
            on=on,
            cause=cause,
            convention=term.convention,
            working_day=working_day,
            covered_causes=term.covered_causes,
        )
        result.append(
            ComponentCoverage(
                term.component_class,
                term.months,
                d.start,
                d.end,
                d.covered,
                d.reason,
                d.convention,
                term.covered_causes,
            )
        )
    return result


def main_of(
    components: list[ComponentCoverage],
    *,
    unit,
    default_months: int,
    on: dt.date,
    cause: str,
    working_day: WorkingDay | None = None,
) -> Coverage:
    """What decides a work order without a named component: the main component's coverage (the
    first class's when the model has no main one; ``default_months`` from the unit's start when
    it has no terms)."""
    main = next((c for c in components if c.component_class.kind == "main"), components[0] if components else None)
    if main is None:
        return decide(start=unit_start(unit), months=default_months, on=on, cause=cause, working_day=working_day)
    return of_component(main)


def of_component(component: ComponentCoverage) -> Coverage:
    return Coverage(component.in_warranty, component.reason, component.start, component.end, component.convention)


def replaced_part_last_day(
    *,
    replaced_on: dt.date,
    unit_last_day: dt.date | None,
    min_months: int,
    working_day: WorkingDay | None = None,
) -> dt.date:
    """A part replaced on ``replaced_on`` has its own warranty: the longer of the rest of the
    unit's period (to ``unit_last_day``) and ``min_months`` from the replacement (Civil Code)."""
    own = period(replaced_on, months=min_months, working_day=working_day).last_day
    return max(own, unit_last_day) if unit_last_day else own


def decide_part(*, component: ComponentCoverage, part_last_day: dt.date, on: dt.date, cause: str) -> Coverage:
    """A fault of a part replaced earlier: covered by the part's own period, whatever the
    component's (a part may outlast it), for the component's covered causes."""
    if on > part_last_day:
        return Coverage(False, Reason.PART_EXPIRED, component.start, part_last_day, component.convention)
    if not component.covers_cause(cause):
        return Coverage(False, Reason.CAUSE_NOT_COVERED, component.start, part_last_day, component.convention)
    return Coverage(True, Reason.PART_IN_WARRANTY, component.start, part_last_day, component.convention)
