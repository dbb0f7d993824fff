"""The complaint's state machine as data (SPEC §5), run by the shared engine (``core.workflow``).

received → acknowledged → classified (category and owner named) → investigating ⇄ waiting for
the customer → resolved → closed; a resolved or closed complaint can be reopened (back to
investigating). Clock milestones (the complaint policy, SPEC §3): acknowledging meets the
acknowledgement clock, classifying meets the classification clock, resolving meets the
resolution clock; waiting for the customer is the "customer" wait, which pauses the clocks
when the policy says so (the default complaint policy does).
"""

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from accounts.models import User
from core.errors import ValidationFailed
from core.workflow import Guard, Move, Transition, Workflow
from sla import clocks
from sla.models import CaseKind, Milestone

from . import events, routing
from .choices import Category, EventType, ServiceAspect
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


OWNER_ROLES = sorted(HANDLERS | {R.QUALITY})
NOTICE_FIELDS = ("measures", "result", "follow_up")
MAX_TEXT = 5000


def _classify(complaint: Complaint, data: dict) -> dict:
    """Category (and the service aspect of a service complaint), the major flag, and the owner:
    named by hand (``owner_id``) or picked by routing (``owner_id`` absent or null)."""
    errors = {}
    category = data.get("category") or ""
    if category not in Category.values:
        errors["category"] = [_("Not a valid choice.")]
    aspect = data.get("service_aspect") or ""
    if category == Category.SERVICE and aspect not in ServiceAspect.values:
        errors["service_aspect"] = [_("Say which aspect of the service: attitude, efficiency or result.")]
    elif category != Category.SERVICE:
        aspect = ""
    major = data.get("major", False)
    if not isinstance(major, bool):
        errors["major"] = [_("Must be true or false.")]
    owner_id = data.get("owner_id")
    owner = None
    if owner_id is not None:
        if isinstance(owner_id, int) and not isinstance(owner_id, bool):
            owner = User.objects.filter(pk=owner_id, is_active=True, role__in=OWNER_ROLES).first()
        if owner is None:
            errors["owner_id"] = [_("Choose an active complaint handler, supervisor or manager.")]
    if errors:
        raise ValidationFailed(fields=errors)
    payload = {"category": category, "service_aspect": aspect, "major": major}
    if owner is None:
        pick = routing.route(category, now=data.get("_now") or timezone.now())
        owner, complaint.department = pick.owner, pick.department
        payload["routing"] = pick.explanation
    else:
        complaint.department_id = owner.department_id or complaint.department_id
        payload["routing"] = {"by_hand": True, "owner": owner.pk}
    complaint.category, complaint.service_aspect, complaint.major, complaint.owner = category, aspect, major, owner
    complaint.classified_at = data.get("_now") or timezone.now()
    payload["owner"] = owner.pk
    payload["department"] = complaint.department_id
    return payload


def _resolve(complaint: Complaint, data: dict) -> dict:
    """The result notice (measures taken, result, follow-up): all three required."""
    values, errors = {}, {}
    for name in NOTICE_FIELDS:
        value = data.get(name)
        value = value.strip() if isinstance(value, str) else ""
        if not value:
            errors[name] = [_("This field is required.")]
        elif len(value) > MAX_TEXT:
            errors[name] = [_("At most %(n)s characters.") % {"n": MAX_TEXT}]
        values[name] = value
    if errors:
        raise ValidationFailed(fields=errors)
    complaint.measures, complaint.result, complaint.follow_up = (
        values["measures"],
        values["result"],
        values["follow_up"],
    )
    return {}


def _apply(complaint: Complaint, transition: Transition, data: dict) -> dict:
    if transition.action == E.CLASSIFY:
        return _classify(complaint, data)
    if transition.action == E.RESOLVE:
        return _resolve(complaint, data)
    return {}


def _on_move(move: Move) -> None:
    complaint = move.subject
    if move.to_state == S.RESOLVED:
        complaint.resolved_at = move.at
    elif move.to_state == S.CLOSED:
        complaint.closed_at = move.at
    elif move.action == E.REOPEN:
        complaint.resolved_at = complaint.closed_at = None
    if move.to_state in (S.RESOLVED, S.CLOSED):
        complaint.callback_at = None  # a callback is agreed for an unresolved case only


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
