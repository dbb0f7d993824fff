"""``GET /api/v1/units/{serial}/entitlements``: the Three Guarantees remedies of a unit on a date."""

import datetime as dt

from django.utils import timezone
from ninja import Field, Router, Schema

from core.api import ERRORS
from core.dates import ApiDate
from products.guarantees import Remedy
from products.selectors import unit_visible_to

from .warranty import entitlements_view, unit_entitlements

router = Router(tags=["units"])


class ReasonOut(Schema):
    code: str
    text: str


class RemedyOut(Schema):
    remedy: Remedy
    label: str
    reason: ReasonOut
    until: dt.date | None = Field(description="The last day this remedy can be claimed on this ground.")


class RepairRecordOut(Schema):
    fault: str = Field(description="The failed component class's code (``main`` when none was named).")
    received: dt.date
    returned: dt.date | None
    days_in_repair: int
    parts_wait_days: int


class EntitlementsOut(Schema):
    serial: str
    on: dt.date
    applies: bool = Field(description="False when the product line is outside the Three Guarantees.")
    remedies: list[RemedyOut]
    notes: list[ReasonOut]
    sale_date: dt.date | None
    period_start: dt.date | None = Field(description="The sale, or the last exchange (the period restarts).")
    return_ends: dt.date | None
    exchange_ends: dt.date | None
    period_ends: dt.date | None = Field(description="The Three Guarantees period's last day, repair days added.")
    deducted_days: int
    online_return_ends: dt.date | None
    repairs: list[RepairRecordOut]
    exchanges: list[dt.date]


@router.get(
    "/units/{serial}/entitlements",
    response={200: EntitlementsOut, **ERRORS},
    summary="Three Guarantees remedies of a unit",
)
def unit_entitlements_view(request, serial: str, on: ApiDate | None = None):
    """The remedies (return / exchange / repair) a performance fault of the unit is owed on ``on``
    (default today) under the Three Guarantees (三包) rules of its product line, each with its
    reason and last day; the days in repair deducted and the periods' ends. The sale date,
    repairs and exchanges come from the archive and the work orders (docs/warranty.md).
    Customers see their own units only; an unknown or another's serial is 404 ``unknown_serial``."""
    unit = unit_visible_to(request.user, serial)
    on = on or timezone.localdate()
    return entitlements_view(unit_entitlements(unit, on=on), on)
