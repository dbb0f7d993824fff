"""Personal data per app: the registry of export and erasure handlers.

The PIPL procedures (``customers.pipl``) know only the customer's own tables and a generic
walk over foreign keys; every other app says what it holds about a person by registering a
``Handler`` in its ``AppConfig.ready``::

    def ready(self):
        from core.pii import register

        from .pii import WORK_ORDERS

        register(WORK_ORDERS)

A handler's hooks are called with the customer and a ``Context``, in ``order`` (ties in the
order of registration), inside the erasure's transaction:

- ``export(customer, ctx)`` returns the section stored under ``key`` in the export;
- ``values(customer, ctx)`` gives the person's identifying strings held by the app (names,
  phones, addresses…), which erasure removes from every linked row and the audit log;
- ``linked(customer, ctx)`` gives rows that belong to the person but are not reached through
  foreign keys (``{model: ids}``); they are scrubbed, not walked from;
- ``erase(customer, ctx)`` puts ``PLACEHOLDER`` into the app's known personal fields and
  replaces customer-written free text whole; it runs before the generic scrub;
- ``after_scrub(customer, ctx)`` runs after the scrub and the files' erasure (closing what
  must not be used again, such as the login);
- ``skip_models`` are tables the walk never enters, ``skip_edges`` the ``(model, field)``
  foreign keys it does not follow (e.g. a unit may have had other owners).
"""

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from django.core.exceptions import FieldDoesNotExist, ImproperlyConfigured
from django.db import models

PLACEHOLDER = "已删除"


def _unchanged(value):
    return value


@dataclass
class Context:
    """What the handlers share during one export or erasure."""

    user: models.Model | None  # the person's portal login, if any
    linked: dict[type[models.Model], set] = field(default_factory=dict)  # every row of the person
    scrub: Callable[[Any], Any] = _unchanged  # removes the person's values (erasure only)


Hook = Callable[[models.Model, Context], Any]


@dataclass(frozen=True)
class Handler:
    key: str
    order: int
    export: Hook | None = None
    values: Callable[[models.Model, Context], Iterable[str]] | None = None
    linked: Callable[[models.Model, Context], Mapping[type[models.Model], Iterable]] | None = None
    erase: Hook | None = None
    after_scrub: Hook | None = None
    skip_models: frozenset = frozenset()
    skip_edges: frozenset = frozenset()

    def __post_init__(self):
        object.__setattr__(self, "skip_models", frozenset(self.skip_models))
        object.__setattr__(self, "skip_edges", frozenset(self.skip_edges))


_handlers: dict[str, Handler] = {}


def register(handler: Handler) -> Handler:
    """Add ``handler``; a second, different handler under the same key is refused."""
    existing = _handlers.get(handler.key)
    if existing is not None:
        if existing == handler:  # the same app made ready again
            return handler
        raise ImproperlyConfigured(f"A personal-data handler named {handler.key!r} is already registered.")
    for model, name in handler.skip_edges:
        try:
            edge = model._meta.get_field(name)
        except FieldDoesNotExist:
            edge = None
        if edge is None or not edge.is_relation:
            raise ImproperlyConfigured(f"{handler.key!r}: {model._meta.label}.{name} is not a foreign key.")
    _handlers[handler.key] = handler
    return handler


def unregister(key: str) -> None:
    _handlers.pop(key, None)


def handlers() -> list[Handler]:
    return sorted(_handlers.values(), key=lambda h: h.order)


def skip_models() -> set[type[models.Model]]:
    return {m for h in _handlers.values() for m in h.skip_models}


def skip_edges() -> set[tuple[type[models.Model], str]]:
    return {e for h in _handlers.values() for e in h.skip_edges}


# ---------------------------------------------------------------- the export's vocabulary


def fields_of(obj, names) -> dict:
    return {name: getattr(obj, name) for name in names}


def document_summary(doc) -> dict | None:
    """An uploaded file as the export shows it (``core.models.Document`` or None)."""
    if doc is None:
        return None
    return {
        "id": doc.pk,
        "name": doc.original_name,
        "content_type": doc.content_type,
        "size": doc.size,
        "sha256": doc.sha256,
        "uploaded_at": doc.uploaded_at,
        "has_file": bool(doc.file),
    }
