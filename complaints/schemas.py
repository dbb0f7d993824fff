"""API input and output shapes of complaints (docs/api.md, docs/complaints.md)."""

import datetime as dt
from typing import Annotated

from ninja import Field, Schema

from core.dates import ApiDateTime
from core.pagination import cursor_json_schema
from service.schemas import EventOut, Out, Ref
from sla.schemas import ClockOut, ExtensionIn

from .choices import Category, ServiceAspect
from .workflow import COMPLAINT

Action = Annotated[str, Field(max_length=30, json_schema_extra={"enum": [str(a) for a in COMPLAINT.actions]})]
Id = Annotated[int, Field(ge=1, le=2**62)]


class ComplaintIn(Schema):
    customer_id: Id = Field(description="A customer token may name only its own customer (else 404).")
    channel: str = Field(
        default="api",
        max_length=20,
        description="Staff: phone, email or api; a customer: api or portal.",
    )
    description: str = Field(min_length=1, max_length=5000)
    serial: str = Field(default="", max_length=60, description="A unit of this customer (products' archive).")
    order_id: Id | None = Field(default=None, description="A work order of this customer.")
    category: Category | None = Field(
        default=None, description="As the caller sees it; the handler's classification decides."
    )
    received_at: ApiDateTime | None = Field(
        default=None, description="Staff only: when it was received (default now; never in the future)."
    )


class ComplaintTransitionIn(Schema):
    action: Action
    note: str = Field(default="", max_length=5000)
    version: int | None = Field(default=None, description="Expected complaint version (optimistic lock).")
    category: Category | None = Field(default=None, description="For 'classify'.")
    service_aspect: ServiceAspect | None = Field(default=None, description="For 'classify' of a service complaint.")
    major: bool = Field(default=False, description="For 'classify': a major complaint.")
    owner_id: Id | None = Field(default=None, description="For 'classify': the owner; null routes automatically.")
    measures: str = Field(default="", max_length=5000, description="For 'resolve': measures taken.")
    result: str = Field(default="", max_length=5000, description="For 'resolve': the result.")
    follow_up: str = Field(default="", max_length=5000, description="For 'resolve': the follow-up.")


class ComplaintExtensionIn(ExtensionIn):
    clock: str = Field(default="resolution", max_length=20, description="acknowledge, classify or resolution.")


class ComplaintActionOut(Out):
    """An action the caller's role may take in the complaint's state: ``allowed`` now, or not
    with the ``reason`` (translated) its guard gives."""

    action: Action
    label: str
    allowed: bool
    reason: str


class ComplaintOut(Out):
    id: int
    number: str
    status: str
    version: int
    customer: Ref
    channel: str
    category: str
    service_aspect: str
    major: bool
    owner: Ref | None
    department: str | None
    order_id: int | None
    serial: str | None
    received_at: dt.datetime
    due_at: dt.datetime | None
    callback_at: dt.datetime | None
    resolved_at: dt.datetime | None
    closed_at: dt.datetime | None
    clocks: list[ClockOut]


class ComplaintDetailOut(ComplaintOut):
    description: str
    measures: str
    result: str
    follow_up: str
    actions: list[ComplaintActionOut]
    events: list[EventOut]


class ComplaintPage(Out):
    items: list[ComplaintOut]
    next_cursor: Annotated[str, Field(json_schema_extra=cursor_json_schema())] | None
