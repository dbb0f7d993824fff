"""Intake: a service request from any channel becomes a work order."""

from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import can
from core import audit
from core.errors import Forbidden, ValidationFailed
from core.uploads import checked_upload, store_document
from customers.models import Customer
from customers.services import customer_for  # noqa: F401  (re-exported)
from products.models import Unit

from ..choices import Channel, Mode, Priority, ServiceType, Status
from ..clocks import clocks_start
from ..models import OrderDocument, WorkOrder, WorkOrderEvent


def _require_choice(name: str, value: str, choices) -> None:
    if value not in choices.values:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={name: [msg]})


def request_create(
    *,
    actor,
    fault_description: str,
    service_type: str = ServiceType.REPAIR,
    channel: str | None = None,
    customer_id: int | None = None,
    serial: str = "",
    contact_name: str = "",
    contact_phone: str = "",
    priority: str = Priority.NORMAL,
    mode: str = Mode.ONSITE,
    address: str = "",
    preferred_time: str = "",
    attachments=(),
) -> WorkOrder:
    """Create a work order in state ``new`` with its first event, inside one transaction.

    A customer files for themself; back-office staff file for ``customer_id`` (or the
    owner of the serial). An unknown serial, or a unit that is not the customer's, is
    refused without revealing whose it is.
    """
    if actor.is_customer:
        customer = customer_for(actor)
        if customer_id is not None and customer_id != customer.pk:
            raise Forbidden()
        channel = channel or Channel.PORTAL
    elif can(actor, "request.create_for_customer"):
        customer = Customer.objects.filter(pk=customer_id).first() if customer_id is not None else None
        if customer_id is not None and customer is None:
            msg = _("Unknown customer.")
            raise ValidationFailed(msg, code="unknown_customer", fields={"customer_id": [msg]})
        channel = channel or Channel.PHONE
    else:
        raise Forbidden()
    for name, value, choices in (
        ("service_type", service_type, ServiceType),
        ("priority", priority, Priority),
        ("channel", channel, Channel),
        ("mode", mode, Mode),
    ):
        _require_choice(name, value, choices)
    if not (fault_description or "").strip():
        raise ValidationFailed(fields={"fault_description": [_("This field is required.")]})

    unit = None
    serial = (serial or "").strip()
    if serial:
        unit = Unit.objects.select_related("model__line", "owner").filter(serial=serial).first()
        if unit is not None and customer is None:
            customer = unit.owner
        if unit is None or (unit.owner_id is not None and customer is not None and unit.owner_id != customer.pk):
            msg = _("Unknown serial number.")
            raise ValidationFailed(msg, code="unknown_serial", fields={"serial": [msg]})
    if customer is None:
        msg = _("Choose the customer or give a registered serial number.")
        raise ValidationFailed(msg, code="unknown_customer", fields={"customer_id": [msg]})

    contents = [checked_upload(f, field="attachments") for f in attachments]
    with transaction.atomic():
        order = WorkOrder.objects.create(
            status=Status.NEW,
            customer=customer,
            contact_name=(contact_name or customer.name)[:120],
            contact_phone=(contact_phone or customer.phone)[:30],
            unit=unit,
            serial=serial,
            product_model=unit.model if unit else None,
            service_type=service_type,
            priority=priority,
            channel=channel,
            mode=mode,
            fault_description=fault_description,
            address=address,
            preferred_time=preferred_time,
            created_by=actor,
        )
        for upload, content in zip(attachments, contents, strict=True):
            doc = store_document(content, actor=actor, original_name=getattr(upload, "name", ""))
            OrderDocument.objects.create(order=order, document=doc, kind=OrderDocument.Kind.ATTACHMENT)
        WorkOrderEvent.objects.create(
            order=order, actor=actor, action="create", to_status=Status.NEW, payload={"channel": channel}
        )
        clocks_start(order)
        audit.record(actor=actor, action="create", obj=order)
    return order
