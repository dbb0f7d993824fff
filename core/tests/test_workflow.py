"""``core.workflow``: the table is checked when declared; roles and buttons come from it."""

from types import SimpleNamespace

import pytest
from django.db import models

from core.workflow import Guard, Transition, Workflow, role_of


class St(models.TextChoices):
    A = "a", "A"
    B = "b", "B"
    W = "w", "W"


def _wf(transitions, guards=()):
    return Workflow(
        name="test",
        states=St,
        transitions=transitions,
        guards=guards,
        lock=lambda pk, actor: None,
        event_model=models.Model,
        subject_field="x",
        default_resume_state=St.A,
    )


def test_unknown_states_duplicate_actions_and_unchecked_guards_are_refused():
    with pytest.raises(ValueError, match="unknown states"):
        _wf([Transition("go", "Go", frozenset({"a"}), "zz", frozenset({"r"}))])
    with pytest.raises(ValueError, match="twice"):
        _wf(
            [
                Transition("go", "Go", frozenset({"a"}), "b", frozenset()),
                Transition("go", "Go", frozenset({"b"}), "a", frozenset()),
            ]
        )
    with pytest.raises(ValueError, match="guards without a check"):
        _wf([Transition("go", "Go", frozenset({"a"}), "b", frozenset(), guards=("nope",))])


def test_available_follows_state_and_role_and_a_superuser_counts_as_admin():
    wf = _wf(
        [
            Transition("go", "Go", frozenset({"a"}), "b", frozenset({"agent"})),
            Transition("wait", "Wait", frozenset({"a", "b"}), "w", frozenset({"admin"}), pauses=True),
            Transition("back", "Back", frozenset({"w"}), None, frozenset({"admin"}), resumes=True),
        ],
        guards=[Guard("g", lambda s, a: True, "msg")],
    )
    agent = SimpleNamespace(role="agent", is_superuser=False)
    root = SimpleNamespace(role="", is_superuser=True)
    assert role_of(root) == "admin"
    assert [t.action for t in wf.available(SimpleNamespace(status="a"), agent)] == ["go"]
    assert [t.action for t in wf.available(SimpleNamespace(status="a"), root)] == ["wait"]
    assert [t.action for t in wf.available(SimpleNamespace(status="w"), root)] == ["back"]
    # a resume goes back to where the wait started, or to the default state
    back = wf.transitions["back"]
    assert wf.target(back, SimpleNamespace(paused_from="b")) == "b"
    assert wf.target(back, SimpleNamespace(paused_from="")) == "a"
