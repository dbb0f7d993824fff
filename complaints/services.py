"""The one write path for complaints: open one, move it through its workflow, tell the customer."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.roles import can
from core import audit, dates, events, workflow
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.uploads import checked_upload, store_document
from customers.models import Customer
from products.models import Unit
from service.events import AcceptanceRefused
from service.models import WorkOrder
from sla import cases, clocks
from sla.models import CaseKind

from . import customer_messages
from .choices import AGENT_CHANNELS, OPEN_STATUSES, Category, Channel, EventType, MessageKind, Status
from .events import ComplaintOpened
from .models import Complaint, ComplaintDocument, ComplaintEvent
from .permissions import complaint_for_update
from .workflow import COMPLAINT, HANDLERS

MAX_TEXT = 5000
MAX_EVIDENCE = 20  # files per complaint


def _open(
    *,
    actor,
    customer: Customer,
    channel: str,
    description: str,
    order: WorkOrder | None,
    now,
    received_at=None,
    unit: Unit | None = None,
    category: str = "",
) -> Complaint:
    received_at = received_at or now
    complaint = Complaint.objects.create(
        customer=customer,
        order=order,
        unit=unit or (order.unit if order is not None and order.unit_id else None),
        channel=channel,
        category=category,
        received_at=received_at,
        description=description[:MAX_TEXT],
        status=Status.NEW,
        created_at=now,
        updated_at=now,
    )
    complaint_clocks_start(complaint, now=received_at)
    ComplaintEvent.objects.create(
        complaint=complaint,
        actor=actor,
        action=EventType.OPEN,
        to_status=Status.NEW,
        payload={
            "channel": channel,
            "order": order.pk if order else None,
            "unit": complaint.unit_id,
            "received_at": received_at.isoformat(),
        },
        at=now,
    )
    audit.record(actor=actor, action="create", obj=complaint, at=now)
    events.publish(
        ComplaintOpened(complaint_id=complaint.pk, customer_id=customer.pk, order_id=complaint.order_id, source=channel)
    )
    return complaint


def complaint_clocks_start(complaint: Complaint, *, now: dt.datetime) -> list:
    """Match the complaint policy, record it on the complaint and start its clocks (from
    ``now``: the complaint's receipt)."""
    return clocks.start(cases.get(CaseKind.COMPLAINT), complaint, now=now)


def _received(received_at: dt.datetime | None, now: dt.datetime) -> dt.datetime:
    """The receipt time an agent gives: default now, earlier allowed, never in the future."""
    if received_at is None:
        return now
    received_at = dates.checked(received_at, field="received_at")
    if received_at > now:
        msg = _("The complaint cannot have been received in the future.")
        raise ValidationFailed(msg, code="received_in_future", fields={"received_at": [msg]})
    return received_at


def complaint_open(
    *,
    actor,
    customer_id: int,
    channel: str,
    description: str,
    order_id: int | None = None,
    serial: str = "",
    received_at: dt.datetime | None = None,
    category: str = "",
    now: dt.datetime | None = None,
) -> Complaint:
    """Record a complaint: staff for anyone (phone, e-mail, API), a customer for themself (the
    portal, the API). A customer's complaint is received when it is filed; staff may give an
    earlier receipt time (a call keyed in later)."""
    now = now or timezone.now()
    is_customer = actor is not None and actor.is_authenticated and actor.role == Role.CUSTOMER
    allowed = (Channel.PORTAL, Channel.API) if is_customer else (*AGENT_CHANNELS, Channel.API)
    if channel not in allowed:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"channel": [msg]})
    description = (description or "").strip()
    if not description:
        raise ValidationFailed(fields={"description": [_("This field is required.")]})
    if len(description) > MAX_TEXT:
        msg = _("At most %(n)s characters.") % {"n": MAX_TEXT}
        raise ValidationFailed(msg, fields={"description": [msg]})
    received_at = now if is_customer else _received(received_at, now)
    if category and category not in Category.values:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"category": [msg]})
    with transaction.atomic():
        customer = Customer.objects.filter(pk=customer_id).first() if isinstance(customer_id, int) else None
        if is_customer:
            if customer is None or customer.user_id != actor.pk:  # someone else's: as if missing
                raise NotFound(_("Customer not found."))
        elif not can(actor, "request.create_for_customer"):
            raise Forbidden()
        if customer is None:
            raise NotFound(_("Customer not found."))
        order = None
        if order_id is not None:
            order = WorkOrder.objects.filter(pk=order_id, customer=customer).first()
            if order is None:
                msg = _("This customer has no such work order.")
                raise ValidationFailed(msg, fields={"order_id": [msg]})
        unit = None
        serial = (serial or "").strip()
        if serial:
            unit = Unit.objects.filter(serial=serial[:60], owner=customer).first()
            if unit is None:
                msg = _("This customer has no unit with this serial number.")
                raise ValidationFailed(msg, fields={"serial": [msg]})
        return _open(
            actor=actor,
            customer=customer,
            channel=channel,
            description=description,
            order=order,
            unit=unit,
            received_at=received_at,
            category=category,
            now=now,
        )


