"""The event plans of demo orders follow the work-order state machine."""

import datetime as dt
import random

import pytest

from demo.lifecycle import VERSIONED, pick_status, plan_order, route_to
from service.choices import Status
from service.workflow import TRANSITIONS

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)
NOTES = {"cancel": ("why",), "reopen": ("again",), "refuse": ("no",)}


@pytest.mark.parametrize("paid", [False, True], ids=["warranty", "paid"])
@pytest.mark.parametrize("status", list(Status), ids=[s.value for s in Status])
def test_every_plan_is_a_legal_path_to_its_state(status, paid):
    for seed in range(40):
        # given an order created 30 days ago that should now be in ``status``
        created = NOW - dt.timedelta(days=30)

        # when its events are planned
        plan = plan_order(random.Random(seed), status=status, created_at=created, now=NOW, paid=paid, notes=NOTES)

        # then they start with the creation, move only along TRANSITIONS and end in ``status``
        first, *rest = plan.steps
        assert (first.action, first.from_status, first.to_status, first.at) == ("create", "", "new", created)
        current = "new"
        for step in rest:
            assert step.from_status == current
            transition = TRANSITIONS.get(step.action)
            if transition is None:
                assert step.to_status == current, step.action
            else:
                assert current in transition.sources, (step.action, current)
            current = step.to_status
        assert current == plan.status == status
        # and the version counts what the services count; times run forward, never past now
        assert plan.version == sum(1 for s in plan.steps if s.action in VERSIONED)
        times = [s.at for s in plan.steps]
        assert times == sorted(times) and times[-1] <= NOW
        # and a reason is given where the workflow asks for one
        assert all(s.note for s in plan.steps if TRANSITIONS.get(s.action) and TRANSITIONS[s.action].needs_note)


@pytest.mark.parametrize("status", [Status.SCHEDULED, Status.IN_SERVICE, Status.CLOSED], ids=lambda s: s.value)
def test_a_paid_repair_is_quoted_and_approved_before_it_is_scheduled(status):
    # given a paid repair that got as far as ``status``
    plan = plan_order(random.Random(3), status=status, created_at=NOW - dt.timedelta(days=20), now=NOW, paid=True)

    # then the approval comes before the scheduling
    actions = [s.action for s in plan.steps]
    assert actions.index("quote") < actions.index("quote_approved") < actions.index("schedule")
    assert plan.quote_status == "approved"


def test_a_plan_squeezed_into_a_recent_order_stays_before_now():
    # given an order created ten minutes ago that is already closed
    created = NOW - dt.timedelta(minutes=10)

    # when planned
    plan = plan_order(random.Random(1), status=Status.CLOSED, created_at=created, now=NOW, paid=False)

    # then all of it happened between the creation and now
    assert all(created <= s.at <= NOW for s in plan.steps)


@pytest.mark.parametrize("age_days", [0.01, 1, 10, 30, 300], ids=["minutes", "a-day", "ten-days", "a-month", "old"])
def test_the_target_state_is_always_a_status(age_days):
    rng = random.Random(5)
    assert {pick_status(rng, age_days) for _ in range(200)} <= set(Status.values)


def test_an_unknown_state_is_refused():
    with pytest.raises(ValueError):
        route_to(random.Random(1), "lost", paid=False)
