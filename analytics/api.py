"""``/api/v1/analytics/``: the dashboard's KPIs (read side; back-office staff only)."""

import datetime as dt

from ninja import Field, Query, Router, Schema

from core.api import ERRORS

from . import selectors

router = Router(tags=["analytics"])


class KpiParams(Schema):
    month: str = Field(
        default="",
        max_length=7,
        description="YYYY-MM (2000-01 to 2100-12) in the service's time zone; default: this month. "
        "422 `bad_month` otherwise.",
        json_schema_extra={"pattern": selectors.MONTH_PATTERN},
    )


class StatusCount(Schema):
    status: str
    count: int


class ClockCompliance(Schema):
    clock: str
    met: int
    breached: int = Field(description="Stopped late, or still running past the deadline.")
    pending: int = Field(description="Running within the deadline, or paused: not counted yet.")
    compliance: float | None


class Compliance(Schema):
    met: int
    breached: int
    compliance: float | None = Field(description="met / (met + breached); null when nothing is due yet.")
    by_clock: list[ClockCompliance]


class ResponseTime(Schema):
    count: int = Field(description="Orders with a first response.")
    average_minutes: float | None


class KpiOut(Schema):
    month: str
    start: dt.datetime
    end: dt.datetime
    received: int = Field(description="Orders received in the month.")
    by_status: list[StatusCount] = Field(description="The received orders by their current status.")
    open: int
    sla: Compliance
    response: ResponseTime
    computed_at: dt.datetime


@router.get("/analytics/kpis", response={200: KpiOut, **ERRORS}, summary="Dashboard KPIs for a month")
def kpis(request, params: Query[KpiParams]):
    """Orders received in the month by current status, SLA compliance and the average first-response
    time, computed live (always current). Read from the replica when one is configured."""
    month = selectors.parse_month(params.month)
    return selectors.month_kpis(actor=request.user, month=month)
