"""The work-order state machine as data (SPEC §1), run by the shared engine (``core.workflow``).

Each action names the states it may start from, the state it leads to, the roles allowed to
take it, the guards that must hold, the SLA clock milestones it reaches and the domain event
it publishes. ``to=None`` means "back to the state the order was in before it started waiting"
(``WorkOrder.paused_from``). The UI builds its buttons from this table;
``services.work_order_transition`` runs it through ``core.workflow.transition``.
"""

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from accounts.choices import Role
from core.errors import ValidationFailed
from core.workflow import Guard, Move, Option, Transition, Workflow
from dispatch.services import load_moved
from products.warranty import Cause, Reason
from sla import clocks
from sla.models import CaseKind, Milestone

from . import events
from .choices import OPEN_STATUSES, Coverage, EventType, QuoteStatus
from .choices import Status as S
from .models import WorkOrder, WorkOrderEvent
from .permissions import order_for_update
from .warranty import decide_fault

R = Role
STAFF_LEADS = frozenset({R.SUPERVISOR, R.MANAGER, R.ADMIN})
DESK = frozenset({R.AGENT, R.TECH_SUPPORT}) | STAFF_LEADS
E = EventType
# The "classify" clock (a complaint-policy clock; work orders have it only if a policy gives it
# to them) is met by the first move out of "acknowledged" to another state.
CLASSIFIED = frozenset({"classify"})

TABLE = [
    Transition(
        E.ACKNOWLEDGE,
        E.ACKNOWLEDGE.label,
        frozenset({S.NEW}),
        S.ACKNOWLEDGED,
        DESK,
        meets=frozenset({"response", "acknowledge"}),
    ),
    Transition(
        E.ASSESS,
        E.ASSESS.label,
        frozenset({S.ACKNOWLEDGED, S.REOPENED}),
        S.ASSESSED,
        DESK,
        meets=CLASSIFIED,
    ),
    Transition(
        E.SCHEDULE,
        E.SCHEDULE.label,
        frozenset({S.ASSESSED, S.REOPENED}),
        S.SCHEDULED,
        DESK,
        guards=("quote_approved_if_paid",),
    ),
    Transition(
        E.START,
        E.START.label,
        frozenset({S.SCHEDULED}),
        S.IN_SERVICE,
        DESK | {R.ENGINEER},
        guards=("quote_approved_if_paid",),
        meets=frozenset({"onsite"}),
        starts=frozenset({"fix"}),
    ),
    Transition(
        E.WAIT_PARTS,
        E.WAIT_PARTS.label,
        frozenset({S.IN_SERVICE}),
        S.AWAITING_PARTS,
        DESK | {R.ENGINEER},
        pauses=True,
        style="secondary",
    ),
    Transition(
        E.WAIT_CUSTOMER,
        E.WAIT_CUSTOMER.label,
        frozenset({S.ACKNOWLEDGED, S.ASSESSED, S.SCHEDULED, S.IN_SERVICE}),
        S.AWAITING_CUSTOMER,
        DESK | {R.ENGINEER},
        pauses=True,
        style="secondary",
        meets=CLASSIFIED,
    ),
    Transition(
        E.RESUME,
        E.RESUME.label,
        frozenset({S.AWAITING_PARTS, S.AWAITING_CUSTOMER}),
        None,
        DESK | {R.ENGINEER},
        resumes=True,
    ),
    Transition(
        E.RESOLVE,
        E.RESOLVE.label,
        frozenset({S.IN_SERVICE}),
        S.RESOLVED,
        DESK | {R.ENGINEER},
        guards=("has_report",),
        meets=frozenset({"resolution", "fix"}),
    ),
    Transition(
        E.ACCEPT,
        E.ACCEPT.label,
        frozenset({S.RESOLVED}),
        S.ACCEPTED,
        DESK | {R.ENGINEER, R.CUSTOMER},
        guards=("has_signed_acceptance",),
    ),
    Transition(
        E.REFUSE,
        E.REFUSE.label,
        frozenset({S.RESOLVED}),
        S.REOPENED,
        DESK | {R.ENGINEER, R.CUSTOMER},
        guards=("has_signed_refusal",),
        style="danger",
        publishes=events.AcceptanceRefused.from_move,
    ),
    Transition(
        E.CLOSE,
        E.CLOSE.label,
        frozenset({S.ACCEPTED}),
        S.CLOSED,
        DESK,
        publishes=events.OrderClosed.from_move,
    ),
    Transition(
        E.CANCEL,
        E.CANCEL.label,
        frozenset({S.NEW, S.ACKNOWLEDGED, S.ASSESSED, S.SCHEDULED, S.AWAITING_CUSTOMER, S.REOPENED}),
        S.CANCELLED,
        DESK | {R.CUSTOMER},
        guards=("customer_cancels_early_only",),
        needs_note=True,
        style="danger",
        # a running clock is cancelled; a breached one still counting stops late
        meets=frozenset({"response", "acknowledge"}) | CLASSIFIED,
        publishes=events.OrderCancelled.from_move,
    ),
    Transition(
        E.REOPEN,
        E.REOPEN.label,
        frozenset({S.RESOLVED, S.ACCEPTED, S.CLOSED}),
        S.REOPENED,
        DESK,
        needs_note=True,
        style="secondary",
    ),
]


