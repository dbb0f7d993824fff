"""Intake: a service request from any channel becomes a work order."""

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.roles import can
from core import audit, lean
from core.errors import Forbidden, ValidationFailed
from core.geo import geocoder
from core.uploads import checked_upload, store_document
from customers.models import Customer
from customers.services import customer_for  # noqa: F401  (re-exported)
from dispatch.eligibility import Job
from dispatch.services import engineer_pick
from products.selectors import main_coverage, unit_with_owner
from products.warranty import Cause
from sla import clocks

from ..choices import Channel, EventType, Mode, Priority, ServiceType, Status
from ..clocks import WORK_ORDER
from ..models import OrderDocument, WorkOrder, WorkOrderEvent
from ..permissions import NAME_FIELDS, sees_unmasked_pii

_VALUES: dict[type, frozenset] = {}


def _require_choice(name: str, value: str, choices) -> None:
    values = _VALUES.get(choices)
    if values is None:  # ``Choices.values`` builds a new list on every call
        values = _VALUES[choices] = frozenset(choices.values)
    if value not in values:
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
    site_lat=None,
    site_lng=None,
    attachments=(),
    shows_contact: bool = False,
    now: dt.datetime | None = None,
) -> WorkOrder:
    """Create a work order in state ``new`` with its first event, inside one transaction.

    A customer files for themself; back-office staff file for ``customer_id`` (or the
    owner of the serial). An unknown serial, or a unit that is not the customer's, is
    refused without revealing whose it is.

    Everything that only reads (the caller's rights, the unit, its warranty, the SLA plan) is
    done before the transaction opens, so the write transaction holds nothing but the writes:
    on SQLite it holds the database's single write lock from ``BEGIN IMMEDIATE`` to ``COMMIT``,
    and a second worker's intake waits for exactly that long. ``shows_contact``: the caller
    will show the new order's contact data to the actor (the API's 201 body), so the
    personal-data access row is written in the same commit as the order. ``now``: when the
    request came in (default: now; the demo replays its history with past times).
    ``site_lat``/``site_lng``: the visit's WGS-84 coordinates typed with the address; the geocoder
    (``core.geo``) reads them, and without an address the customer's default address's are used.
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
        unit = unit_with_owner(serial)
        if unit is not None and customer is None:
            customer = unit.owner
        if unit is None or (unit.owner_id is not None and customer is not None and unit.owner_id != customer.pk):
            msg = _("Unknown serial number.")
            raise ValidationFailed(msg, code="unknown_serial", fields={"serial": [msg]})
    if customer is None:
        msg = _("Choose the customer or give a registered serial number.")
        raise ValidationFailed(msg, code="unknown_customer", fields={"customer_id": [msg]})

    contents = [checked_upload(f, field="attachments") for f in attachments]
    site = _site(customer, address, site_lat, site_lng)
    order = WorkOrder(
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
        site_lat=site.lat if site else None,
        site_lng=site.lng if site else None,
        created_by=actor,
    )
    now = now or timezone.now()
    order.created_at = order.updated_at = now
    create_payload = {"channel": channel}
    plan = clocks.plan(WORK_ORDER, order, now=now)  # pure once the policies are cached: no write yet
    if unit is not None:
        create_payload["warranty"] = warranty_check(unit, on=timezone.localdate(now))
    order.due_at = plan.next_due if plan else None
    with transaction.atomic(savepoint=False):  # one commit: order, events, clocks, audit and access rows
        pick = engineer_pick(_job(order, unit, plan, site), now=now)
        if pick is not None:
            order.assignee, order.department_id = pick.engineer, pick.department_id
        lean.insert([order])  # the ORM's save() costs three times the CPU (core/lean.py)
        for upload, content in zip(attachments, contents, strict=True):
            doc = store_document(content, actor=actor, original_name=getattr(upload, "name", ""))
            OrderDocument.objects.create(order=order, document=doc, kind=OrderDocument.Kind.ATTACHMENT)
        events = [
            WorkOrderEvent(
                order=order, at=now, actor=actor, action=EventType.CREATE, to_status=Status.NEW, payload=create_payload
            )
        ]
        if pick is not None:
            events.append(
                WorkOrderEvent(
                    order=order,
                    at=now,
                    actor=None,
                    action=EventType.ASSIGN,
                    from_status=Status.NEW,
                    to_status=Status.NEW,
                    payload={
                        "assignee": pick.engineer.pk,
                        "appointment_at": None,
                        "auto": True,
                        "rules": [r.rule for r in pick.verdict.reasons if r.ok and not r.info],
                    },
                )
            )
        order.new_events = lean.insert(events)
        order.new_clocks = clocks.save(WORK_ORDER, order, plan)
        rows = [audit.entry(actor=actor, action="create", obj=order, at=now)]
        if shows_contact and not actor.is_customer and sees_unmasked_pii(actor, order):
            rows.append(audit.pii_view_entry(actor=actor, obj=order, fields=NAME_FIELDS))
        audit.record_entries(rows)
    return order


def _site(customer: Customer, address: str, lat, lng):
    msg = _("Give the latitude and the longitude of the site in degrees, or neither.")
    if (lat is None) != (lng is None):
        raise ValidationFailed(msg, code="bad_location", fields={"site_lat": [msg]})
    site = geocoder().geocode(address, lat=lat, lng=lng)
    if lat is not None and site is None:
        raise ValidationFailed(msg, code="bad_location", fields={"site_lat": [msg]})
    if site is None and not address.strip():
        home = customer.addresses.filter(is_default=True, lat__isnull=False).only("lat", "lng").first()
        site = geocoder().geocode(str(home), lat=home.lat, lng=home.lng) if home else None
    return site


def _job(order: WorkOrder, unit, plan, site) -> Job:
    """The new order as the dispatch rules see it (its on-site deadline from the SLA plan)."""
    line = unit.model.line if unit is not None else None
    onsite = next((c.due_at for c in (plan.clocks if plan else []) if c.clock == "onsite"), None)
    return Job(
        region=order.customer.region,
        product_line_id=line.pk if line else None,
        product_line_label=line.label if line else "",
        service_type=order.service_type,
        urgent=order.priority == Priority.URGENT,
        deadline=onsite,
        location=site,
    )


def warranty_check(unit, *, on) -> dict:
    """The warranty period of the unit's main component on the day of the request (the
    decision itself, which needs the cause, is taken at assessment)."""
    decision = main_coverage(unit, on=on, cause=Cause.DEFECT)
    return {
        "in_period": decision.covered,
        "until": decision.end.isoformat() if decision.end else None,
        "reason": decision.reason,
    }
