"""Quotes, repair reports and the customer's acceptance."""

import base64
import binascii
import datetime as dt
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.roles import can
from core import audit
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.uploads import IMAGE_KINDS, checked_bytes, store_document

from ..choices import Coverage, EventType, LineKind, MessageKind, QuoteStatus, Status
from ..customer_messages import customer_notify
from ..models import (
    Acceptance,
    OrderDocument,
    PartUsed,
    Quote,
    QuoteLine,
    RepairReport,
    WorkOrder,
    WorkOrderEvent,
)
from ..permissions import visible_to
from ..workflow import TRANSITIONS
from .transitions import _check_version, work_order_get_for_update, work_order_transition

CENT = Decimal("0.01")
MAX_AMOUNT = Decimal("9999999999.99")  # money columns: 12 digits, 2 decimals
MAX_QUANTITY = Decimal("99999999.99")  # QuoteLine.quantity: 10 digits, 2 decimals


def _money(value, field: str) -> Decimal:
    try:
        amount = Decimal(str(value)).quantize(CENT, rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError, TypeError):
        amount = None
    if amount is None or amount < 0 or amount > Decimal("9999999999"):
        msg = _("Enter a valid amount.")
        raise ValidationFailed(msg, fields={field: [msg]})
    return amount


def quote_create(
    *, order_id: int, actor, lines: list[dict], plan: str = "", estimated_hours=None, now: dt.datetime | None = None
) -> Quote:
    """An itemised quote for a paid repair; any pending quote is withdrawn. ``now``: when (default: now)."""
    if not lines:
        raise ValidationFailed(
            _("A quote needs at least one line."), fields={"lines": [_("A quote needs at least one line.")]}
        )
    parsed = []
    for i, line in enumerate(lines):
        kind = line.get("kind", LineKind.OTHER)
        if kind not in LineKind.values:
            raise ValidationFailed(fields={f"lines.{i}.kind": [_("Not a valid choice.")]})
        description = (line.get("description") or "").strip()[:200]
        if not description:
            raise ValidationFailed(fields={f"lines.{i}.description": [_("This field is required.")]})
        qty = _money(line.get("quantity", 1), f"lines.{i}.quantity")
        price = _money(line.get("unit_price"), f"lines.{i}.unit_price")
        amount = (qty * price).quantize(CENT, rounding=ROUND_HALF_UP)
        if qty > MAX_QUANTITY:
            raise ValidationFailed(fields={f"lines.{i}.quantity": [_("Enter a valid amount.")]})
        if amount > MAX_AMOUNT:
            raise ValidationFailed(fields={f"lines.{i}.amount": [_("The amount is too large.")]})
        parsed.append((kind, description, qty, price, amount))
    if sum(p[4] for p in parsed) > MAX_AMOUNT:
        raise ValidationFailed(fields={"lines": [_("The total is too large.")]})
    now = now or timezone.now()
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        if not can(actor, "order.quote"):
            raise Forbidden()
        if order.status in {Status.CLOSED, Status.CANCELLED, Status.RESOLVED, Status.ACCEPTED}:
            raise Conflict(_("The order is finished."), code="order_finished")
        if order.coverage != Coverage.PAID:
            raise Conflict(_("Only a paid repair needs a quote."), code="not_paid_repair")
        order.quotes.filter(status=QuoteStatus.PENDING).update(status=QuoteStatus.WITHDRAWN)
        quote = Quote.objects.create(
            order=order,
            total=sum((p[4] for p in parsed), Decimal("0.00")),
            plan=plan,
            estimated_hours=_money(estimated_hours, "estimated_hours") if estimated_hours not in (None, "") else None,
            created_by=actor,
            created_at=now,
        )
        QuoteLine.objects.bulk_create(
            [
                QuoteLine(quote=quote, kind=k, description=d, quantity=q, unit_price=p, amount=a)
                for k, d, q, p, a in parsed
            ]
        )
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action=EventType.QUOTE,
            from_status=order.status,
            to_status=order.status,
            payload={"quote": quote.pk, "total": str(quote.total)},
            at=now,
        )
        audit.record(actor=actor, action="create", obj=quote, at=now)
        customer_notify(order, MessageKind.QUOTE, actor=actor, at=now, quote=quote)
    return quote


