"""``/api/v1/`` endpoints of the SLA engine: deadline preview and clock extension.

(The extension endpoint lives here, beside the preview, and calls the work-order service
``service.clocks.clock_extend``: only this API module of ``sla`` imports from ``service``.)"""

import datetime as dt

from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema

from core.api import ERRORS
from core.errors import Forbidden, NotFound, ValidationFailed
from service.clocks import clock_extend
from service.presenters import clock_data
from service.schemas import ClockOut

from . import engine
from .models import SlaPolicy

router = Router(tags=["SLA"])


class PreviewParams(Schema):
    policy: str = Field(max_length=40, description="Policy code, e.g. standard, urgent, industrial, complaint.")
    start: str = Field(
        default="",
        max_length=40,
        description="ISO 8601 date-time the request comes in; without an offset it is read in the "
        "calendar's time zone (Asia/Shanghai). Default: now.",
    )


class PreviewClockOut(Schema):
    clock: str
    clock_type: str
    amount: int = Field(description="Minutes; working days for working-day clocks.")
    due_at: dt.datetime
    provisional: bool = Field(description="True when a year without a confirmed official schedule was used.")


class PreviewOut(Schema):
    policy: str
    calendar: str
    start: dt.datetime
    clocks: list[PreviewClockOut]


def _start(raw: str, tz) -> dt.datetime:
    if not raw.strip():
        return timezone.now().astimezone(tz)
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        msg = _("Enter a valid date and time (ISO 8601, e.g. 2026-09-30T10:00:00+08:00).")
        raise ValidationFailed(msg, fields={"start": [msg]})
    if timezone.is_naive(value):
        value = timezone.make_aware(value, tz)
    return value.astimezone(tz)


@router.get("/sla/preview", response={200: PreviewOut, **ERRORS}, summary="Deadlines a policy would give")
def preview(request, params: Query[PreviewParams]):
    """The deadline of every clock of ``policy`` for a request received at ``start``, in the
    policy's calendar (times in the calendar's zone). Staff only."""
    if request.user.is_customer:
        raise Forbidden()
    policy = SlaPolicy.objects.filter(code=params.policy).select_related("calendar").first()
    if policy is None:
        raise NotFound(_("Unknown SLA policy."))
    calendar = engine.calendar_for(policy=policy)
    compiled = engine.compile_calendar(calendar)
    start = _start(params.start, compiled.zone)
    try:
        rows = engine.preview(policy, start)
    except (ValueError, OverflowError):
        msg = _("No deadline can be computed from this date and time.")
        raise ValidationFailed(msg, fields={"start": [msg]}) from None
    return {
        "policy": policy.code,
        "calendar": calendar.code,
        "start": start,
        "clocks": [
            {
                "clock": r.clock,
                "clock_type": r.clock_type,
                "amount": r.amount,
                "due_at": r.due_at.astimezone(compiled.zone),
                "provisional": r.provisional,
            }
            for r in rows
        ],
    }


class ExtensionIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="Shown to the customer.")
    new_due_at: dt.datetime | None = Field(
        default=None, description="The new deadline; without an offset it is read as Asia/Shanghai."
    )
    extra: int | None = Field(
        default=None,
        ge=1,
        le=1_000_000,
        description="Or: extra time in the clock's own unit — minutes (calendar and business-hours "
        "clocks, counted the same way as the clock) or working days.",
    )


@router.post(
    "/work-orders/{order_id}/clocks/{clock}/extension",
    response={200: ClockOut, **ERRORS},
    summary="Extend a deadline before it passes",
)
def extend(request, order_id: int, clock: str, payload: ExtensionIn):
    """Only before the deadline passes (409 ``deadline_passed`` after), with a reason; the
    original deadline stays in ``original_due_at`` and the customer is notified. Agents,
    complaint handlers, supervisors, managers and admins."""
    if len(clock) > 20 or not 0 < order_id < 2**62:
        raise NotFound(_("This work order has no such clock."))
    c = clock_extend(
        order_id=order_id,
        clock=clock,
        actor=request.user,
        reason=payload.reason,
        new_due_at=payload.new_due_at,
        extra=payload.extra,
    )
    return clock_data(c)