def complaint_open_for_refusal(evt: AcceptanceRefused) -> Complaint:
    """Subscriber: a refused acceptance opens a complaint on the order, in the refuser's name."""
    order = WorkOrder.objects.select_related("customer").get(pk=evt.order_id)
    actor = User.objects.filter(pk=evt.actor_id).first() if evt.actor_id else None
    return _open(
        actor=actor,
        customer=order.customer,
        channel=Channel.REFUSED_ACCEPTANCE,
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
    """Take ``action`` on the complaint through the shared engine; acknowledging, resolving
    (the result notice) and closing tell the customer in the same transaction."""
    now = now or timezone.now()
    data = {k: v for k, v in (data or {}).items() if not k.startswith("_")}
    data["_now"] = now
    with transaction.atomic():
        complaint = workflow.transition(
            COMPLAINT,
            subject_id=complaint_id,
            action=action,
            actor=actor,
            note=note,
            data=data,
            expected_version=expected_version,
            now=now,
        )
        kind = customer_messages.ON_ACTION.get(action)
        if kind is not None:
            customer_messages.customer_notify(complaint, kind, actor=actor, at=now)
    return complaint


def _for_handling(complaint_id: int, actor) -> Complaint:
    """The complaint locked, for a handler's act outside the transition table."""
    if actor is None or workflow.role_of(actor) not in HANDLERS:
        raise Forbidden(_("Your role cannot take this action."))
    return complaint_for_update(complaint_id=complaint_id, actor=actor)


def _touch(complaint: Complaint, now: dt.datetime) -> None:
    complaint.version += 1
    complaint.updated_at = now


def complaint_progress_send(
    *, complaint_id: int, actor, text: str, expected_version: int | None = None, now: dt.datetime | None = None
) -> ComplaintEvent:
    """A handler tells the customer how the complaint stands (recorded on the timeline)."""
    now = now or timezone.now()
    text = (text or "").strip()
    if not text:
        raise ValidationFailed(fields={"text": [_("This field is required.")]})
    if len(text) > 1000:
        msg = _("At most %(n)s characters.") % {"n": 1000}
        raise ValidationFailed(msg, fields={"text": [msg]})
    with transaction.atomic():
        complaint = _for_handling(complaint_id, actor)
        _check_open(complaint, expected_version)
        event = ComplaintEvent.objects.create(
            complaint=complaint,
            actor=actor,
            action=EventType.PROGRESS,
            from_status=complaint.status,
            to_status=complaint.status,
            note=text,
            at=now,
        )
        _touch(complaint, now)
        complaint.save(update_fields=["version", "updated_at"])
        audit.record(actor=actor, action="complaint_progress", obj=complaint, at=now)
        customer_messages.customer_notify(complaint, MessageKind.PROGRESS, actor=actor, at=now, text=text)
    return event


def _check_open(complaint: Complaint, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != complaint.version:
        raise Conflict(COMPLAINT.stale_message, code="stale_version")
    if complaint.status not in OPEN_STATUSES or complaint.status == Status.RESOLVED:
        raise Conflict(_("The complaint is resolved or closed."), code="complaint_resolved")


def complaint_callback_set(
    *,
    complaint_id: int,
    actor,
    callback_at: dt.datetime,
    note: str = "",
    expected_version: int | None = None,
    now: dt.datetime | None = None,
) -> Complaint:
    """Record the callback time agreed with the customer for an unresolved complaint, and
    confirm it to them."""
    now = now or timezone.now()
    callback_at = dates.checked(callback_at, field="callback_at")
    if callback_at is None or callback_at <= now:
        msg = _("The callback time must be in the future.")
        raise ValidationFailed(msg, fields={"callback_at": [msg]})
    with transaction.atomic():
        complaint = _for_handling(complaint_id, actor)
        _check_open(complaint, expected_version)
        before = audit.snapshot(complaint)
        complaint.callback_at = callback_at
        _touch(complaint, now)
        complaint.save(update_fields=["callback_at", "version", "updated_at"])
        ComplaintEvent.objects.create(
            complaint=complaint,
            actor=actor,
            action=EventType.CALLBACK,
            from_status=complaint.status,
            to_status=complaint.status,
            note=(note or "").strip()[:1000],
            payload={"callback_at": callback_at.isoformat()},
            at=now,
        )
        audit.record(actor=actor, action="complaint_callback", obj=complaint, before=before, at=now)
        customer_messages.customer_notify(complaint, MessageKind.CALLBACK, actor=actor, at=now)
    return complaint


def complaint_evidence_add(
    *, complaint_id: int, actor, upload, note: str = "", now: dt.datetime | None = None
) -> ComplaintDocument:
    """Attach a file (photo, PDF) to the investigation; checked like every upload (``core.uploads``)."""
    now = now or timezone.now()
    content = checked_upload(upload, field="file")
    with transaction.atomic():
        complaint = _for_handling(complaint_id, actor)
        if complaint.documents.count() >= MAX_EVIDENCE:
            msg = _("At most %(n)s files per complaint.") % {"n": MAX_EVIDENCE}
            raise ValidationFailed(msg, fields={"file": [msg]})
        doc = store_document(content, actor=actor, original_name=getattr(upload, "name", ""))
        row = ComplaintDocument.objects.create(complaint=complaint, document=doc, note=(note or "").strip()[:200])
        ComplaintEvent.objects.create(
            complaint=complaint,
            actor=actor,
            action=EventType.EVIDENCE,
            from_status=complaint.status,
            to_status=complaint.status,
            note=row.note,
            payload={"document": doc.pk, "name": doc.original_name},
            at=now,
        )
        audit.record(actor=actor, action="complaint_evidence", obj=complaint, at=now)
    return row


def complaint_extend(
    *,
    complaint_id: int,
    actor,
    reason: str,
    clock: str = "resolution",
    new_due_at=None,
    extra: int | None = None,
    now: dt.datetime | None = None,
):
    """Extend a clock of the complaint before its deadline (the SLA engine's maths and texts:
    the customer is told, the timeline gets an ``sla_extended`` event). ``now``: the moment of
    the extension (default: now)."""
    if (
        not isinstance(clock, str)
        or len(clock) > 20
        or not isinstance(complaint_id, int)
        or not 0 < complaint_id < 2**62
    ):
        raise NotFound(_("This complaint has no such clock."))
    return clocks.extend(
        cases.get(CaseKind.COMPLAINT),
        subject_id=complaint_id,
        clock=clock,
        actor=actor,
        reason=reason,
        new_due_at=new_due_at,
        extra=extra,
        now=now,
    )
