"""Domain events between apps: named, typed, delivered after the publisher's transaction commits.

An app that wants others to react to something declares an event class (a frozen dataclass
subclassing :class:`DomainEvent`, with a unique ``name``) in its own ``events.py`` and
publishes instances from its services::

    events.publish(AcceptanceRefused(order_id=order.pk, actor_id=actor.pk, comment=comment))

Another app subscribes in its ``AppConfig.ready``::

    events.subscribe(AcceptanceRefused, open_complaint_for_refusal)

The publisher never imports a subscriber, so reactions run against the layers only through
this module. Delivery rules:

- Inside a transaction, subscribers run once it commits (``transaction.on_commit``); a
  rolled-back transaction delivers nothing. Outside a transaction they run at once.
- Subscribers run in registration order, each in its own transaction, so one failing
  subscriber neither undoes the publisher's work (already committed) nor the other
  subscribers'. A failure is logged with the event and re-raised only when
  ``EVENTS_RAISE`` is set (the tests set it, so a broken subscriber fails its test).
- Delivery runs in the publishing process right after the commit, without an outbox table: a
  process killed between its commit and the delivery loses that reaction (the publisher's
  own change is kept). A reaction that must never be missed needs an outbox and a retry job.
- Django signals are not used for business reactions: they fire inside ``save()``, before
  the transaction is decided, and hide who reacts to what.
"""

import logging
from collections import defaultdict
from collections.abc import Callable
from dataclasses import asdict, dataclass
from typing import ClassVar, TypeVar

from django.conf import settings
from django.db import DEFAULT_DB_ALIAS, transaction

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class DomainEvent:
    """Base of every event; subclasses add their fields (ids and plain values, not model objects)."""

    name: ClassVar[str] = ""

    def as_dict(self) -> dict:
        return {"event": self.name, **asdict(self)}


E = TypeVar("E", bound=DomainEvent)
Handler = Callable[[E], None]

_EVENTS: dict[str, type[DomainEvent]] = {}
_SUBSCRIBERS: dict[type[DomainEvent], list[Handler]] = defaultdict(list)


def event(cls: type[E]) -> type[E]:
    """Class decorator: register an event type under its unique ``name``."""
    if not cls.name:
        raise TypeError(f"{cls.__qualname__} needs a name")
    known = _EVENTS.get(cls.name)
    if known is not None and known is not cls:
        raise ValueError(f"Two events are named {cls.name!r}: {known.__qualname__} and {cls.__qualname__}")
    _EVENTS[cls.name] = cls
    return cls


def registered() -> dict[str, type[DomainEvent]]:
    """Every declared event type by name."""
    return dict(_EVENTS)


def subscribe(event_type: type[E], handler: Handler) -> None:
    """Call ``handler(event)`` for every published ``event_type``; subscribing twice is a no-op."""
    if _EVENTS.get(event_type.name) is not event_type:
        raise ValueError(f"{event_type.__qualname__} is not a registered event (use @events.event)")
    handlers = _SUBSCRIBERS[event_type]
    if handler not in handlers:
        handlers.append(handler)


def unsubscribe(event_type: type[E], handler: Handler) -> None:
    handlers = _SUBSCRIBERS.get(event_type, [])
    if handler in handlers:
        handlers.remove(handler)


def subscribers(event_type: type[DomainEvent]) -> list[Handler]:
    return list(_SUBSCRIBERS.get(event_type, ()))


def publish(evt: DomainEvent, *, using: str = DEFAULT_DB_ALIAS) -> None:
    """Deliver ``evt`` to its subscribers once the current transaction commits."""
    if _EVENTS.get(evt.name) is not type(evt):
        raise ValueError(f"{type(evt).__qualname__} is not a registered event (use @events.event)")
    if not _SUBSCRIBERS.get(type(evt)):
        return
    transaction.on_commit(lambda: deliver(evt), using=using)


def deliver(evt: DomainEvent) -> None:
    """Run every subscriber of ``evt`` now, each in its own transaction."""
    for handler in subscribers(type(evt)):
        try:
            with transaction.atomic():
                handler(evt)
        except Exception:
            log.exception("Subscriber %s failed on %s", getattr(handler, "__qualname__", handler), evt.as_dict())
            if getattr(settings, "EVENTS_RAISE", False):
                raise
