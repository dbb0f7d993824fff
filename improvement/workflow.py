"""The two state machines of the improvement app as data, run by ``core.workflow``.

Corrective action: open → in progress → done (to verify) → closed; done can be sent back to
in progress; open or in-progress ones can be cancelled (with a reason).

Improvement action (PDCA): plan → do → check → act → closed; check and act can go back to plan
(another cycle, with a reason). Moving from check to act needs the effect check measured.
"""

from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.workflow import Guard, Move, Transition, Workflow

from .choices import CorrectiveEvent as CE
from .choices import CorrectiveStatus as CS
from .choices import ImprovementEventType as IE
from .choices import Stage as S
from .models import CorrectiveActionEvent, ImprovementActionEvent
from .permissions import corrective_for_update, improvement_for_update

R = Role
WORKERS = frozenset({R.COMPLAINT_HANDLER, R.QUALITY, R.SUPERVISOR, R.MANAGER, R.ADMIN})

CORRECTIVE_TABLE = [
    Transition(CE.START, CE.START.label, frozenset({CS.OPEN}), CS.IN_PROGRESS, WORKERS),
    Transition(CE.COMPLETE, CE.COMPLETE.label, frozenset({CS.IN_PROGRESS}), CS.DONE, WORKERS, needs_note=True),
    Transition(CE.VERIFY, CE.VERIFY.label, frozenset({CS.DONE}), CS.CLOSED, WORKERS),
    Transition(
        CE.REWORK, CE.REWORK.label, frozenset({CS.DONE}), CS.IN_PROGRESS, WORKERS, needs_note=True, style="secondary"
    ),
    Transition(
        CE.CANCEL,
        CE.CANCEL.label,
        frozenset({CS.OPEN, CS.IN_PROGRESS}),
        CS.CANCELLED,
        WORKERS,
        needs_note=True,
        style="secondary",
    ),
]


def _corrective_on_move(move: Move) -> None:
    row = move.subject
    if move.to_state in (CS.CLOSED, CS.CANCELLED):
        row.closed_at = move.at
    else:
        row.closed_at = None


CORRECTIVE = Workflow(
    name="corrective_action",
    states=CS,
    transitions=CORRECTIVE_TABLE,
    lock=lambda action_id, actor: corrective_for_update(action_id=action_id, actor=actor),
    event_model=CorrectiveActionEvent,
    subject_field="action_row",
    on_move=_corrective_on_move,
    invalid_message=gettext_lazy("“%(action)s” is not possible while the corrective action is “%(status)s”."),
    stale_message=gettext_lazy("Someone else changed this corrective action meanwhile. Reload it and try again."),
)

PDCA_TABLE = [
    Transition(IE.START, IE.START.label, frozenset({S.PLAN}), S.DO, WORKERS),
    Transition(IE.TO_CHECK, IE.TO_CHECK.label, frozenset({S.DO}), S.CHECK, WORKERS),
    Transition(IE.TO_ACT, IE.TO_ACT.label, frozenset({S.CHECK}), S.ACT, WORKERS, guards=("effect_measured",)),
    Transition(IE.CLOSE, IE.CLOSE.label, frozenset({S.ACT}), S.CLOSED, WORKERS, needs_note=True),
    Transition(
        IE.REPLAN, IE.REPLAN.label, frozenset({S.CHECK, S.ACT}), S.PLAN, WORKERS, needs_note=True, style="secondary"
    ),
]

PDCA_GUARDS = [
    Guard(
        "effect_measured",
        lambda a, actor: a.effect_checked_at is not None,
        gettext_lazy("Measure the effect first."),
        gettext_lazy("Waiting for the effect check."),
    ),
]


def _pdca_on_move(move: Move) -> None:
    a = move.subject
    if move.to_state == S.DO:
        a.done_from = move.at
    elif move.to_state == S.CLOSED:
        a.closed_at = move.at
    elif move.to_state == S.PLAN:
        a.done_from = a.effect_checked_at = a.effect_before = a.effect_after = a.effect_days = None
        a.effect_detail = {}


PDCA = Workflow(
    name="improvement_action",
    states=S,
    transitions=PDCA_TABLE,
    guards=PDCA_GUARDS,
    lock=lambda action_id, actor: improvement_for_update(action_id=action_id, actor=actor),
    event_model=ImprovementActionEvent,
    subject_field="improvement",
    on_move=_pdca_on_move,
    invalid_message=gettext_lazy("“%(action)s” is not possible while the improvement action is at “%(status)s”."),
    stale_message=gettext_lazy("Someone else changed this improvement action meanwhile. Reload it and try again."),
)
