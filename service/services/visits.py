"""On-site visits: the assigned engineer checks in on arrival and out on departure.

A check-in or check-out is an event on the order's timeline (``check_in`` / ``check_out``) with
the time and, when the phone gave one, the location (``{"lat": …, "lng": …}`` in the payload),
and an audit row. Checking in on a scheduled order also starts the work: it takes the
workflow's ``start`` transition at the same moment, which is the action that meets the on-site
SLA clock (``service.workflow``: ``start`` meets ``onsite``) and starts the fix clock. Checking in
again later (a second visit: in service, waiting, or resolved to collect the signature) only
records the visit. One visit at a time: a check-in needs the last visit closed, a check-out an
open one.
"""

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import Conflict, Forbidden, ValidationFailed

from ..choices import EventType, Status
from ..models import WorkOrder, WorkOrderEvent
from .transitions import work_order_get_for_update, work_order_transition

STARTS_WORK = frozenset({Status.SCHEDULED})
REVISIT = frozenset({Status.IN_SERVICE, Status.AWAITING_PARTS, Status.AWAITING_CUSTOMER, Status.RESOLVED})
CHECK_IN_STATES = STARTS_WORK | REVISIT


def parse_location(text: str | None) -> dict | None:
    """``"31.2304,121.4737"`` (latitude, longitude in degrees, as the phone gives them) → a dict;
    blank → ``None``; anything else is a 422 on ``location``."""
    text = (text or "").strip()
    if not text:
        return None
    msg = _("Give the location as latitude,longitude in degrees.")
    try:
        lat, lng = (Decimal(part.strip()) for part in text.split(","))
    except (ValueError, InvalidOperation):
        raise ValidationFailed(msg, code="bad_location", fields={"location": [msg]}) from None
    if not (lat.is_finite() and lng.is_finite() and -90 <= lat <= 90 and -180 <= lng <= 180):
        raise ValidationFailed(msg, code="bad_location", fields={"location": [msg]})
    return {"lat": float(round(lat, 6)), "lng": float(round(lng, 6))}


def last_visit(order: WorkOrder) -> WorkOrderEvent | None:
    return (
        WorkOrderEvent.objects.filter(order_id=order.pk, action__in=(EventType.CHECK_IN, EventType.CHECK_OUT))
        .order_by("-at", "-id")
        .first()
    )


def can_check_in(status: str, on_site: bool) -> bool:
    return not on_site and status in CHECK_IN_STATES


def _locked_for_visit(order_id: int, actor) -> WorkOrder:
    order = work_order_get_for_update(order_id=order_id, actor=actor)
    if order.assignee_id is None or order.assignee_id != actor.pk:
        raise Forbidden(_("Only the engineer assigned to the order checks in and out."), code="not_assignee")
    return order


def _record(order: WorkOrder, actor, action: str, at: dt.datetime, payload: dict) -> WorkOrderEvent:
    event = WorkOrderEvent.objects.create(
        order=order,
        actor=actor,
        action=action,
        from_status=order.status,
        to_status=order.status,
        payload=payload,
        at=at,
    )
    audit.record(actor=actor, action=str(action), obj=event, at=at)
    return event


def work_order_check_in(
    *, order_id: int, actor, location: str | None = None, now: dt.datetime | None = None
) -> WorkOrderEvent:
    """The assigned engineer arrives: a ``check_in`` event (time, optional location), and on a
    scheduled order the ``start`` transition (on-site clock met, work started) at the same time.
    409 ``already_on_site`` during a visit, ``check_in_not_possible`` in any other state."""
    where = parse_location(location)
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked_for_visit(order_id, actor)
        latest = last_visit(order)
        if latest is not None and latest.action == EventType.CHECK_IN:
            raise Conflict(_("You are already checked in on this order."), code="already_on_site")
        if order.status not in CHECK_IN_STATES:
            raise Conflict(
                _("Checking in is not possible while the order is “%(status)s”.")
                % {"status": order.get_status_display()},
                code="check_in_not_possible",
            )
        event = _record(order, actor, EventType.CHECK_IN, now, {"location": where} if where else {})
        if order.status in STARTS_WORK:
            work_order_transition(order_id=order.pk, action="start", actor=actor, now=now)
    return event


def work_order_check_out(
    *, order_id: int, actor, location: str | None = None, now: dt.datetime | None = None
) -> WorkOrderEvent:
    """The assigned engineer leaves: a ``check_out`` event with the minutes on site since the
    check-in. 409 ``not_on_site`` without an open visit. The order's state does not change."""
    where = parse_location(location)
    now = now or timezone.now()
    with transaction.atomic():
        order = _locked_for_visit(order_id, actor)
        latest = last_visit(order)
        if latest is None or latest.action != EventType.CHECK_IN:
            raise Conflict(_("You are not checked in on this order."), code="not_on_site")
        payload = {"minutes_on_site": max(int((now - latest.at).total_seconds() // 60), 0)}
        if where:
            payload["location"] = where
        return _record(order, actor, EventType.CHECK_OUT, now, payload)
