"""API bodies of the SLA engine shared by every case type's endpoints."""

import datetime as dt

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict

from core.dates import RULE, ApiDateTime

from .limits import HORIZON_YEARS, MAX_MINUTES, MAX_WORKING_DAYS


class ClockOut(BaseModel):
    # One clock of a case: a plain pydantic model, like the case bodies it is nested in (no
    # docstring: it would become the schema's description in the OpenAPI document).
    model_config = ConfigDict(from_attributes=True)

    clock: str = Field(description="response, onsite, resolution, fix, acknowledge, classify")
    clock_type: str = Field(description="calendar (24×7), business (working hours) or working_days")
    target: int = Field(description="Minutes; working days for working-day clocks.")
    state: str = Field(description="running, paused, met, breached or cancelled")
    started_at: dt.datetime
    due_at: dt.datetime | None
    original_due_at: dt.datetime | None = Field(description="The first deadline (differs after an extension or pause).")
    paused_at: dt.datetime | None
    paused_seconds: int = Field(description="Paused time so far, in the clock's own kind of time.")
    stopped_at: dt.datetime | None
    breached_at: dt.datetime | None
    at_risk: bool
    escalation_level: int = Field(description="0 none, 1 supervisors (at risk), 2 managers (breached)")
    provisional: bool = Field(description="Computed with the weekday rule: the year's official schedule is missing.")
    extended_at: dt.datetime | None
    extension_reason: str


class ExtensionIn(Schema):
    reason: str = Field(min_length=1, max_length=2000, description="Shown to the customer.")
    new_due_at: ApiDateTime | None = Field(
        default=None,
        description=f"The new deadline, at most {HORIZON_YEARS} years after the clock started. {RULE}",
    )
    extra: int | None = Field(
        default=None,
        ge=1,
        le=MAX_MINUTES,
        description="Or: extra time in the clock's own unit — minutes (calendar and business-hours "
        f"clocks, counted the same way as the clock; at most {MAX_MINUTES}) or working days (at most "
        f"{MAX_WORKING_DAYS}). The new deadline must lie within {HORIZON_YEARS} years after the clock started.",
    )


def clock_data(c) -> dict:
    """A clock as ``ClockOut``'s dict."""
    return {
        "clock": c.clock,
        "clock_type": c.clock_type,
        "target": c.amount,
        "state": c.state,
        "started_at": c.started_at,
        "due_at": c.due_at,
        "original_due_at": c.original_due_at,
        "paused_at": c.paused_at,
        "paused_seconds": c.paused_seconds,
        "stopped_at": c.stopped_at,
        "breached_at": c.breached_at,
        "at_risk": c.at_risk,
        "escalation_level": c.escalation_level,
        "provisional": c.provisional,
        "extended_at": c.extended_at,
        "extension_reason": c.extension_reason,
    }
