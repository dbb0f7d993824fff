"""Mail-in (寄修): shipments of the unit to the service centre and back."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit, dates
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed

from ..choices import EventType, Mode, Status
from ..models import Shipment, WorkOrderEvent
from .transitions import work_order_get_for_update


def shipment_record(
    *,
    order_id: int,
    actor,
    direction: str,
    carrier: str,
    tracking_number: str,
    shipped_at: dt.datetime | None = None,
    now: dt.datetime | None = None,
) -> Shipment:
    """Record a parcel: inbound (customer → centre, also by the customer) or outbound (staff only).
    ``now``: when it is recorded (default: now)."""
    if direction not in Shipment.Direction.values:
        raise ValidationFailed(fields={"direction": [_("Not a valid choice.")]})
    if not carrier.strip() or not tracking_number.strip():
        raise ValidationFailed(
            fields={
                k: [_("This field is required.")]
                for k, v in (("carrier", carrier), ("tracking_number", tracking_number))
                if not v.strip()
            }
        )
    if actor.role == Role.CUSTOMER and direction != Shipment.Direction.INBOUND:
        raise Forbidden()
    if actor.role in (Role.ANALYST, Role.FINANCE, Role.QUALITY):
        raise Forbidden()
    shipped_at = dates.checked(shipped_at, field="shipped_at")  # offsetless: Asia/Shanghai
    now = now or timezone.now()
    if shipped_at and shipped_at > now + dt.timedelta(minutes=5):
        msg = _("The date cannot be in the future.")
        raise ValidationFailed(msg, code="date_in_future", fields={"shipped_at": [msg]})
    with transaction.atomic():
        order = work_order_get_for_update(order_id=order_id, actor=actor)
        if order.mode != Mode.MAIL_IN:
            raise Conflict(_("Only mail-in orders have shipments."), code="not_mail_in")
        if order.status in (Status.CLOSED, Status.CANCELLED):
            raise Conflict(_("The order is finished."), code="order_finished")
        shipment = Shipment.objects.create(
            order=order,
            direction=direction,
            carrier=carrier.strip()[:60],
            tracking_number=tracking_number.strip()[:60],
            shipped_at=shipped_at or now,
        )
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action=EventType.SHIPMENT,
            from_status=order.status,
            to_status=order.status,
            payload={"direction": direction, "carrier": shipment.carrier, "tracking_number": shipment.tracking_number},
            at=now,
        )
        audit.record(actor=actor, action="create", obj=shipment, at=now)
    return shipment


def shipment_received(*, shipment_id: int, actor, now: dt.datetime | None = None) -> Shipment:
    """Mark a parcel as received (staff for inbound parcels, the customer for outbound ones)."""
    from ..permissions import visible_to

    now = now or timezone.now()
    with transaction.atomic():
        shipment = Shipment.objects.select_for_update().filter(pk=shipment_id, order__in=visible_to(actor)).first()
        if shipment is None:
            raise NotFound(_("Shipment not found."))
        is_customer = actor.role == Role.CUSTOMER
        if is_customer != (shipment.direction == Shipment.Direction.OUTBOUND):
            raise Forbidden()
        if shipment.received_at:
            raise Conflict(_("This parcel was already received."), code="already_received")
        before = audit.snapshot(shipment)
        shipment.received_at = now
        shipment.save(update_fields=["received_at"])
        order = shipment.order
        WorkOrderEvent.objects.create(
            order=order,
            actor=actor,
            action=EventType.SHIPMENT_RECEIVED,
            from_status=order.status,
            to_status=order.status,
            payload={"shipment": shipment.pk, "direction": shipment.direction},
            at=now,
        )
        audit.record(actor=actor, action="update", obj=shipment, before=before, at=now)
    return shipment
