"""What a customer sees of an order's life: the progress bar and the timeline (pure, no queries)."""

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _

from service.choices import Status as S
from service.workflow import TRANSITIONS

# The main path through the state machine (service.workflow), as the customer sees it.
MAIN_PATH = (S.NEW, S.ACKNOWLEDGED, S.ASSESSED, S.SCHEDULED, S.IN_SERVICE, S.RESOLVED, S.ACCEPTED, S.CLOSED)

STEP_LABELS = {
    S.NEW: _("Received"),
    S.ACKNOWLEDGED: _("Acknowledged"),
    S.ASSESSED: _("Warranty assessed"),
    S.SCHEDULED: _("Scheduled"),
    S.IN_SERVICE: _("In service"),
    S.RESOLVED: _("Resolved"),
    S.ACCEPTED: _("Accepted"),
    S.CLOSED: _("Closed"),
}

SIDE_NOTES = {
    S.AWAITING_PARTS: _("Waiting for parts"),
    S.AWAITING_CUSTOMER: _("Waiting for you"),
    S.REOPENED: _("Reopened"),
    S.CANCELLED: _("Cancelled"),
}

EVENT_LABELS = {
    "create": _("Request received"),
    "note": _("Your note"),
    "quote_approved": _("You approved the quote"),
    "quote_rejected": _("You rejected the quote"),
}


@dataclass(frozen=True)
class Step:
    status: str
    label: str
    state: str  # "done", "current" or "todo"
    note: str = ""


def _position(status: str, paused_from: str, before_cancel: str) -> int:
    if status in MAIN_PATH:
        return MAIN_PATH.index(status)
    if status == S.AWAITING_PARTS:
        return MAIN_PATH.index(S.IN_SERVICE)
    if status == S.AWAITING_CUSTOMER:
        return MAIN_PATH.index(paused_from) if paused_from in MAIN_PATH else MAIN_PATH.index(S.IN_SERVICE)
    if status == S.REOPENED:
        return MAIN_PATH.index(S.ACKNOWLEDGED)
    if status == S.CANCELLED:
        return _position(before_cancel, "", "") if before_cancel and before_cancel != S.CANCELLED else 0
    return 0


def progress_steps(status: str, *, paused_from: str = "", before_cancel: str = "") -> list[Step]:
    """The main path with each step done, current or to do; a side state annotates its step."""
    here = _position(status, paused_from, before_cancel)
    note = SIDE_NOTES.get(status, "")
    steps = []
    for i, step in enumerate(MAIN_PATH):
        if status == S.CANCELLED:
            state = "done" if i < here else ("cancelled" if i == here else "todo")
        elif status == S.CLOSED or i < here:
            state = "done"
        else:
            state = "current" if i == here else "todo"
        steps.append(Step(step, STEP_LABELS[step], state, note if i == here else ""))
    return steps


def progress_caption(steps: list[Step]) -> str:
    """The bar in words, for small screens: "Step 3 of 8: Warranty assessed · Waiting for you"."""
    for i, step in enumerate(steps, start=1):
        if step.state in ("current", "cancelled"):
            text = _("Step %(n)d of %(total)d: %(label)s") % {"n": i, "total": len(steps), "label": step.label}
            return f"{text} · {step.note}" if step.note else str(text)
    return str(_("All steps done: %(label)s") % {"label": steps[-1].label})


@dataclass(frozen=True)
class Entry:
    at: object
    label: str
    to_status: str
    status_label: str
    note: str
    mine: bool


def customer_timeline(events, user) -> list[Entry]:
    """Transitions of the order and the customer's own events; staff notes stay inside.

    ``events`` are the order's ``WorkOrderEvent`` rows in time order. A transition made by
    staff is shown without its note (notes are not flagged internal or public yet).
    """
    entries = []
    for e in events:
        mine = e.actor_id == user.pk
        if e.action in TRANSITIONS:
            label = TRANSITIONS[e.action].label
        elif e.action in EVENT_LABELS and (mine or e.action == "create"):
            label = EVENT_LABELS[e.action]
        else:
            continue
        moved = e.action == "create" or (e.to_status and e.to_status != e.from_status)
        status_label = S(e.to_status).label if moved and e.to_status in S.values else ""
        entries.append(Entry(e.at, label, e.to_status, status_label, e.note if mine else "", mine))
    return entries
