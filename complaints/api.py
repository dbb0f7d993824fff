"""``/api/v1/complaints`` (docs/api.md, docs/complaints.md)."""

import datetime as dt
from typing import Annotated

from django.utils import timezone
from django.utils.translation import gettext as _
from ninja import Field, Query, Router, Schema, Status

from core.api import ERRORS
from core.dates import FIRST_DAY, LAST_DAY, date_window_message
from core.errors import NotFound, ValidationFailed
from core.pagination import CURSOR_MAX_LENGTH, cursor_json_schema
from sla.schemas import ClockOut, clock_data

from . import selectors, services
from .choices import Category
from .choices import Status as ComplaintStatus
from .presenters import complaint_detail_data, complaint_summary
from .schemas import ComplaintDetailOut, ComplaintExtensionIn, ComplaintIn, ComplaintPage, ComplaintTransitionIn

router = Router(tags=["complaints"])
MAX_ID = 2**62


def _detail(request, complaint_id: int) -> dict:
    if not 0 < complaint_id < MAX_ID:
        raise NotFound(_("Complaint not found."))
    return complaint_detail_data(
        selectors.complaint_detail(actor=request.user, complaint_id=complaint_id), request.user
    )


@router.post("/complaints", response={201: ComplaintDetailOut, **ERRORS}, summary="File a complaint")
def create_complaint(request, payload: ComplaintIn):
    """Staff file for any customer (channel phone, email or api; ``received_at`` earlier than
    now for a complaint keyed in later, never in the future); a customer for itself only
    (another customer reads as 404; its receipt is now). Send an ``Idempotency-Key`` so that a
    retry returns the same complaint (core/idempotency.py)."""
    complaint = services.complaint_open(
        actor=request.user,
        customer_id=payload.customer_id,
        channel=payload.channel,
        description=payload.description,
        order_id=payload.order_id,
        serial=payload.serial,
        received_at=payload.received_at,
        category=payload.category or "",
    )
    return Status(201, _detail(request, complaint.pk))


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


class ComplaintListParams(Schema):
    status: list[ComplaintStatus] = Field(default_factory=list)
    category: Category | None = None
    owner: int | None = Field(default=None, ge=1, le=MAX_ID)
    overdue: bool = Field(default=False, description="Open, its next deadline passed.")
    customer: int | None = Field(default=None, ge=1, le=MAX_ID)
    order: int | None = Field(default=None, ge=1, le=MAX_ID)
    received_from: dt.date | None = Field(default=None, description="Received on or after this day (Asia/Shanghai).")
    received_to: dt.date | None = Field(default=None, description="Received on or before this day (Asia/Shanghai).")
    cursor: Annotated[str, Field(max_length=CURSOR_MAX_LENGTH, json_schema_extra=cursor_json_schema())] | None = Field(
        default=None, description="The previous page's `next_cursor`; 422 `bad_cursor` when it is not one."
    )
    limit: int = Field(default=25, ge=1, le=100)


@router.get("/complaints", response={200: ComplaintPage, **ERRORS}, summary="List complaints")
def list_complaints(request, params: Query[ComplaintListParams]):
    """Newest first, keyset-paginated; a customer sees its own. Two queries per page."""
    for day in (params.received_from, params.received_to):
        if day is not None and not FIRST_DAY <= day < LAST_DAY:
            raise ValidationFailed(date_window_message("received"))
    f = selectors.ApiFilter(
        status=tuple(params.status),
        category=params.category or "",
        owner=params.owner,
        overdue=params.overdue,
        customer=params.customer,
        order=params.order,
        received_from=_day_start(params.received_from) if params.received_from else None,
        received_to=_day_start(params.received_to + dt.timedelta(days=1)) if params.received_to else None,
    )
    rows, next_cursor = selectors.complaint_list(actor=request.user, f=f, cursor=params.cursor, size=params.limit)
    return {"items": [complaint_summary(c, request.user) for c in rows], "next_cursor": next_cursor}


@router.get("/complaints/{complaint_id}", response={200: ComplaintDetailOut, **ERRORS}, summary="One complaint")
def get_complaint(request, complaint_id: int):
    """With its clocks in the work order's shape, its timeline and the caller's actions."""
    return _detail(request, complaint_id)


@router.post(
    "/complaints/{complaint_id}/transitions", response={200: ComplaintDetailOut, **ERRORS}, summary="Move a complaint"
)
def transition(request, complaint_id: int, payload: ComplaintTransitionIn):
    """Take an action from the complaint's transition table (409 when not possible now;
    ``version`` for the optimistic lock). ``classify`` takes ``category`` (``service_aspect``
    for a service complaint), ``major`` and ``owner_id`` (null: routing picks); ``resolve``
    takes the result notice ``measures``, ``result``, ``follow_up`` (all required)."""
    if not 0 < complaint_id < MAX_ID:
        raise NotFound(_("Complaint not found."))
    sent = payload.model_fields_set
    data = {
        k: getattr(payload, k)
        for k in ("category", "service_aspect", "major", "owner_id", "measures", "result", "follow_up")
        if k in sent
    }
    services.complaint_transition(
        complaint_id=complaint_id,
        action=payload.action,
        actor=request.user,
        note=payload.note,
        data=data,
        expected_version=payload.version,
    )
    return _detail(request, complaint_id)


@router.post(
    "/complaints/{complaint_id}/extension",
    response={200: ClockOut, **ERRORS},
    summary="Extend a complaint's deadline before it passes",
)
def extend(request, complaint_id: int, payload: ComplaintExtensionIn):
    """A reason (shown to the customer, who is told) and either ``new_due_at`` or ``extra`` (the
    clock's unit); ``clock`` defaults to ``resolution``. 409 ``deadline_passed`` after the
    deadline. Agents, complaint handlers, supervisors, managers and admins."""
    c = services.complaint_extend(
        complaint_id=complaint_id,
        actor=request.user,
        reason=payload.reason,
        clock=payload.clock,
        new_due_at=payload.new_due_at,
        extra=payload.extra,
    )
    return clock_data(c)
