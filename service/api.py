"""``/api/v1/`` endpoints for service requests and work orders."""

import datetime as dt
from typing import Annotated

from django.http import HttpResponse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _
from ninja import Field as NField
from ninja import Query, Router, Schema, Status

from core.api import ERRORS, json_body, read_json
from core.errors import NotFound
from core.pagination import CURSOR_MAX_LENGTH, cursor_json_schema
from sla import clocks
from sla.schemas import ClockOut, ExtensionIn, clock_data

from . import selectors, services
from .clocks import WORK_ORDER
from .filters import WorkOrderFilter
from .presenters import log_pii_view, order_detail, order_summary
from .schemas import (
    AcceptanceIn,
    AssignIn,
    ContactOut,
    QuoteDecisionIn,
    QuoteIn,
    QuoteOut,
    ReportIn,
    ServiceRequestIn,
    TransitionIn,
    WorkOrderDetailOut,
    WorkOrderPage,
)
from .workflow import assessment_data

router = Router(tags=["work orders"])


def _detail(request, order_id: int) -> dict:
    return order_detail(selectors.work_order_detail(actor=request.user, order_id=order_id), request.user)


def _detail_of_new(request, order) -> dict:
    """``GET /work-orders/{id}``'s body for the order this request has just created.

    Reading it back like GET costs eight queries, as much CPU as the intake itself (profiled:
    docs/benchmarks.md). Intake left everything in memory: the order with its customer, unit,
    model and SLA record, its events (create, and the automatic assignment) and its clocks; a
    new order has no quote, acceptance, document (this endpoint takes none) or report yet.
    ``test_the_201_body_is_the_detail`` (service/tests/test_query_counts.py) holds it to GET's body."""
    events = getattr(order, "new_events", None)
    if events is None:  # not fresh from intake (e.g. an idempotent replay)
        return _detail(request, order.pk)
    order.sla_clocks = order.new_clocks
    detail = selectors.OrderDetail(
        order=order, events=tuple(events), quotes=(), acceptances=(), documents=(), report=None, parts=()
    )
    return order_detail(detail, request.user, log_view=False)  # intake logged the view


@router.post("/service-requests", response={201: WorkOrderDetailOut, **ERRORS}, summary="Submit a service request")
def create_service_request(request, payload: ServiceRequestIn):
    """Creates a work order. Send an ``Idempotency-Key`` header so that a retry returns the
    same order instead of a duplicate (a different body with the same key is refused); like
    every write of the API, see core/idempotency.py."""
    # The order and the log of who is shown its contact data (this body) go in one commit;
    # the body itself is built after it, outside the write transaction.
    order = services.request_create(actor=request.user, shows_contact=True, **payload.dict())
    return Status(201, _detail_of_new(request, order))


class ListParams(Schema):
    status: list[str] = NField(default_factory=list)
    priority: str = ""
    service_type: str = ""
    channel: str = ""
    assignee: int | None = NField(default=None, ge=1, le=2**62)
    department: int | None = NField(default=None, ge=1, le=2**62)
    overdue: bool = False
    q: str = NField(default="", max_length=60)
    sort: str = NField(default="newest", pattern="^(newest|oldest|due)$")
    received_from: dt.date | None = NField(default=None, description="Received on or after this day (Asia/Shanghai).")
    received_to: dt.date | None = NField(default=None, description="Received on or before this day (Asia/Shanghai).")
    region: str = NField(default="", max_length=60, description="The customer's region.")
    product_line: int | None = NField(default=None, ge=1, le=2**62)
    open: bool = NField(default=False, description="In any open status.")
    at_risk: bool = NField(default=False, description="Open, not overdue, a running clock past its warning time.")
    clock: str = NField(default="", pattern="^(|response|onsite|resolution|fix)$")
    clock_state: str = NField(
        default="", pattern="^(|met|breached|pending|stopped)$", description="With `clock`: the clock's state."
    )
    clock_from: dt.date | None = NField(default=None, description="With `clock`: started on or after this day.")
    clock_to: dt.date | None = NField(default=None, description="With `clock`: started on or before this day.")
    cursor: Annotated[str, NField(max_length=CURSOR_MAX_LENGTH, json_schema_extra=cursor_json_schema())] | None = (
        NField(default=None, description="The previous page's `next_cursor`; 422 `bad_cursor` when it is not one.")
    )
    limit: int = NField(default=25, ge=1, le=100)


@router.get("/work-orders", response={200: WorkOrderPage, **ERRORS}, summary="List work orders")
def list_work_orders(request, params: Query[ListParams]):
    f = WorkOrderFilter(
        status=params.status,
        priority=params.priority,
        service_type=params.service_type,
        channel=params.channel,
        assignee=params.assignee,
        department=params.department,
        overdue=params.overdue,
        q=params.q,
        sort=params.sort,
        received_from=params.received_from,
        received_to=params.received_to,
        region=params.region.strip(),
        product_line=params.product_line,
        open=params.open,
        at_risk=params.at_risk,
        clock=params.clock,
        clock_state=params.clock_state,
        clock_from=params.clock_from,
        clock_to=params.clock_to,
    )
    rows, next_cursor = selectors.work_order_list(actor=request.user, f=f, cursor=params.cursor, size=params.limit)
    items = [order_summary(o, request.user) for o in rows]
    log_pii_view(request.user, list(rows))  # one audit row for the page
    return {"items": items, "next_cursor": next_cursor}


@router.get("/work-orders/{order_id}", response={200: WorkOrderDetailOut, **ERRORS}, summary="One work order")
def get_work_order(request, order_id: int):
    return _detail(request, order_id)


