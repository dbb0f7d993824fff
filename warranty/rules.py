"""The warranty and replacement rules as pure functions (SPEC §2).

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


class ReplacementGround(models.TextChoices):
    QUALITY_DEFECT = "quality_defect", _("The product has a quality defect")
    REPAIR_CAUSED_LOSS = "repair_caused_loss", _("A repair caused a loss of function")
    FAULT_PERSISTS = "fault_persists", _("The fault persists after repair")
    SPECIAL = "special", _("Special case (manager's approval)")


@dataclass(frozen=True)
class ReplacementDecision:
    allowed: bool
    reason: str
    needs_manager: bool = False


def replacement_allowed(
    *,
    in_warranty: bool,
    ground: str,
    prior_repairs: int,
    repairs_required: int,
    manager_approved: bool = False,
) -> ReplacementDecision:
    """May a unit be replaced (SPEC §2)?

    Within warranty only, on one of three grounds: a quality defect; a loss of function
    caused by a repair; or a fault persisting after ``repairs_required`` repairs within
    warranty. Anything else is a special case that needs a manager's approval.
    """
    if ground == ReplacementGround.SPECIAL:
        if manager_approved:
            return ReplacementDecision(True, "special_approved", needs_manager=True)
        return ReplacementDecision(False, "needs_manager_approval", needs_manager=True)
    if not in_warranty:
        return ReplacementDecision(False, "out_of_warranty")
    if ground == ReplacementGround.QUALITY_DEFECT:
        return ReplacementDecision(True, "quality_defect")
    if ground == ReplacementGround.REPAIR_CAUSED_LOSS:
        if prior_repairs < 1:
            return ReplacementDecision(False, "no_prior_repair")
        return ReplacementDecision(True, "repair_caused_loss")
    if ground == ReplacementGround.FAULT_PERSISTS:
        if prior_repairs < repairs_required:
            return ReplacementDecision(False, "not_enough_repairs")
        return ReplacementDecision(True, "fault_persists")
    return ReplacementDecision(False, "unknown_ground")
