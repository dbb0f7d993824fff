"""The complaint's state machine as data (SPEC §5), run by the shared engine (``core.workflow``).

received → acknowledged → classified (category and owner named) → investigating ⇄ waiting for
the customer → resolved → closed; a resolved or closed complaint can be reopened (back to
investigating). Clock milestones (the complaint policy, SPEC §3): acknowledging meets the
acknowledgement clock, classifying meets the classification clock, resolving meets the
resolution clock; waiting for the customer is the "customer" wait, which pauses the clocks
when the policy says so (the default complaint policy does).
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from core.errors import ValidationFailed
from core.workflow import Guard, Move, Transition, Workflow
from sla import clocks
from sla.models import CaseKind, Milestone

from . import events
from .choices import Category, EventType
from .choices import Status as S
from .models import Complaint, ComplaintEvent
from .permissions import complaint_for_update

R = Role
LEADS = frozenset({R.SUPERVISOR, R.MANAGER, R.ADMIN})
HANDLERS = frozenset({R.COMPLAINT_HANDLER}) | LEADS
DESK = HANDLERS | {R.AGENT}
E = EventType

TABLE = [
    Transition(
        E.ACKNOWLEDGE, E.ACKNOWLEDGE.label, frozenset({S.NEW}), S.ACKNOWLEDGED, DESK, meets=frozenset({"acknowledge"})
    ),
    Transition(
        E.CLASSIFY,
        E.CLASSIFY.label,
        frozenset({S.ACKNOWLEDGED}),
        S.CLASSIFIED,
        HANDLERS,
        meets=frozenset({"classify"}),
    ),
    Transition(E.INVESTIGATE, E.INVESTIGATE.label, frozenset({S.CLASSIFIED}), S.INVESTIGATING, HANDLERS),
    Transition(
        E.WAIT_CUSTOMER,
        E.WAIT_CUSTOMER.label,
        frozenset({S.INVESTIGATING}),
        S.WAITING_CUSTOMER,
        HANDLERS,
        pauses=True,
        needs_note=True,
        style="secondary",
    ),
    Transition(E.RESUME, E.RESUME.label, frozenset({S.WAITING_CUSTOMER}), None, HANDLERS, resumes=True),
    Transition(
        E.RESOLVE,
        E.RESOLVE.label,
        frozenset({S.INVESTIGATING}),
        S.RESOLVED,
        HANDLERS,
        needs_note=True,
        meets=frozenset({"resolution"}),
        guards=("owner_named",),
    ),
    Transition(
        E.CLOSE,
        E.CLOSE.label,
        frozenset({S.RESOLVED}),
        S.CLOSED,
        HANDLERS,
        publishes=events.ComplaintClosed.from_move,
    ),
    Transition(
        E.REOPEN,
        E.REOPEN.label,
        frozenset({S.RESOLVED, S.CLOSED}),
        S.INVESTIGATING,
        HANDLERS,
        needs_note=True,
        style="secondary",
    ),
]

GUARDS = [
    Guard(
        "owner_named",
        lambda c, actor: c.owner_id is not None and bool(c.category),
        gettext_lazy("Classify the complaint and name its owner first."),
        gettext_lazy("Waiting for the complaint's category and owner."),
    ),
]


def _apply(complaint: Complaint, transition: Transition, data: dict) -> dict:
    """Classifying sets the category and the owner (both required)."""
    if transition.action != E.CLASSIFY:
        return {}
    errors = {}
    category = data.get("category") or ""
    if category not in Category.values:
        errors["category"] = [_("Not a valid choice.")]
    owner = None
    owner_id = data.get("owner_id")
    if isinstance(owner_id, int) and not isinstance(owner_id, bool):
        owner = User.objects.filter(pk=owner_id, is_active=True, role__in=sorted(HANDLERS | {R.QUALITY})).first()
    if owner is None:
        errors["owner_id"] = [_("Choose an active complaint handler, supervisor or manager.")]
    if errors:
        raise ValidationFailed(fields=errors)
    complaint.category, complaint.owner = category, owner
    if owner.department_id:
        complaint.department_id = owner.department_id
    return {"category": category, "owner": owner.pk}


def _on_move(move: Move) -> None:
    complaint = move.subject
    if move.to_state == S.RESOLVED:
        complaint.resolved_at = move.at
    elif move.to_state == S.CLOSED:
        complaint.closed_at = move.at
    elif move.action == E.REOPEN:
        complaint.resolved_at = complaint.closed_at = None


COMPLAINT = Workflow(
    name="complaint",
    states=S,
    transitions=TABLE,
    guards=GUARDS,
    lock=lambda complaint_id, actor: complaint_for_update(complaint_id=complaint_id, actor=actor),
    event_model=ComplaintEvent,
    subject_field="complaint",
    waits={S.WAITING_CUSTOMER: Milestone.CUSTOMER},
    apply=_apply,
    on_move=_on_move,
    clocks=clocks.transition_hook(CaseKind.COMPLAINT),  # the case type reads its milestones from this table
    default_resume_state=S.INVESTIGATING,
    invalid_message=gettext_lazy("“%(action)s” is not possible while the complaint is “%(status)s”."),
    stale_message=gettext_lazy("Someone else changed this complaint meanwhile. Reload it and try again."),
)