# A guard reads the order's quotes and acceptances from ``loaded_quotes`` / ``loaded_acceptances``
# when the order comes from ``selectors.work_order_detail`` (the pages show the guards' verdicts
# without a query each), else from the database (the engine's check on a locked row).


def _quote_approved_if_paid(order: WorkOrder, actor) -> bool:
    if order.coverage != Coverage.PAID:
        return True
    loaded = getattr(order, "loaded_quotes", None)
    if loaded is not None:
        return any(q.status == QuoteStatus.APPROVED for q in loaded)
    return order.quotes.filter(status=QuoteStatus.APPROVED).exists()


def _has_report(order: WorkOrder, actor) -> bool:
    return hasattr(order, "report") and order.report is not None


def _signed(accepted: bool):
    def check(order: WorkOrder, actor) -> bool:
        loaded = getattr(order, "loaded_acceptances", None)
        latest = (loaded[0] if loaded else None) if loaded is not None else order.acceptances.first()
        return latest is not None and latest.accepted == accepted

    return check


def _customer_cancels_early_only(order: WorkOrder, actor) -> bool:
    return actor.role != Role.CUSTOMER or order.status in {S.NEW, S.ACKNOWLEDGED}


GUARDS = [
    Guard(
        "quote_approved_if_paid",
        _quote_approved_if_paid,
        gettext_lazy("A paid repair needs the customer's approval of the quote first."),
        gettext_lazy("Waiting for the customer to approve the quote."),
    ),
    Guard(
        "has_report",
        _has_report,
        gettext_lazy("Write the repair report first."),
        gettext_lazy("Waiting for the repair report."),
    ),
    Guard(
        "has_signed_acceptance",
        _signed(True),
        gettext_lazy("The customer's signed acceptance is missing."),
        gettext_lazy("Waiting for the customer's signed acceptance."),
    ),
    Guard(
        "has_signed_refusal",
        _signed(False),
        gettext_lazy("The customer's signed refusal is missing."),
        gettext_lazy("Waiting for the customer's signed refusal."),
    ),
    Guard(
        "customer_cancels_early_only",
        _customer_cancels_early_only,
        gettext_lazy("The order can no longer be cancelled by the customer; contact us."),
        gettext_lazy("Customers can cancel only before the order is assessed."),
    ),
]


def assessment_data(cause, component: str, part: str, part_serial: str) -> dict | None:
    """The assessment's inputs a transition carries (only the ones given): the API's and the console's."""
    data = {"cause": cause, "component": component, "part": part, "part_serial": part_serial}
    return {k: v for k, v in data.items() if v} or None


