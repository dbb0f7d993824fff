"""The one write path of the improvement loop: typed keyword-only services, each in a
transaction with its audit rows and its event row (docs/improvement.md)."""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.roles import can
from complaints.models import Complaint
from complaints.permissions import visible_to as complaints_visible_to
from core import audit, lean, workflow
from core.dates import FIRST_DAY, LAST_DAY
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.policies import get_policy
from products.models import ProductModel, Unit

from . import metrics
from .choices import (
    KIND_FOR_CATEGORY,
    CorrectiveEvent,
    CorrectiveKind,
    Document,
    ImprovementEventType,
    Metric,
    PromiseKind,
    PromiseStatus,
    SourceKind,
    Stage,
)
from .models import (
    CorrectiveAction,
    CorrectiveActionEvent,
    ImprovementAction,
    ImprovementActionEvent,
    Promise,
    TrainingNeed,
)
from .workflow import CORRECTIVE, PDCA, WORKERS

MAX_TITLE = 200
MAX_TEXT = 5000
MAX_SHORT = 2000
MAX_AMOUNT = Decimal("9999999999.99")


def _required(errors: dict, field: str, value: str, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if not value:
        errors[field] = [_("This field is required.")]
    elif len(value) > limit:
        errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
    return value


def _optional(errors: dict, field: str, value, limit: int) -> str:
    value = (value or "").strip() if isinstance(value, str) else ""
    if len(value) > limit:
        errors[field] = [_("At most %(n)s characters.") % {"n": limit}]
    return value


def _date(errors: dict, field: str, value) -> dt.date | None:
    if not isinstance(value, dt.date) or isinstance(value, dt.datetime):
        errors[field] = [_("Enter a valid date.")]
        return None
    if not FIRST_DAY <= value <= LAST_DAY:
        errors[field] = [
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": FIRST_DAY.isoformat(), "last": LAST_DAY.isoformat()}
        ]
        return None
    return value


def _int_id(value) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and 0 < value < 2**63 else None


def _worker(errors: dict, field: str, user_id) -> User | None:
    """An active member of staff who may work on improvement actions."""
    pk = _int_id(user_id)
    user = User.objects.filter(pk=pk, is_active=True).first() if pk else None
    if user is None or not can(user, "improvement.work"):
        errors[field] = [_("Choose an active complaint handler, quality specialist, supervisor or manager.")]
        return None
    return user


def _complaint(actor, complaint_id, *, lock: bool = False) -> Complaint:
    pk = _int_id(complaint_id)
    qs = complaints_visible_to(actor)
    if lock:
        qs = qs.select_for_update()
    complaint = qs.select_related("order").filter(pk=pk).first() if pk else None
    if complaint is None:
        raise NotFound(_("Complaint not found."))
    return complaint


# --- corrective actions --------------------------------------------------------------------


def proposed_kind(complaint: Complaint) -> str:
    """The kind the complaint's category calls for (SPEC §5); "other" while unclassified."""
    return KIND_FOR_CATEGORY.get(complaint.category, CorrectiveKind.FREE)


def corrective_action_create(
    *,
    actor,
    complaint_id: int,
    title: str,
    owner_id: int,
    due_date: dt.date,
    kind: str = "",
    notes: str = "",
    product_model_id: int | None = None,
    unit_id: int | None = None,
    batch: str = "",
    document: str = "",
    section: str = "",
    staff_ids: list[int] | tuple = (),
    major: bool = False,
    now: dt.datetime | None = None,
) -> CorrectiveAction:
    """Open a corrective action on a complaint; ``kind`` defaults to the one its category calls for.

    quality feedback: the product model (default: the complaint's order's), the unit and its
    batch (copied from the unit's archive unless typed); training: the staff involved (default:
    the order's engineer), one training need each, flagged for an ad-hoc appraisal when the
    complaint is ``major``; information: the document and section to fix."""
    if not can(actor, "improvement.work"):
        raise Forbidden(_("Your role cannot open corrective actions."))
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _complaint(actor, complaint_id)
        errors: dict = {}
        kind = kind or proposed_kind(complaint)
        if kind not in CorrectiveKind.values:
            errors["kind"] = [_("Not a valid choice.")]
        title = _required(errors, "title", title, MAX_TITLE)
        notes = _optional(errors, "notes", notes, MAX_TEXT)
        owner = _worker(errors, "owner_id", owner_id)
        due_date = _date(errors, "due_date", due_date)
        row = CorrectiveAction(
            complaint=complaint, kind=kind, title=title, notes=notes, due_date=due_date, created_by=actor
        )
        staff: list[User] = []
        order = complaint.order
        if kind == CorrectiveKind.QUALITY_FEEDBACK:
            unit = None
            if unit_id is not None:
                unit = Unit.objects.filter(pk=_int_id(unit_id) or 0).first()
                if unit is None:
                    errors["unit_id"] = [_("Unit not found.")]
            elif order is not None and order.unit_id:
                unit = Unit.objects.filter(pk=order.unit_id).first()
            model = None
            if product_model_id is not None:
                model = ProductModel.objects.filter(pk=_int_id(product_model_id) or 0).first()
                if model is None:
                    errors["product_model_id"] = [_("Product model not found.")]
            elif unit is not None:
                model = unit.model
            elif order is not None and order.product_model_id:
                model = ProductModel.objects.filter(pk=order.product_model_id).first()
            if model is None and "product_model_id" not in errors:
                errors["product_model_id"] = [_("Name the product model for production.")]
            if unit is not None and model is not None and unit.model_id != model.pk:
                errors["unit_id"] = [_("This unit is of another model.")]
            batch = _optional(errors, "batch", batch, 40) or (unit.batch if unit else "")
            row.product_model, row.unit, row.batch = model, unit, batch
        elif kind == CorrectiveKind.TRAINING:
            ids = list(staff_ids or [])
            if not ids and order is not None and order.assignee_id:
                ids = [order.assignee_id]
            if not ids or not all(_int_id(i) for i in ids) or len(ids) > 20:
                errors["staff_ids"] = [_("Name the staff involved.")]
            else:
                staff = list(User.objects.filter(pk__in=ids, is_active=True).exclude(role=Role.CUSTOMER))
                if len(staff) != len(set(ids)):
                    errors["staff_ids"] = [_("Name active members of staff.")]
            row.major = bool(major) or complaint.major  # the handler marked it major when classifying
        elif kind == CorrectiveKind.DOC_FIX:
            if document not in Document.values:
                errors["document"] = [_("Not a valid choice.")]
            row.document = document
            row.section = _required(errors, "section", section, MAX_TITLE)
        if errors:
            raise ValidationFailed(fields=errors)
        row.owner = owner
        row.created_at = row.updated_at = now
        row.save()
        needs = [
            TrainingNeed(corrective_action=row, user=u, topic=title, ad_hoc_appraisal=row.major, created_at=now)
            for u in staff
        ]
        TrainingNeed.objects.bulk_create(needs)
        lean.insert(
            [
                CorrectiveActionEvent(
                    action_row=row,
                    actor=actor,
                    action=CorrectiveEvent.CREATE,
                    to_status=row.status,
                    payload={"kind": kind, "complaint": complaint.pk, "staff": [u.pk for u in staff]},
                    at=now,
                )
            ]
        )
        audit.record(actor=actor, action="create", obj=row, at=now)
        for need in needs:
            audit.record(actor=actor, action="create", obj=need, at=now)
    return row


def corrective_action_transition(
    *,
    actor,
    action_id: int,
    action: str,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> CorrectiveAction:
    """Move a corrective action through its table (``workflow.CORRECTIVE``)."""
    if len(note or "") > MAX_TEXT:
        raise ValidationFailed(fields={"note": [_("At most %(n)s characters.") % {"n": MAX_TEXT}]})
    return workflow.transition(
        CORRECTIVE,
        subject_id=action_id,
        action=action,
        actor=actor,
        note=note,
        expected_version=expected_version,
        now=now,
    )


# --- promises to the customer ----------------------------------------------------------------


def approval_levels() -> list[dict]:
    return list(get_policy("improvement.approval_levels"))


def required_role(amount: Decimal | None) -> str:
    """The lowest level that may approve ``amount`` CNY (no amount: ``improvement.promise_role``)."""
    levels = approval_levels()
    if amount is None:
        return get_policy("improvement.promise_role")
    for level in levels:
        cap = level.get("max_amount")
        if cap is None or amount <= Decimal(str(cap)):
            return level["role"]
    return levels[-1]["role"]


def level_of(user) -> int:
    """The approver's rank in the levels (superuser: the top one); -1 for no level."""
    roles = [level["role"] for level in approval_levels()]
    if user.is_superuser:
        return len(roles) - 1
    return roles.index(user.role) if user.role in roles else -1


def may_approve(user, promise: Promise) -> bool:
    """Whether ``user`` may decide on ``promise``: an approver at or above its level, never the requester."""
    if not can(user, "promise.approve") or promise.requested_by_id == user.pk:
        return False
    roles = [level["role"] for level in approval_levels()]
    needed = roles.index(promise.required_role) if promise.required_role in roles else len(roles) - 1
    return level_of(user) >= needed


def _amount(errors: dict, value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        amount = Decimal(str(value))
    except (InvalidOperation, ValueError):
        errors["amount"] = [_("Enter a valid amount.")]
        return None
    if not amount.is_finite() or amount <= 0 or amount > MAX_AMOUNT or amount != amount.quantize(Decimal("0.01")):
        errors["amount"] = [_("Enter an amount in yuan above zero, with at most two decimals.")]
        return None
    return amount


def promise_request(
    *,
    actor,
    complaint_id: int,
    kind: str,
    description: str,
    reason: str,
    amount: Decimal | str | None = None,
    now: dt.datetime | None = None,
) -> Promise:
    """Ask for written approval of a promise to the customer (compensation needs an amount)."""
    if not can(actor, "promise.request"):
        raise Forbidden(_("Your role cannot request promises to customers."))
    now = now or timezone.now()
    with transaction.atomic():
        complaint = _complaint(actor, complaint_id)
        errors: dict = {}
        if kind not in PromiseKind.values:
            errors["kind"] = [_("Not a valid choice.")]
        description = _required(errors, "description", description, MAX_SHORT)
        reason = _required(errors, "reason", reason, MAX_SHORT)
        value = _amount(errors, amount)
        if kind == PromiseKind.COMPENSATION and value is None and "amount" not in errors:
            errors["amount"] = [_("Compensation needs an amount.")]
        if errors:
            raise ValidationFailed(fields=errors)
        promise = Promise.objects.create(
            complaint=complaint,
            kind=kind,
            description=description,
            amount=value,
            reason=reason,
            required_role=required_role(value),
            requested_by=actor,
            requested_at=now,
        )
        audit.record(actor=actor, action="create", obj=promise, at=now)
    return promise


def _promise_for_update(actor, promise_id) -> Promise:
    pk = _int_id(promise_id)
    from .permissions import promises_visible_to

    promise = promises_visible_to(actor).select_for_update().filter(pk=pk).first() if pk else None
    if promise is None:
        raise NotFound(_("Promise not found."))
    return promise


def promise_decide(
    *,
    actor,
    promise_id: int,
    approve: bool,
    note: str,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Promise:
    """Approve or refuse a promise in writing: an approver of its level or above, not its requester."""
    now = now or timezone.now()
    note = (note or "").strip() if isinstance(note, str) else ""
    if not note:
        raise ValidationFailed(fields={"note": [_("Write the approval or the reason for refusing.")]})
    if len(note) > MAX_SHORT:
        raise ValidationFailed(fields={"note": [_("At most %(n)s characters.") % {"n": MAX_SHORT}]})
    with transaction.atomic():
        promise = _promise_for_update(actor, promise_id)
        if promise.requested_by_id == actor.pk:
            raise Forbidden(_("You cannot approve your own request."), code="own_request")
        if not may_approve(actor, promise):
            raise Forbidden(_("This promise needs the approval of a higher level."), code="level_too_low")
        if expected_version is not None and expected_version != promise.version:
            raise Conflict(_("Someone else changed this promise meanwhile. Reload it and try again."), code="stale")
        if promise.status != PromiseStatus.PENDING:
            raise Conflict(_("This promise has already been decided."), code="already_decided")
        before = audit.snapshot(promise)
        promise.status = PromiseStatus.APPROVED if approve else PromiseStatus.REFUSED
        promise.decided_by, promise.decided_at, promise.decision_note = actor, now, note
        promise.version += 1
        promise.save()
        audit.record(actor=actor, action="approve" if approve else "refuse", obj=promise, before=before, at=now)
    return promise


def promise_communicate(*, actor, promise_id: int, now: dt.datetime | None = None) -> Promise:
    """Record that an approved promise was told to the customer; an unapproved one cannot be."""
    now = now or timezone.now()
    if not can(actor, "promise.request"):
        raise Forbidden(_("Your role cannot tell customers promises."))
    with transaction.atomic():
        promise = _promise_for_update(actor, promise_id)
        if promise.status != PromiseStatus.APPROVED:
            raise Conflict(_("Only an approved promise may be told to the customer."), code="not_approved")
        before = audit.snapshot(promise)
        promise.status, promise.communicated_at = PromiseStatus.COMMUNICATED, now
        promise.version += 1
        promise.save()
        audit.record(actor=actor, action="communicate", obj=promise, before=before, at=now)
    return promise


# --- improvement actions (PDCA) ----------------------------------------------------------------


def _default_owner() -> User | None:
    """Who owns an action the system opens: the first active user of
    ``improvement.default_owner_role``; without one, a manager, then a supervisor (an action is
    never left without an owner because the quality desk is empty)."""
    role = get_policy("improvement.default_owner_role")
    for candidate in (role, Role.MANAGER, Role.SUPERVISOR):
        owner = User.objects.filter(role=candidate, is_active=True).order_by("id").first()
        if owner is not None:
            return owner
    return None


def improvement_action_open(
    *,
    actor,
    source_kind: str,
    title: str,
    source_id: int | None = None,
    plan: str = "",
    owner_id: int | None = None,
    due_date: dt.date | None = None,
    metric: str = "",
    now: dt.datetime | None = None,
) -> ImprovementAction:
    """Open an improvement action from a complaint, a low survey score, a corrective action or
    analysis. ``actor`` None: opened by the system (the survey subscriber): the owner defaults to
    the first active user of ``improvement.default_owner_role``. One open action per source:
    asking again for the same ``(source_kind, source_id)`` returns the open one."""
    if actor is not None and not can(actor, "improvement.work"):
        raise Forbidden(_("Your role cannot open improvement actions."))
    now = now or timezone.now()
    errors: dict = {}
    if source_kind not in SourceKind.values:
        errors["source_kind"] = [_("Not a valid choice.")]
    title = _required(errors, "title", title, MAX_TITLE)
    plan = _optional(errors, "plan", plan, MAX_TEXT)
    metric = metric or Metric.COMPLAINT_RATE
    if metric not in Metric.values:
        errors["metric"] = [_("Not a valid choice.")]
    if source_id is not None and _int_id(source_id) is None:
        errors["source_id"] = [_("Enter a whole number.")]
    if source_kind != SourceKind.ANALYSIS and source_id is None and "source_id" not in errors:
        errors["source_id"] = [_("This field is required.")]
    if due_date is None:
        due_date = (now + dt.timedelta(days=int(get_policy("improvement.due_days")))).date()
    due_date = _date(errors, "due_date", due_date)
    with transaction.atomic():
        if owner_id is not None:
            owner = _worker(errors, "owner_id", owner_id)
        else:
            owner = actor if actor is not None and can(actor, "improvement.work") else _default_owner()
            if owner is None:
                errors["owner_id"] = [_("This field is required.")]
        complaint = None
        if source_kind == SourceKind.COMPLAINT and _int_id(source_id):
            viewer = actor if actor is not None else owner
            complaint = complaints_visible_to(viewer).filter(pk=source_id).first() if viewer else None
            if complaint is None:
                raise NotFound(_("Complaint not found."))
        elif source_kind == SourceKind.CORRECTIVE and _int_id(source_id):
            corrective = CorrectiveAction.objects.filter(pk=source_id).select_related("complaint").first()
            if corrective is None:
                raise NotFound(_("Corrective action not found."))
            complaint = corrective.complaint
        if errors:
            raise ValidationFailed(fields=errors)
        if source_id is not None:
            existing = (
                ImprovementAction.objects.select_for_update()
                .filter(source_kind=source_kind, source_id=source_id)
                .exclude(status=Stage.CLOSED)
                .first()
            )
            if existing is not None:
                return existing
        row = ImprovementAction.objects.create(
            title=title,
            source_kind=source_kind,
            source_id=source_id,
            complaint=complaint,
            owner=owner,
            plan=plan,
            due_date=due_date,
            metric=metric,
            created_by=actor,
            created_at=now,
            updated_at=now,
        )
        lean.insert(
            [
                ImprovementActionEvent(
                    improvement=row,
                    actor=actor,
                    action=ImprovementEventType.CREATE,
                    to_status=row.status,
                    payload={"source_kind": source_kind, "source_id": source_id},
                    at=now,
                )
            ]
        )
        audit.record(actor=actor, action="create", obj=row, at=now)
    return row


def improvement_action_transition(
    *,
    actor,
    action_id: int,
    action: str,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> ImprovementAction:
    """Move an improvement action through PDCA (``workflow.PDCA``)."""
    if len(note or "") > MAX_TEXT:
        raise ValidationFailed(fields={"note": [_("At most %(n)s characters.") % {"n": MAX_TEXT}]})
    return workflow.transition(
        PDCA,
        subject_id=action_id,
        action=action,
        actor=actor,
        note=note,
        expected_version=expected_version,
        now=now,
    )


def improvement_effect_check(
    *, actor, action_id: int, metric: str = "", now: dt.datetime | None = None
) -> ImprovementAction:
    """Measure the action's metric (or another one, which becomes its metric) over equal windows
    before and after it started doing; only at the check or act stage."""
    if workflow.role_of(actor) not in WORKERS:
        raise Forbidden(_("Your role cannot take this action."))
    now = now or timezone.now()
    from .permissions import improvement_for_update

    with transaction.atomic():
        row = improvement_for_update(action_id=_int_id(action_id) or 0, actor=actor)
        metric = metric or row.metric
        if metric not in Metric.values:
            raise ValidationFailed(fields={"metric": [_("Not a valid choice.")]})
        if row.status not in (Stage.CHECK, Stage.ACT) or row.done_from is None:
            raise Conflict(_("The effect is checked at the check stage."), code="not_at_check")
        before = audit.snapshot(row)
        result = metrics.effect(
            metric, pivot=row.done_from, now=now, window_days=int(get_policy("improvement.effect_window_days"))
        )
        row.metric = metric
        row.effect_before, row.effect_after = result.before.value, result.after.value
        row.effect_days = int(result.days)
        row.effect_checked_at = now
        row.effect_detail = {
            "days": str(result.days),
            "before_start": result.before_start.isoformat(),
            "pivot": result.pivot.isoformat(),
            "after_end": result.after_end.isoformat(),
            "before": {"numerator": str(result.before.numerator), "denominator": result.before.denominator},
            "after": {"numerator": str(result.after.numerator), "denominator": result.after.denominator},
            "improved": result.improved,
        }
        row.version += 1
        row.updated_at = now
        row.save()
        lean.insert(
            [
                ImprovementActionEvent(
                    improvement=row,
                    actor=actor,
                    action=ImprovementEventType.EFFECT,
                    from_status=row.status,
                    to_status=row.status,
                    payload={
                        "metric": metric,
                        "before": str(result.before.value),
                        "after": str(result.after.value),
                        "days": str(result.days),
                    },
                    at=now,
                )
            ]
        )
        audit.record(actor=actor, action="effect_check", obj=row, before=before, at=now)
    return row