def quote_decide(*, quote_id: int, actor, approve: bool, note: str = "", now: dt.datetime | None = None) -> Quote:
    """The customer (or an agent on their behalf, by phone) approves or rejects a quote."""
    now = now or timezone.now()
    with transaction.atomic():
        quote = Quote.objects.select_for_update().filter(pk=quote_id, order__in=visible_to(actor)).first()
        if quote is None:
            raise NotFound(_("Quote not found."))
        if actor.role != Role.CUSTOMER and not can(actor, "order.assign"):
            raise Forbidden()
        if quote.status != QuoteStatus.PENDING:
            raise Conflict(_("This quote has already been decided."), code="quote_decided")
        if quote.order.status in {Status.CLOSED, Status.CANCELLED}:
            raise Conflict(_("The order is finished."), code="order_finished")
        before = audit.snapshot(quote)
        quote.status = QuoteStatus.APPROVED if approve else QuoteStatus.REJECTED
        quote.decided_by = actor
        quote.decided_at = now
        quote.save()
        order = quote.order
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action=EventType.QUOTE_APPROVED if approve else EventType.QUOTE_REJECTED,
            from_status=order.status,
            to_status=order.status,
            note=note,
            payload={"quote": quote.pk},
            at=now,
        )
        audit.record(actor=actor, action="update", obj=quote, before=before, at=now)
    return quote


def report_save(
    *,
    order_id: int,
    actor,
    cause: str,
    process: str,
    minutes_spent: int,
    service_date: dt.date | None = None,
    parts: list[dict] = (),
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> RepairReport:
    """Write or rewrite the repair report while the order is in service. Saving it moves the
    order's version on, so that a second editor holding the old version is refused (409)
    instead of silently replacing the first one's report."""
    if not (cause or "").strip() or not (process or "").strip():
        raise ValidationFailed(
            fields={
                k: [_("This field is required.")]
                for k, v in (("cause", cause), ("process", process))
                if not (v or "").strip()
            }
        )
    if not isinstance(minutes_spent, int) or minutes_spent < 0 or minutes_spent > 100_000:
        raise ValidationFailed(fields={"minutes_spent": [_("Enter a whole number of minutes.")]})
    now = now or timezone.now()
    service_date = service_date or timezone.localdate(now)
    if service_date > timezone.localdate(now):
        msg = _("The date cannot be in the future.")
        raise ValidationFailed(msg, code="date_in_future", fields={"service_date": [msg]})
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        if actor.role == Role.ENGINEER and order.assignee_id != actor.pk:
            raise NotFound(_("Work order not found."))
        if not can(actor, "order.report"):
            raise Forbidden()
        _check_version(order, expected_version)
        if order.status not in {Status.IN_SERVICE, Status.AWAITING_PARTS}:
            raise Conflict(_("The report is written while the work is in service."), code="not_in_service")
        WorkOrder.objects.filter(pk=order.pk).update(version=F("version") + 1, updated_at=now)
        report = RepairReport.objects.filter(order=order).first()
        before = audit.snapshot(report) if report else None
        report = report or RepairReport(order=order, created_at=now)
        report.updated_at = now
        report.engineer = order.assignee if order.assignee_id else actor
        report.cause, report.process = cause, process
        report.minutes_spent, report.service_date = minutes_spent, service_date
        report.save()
        report.parts.all().delete()
        PartUsed.objects.bulk_create(
            [
                PartUsed(
                    report=report,
                    part_number=str(p.get("part_number", ""))[:60],
                    name=str(p.get("name", ""))[:120],
                    old_serial=str(p.get("old_serial", ""))[:60],
                    new_serial=str(p.get("new_serial", ""))[:60],
                    quantity=int(p.get("quantity") or 1),
                )
                for p in parts
                if p.get("name") or p.get("part_number")
            ]
        )
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action=EventType.REPORT,
            from_status=order.status,
            to_status=order.status,
            payload={"minutes_spent": minutes_spent, "parts": len(parts)},
            at=now,
        )
        audit.record(actor=actor, action="create" if before is None else "update", obj=report, before=before, at=now)
    return report