def _apply(order: WorkOrder, transition: Transition, data: dict) -> dict:
    """What an action changes besides the status; returns the event's payload."""
    if transition.action != E.ASSESS:
        return {}
    cause = data.get("cause") or order.cause or Cause.DEFECT
    if cause not in Cause.values:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"cause": [msg]})
    order.cause = cause
    order.failed_part = (data.get("part") or "").strip()[:120]
    order.failed_part_serial = (data.get("part_serial") or "").strip()[:60]
    if order.unit_id is None:
        order.coverage = Coverage.PAID
        order.coverage_reason = Reason.NO_START_DATE
        order.failed_component, order.warranty_end, order.warranty_convention = None, None, ""
        return {"cause": cause, "covered": False, "reason": order.coverage_reason}
    fault = decide_fault(
        order, cause=cause, component=(data.get("component") or "").strip(), part_serial=order.failed_part_serial
    )
    decision = fault.coverage
    order.failed_component = fault.component
    order.coverage = Coverage.WARRANTY if decision.covered else Coverage.PAID
    order.coverage_reason = decision.reason
    order.warranty_end = decision.end
    order.warranty_convention = decision.convention if decision.end else ""
    payload = {
        "cause": cause,
        "covered": decision.covered,
        "reason": decision.reason,
        "warranty_end": decision.end.isoformat() if decision.end else None,
    }
    if fault.component is not None:
        payload.update(component=fault.component.code, months=fault.months, convention=decision.convention)
    if order.failed_part or order.failed_part_serial:
        payload.update(part=order.failed_part, part_serial=order.failed_part_serial)
    if fault.part_replaced_on:
        payload["part_replaced_on"] = fault.part_replaced_on.isoformat()
    return payload


def _on_move(move: Move) -> None:
    order = move.subject
    if move.to_state == S.CLOSED:
        order.closed_at = move.at
    elif move.to_state == S.REOPENED:
        order.closed_at = None
    was_open, is_open = move.from_state in OPEN_STATUSES, move.to_state in OPEN_STATUSES
    if order.assignee_id and was_open != is_open:
        load_moved(
            old_engineer_id=order.assignee_id if was_open else None,
            new_engineer_id=order.assignee_id if is_open else None,
        )


WORK_ORDER = Workflow(
    name="work_order",
    states=S,
    transitions=TABLE,
    guards=GUARDS,
    lock=lambda order_id, actor: order_for_update(order_id=order_id, actor=actor),
    event_model=WorkOrderEvent,
    subject_field="order",
    waits={S.AWAITING_CUSTOMER: Milestone.CUSTOMER, S.AWAITING_PARTS: Milestone.PARTS},
    apply=_apply,
    on_move=_on_move,
    clocks=clocks.transition_hook(CaseKind.WORK_ORDER),  # the case type reads its milestones from this table
    default_resume_state=S.IN_SERVICE,
    invalid_message=gettext_lazy("“%(action)s” is not possible while the order is “%(status)s”."),
    stale_message=gettext_lazy("Someone else changed this work order meanwhile. Reload it and try again."),
)

TRANSITIONS = WORK_ORDER.transitions
ACTIONS = WORK_ORDER.actions
GUARD_MESSAGES = {g.name: g.message for g in GUARDS}


def target_state(transition: Transition, order) -> str:
    return WORK_ORDER.target(transition, order)


def available(order, user) -> list[Transition]:
    """The transitions this user could try on this order now (guards are checked on submit)."""
    return WORK_ORDER.available(order, user)


def available_with_reasons(order, user, *, skip=()) -> list[Option]:
    """The transitions this user's role may take in the order's state, each allowed or disabled
    with the reason its guard gives (``core.workflow.Workflow.available_with_reasons``)."""
    return WORK_ORDER.available_with_reasons(order, user, skip=skip)
