"""``/api/v1/`` endpoints of the SLA engine: the deadline preview. (A clock's extension is an
endpoint of its case type, e.g. ``service.api``, calling ``sla.clocks.extend``.)"""

import datetime as dt
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema
from pydantic import BeforeValidator

from core.api import ERRORS
from core.dates import RULE, ApiDateTime
from core.errors import Forbidden, NotFound, ValidationFailed

from . import engine
from .models import SlaPolicy

router = Router(tags=["SLA"])


class PreviewParams(Schema):
    policy: str = Field(max_length=40, description="Policy code, e.g. standard, urgent, industrial, complaint.")
    start: Annotated[ApiDateTime | None, BeforeValidator(lambda v: v or None)] = Field(
        default=None, description=f"The date-time the request comes in (default: now). {RULE}"
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
    start = (params.start or timezone.now()).astimezone(compiled.zone)
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