def decode_signature(data_url: str) -> bytes:
    """A signature drawn on screen arrives as a ``data:image/png;base64,…`` URL."""
    prefix, _sep, encoded = (data_url or "").partition(",")
    if not prefix.startswith("data:image/") or not encoded:
        raise ValidationFailed(
            _("Draw the signature first."),
            code="signature_missing",
            fields={"signature": [_("Draw the signature first.")]},
        )
    try:
        return base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise ValidationFailed(
            _("The signature could not be read."),
            code="bad_signature",
            fields={"signature": [_("The signature could not be read.")]},
        ) from None


def acceptance_check(*, order_id: int, actor, accepted: bool | None = None) -> WorkOrder:
    """The access checks of an acceptance, which need nothing the customer sends: the order is
    the actor's to sign for (missing and forbidden read as not found) and their role may record
    the decision (``None``: either one). Run before the signature is read (the API) or decoded,
    and again under the row lock."""
    order = visible_to(actor).filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Work order not found."))
    _may_sign(order, actor, accepted)
    return order


def _may_sign(order: WorkOrder, actor, accepted: bool | None) -> None:
    role = Role.ADMIN if actor.is_superuser else actor.role
    actions = ("accept", "refuse") if accepted is None else ("accept" if accepted else "refuse",)
    if not any(role in TRANSITIONS[action].roles for action in actions):
        raise Forbidden(_("Your role cannot take this action."))
    if actor.role == Role.ENGINEER and order.assignee_id != actor.pk:
        raise NotFound(_("Work order not found."))


def _awaits_acceptance(order: WorkOrder) -> None:
    if order.status != Status.RESOLVED:
        raise Conflict(_("Acceptance is signed once the order is resolved."), code="invalid_transition")


def acceptance_sign(
    *,
    order_id: int,
    actor,
    accepted: bool,
    signer_name: str,
    signature: str,
    comment: str = "",
    now: dt.datetime | None = None,
) -> Acceptance:
    """Record the customer's signed acceptance (→ accepted) or refusal (→ reopened + complaint).

    The order, the actor's right to sign for it and its state are checked before the
    signature is decoded (issue 14): a stranger's upload costs no decoding."""
    order = acceptance_check(order_id=order_id, actor=actor, accepted=accepted)
    signer_name = (signer_name or "").strip()
    if not signer_name:
        raise ValidationFailed(fields={"signer_name": [_("This field is required.")]})
    if not accepted and not (comment or "").strip():
        msg = _("Tell us why you do not accept the service.")
        raise ValidationFailed(msg, fields={"comment": [msg]})
    _awaits_acceptance(order)
    content = checked_bytes(decode_signature(signature), field="signature", allowed={"image/png": "png", **IMAGE_KINDS})
    now = now or timezone.now()
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        _may_sign(order, actor, accepted)  # again, under the lock
        _awaits_acceptance(order)
        doc = store_document(content, actor=actor, original_name="signature.png")
        OrderDocument.objects.create(order=order, document=doc, kind=OrderDocument.Kind.SIGNATURE)
        acceptance = Acceptance.objects.create(
            order=order,
            accepted=accepted,
            signer_name=signer_name[:120],
            signed_at=now,
            signature=doc,
            comment=comment,
            recorded_by=actor,
        )
        audit.record(actor=actor, action="create", obj=acceptance, at=now)
        # A refusal publishes AcceptanceRefused; the complaints app opens the complaint after commit.
        work_order_transition(
            order_id=order.pk, action="accept" if accepted else "refuse", actor=actor, note=comment, now=now
        )
    return acceptance
