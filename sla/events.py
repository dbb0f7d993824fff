"""Domain events the SLA engine publishes (``core.events``)."""

import datetime as dt
from dataclasses import dataclass

from core import events


@events.event
@dataclass(frozen=True)
class ClockBreached(events.DomainEvent):
    """A running clock passed its deadline (found by the minute scan); ``case`` is the case
    type's code (``sla.models.CaseKind``), ``subject_id`` the case's id."""

    name = "sla.clock_breached"
    case: str
    subject_id: int
    clock: str
    due_at: dt.datetime
