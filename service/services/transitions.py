"""Moving a work order through its state machine, and other edits of the order."""

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Department, User
from accounts.roles import can
from core import audit
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from dispatch.services import load_moved
from products.selectors import main_coverage
from products.warranty import Cause, Reason

from ..choices import OPEN_STATUSES, Coverage, QuoteStatus, Status
from ..clocks import clocks_on_transition
from ..models import WorkOrder, WorkOrderEvent
from ..permissions import visible_to
from ..workflow import TRANSITIONS, target_state


def work_order_get_for_update(*, order_id: int, actor) -> WorkOrder:
    """Lock the order for read-modify-write; missing and forbidden both read as not found."""
    order = visible_to(actor).select_for_update().filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Work order not found."))
    return order


def _check_version(order: WorkOrder, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != order.version:
        raise Conflict(
            _("Someone else changed this work order meanwhile. Reload it and try again."),
            code="stale_version",
        )


GUARD_MESSAGES = {
    "quote_approved_if_paid": _("A paid repair needs the customer's approval of the quote first."),
    "has_report": _("Write the repair report first."),
    "has_signed_acceptance": _("The customer's signed acceptance is missing."),
    "has_signed_refusal": _("The customer's signed refusal is missing."),
    "customer_cancels_early_only": _("The order can no longer be cancelled by the customer; contact us."),
    "note_required": _("Give a reason."),
}


def _guard_ok(guard: str, order: WorkOrder, actor) -> bool:
    if guard == "quote_approved_if_paid":
        return order.coverage != Coverage.PAID or order.quotes.filter(status=QuoteStatus.APPROVED).exists()
    if guard == "has_report":
        return hasattr(order, "report") and order.report is not None
    if guard == "has_signed_acceptance":
        latest = order.acceptances.first()
        return latest is not None and latest.accepted
    if guard == "has_signed_refusal":
        latest = order.acceptances.first()
        return latest is not None and not latest.accepted
    if guard == "customer_cancels_early_only":
        return actor.role != Role.CUSTOMER or order.status in {Status.NEW, Status.ACKNOWLEDGED}
    raise KeyError(guard)


def _assess(order: WorkOrder, data: dict) -> dict:
    cause = data.get("cause") or order.cause or Cause.DEFECT
    if cause not in Cause.values:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"cause": [msg]})
    order.cause = cause
    if order.unit_id is None:
        order.coverage = Coverage.PAID
        order.coverage_reason = Reason.NO_START_DATE
        return {"cause": cause, "covered": False, "reason": order.coverage_reason}
    decision = main_coverage(order.unit, on=timezone.localdate(order.created_at), cause=cause)
    order.coverage = Coverage.WARRANTY if decision.covered else Coverage.PAID
    order.coverage_reason = decision.reason
    return {
        "cause": cause,
        "covered": decision.covered,
        "reason": decision.reason,
        "warranty_end": decision.end.isoformat() if decision.end else None,
    }


def work_order_transition(
    *,
    order_id: int,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    """Take ``action`` on the order: lock, check table/role/guards, move, append the event."""
    transition = TRANSITIONS.get(action)
    if transition is None:
        msg = _("Unknown action.")
        raise ValidationFailed(msg, code="unknown_action", fields={"action": [msg]})
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        role = Role.ADMIN if actor.is_superuser else actor.role
        if role not in transition.roles:
            raise Forbidden(_("Your role cannot take this action."))
        _check_version(order, expected_version)
        if order.status not in transition.sources:
            raise Conflict(
                _("“%(action)s” is not possible while the order is “%(status)s”.")
                % {"action": transition.label, "status": Status(order.status).label},
                code="invalid_transition",
            )
        if transition.needs_note and not note.strip():
            raise ValidationFailed(GUARD_MESSAGES["note_required"], fields={"note": [GUARD_MESSAGES["note_required"]]})
        for guard in transition.guards:
            if not _guard_ok(guard, order, actor):
                raise Conflict(GUARD_MESSAGES[guard], code=f"guard_{guard}")
        before = audit.snapshot(order)
        payload = {}
        if action == "assess":
            payload = _assess(order, data or {})
        from_status = order.status
        to_status = target_state(transition, order)
        order.paused_from = from_status if transition.pauses else ("" if transition.resumes else order.paused_from)
        order.status = to_status
        now = timezone.now()
        if to_status == Status.CLOSED:
            order.closed_at = now
        elif to_status == Status.REOPENED:
            order.closed_at = None
        order.version = F("version") + 1
        order.save()
        order.refresh_from_db(fields=["version"])
        was_open, is_open = from_status in OPEN_STATUSES, to_status in OPEN_STATUSES
        if order.assignee_id and was_open != is_open:
            load_moved(
                old_engineer_id=order.assignee_id if was_open else None,
                new_engineer_id=order.assignee_id if is_open else None,
            )
        clock_changes = clocks_on_transition(order, from_status, to_status, now=now)
        if clock_changes:
            payload = {**payload, "clocks": clock_changes}
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action=action,
            from_status=from_status,
            to_status=to_status,
            note=note,
            payload=payload,
        )
        audit.record(actor=actor, action=f"transition:{action}", obj=order, before=before)
    return order


def work_order_assign(
    *,
    order_id: int,
    actor,
    assignee_id: int | None,
    appointment_at=None,
    department_id: int | None = None,
    expected_version: int | None = None,
) -> WorkOrder:
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        if not can(actor, "order.assign"):
            raise Forbidden()
        _check_version(order, expected_version)
        if order.status in {Status.CLOSED, Status.CANCELLED}:
            raise Conflict(_("The order is finished."), code="order_finished")
        assignee = None
        if assignee_id is not None:
            assignee = User.objects.filter(pk=assignee_id, is_active=True, role=Role.ENGINEER).first()
            if assignee is None:
                msg = _("Choose an active field engineer.")
                raise ValidationFailed(msg, code="bad_assignee", fields={"assignee_id": [msg]})
        if department_id is not None and not Department.objects.filter(pk=department_id).exists():
            msg = _("Unknown team.")
            raise ValidationFailed(msg, code="unknown_department", fields={"department_id": [msg]})
        before = audit.snapshot(order)
        if order.status in OPEN_STATUSES:
            load_moved(old_engineer_id=order.assignee_id, new_engineer_id=assignee.pk if assignee else None)
        order.assignee = assignee
        if appointment_at is not None:
            order.appointment_at = appointment_at
        if department_id is not None:
            order.department_id = department_id
        order.version = F("version") + 1
        order.save()
        order.refresh_from_db(fields=["version"])
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action="assign",
            from_status=order.status,
            to_status=order.status,
            payload={
                "assignee": assignee.pk if assignee else None,
                "appointment_at": appointment_at.isoformat() if appointment_at else None,
            },
        )
        audit.record(actor=actor, action="assign", obj=order, before=before)
    return order


def work_order_note(*, order_id: int, actor, note: str) -> WorkOrderEvent:
    if not note.strip():
        raise ValidationFailed(fields={"note": [_("This field is required.")]})
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        event = WorkOrderEvent.objects.create(
            order=order, actor=actor, action="note", from_status=order.status, to_status=order.status, note=note
        )
        audit.record(actor=actor, action="create", obj=event)
    return event
