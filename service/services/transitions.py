"""Moving a work order through its state machine, and other edits of the order.

``now`` (keyword, default: now): when the action is taken; the rows it writes carry that time.
"""

import datetime as dt
import enum

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import Department, User
from accounts.roles import can
from core import audit, dates, workflow
from core.errors import Conflict, Forbidden, ValidationFailed
from dispatch.services import assignment_check, load_moved

from ..choices import OPEN_STATUSES, EventType, MessageKind, Status
from ..customer_messages import ON_ACTION, customer_notify
from ..dispatching import order_verdict
from ..models import WorkOrder, WorkOrderEvent
from ..permissions import order_for_update
from ..workflow import WORK_ORDER


def work_order_get_for_update(*, order_id: int, actor) -> WorkOrder:
    """Lock the order for read-modify-write; missing and forbidden both read as not found."""
    return order_for_update(order_id=order_id, actor=actor)


def _check_version(order: WorkOrder, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != order.version:
        raise Conflict(WORK_ORDER.stale_message, code="stale_version")


def work_order_transition(
    *,
    order_id: int,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Take ``action`` on the order through the shared engine (``core.workflow.transition``):
    lock, check table/role/guards, move, clocks, event row, audit, domain event; then, in the
    same transaction, the customer's message of the move if it has one (``customer_messages``)."""
    with transaction.atomic():
        order = workflow.transition(
            WORK_ORDER,
            subject_id=order_id,
            action=action,
            actor=actor,
            note=note,
            data=data,
            expected_version=expected_version,
            now=now,
        )
        kind = ON_ACTION.get(action)
        if kind is not None:
            customer_notify(order, kind, actor=actor, at=order.updated_at)
    return order


class Unchanged(enum.Enum):
    """A field a partial update leaves as it is (``None`` clears it)."""

    UNCHANGED = "unchanged"


UNCHANGED = Unchanged.UNCHANGED


def work_order_assign(
    *,
    order_id: int,
    actor,
    assignee_id: int | None | Unchanged = UNCHANGED,
    appointment_at: dt.datetime | None | Unchanged = UNCHANGED,
    department_id: int | None | Unchanged = UNCHANGED,
    reason: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Set the order's engineer, appointment and team: each is set to the value given, cleared
    by ``None`` and left as it is when ``UNCHANGED`` (the default).

    A new engineer or a new time is checked by the dispatch rules (``dispatch.eligibility``, the
    same as automatic assignment): an ineligible engineer is refused (422 ``not_eligible``, the
    broken rules in ``fields.assignee_id``) unless the actor may override them
    (``dispatch.override``: supervisors, managers) and gives ``reason``; a visit that ends after
    the on-site deadline needs ``reason`` too. The event records the override or the late visit."""
    if appointment_at is not UNCHANGED:
        appointment_at = dates.checked(appointment_at, field="appointment_at")
    now = now or timezone.now()
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        if not can(actor, "order.assign"):
            raise Forbidden()
        _check_version(order, expected_version)
        if order.status in {Status.CLOSED, Status.CANCELLED}:
            raise Conflict(_("The order is finished."), code="order_finished")
        if assignee_id is not UNCHANGED and assignee_id is not None:
            if not User.objects.filter(pk=assignee_id, is_active=True, role=Role.ENGINEER).exists():
                msg = _("Choose an active field engineer.")
                raise ValidationFailed(msg, code="bad_assignee", fields={"assignee_id": [msg]})
        if department_id not in (UNCHANGED, None) and not Department.objects.filter(pk=department_id).exists():
            msg = _("Unknown team.")
            raise ValidationFailed(msg, code="unknown_department", fields={"department_id": [msg]})
        final_assignee = order.assignee_id if assignee_id is UNCHANGED else assignee_id
        final_time = order.appointment_at if appointment_at is UNCHANGED else appointment_at
        checked = None
        if final_assignee is not None and (
            final_assignee != order.assignee_id or (final_time != order.appointment_at and final_time is not None)
        ):
            verdict = order_verdict(order, final_assignee, starts=final_time, now=now)
            checked = assignment_check(verdict, actor=actor, reason=reason)
        before = audit.snapshot(order)
        if assignee_id is not UNCHANGED:
            if order.status in OPEN_STATUSES:
                load_moved(old_engineer_id=order.assignee_id, new_engineer_id=assignee_id)
            order.assignee_id = assignee_id
        if appointment_at is not UNCHANGED:
            order.appointment_at = appointment_at
        if department_id is not UNCHANGED:
            order.department_id = department_id
        order.version = F("version") + 1
        order.updated_at = now
        order.save()
        order.refresh_from_db(fields=["version"])
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action=EventType.ASSIGN,
            from_status=order.status,
            to_status=order.status,
            payload={
                "assignee": order.assignee_id,
                "appointment_at": order.appointment_at.isoformat() if order.appointment_at else None,
                **(checked or {}),
            },
            note=(reason or "").strip()[:5000] if checked else "",
            at=now,
        )
        audit.record(actor=actor, action="assign", obj=order, before=before, at=now)
        if order.status == Status.SCHEDULED and before["appointment_at"] != audit.snapshot(order)["appointment_at"]:
            customer_notify(order, MessageKind.APPOINTMENT, actor=actor, at=now)  # a new time
    return order


def work_order_note(*, order_id: int, actor, note: str) -> WorkOrderEvent:
    if not note.strip():
        raise ValidationFailed(fields={"note": [_("This field is required.")]})
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        event = WorkOrderEvent.objects.create(
            order=order, actor=actor, action=EventType.NOTE, from_status=order.status, to_status=order.status, note=note
        )
        audit.record(actor=actor, action="create", obj=event)
    return event
