"""Domain events the complaint publishes (``core.events``)."""

from dataclasses import dataclass

from core import events
from core.workflow import Move


@events.event
@dataclass(frozen=True)
class ComplaintOpened(events.DomainEvent):
    name = "complaints.complaint_opened"
    complaint_id: int
    customer_id: int
    order_id: int | None
    source: str


@events.event
@dataclass(frozen=True)
class ComplaintClosed(events.DomainEvent):
    """Later modules react: the satisfaction survey after a closed complaint (SPEC §5–6)."""

    name = "complaints.complaint_closed"
    complaint_id: int
    customer_id: int
    actor_id: int | None

    @classmethod
    def from_move(cls, move: Move):
        c = move.subject
        return cls(complaint_id=c.pk, customer_id=c.customer_id, actor_id=getattr(move.actor, "pk", None))
