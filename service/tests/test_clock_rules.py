"""The work order's clock declaration (``service.clocks.WORK_ORDER``) against the rule it
replaced: clocks met by the (from, to) statuses of a transition.

The declaration names, per action, the clocks it meets and starts. The reference rule below
is the one the work order used before (a clock is met when the order goes from ``from`` to
``to``). Walking every path of the transition table (``service.workflow``) from ``new``, the
two agree on every clock that is still open (running, paused, or breached and not yet
stopped) at every (state, action) pair; clocks already stopped are not touched by either.
"""

from collections import deque

import pytest

from service.choices import Status
from service.clocks import WORK_ORDER
from service.workflow import TRANSITIONS, target_state
from sla.models import CaseKind, ClockName, Milestone

S = Status

REFERENCE_MET_WHEN = {
    "response": lambda frm, to: frm == S.NEW and to != S.NEW,
    "onsite": lambda frm, to: to == S.IN_SERVICE,
    "resolution": lambda frm, to: to == S.RESOLVED,
    "fix": lambda frm, to: to == S.RESOLVED,
    "acknowledge": lambda frm, to: frm == S.NEW and to != S.NEW,
    "classify": lambda frm, to: to not in (S.NEW, S.ACKNOWLEDGED),
}
REFERENCE_STARTS_LATER = {"fix": S.IN_SERVICE}
EVERY_CLOCK = frozenset(ClockName.values)


class _Order:
    def __init__(self, paused_from: str):
        self.paused_from = paused_from


def _walk():
    """Every reachable (status, paused_from, open clocks, existing clocks), with the steps out of it."""
    first = (S.NEW.value, "", EVERY_CLOCK - {"fix"}, EVERY_CLOCK - {"fix"})
    seen, queue, steps = {first}, deque([first]), []
    while queue:
        status, paused_from, open_, existing = queue.popleft()
        for t in TRANSITIONS.values():
            if status not in t.sources:
                continue
            to = target_state(t, _Order(paused_from))
            reference_met = {c for c in open_ if REFERENCE_MET_WHEN[c](status, to)}
            declared_met = {c for c in open_ if c in WORK_ORDER.meets.get(t.action, ())}
            reference_started = {c for c, st in REFERENCE_STARTS_LATER.items() if st == to and c not in existing}
            declared_started = {c for c in WORK_ORDER.starts.get(t.action, ()) if c not in existing}
            steps.append(
                (status, paused_from, t.action, to, reference_met, declared_met, reference_started, declared_started)
            )
            after = (
                to,
                status if t.pauses else ("" if t.resumes else paused_from),
                frozenset(open_ - reference_met | reference_started),
                frozenset(existing | reference_started),
            )
            if after not in seen:
                seen.add(after)
                queue.append(after)
    return steps


STEPS = _walk()


def test_the_walk_takes_every_state_and_action_pair_of_the_table():
    pairs = {(s, a) for s, _pf, a, *_ in STEPS}
    assert pairs == {(s, t.action) for t in TRANSITIONS.values() for s in t.sources}


@pytest.mark.parametrize(
    "status, paused_from, action, to, reference_met, declared_met, reference_started, declared_started",
    STEPS,
    ids=[f"{s}-{a}->{to}{'(' + pf + ')' if pf else ''}" for s, pf, a, to, *_ in STEPS],
)
def test_declared_effects_equal_the_reference_rule(
    status, paused_from, action, to, reference_met, declared_met, reference_started, declared_started
):
    assert declared_met == reference_met
    assert declared_started == reference_started


def test_the_work_order_declaration():
    assert WORK_ORDER.code == CaseKind.WORK_ORDER
    assert dict(WORK_ORDER.waits) == {"awaiting_customer": Milestone.CUSTOMER, "awaiting_parts": Milestone.PARTS}
    assert WORK_ORDER.cancel_states == {"cancelled"}
    assert WORK_ORDER.starts_later() == {"fix"}
    assert set(WORK_ORDER.meets) <= set(TRANSITIONS)
    assert WORK_ORDER.number(12) == "WO00000012"
