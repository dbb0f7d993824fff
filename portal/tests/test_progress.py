"""The progress bar and the customer's timeline (pure functions over statuses and events)."""

import datetime as dt
from types import SimpleNamespace

import pytest

from portal.progress import MAIN_PATH, customer_timeline, progress_caption, progress_steps
from service.choices import Status

D, C, T, X = "done", "current", "todo", "cancelled"


@pytest.mark.parametrize(
    "status, paused_from, before_cancel, states, note",
    [
        ("new", "", "", [C, T, T, T, T, T, T, T], ""),
        ("scheduled", "", "", [D, D, D, C, T, T, T, T], ""),
        ("awaiting_parts", "in_service", "", [D, D, D, D, C, T, T, T], "Waiting for parts"),
        ("awaiting_customer", "assessed", "", [D, D, C, T, T, T, T, T], "Waiting for you"),
        ("reopened", "", "", [D, C, T, T, T, T, T, T], "Reopened"),
        ("resolved", "", "", [D, D, D, D, D, C, T, T], ""),
        ("closed", "", "", [D] * 8, ""),
        ("cancelled", "", "acknowledged", [D, X, T, T, T, T, T, T], "Cancelled"),
    ],
    ids=[
        "new",
        "scheduled",
        "awaiting-parts",
        "awaiting-customer-after-assessment",
        "reopened",
        "resolved",
        "closed",
        "cancelled",
    ],
)
def test_progress_steps(status, paused_from, before_cancel, states, note):
    steps = progress_steps(status, paused_from=paused_from, before_cancel=before_cancel)
    assert [s.status for s in steps] == list(MAIN_PATH)
    assert [s.state for s in steps] == states
    assert [str(s.note) for s in steps if s.note] == ([note] if note else [])


def test_every_status_has_a_place_on_the_bar():
    for status in Status:
        steps = progress_steps(status)
        assert sum(s.state in (C, X) for s in steps) == (0 if status == Status.CLOSED else 1), status


def event(action, actor_id, note="", from_status="", to_status=""):
    return SimpleNamespace(
        action=action,
        actor_id=actor_id,
        note=note,
        from_status=from_status,
        to_status=to_status,
        at=dt.datetime(2025, 1, 1, tzinfo=dt.UTC),
    )


def test_timeline_shows_transitions_and_my_own_events_but_not_staff_notes():
    me, staff = SimpleNamespace(pk=1), 2
    events = [
        event("create", 1, to_status="new"),
        event("acknowledge", staff, note="called, he was rude", from_status="new", to_status="acknowledged"),
        event("note", staff, note="internal remark"),
        event("note", 1, note="Please come after 6pm"),
        event("assign", staff, from_status="acknowledged", to_status="acknowledged"),
        event("quote_approved", 1),
    ]
    entries = customer_timeline(events, me)
    assert [(str(e.label), str(e.status_label), e.note) for e in entries] == [
        ("Request received", "New", ""),
        ("Acknowledge", "Acknowledged", ""),
        ("Your note", "", "Please come after 6pm"),
        ("You approved the quote", "", ""),
    ]


@pytest.mark.parametrize(
    "status, caption",
    [
        ("assessed", "Step 3 of 8: Warranty assessed"),
        ("awaiting_parts", "Step 5 of 8: In service · Waiting for parts"),
        ("cancelled", "Step 1 of 8: Received · Cancelled"),
        ("closed", "All steps done: Closed"),
    ],
    ids=["assessed", "awaiting-parts", "cancelled", "closed"],
)
def test_progress_caption_says_the_bar_in_words(status, caption):
    assert progress_caption(progress_steps(status)) == caption
