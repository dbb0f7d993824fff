"""The warranty rules of the product archive as pure functions (SPEC §2).

Period: starts on the purchase date on the proof (the sale date when there is no
proof) and covers every day up to and including the day before the anniversary.
Bought 2023-11-23 with 36 months → covered through 2026-11-22. An anniversary
that does not exist rolls back to the last day of its month (bought 2024-02-29
with 12 months → anniversary 2025-02-28 → covered through 2025-02-27).

Coverage needs both: the date inside the period and a cause in scope (a defect of
the product, an error in the manual or technical guidance, transport damage caused
by the company). Otherwise the order is a paid repair and the reason says why.
"""

import calendar
import datetime as dt
from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


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


@dataclass(frozen=True)
class Coverage:
    covered: bool
    reason: str
    start: dt.date | None
    end: dt.date | None  # last covered day, inclusive


def add_months(day: dt.date, months: int) -> dt.date:
    """The same day ``months`` later; a day that does not exist rolls back to the month's end."""
    index = day.year * 12 + (day.month - 1) + months
    year, month = divmod(index, 12)
    month += 1
    last = calendar.monthrange(year, month)[1]
    return dt.date(year, month, min(day.day, last))


def period_end(start: dt.date, months: int) -> dt.date:
    """The last covered day: the day before the anniversary."""
    return add_months(start, months) - dt.timedelta(days=1)


def warranty_start(*, purchase_date: dt.date | None, has_proof: bool, sale_date: dt.date | None):
    """Purchase date on the proof; the sale date when there is no proof."""
    if has_proof and purchase_date:
        return purchase_date
    return sale_date


def decide(*, start: dt.date | None, months: int, on: dt.date, cause: str) -> Coverage:
    """Is a fault on ``on`` with ``cause`` covered by a ``months``-long warranty from ``start``?"""
    if start is None:
        return Coverage(False, Reason.NO_START_DATE, None, None)
    end = period_end(start, months)
    if on < start:
        return Coverage(False, Reason.NOT_STARTED, start, end)
    if on > end:
        return Coverage(False, Reason.EXPIRED, start, end)
    if cause not in COVERED_CAUSES:
        return Coverage(False, Reason.CAUSE_NOT_COVERED, start, end)
    return Coverage(True, Reason.IN_WARRANTY, start, end)


@dataclass(frozen=True)
class ComponentCoverage:
    component_class: object  # products.models.ComponentClass
    months: int
    start: dt.date | None
    end: dt.date | None
    in_warranty: bool
    reason: str


def unit_start(unit) -> dt.date | None:
    """The start of a unit's warranty (``warranty_start`` over the unit's fields)."""
    return warranty_start(purchase_date=unit.purchase_date, has_proof=bool(unit.proof_id), sale_date=unit.sale_date)


def component_coverage(unit, terms, *, on: dt.date, cause: str = Cause.DEFECT) -> list[ComponentCoverage]:
    """The unit's coverage per component class under ``terms`` (pairs of component class and
    months): the one computation of coverage, whichever way the terms were read."""
    start = unit_start(unit)
    result = []
    for cc, months in terms:
        decision = decide(start=start, months=months, on=on, cause=cause)
        result.append(ComponentCoverage(cc, months, decision.start, decision.end, decision.covered, decision.reason))
    return result


def main_of(components: list[ComponentCoverage], *, unit, default_months: int, on: dt.date, cause: str) -> Coverage:
    """What decides a work order: the main component's coverage (the first class's when the
    model has no main one; ``default_months`` from the unit's start when it has no terms)."""
    main = next((c for c in components if c.component_class.kind == "main"), components[0] if components else None)
    if main is None:
        return decide(start=unit_start(unit), months=default_months, on=on, cause=cause)
    return Coverage(main.in_warranty, main.reason, main.start, main.end)
