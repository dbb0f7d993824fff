"""The one write path for complaints: open one, move it through its workflow."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.roles import can
from core import audit, events, workflow
from core.errors import Forbidden, NotFound, ValidationFailed
from customers.models import Customer
from service.events import AcceptanceRefused
from service.models import WorkOrder
from sla import cases, clocks
from sla.models import CaseKind

from .choices import EventType, Source, Status
from .events import ComplaintOpened
from .models import Complaint, ComplaintEvent
from .workflow import COMPLAINT

MAX_TEXT = 5000


def _open(*, actor, customer: Customer, source: str, description: str, order: WorkOrder | None, now) -> Complaint:
    complaint = Complaint.objects.create(
        customer=customer,
        order=order,
        source=source,
        description=description[:MAX_TEXT],
        status=Status.NEW,
        created_at=now,
        updated_at=now,
    )
    complaint_clocks_start(complaint, now=now)
    ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        action=EventType.OPEN,
        to_status=Status.NEW,
        payload={"source": source, "order": order.pk if order else None},
        at=now,
    )
    audit.record(actor=actor, action="create", obj=complaint, at=now)
    events.publish(
        ComplaintOpened(complaint_id=complaint.pk, customer_id=customer.pk, order_id=complaint.order_id, source=source)
    )
    return complaint


def complaint_clocks_start(complaint: Complaint, *, now: dt.datetime) -> list:
    """Match the complaint policy, record it on the complaint and start its clocks."""
    return clocks.start(cases.get(CaseKind.COMPLAINT), complaint, now=now)


def complaint_open(
    *,
    actor,
    customer_id: int,
    source: str,
    description: str,
    order_id: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint (phone, e-mail, online): a customer for themself, staff for anyone."""
    if source not in Source.values or source == Source.REFUSED_ACCEPTANCE:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"source": [msg]})
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(fields={"description": [_("This field is required.")]})
    with transaction.atomic():
        customer = Customer.objects.filter(pk=customer_id).first()
        is_own = actor.role == Role.CUSTOMER and customer is not None and customer.user_id == actor.pk
        if not is_own and not can(actor, "complaint.view_all"):
            raise Forbidden()
        if customer is None:
            raise NotFound(_("Customer not found."))
        order = None
        if order_id is not None:
            order = WorkOrder.objects.filter(pk=order_id, customer=customer).first()
            if order is None:
                msg = _("This customer has no such work order.")
                raise ValidationFailed(msg, fields={"order_id": [msg]})
        return _open(
            actor=actor,
            customer=customer,
            source=source,
            description=description,
            order=order,
            now=now or timezone.now(),
        )


def complaint_open_for_refusal(evt: AcceptanceRefused) -> Complaint:
    """Subscriber: a refused acceptance opens a complaint on the order, in the refuser's name."""
    order = WorkOrder.objects.select_related("customer").get(pk=evt.order_id)
    actor = User.objects.filter(pk=evt.actor_id).first() if evt.actor_id else None
    return _open(
        actor=actor,
        customer=order.customer,
        source=Source.REFUSED_ACCEPTANCE,
        description=evt.note,
        order=order,
        now=evt.at or timezone.now(),
    )


def complaint_transition(
    *,
    complaint_id: int,
    action: str,
    actor,
    note: str = "",
    data: dict | None = None,
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Take ``action`` on the complaint through the shared engine."""
    return workflow.transition(
        COMPLAINT,
        subject_id=complaint_id,
        action=action,
        actor=actor,
        note=note,
        data=data,
        expected_version=expected_version,
        now=now,
    )
