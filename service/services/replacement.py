"""Replacement and return under warranty (SPEC §2)."""

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can
from core import audit
from core.errors import Conflict, Forbidden, ValidationFailed
from core.policies import get_policy
from products.guarantees import Remedy
from products.models import ProductModel, Unit
from products.selectors import main_coverage
from products.warranty import Cause

from ..choices import Status
from ..models import RepairReport, Replacement, WorkOrderEvent
from ..replacement import ReplacementGround, replacement_allowed
from ..warranty import unit_entitlements
from .transitions import work_order_get_for_update

MESSAGES = {
    "out_of_warranty": _("Replacement is only possible within the warranty period."),
    "no_prior_repair": _("No earlier repair of this unit is on record."),
    "not_enough_repairs": _("The fault must persist after the required number of repairs within warranty."),
    "needs_manager_approval": _("A special case needs a manager's approval."),
    "unknown_ground": _("Not a valid choice."),
}


def prior_repairs_in_warranty(unit: Unit, *, exclude_order_id: int | None = None) -> int:
    """Repairs of this unit with a report, done free under warranty."""
    qs = RepairReport.objects.filter(order__unit=unit, order__coverage="warranty")
    if exclude_order_id:
        qs = qs.exclude(order_id=exclude_order_id)
    return qs.count()


def replacement_create(
    *,
    order_id: int,
    actor,
    ground: str,
    new_serial: str = "",
    new_model_code: str = "",
    new_colour: str = "",
    new_colour_en: str = "",
    is_return: bool = False,
    manager_approved: bool = False,
    approval_reason: str = "",
    goods_condition: str = "",
) -> Replacement:
    """Replace (exchange) or take back (return) the order's unit.

    Allowed when the Three Guarantees owe that remedy on the request day
    (``service.warranty.unit_entitlements``) or the replacement rule of SPEC §2 allows it
    (``replacement_allowed``). Anything else needs a manager's approval with a reason, which
    is recorded on the replacement, its event and the audit log (docs/warranty.md)."""
    approval_reason = (approval_reason or "").strip()
    if ground not in ReplacementGround.values:
        raise ValidationFailed(fields={"ground": [_("Not a valid choice.")]})
    if not is_return and not new_serial.strip():
        raise ValidationFailed(fields={"new_serial": [_("This field is required.")]})
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        if not can(actor, "order.replace"):
            raise Forbidden()
        if manager_approved and not can(actor, "replacement.approve_special"):
            raise Forbidden(_("Only a manager can approve a special case."))
        if order.unit_id is None:
            raise Conflict(_("The order has no registered unit."), code="no_unit")
        if order.status in {Status.CLOSED, Status.CANCELLED}:
            raise Conflict(_("The order is finished."), code="order_finished")
        old = Unit.objects.select_for_update().get(pk=order.unit_id)
        if old.status != Unit.Status.ACTIVE:
            raise Conflict(_("This unit was already returned."), code="unit_returned")
        request_day = timezone.localdate(order.created_at)
        coverage = main_coverage(old, on=request_day, cause=order.cause or Cause.DEFECT)
        prior = prior_repairs_in_warranty(old, exclude_order_id=order.pk)
        decision = replacement_allowed(
            in_warranty=coverage.covered,
            ground=ground,
            prior_repairs=prior,
            repairs_required=int(get_policy("replacement.prior_repairs")),
        )
        owed = unit_entitlements(old, on=request_day).answer.kinds
        remedy = Remedy.RETURN if is_return else Remedy.EXCHANGE
        overridden = not (decision.allowed or remedy in owed)
        if overridden:
            if not manager_approved:
                raise Conflict(MESSAGES.get(decision.reason, decision.reason), code=f"replacement_{decision.reason}")
            if not approval_reason:
                msg = _("A manager's approval of a remedy the rules do not allow needs a reason.")
                raise ValidationFailed(msg, code="approval_reason_required", fields={"approval_reason": [msg]})
        new_unit = None
        new_model = None
        if not is_return:
            new_model = ProductModel.objects.filter(code=new_model_code).first() if new_model_code else old.model
            if new_model is None:
                raise ValidationFailed(fields={"new_model": [_("Unknown product model.")]})
            if Unit.objects.filter(serial=new_serial.strip()).exclude(owner__isnull=True).exists():
                raise Conflict(_("The new serial number is already registered."), code="unit_owned")
            new_unit, _created = Unit.objects.get_or_create(
                serial=new_serial.strip(),
                defaults={"model": new_model},
            )
            new_unit.model, new_unit.owner = new_model, old.owner
            if new_colour or new_colour_en:  # the colour in Chinese and English (core.i18n)
                new_unit.colour, new_unit.colour_en = new_colour, new_colour_en
            new_unit.purchase_date, new_unit.sale_date, new_unit.proof_id = (
                old.purchase_date,
                old.sale_date,
                old.proof_id,
            )
            new_unit.channel, new_unit.channel_en = old.channel, old.channel_en
            new_unit.save()
            audit.record(actor=actor, action="create", obj=new_unit)
        before = audit.snapshot(old)
        old.status = Unit.Status.RETURNED
        old.replaced_by = new_unit
        old.save()
        audit.record(actor=actor, action="update", obj=old, before=before)
        replacement = Replacement.objects.create(
            order=order,
            ground=ground,
            old_unit=old,
            new_unit=new_unit,
            new_serial=new_serial.strip(),
            new_model=new_model,
            new_colour=new_colour,
            new_colour_en=new_colour_en,
            is_return=is_return,
            prior_repairs=prior,
            entitled=sorted(owed),
            override_reason=approval_reason if overridden else "",
            goods_condition=goods_condition.strip()[:300],
            approved_by=actor if manager_approved else None,
            created_by=actor,
        )
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action="replace",
            from_status=order.status,
            to_status=order.status,
            payload={
                "ground": ground,
                "new_serial": new_serial,
                "is_return": is_return,
                "entitled": sorted(owed),
                **({"approved_by_manager": True, "approval_reason": approval_reason} if overridden else {}),
            },
        )
        audit.record(actor=actor, action="create", obj=replacement)
    return replacement
