"""``/api/v1/analytics/``: the dashboard's KPIs (read side; back-office staff only)."""

import datetime as dt

from ninja import Field, Query, Router, Schema

from core.api import ERRORS

from . import dashboard, selectors

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


# --- the manager's dashboard --------------------------------------------------------------


class DashboardParams(Schema):
    received_from: dt.date | None = Field(
        default=None, description="First day (Asia/Shanghai); default: 29 days before `received_to`."
    )
    received_to: dt.date | None = Field(default=None, description="Last day, included; default: today.")
    days: int | None = Field(
        default=None, ge=1, le=dashboard.MAX_DAYS, description="The last N days up to today (without dates)."
    )
    region: str = Field(default="", max_length=60, description="The customer's region.")
    product_line: int | None = Field(default=None, ge=1, le=2**62)
    department: int | None = Field(default=None, ge=1, le=2**62)


class StatusFigure(Schema):
    status: str
    label: str
    count: int
    query: str = Field(description="The query string of `GET /work-orders` (and the console queue) for these orders.")


class DayFigure(Schema):
    day: dt.date
    count: int
    query: str


class AgeFigure(Schema):
    bucket: str = Field(description="Days since received, first-last (`31-`: over 30).")
    label: str
    count: int
    query: str = Field(description="Empty when the bucket lies outside the period.")


class ClockStateQueries(Schema):
    met: str
    breached: str
    pending: str


class ClockFigure(Schema):
    clock: str
    label: str
    met: int
    breached: int = Field(description="Stopped late, or still running past the deadline.")
    pending: int = Field(description="Running within the deadline, or paused.")
    compliance: float | None
    queries: ClockStateQueries


class SlaFigures(Schema):
    met: int
    breached: int
    compliance: float | None = Field(description="met / (met + breached); null when nothing is due yet.")
    by_clock: list[ClockFigure]


class TimeFigure(Schema):
    clock: str
    label: str
    count: int = Field(description="Clocks stopped (met or breached) with a stop time.")
    median_minutes: int | None = Field(description="Minutes from start to stop, median (nearest rank).")
    p90_minutes: int | None
    target_median_minutes: int | None = Field(description="Minutes allowed (deadline − start), median.")
    target_p90_minutes: int | None
    query: str


class OrderRow(Schema):
    id: int
    number: str
    status: str
    status_label: str
    priority: str
    due_at: dt.datetime | None
    department: str = Field(description="The team's name in Chinese.")
    department_en: str = Field(description="The team's name in English (the Chinese when no English one is given).")
    product_model: str = Field(description="The product model's name in Chinese.")
    product_model_en: str = Field(description="Its name in English (the Chinese when no English one is given).")


class DashboardOut(Schema):
    received_from: dt.date
    received_to: dt.date
    region: str
    product_line: int | None
    department: int | None
    received: int = Field(description="Orders received in the period.")
    received_query: str
    open: int = Field(description="Of these, still open.")
    open_query: str
    overdue: int = Field(description="Open past their next deadline.")
    overdue_query: str
    at_risk: int = Field(description="Open, not overdue, a running clock past its warning time.")
    at_risk_query: str
    by_status: list[StatusFigure]
    per_day: list[DayFigure]
    backlog: list[AgeFigure]
    sla: SlaFigures
    times: list[TimeFigure]
    overdue_orders: list[OrderRow] = Field(description=f"The first {dashboard.TOP} by deadline.")
    at_risk_orders: list[OrderRow]
    computed_at: dt.datetime


@router.get(
    "/analytics/dashboard", response={200: DashboardOut, **ERRORS}, summary="The manager's dashboard: every figure"
)
def dashboard_figures(request, params: Query[DashboardParams]):
    """Orders received in the period (Asia/Shanghai days; default the last 30) by state, per day and
    open by age; SLA compliance per clock; response and resolution times against their targets; the
    first overdue and at-risk orders. Each figure has the `GET /work-orders` query string of the
    orders behind it. Supervisors, managers, administrators and analysts (403 for others); read
    from the replica when one is configured."""
    filters = dashboard.parse_filters(**params.dict())
    return dashboard.dashboard(actor=request.user, filters=filters)
