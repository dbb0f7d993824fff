"""API input and output shapes for work orders."""

import datetime as dt
from decimal import Decimal
from typing import Annotated

from ninja import Field, Schema
from pydantic import BaseModel, ConfigDict, StrictFloat

from core.dates import ApiDateTime
from core.pagination import cursor_json_schema
from products.warranty import Cause
from sla.schemas import ClockOut

from .choices import Channel, LineKind, Mode, Priority, ServiceType
from .replacement import ReplacementGround
from .workflow import WORK_ORDER

# Documented as an enum; the workflow refuses another name with 422 ``unknown_action``.
Action = Annotated[str, Field(max_length=30, json_schema_extra={"enum": [str(a) for a in WORK_ORDER.actions]})]

Short = Field(default="", max_length=120)


class ServiceRequestIn(Schema):
    fault_description: str = Field(min_length=1, max_length=5000)
    service_type: ServiceType = ServiceType.REPAIR
    priority: Priority = Priority.NORMAL
    channel: Channel | None = None
    mode: Mode = Mode.ONSITE
    customer_id: int | None = Field(default=None, ge=1, le=2**62)
    serial: str = Field(default="", max_length=60)
    contact_name: str = Field(default="", max_length=120)
    contact_phone: str = Field(default="", max_length=30)
    address: str = Field(default="", max_length=300)
    preferred_time: str = Field(default="", max_length=100)
    # StrictFloat: a JSON number only (an integer too), not true/false or a numeric string
    site_lat: StrictFloat | None = Field(
        default=None, ge=-90, le=90, description="The site's WGS-84 latitude (with site_lng)."
    )
    site_lng: StrictFloat | None = Field(
        default=None, ge=-180, le=180, description="The site's WGS-84 longitude (with site_lat)."
    )


class TransitionIn(Schema):
    action: Action
    note: str = Field(default="", max_length=5000)
    version: int | None = Field(default=None, description="Expected order version (optimistic lock).")
    cause: Cause | None = Field(default=None, description="For 'assess': the cause of the fault.")
    component: str = Field(
        default="",
        max_length=40,
        description="For 'assess': the failed component class's code; its period and causes decide (default: main).",
    )
    part: str = Field(default="", max_length=120, description="For 'assess': the failed part, where known.")
    part_serial: str = Field(
        default="",
        max_length=60,
        description="For 'assess': the failed part's serial (a part fitted earlier has its own warranty).",
    )


class AssignIn(Schema):
    """A partial update: a field left out stays as it is; an explicit null clears it."""

    assignee_id: int | None = Field(default=None, ge=1, le=2**62)
    appointment_at: ApiDateTime | None = None
    department_id: int | None = Field(default=None, ge=1, le=2**62)
    reason: str = Field(
        default="",
        max_length=500,
        description="Why: needed to override the dispatch rules (supervisors, managers) or for a visit "
        "after the on-site deadline; recorded on the assignment event.",
    )
    version: int | None = None


class QuoteLineIn(Schema):
    kind: LineKind = LineKind.OTHER
    description: str = Field(min_length=1, max_length=200)
    quantity: Decimal = Field(default=Decimal("1"), ge=0, le=Decimal("99999999"), decimal_places=2)
    unit_price: Decimal = Field(ge=0, le=Decimal("9999999999"), decimal_places=2)


class QuoteIn(Schema):
    lines: list[QuoteLineIn] = Field(min_length=1, max_length=100)
    plan: str = Field(default="", max_length=5000)
    estimated_hours: Decimal | None = Field(default=None, ge=0, le=10000, decimal_places=1)


class QuoteDecisionIn(Schema):
    approve: bool
    note: str = Field(default="", max_length=2000)


class PartIn(Schema):
    part_number: str = Field(default="", max_length=60)
    name: str = Field(default="", max_length=120)
    old_serial: str = Field(default="", max_length=60)
    new_serial: str = Field(default="", max_length=60)
    quantity: int = Field(default=1, ge=1, le=10000)


class ReportIn(Schema):
    cause: str = Field(min_length=1, max_length=5000)
    process: str = Field(min_length=1, max_length=5000)
    minutes_spent: int = Field(ge=0, le=100000)
    service_date: dt.date | None = None
    parts: list[PartIn] = Field(default_factory=list, max_length=100)
    version: int | None = Field(
        default=None, ge=1, le=2**31, description="Optimistic lock: the order's version as read"
    )


