"""The replacement rule as a pure function (SPEC §2): when a work order's unit may be replaced."""

from dataclasses import dataclass

from django.db import models
from django.utils.translation import gettext_lazy as _


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
