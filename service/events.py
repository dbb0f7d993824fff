"""Domain events the work order publishes (``core.events``); other apps subscribe in ``ready()``."""

import datetime as dt
from dataclasses import dataclass

from core import events
from core.workflow import Move


@dataclass(frozen=True)
class _OrderMoved(events.DomainEvent):
    order_id: int
    customer_id: int
    actor_id: int | None
    note: str
    at: dt.datetime | None = None  # when it happened (a subscriber's rows carry the same time)

    @classmethod
    def from_move(cls, move: Move):
        order = move.subject
        return cls(
            order_id=order.pk,
            customer_id=order.customer_id,
            actor_id=getattr(move.actor, "pk", None),
            note=move.note,
            at=move.at,
        )


@events.event
@dataclass(frozen=True)
class AcceptanceRefused(_OrderMoved):
    """The customer refused to accept the work (signed refusal); ``note`` is their reason."""

    name = "service.acceptance_refused"


@events.event
@dataclass(frozen=True)
class OrderClosed(_OrderMoved):
    name = "service.order_closed"


@events.event
@dataclass(frozen=True)
class OrderCancelled(_OrderMoved):
    name = "service.order_cancelled"