class AcceptanceIn(Schema):
    accepted: bool = True
    signer_name: str = Field(min_length=1, max_length=120)
    signature: str = Field(max_length=2_000_000, description="data:image/png;base64,… of the drawn signature")
    comment: str = Field(default="", max_length=5000)


class ReplacementIn(Schema):
    ground: ReplacementGround
    new_serial: str = Field(default="", max_length=60)
    new_model: str = Field(default="", max_length=40)
    new_colour: str = Field(default="", max_length=30, description="The new unit's colour, in Chinese.")
    new_colour_en: str = Field(default="", max_length=30, description="Its colour in English; empty: the Chinese.")
    is_return: bool = False
    manager_approved: bool = False
    approval_reason: str = Field(
        default="",
        max_length=2000,
        description="Required with `manager_approved` when neither the Three Guarantees nor the replacement rule allow it.",
    )
    goods_condition: str = Field(default="", max_length=300, description="For a return: the condition of the goods.")


class Out(BaseModel):
    """Response bodies. The presenters hand over plain dicts, so these are plain pydantic models:
    ninja's ``Schema`` wraps every nested object in a ``DjangoGetter`` (to read ORM attributes),
    which cost about 1 ms per order of a list page (profiled: docs/benchmarks.md)."""

    model_config = ConfigDict(from_attributes=True)


class Ref(Out):
    id: int
    name: str


class EventOut(Out):
    at: dt.datetime
    actor: str | None
    action: str
    from_status: str
    to_status: str
    note: str
    payload: dict


class QuoteLineOut(Out):
    kind: str
    description: str
    quantity: Decimal
    unit_price: Decimal
    amount: Decimal


class QuoteOut(Out):
    id: int
    status: str
    currency: str
    total: Decimal
    plan: str
    estimated_hours: Decimal | None
    lines: list[QuoteLineOut]
    decided_at: dt.datetime | None


class PartOut(Out):
    part_number: str
    name: str
    old_serial: str
    new_serial: str
    quantity: int


class ReportOut(Out):
    engineer: str
    service_date: dt.date
    cause: str
    process: str
    minutes_spent: int
    parts: list[PartOut]


class AcceptanceOut(Out):
    accepted: bool
    signer_name: str
    signed_at: dt.datetime
    signature_url: str | None
    comment: str


class SlaPolicyRef(Out):
    code: str
    name: str = Field(description="The policy's name in Chinese, as it was when the order came in.")
    name_en: str = Field(description="Its name in English (the Chinese name when no English one was given).")
    calendar: str


class WorkOrderOut(Out):
    id: int
    number: str
    status: str
    version: int
    customer: Ref
    contact_name: str
    contact_phone: str
    serial: str
    product_model: str | None
    service_type: str
    priority: str
    channel: str
    mode: str
    address: str
    assignee: Ref | None
    coverage: str
    coverage_reason: str
    cause: str
    due_at: dt.datetime | None
    created_at: dt.datetime
    updated_at: dt.datetime
    closed_at: dt.datetime | None
    sla_policy: SlaPolicyRef | None
    clocks: list[ClockOut]


class ActionOut(Out):
    """An action the caller's role may take in the order's state: ``allowed`` now, or not with
    the ``reason`` (translated) its guard gives, e.g. waiting for the quote's approval."""

    action: Action
    label: str
    allowed: bool
    reason: str


class WorkOrderDetailOut(WorkOrderOut):
    fault_description: str
    preferred_time: str
    appointment_at: dt.datetime | None
    allowed_actions: list[Action]
    actions: list[ActionOut]
    events: list[EventOut]
    quotes: list[QuoteOut]
    report: ReportOut | None
    acceptance: AcceptanceOut | None


class WorkOrderPage(Out):
    items: list[WorkOrderOut]
    next_cursor: Annotated[str, Field(json_schema_extra=cursor_json_schema())] | None


class ContactOut(Out):
    """A work order's contact details in full (``POST /work-orders/{id}/contact/reveal``)."""

    order_id: int
    contact_name: str
    contact_phone: str
    address: str
    email: str
