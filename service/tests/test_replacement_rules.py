"""The replacement rule (a pure function, no database)."""

import pytest

from service.replacement import ReplacementGround, replacement_allowed

G = ReplacementGround


@pytest.mark.parametrize(
    "ground, in_warranty, prior, required, allowed, reason",
    [
        (G.QUALITY_DEFECT, True, 0, 1, True, "quality_defect"),
        (G.QUALITY_DEFECT, False, 0, 1, False, "out_of_warranty"),
        (G.QUALITY_DEFECT, False, 5, 1, False, "out_of_warranty"),
        (G.REPAIR_CAUSED_LOSS, True, 0, 1, False, "no_prior_repair"),
        (G.REPAIR_CAUSED_LOSS, True, 1, 1, True, "repair_caused_loss"),
        (G.REPAIR_CAUSED_LOSS, True, 1, 3, True, "repair_caused_loss"),
        (G.REPAIR_CAUSED_LOSS, False, 1, 1, False, "out_of_warranty"),
        (G.FAULT_PERSISTS, True, 0, 1, False, "not_enough_repairs"),
        (G.FAULT_PERSISTS, True, 1, 1, True, "fault_persists"),
        (G.FAULT_PERSISTS, True, 1, 2, False, "not_enough_repairs"),
        (G.FAULT_PERSISTS, True, 2, 2, True, "fault_persists"),
        (G.FAULT_PERSISTS, True, 3, 2, True, "fault_persists"),
        (G.FAULT_PERSISTS, True, 0, 0, True, "fault_persists"),
        (G.FAULT_PERSISTS, False, 3, 1, False, "out_of_warranty"),
        (G.SPECIAL, True, 0, 1, False, "needs_manager_approval"),
        (G.SPECIAL, False, 0, 1, False, "needs_manager_approval"),
        ("teleportation", True, 5, 1, False, "unknown_ground"),
    ],
    ids=[
        "defect-in",
        "defect-out",
        "defect-out-many-repairs",
        "loss-no-repair",
        "loss-one-repair",
        "loss-ignores-policy",
        "loss-out",
        "persists-0-of-1",
        "persists-1-of-1",
        "persists-1-of-2",
        "persists-2-of-2",
        "persists-3-of-2",
        "persists-policy-0",
        "persists-out",
        "special-in-unapproved",
        "special-out-unapproved",
        "unknown-ground",
    ],
)
def test_replacement_rule(ground, in_warranty, prior, required, allowed, reason):
    # when
    decision = replacement_allowed(
        in_warranty=in_warranty, ground=ground, prior_repairs=prior, repairs_required=required
    )

    # then
    assert (decision.allowed, decision.reason) == (allowed, reason)


@pytest.mark.parametrize("in_warranty", [True, False], ids=["in-warranty", "out-of-warranty"])
def test_special_case_needs_a_managers_approval(in_warranty):
    # when
    unapproved = replacement_allowed(in_warranty=in_warranty, ground=G.SPECIAL, prior_repairs=0, repairs_required=1)
    approved = replacement_allowed(
        in_warranty=in_warranty, ground=G.SPECIAL, prior_repairs=0, repairs_required=1, manager_approved=True
    )

    # then
    assert (unapproved.allowed, unapproved.needs_manager) == (False, True)
    assert (approved.allowed, approved.needs_manager, approved.reason) == (True, True, "special_approved")


@pytest.mark.parametrize("ground", [G.QUALITY_DEFECT, G.REPAIR_CAUSED_LOSS, G.FAULT_PERSISTS], ids=lambda g: g.value)
def test_manager_approval_does_not_override_the_warranty_for_ordinary_grounds(ground):
    # when
    decision = replacement_allowed(
        in_warranty=False, ground=ground, prior_repairs=9, repairs_required=1, manager_approved=True
    )

    # then
    assert (decision.allowed, decision.reason) == (False, "out_of_warranty")