@router.post(
    "/work-orders/{order_id}/contact/reveal",
    response={200: ContactOut, **ERRORS},
    summary="Reveal the contact details of a work order",
)
def reveal_contact(request, order_id: int, response: HttpResponse):
    """Phone, address and e-mail in full; lists and the detail mask them for staff. For agents,
    supervisors, managers, the engineer assigned to the order and a complaint handler whose
    complaint about the customer is open (403 ``reveal_not_allowed`` for other roles). Every
    call is logged (``reveal_pii``) and the answer is not stored for an ``Idempotency-Key``
    retry: a retry reveals, and is logged, again."""
    contact = services.contact_reveal(actor=request.user, order_id=order_id)
    add_never_cache_headers(response)  # and core.idempotency keeps no copy of a no-store answer
    return {
        "order_id": contact.order.pk,
        "contact_name": contact.contact_name,
        "contact_phone": contact.contact_phone,
        "address": contact.address,
        "email": contact.email,
    }


@router.post("/work-orders/{order_id}/transitions", response={200: WorkOrderDetailOut, **ERRORS})
def transition(request, order_id: int, payload: TransitionIn):
    """Take an action from the transition table; 409 when the move is not possible now."""
    services.work_order_transition(
        order_id=order_id,
        action=payload.action,
        actor=request.user,
        note=payload.note,
        expected_version=payload.version,
        data=assessment_data(payload.cause, payload.component, payload.part, payload.part_serial),
    )
    return _detail(request, order_id)


@router.post(
    "/work-orders/{order_id}/clocks/{clock}/extension",
    response={200: ClockOut, **ERRORS},
    summary="Extend a deadline before it passes",
    tags=["SLA"],
    operation_id="sla_api_extend",
)
def extend_clock(request, order_id: int, clock: str, payload: ExtensionIn):
    """Only before the deadline passes (409 ``deadline_passed`` after), with a reason; the
    original deadline stays in ``original_due_at`` and the customer is notified. Agents,
    complaint handlers, supervisors, managers and admins."""
    if len(clock) > 20 or not 0 < order_id < 2**62:
        raise NotFound(_("This work order has no such clock."))
    c = clocks.extend(
        WORK_ORDER,
        subject_id=order_id,
        clock=clock,
        actor=request.user,
        reason=payload.reason,
        new_due_at=payload.new_due_at,
        extra=payload.extra,
    )
    return clock_data(c)


@router.post("/work-orders/{order_id}/assignment", response={200: WorkOrderDetailOut, **ERRORS})
def assign(request, order_id: int, payload: AssignIn):
    """A partial update: a field left out of the body stays as it is; an explicit ``null``
    clears it (``{"assignee_id": null}`` unassigns the engineer). A new engineer or time is
    checked by the dispatch rules (``GET …/eligible-engineers`` shows them): 422 ``not_eligible``
    with the broken rules, or ``reason_required`` (an override by a supervisor or manager, or a
    visit after the on-site deadline, needs ``reason``)."""
    sent = payload.model_fields_set
    services.work_order_assign(
        order_id=order_id,
        actor=request.user,
        **{f: getattr(payload, f) for f in ("assignee_id", "appointment_at", "department_id") if f in sent},
        reason=payload.reason,
        expected_version=payload.version,
    )
    return _detail(request, order_id)


@router.post("/work-orders/{order_id}/quotes", response={201: QuoteOut, **ERRORS})
def create_quote(request, order_id: int, payload: QuoteIn):
    quote = services.quote_create(
        order_id=order_id,
        actor=request.user,
        lines=[ln.dict() for ln in payload.lines],
        plan=payload.plan,
        estimated_hours=payload.estimated_hours,
    )
    return Status(201, _quote(quote))


@router.post("/quotes/{quote_id}/decision", response={200: QuoteOut, **ERRORS})
def decide_quote(request, quote_id: int, payload: QuoteDecisionIn):
    return _quote(
        services.quote_decide(quote_id=quote_id, actor=request.user, approve=payload.approve, note=payload.note)
    )


def _quote(quote) -> dict:
    return {
        "id": quote.pk,
        "status": quote.status,
        "currency": quote.currency,
        "total": quote.total,
        "plan": quote.plan,
        "estimated_hours": quote.estimated_hours,
        "decided_at": quote.decided_at,
        "lines": [
            {
                "kind": ln.kind,
                "description": ln.description,
                "quantity": ln.quantity,
                "unit_price": ln.unit_price,
                "amount": ln.amount,
            }
            for ln in quote.lines.all()
        ],
    }


@router.put("/work-orders/{order_id}/report", response={200: WorkOrderDetailOut, **ERRORS})
def save_report(request, order_id: int, payload: ReportIn):
    services.report_save(
        order_id=order_id,
        actor=request.user,
        cause=payload.cause,
        process=payload.process,
        minutes_spent=payload.minutes_spent,
        service_date=payload.service_date,
        parts=[p.dict() for p in payload.parts],
        expected_version=payload.version,
    )
    return _detail(request, order_id)


@router.post(
    "/work-orders/{order_id}/acceptance",
    response={200: WorkOrderDetailOut, **ERRORS},
    openapi_extra=json_body(AcceptanceIn),
)
def sign_acceptance(request, order_id: int):
    """The customer's signed acceptance (→ accepted) or refusal (→ reopened, opens a complaint).

    The order and the caller's right to sign for it are checked before the body (which carries
    the signature image) is read: a 404 or 403 without reading it. The order's state (409) is
    checked after the fields, before the signature is decoded."""
    services.acceptance_check(order_id=order_id, actor=request.user)
    payload = read_json(request, AcceptanceIn)
    services.acceptance_sign(
        order_id=order_id,
        actor=request.user,
        accepted=payload.accepted,
        signer_name=payload.signer_name,
        signature=payload.signature,
        comment=payload.comment,
    )
    return _detail(request, order_id)
