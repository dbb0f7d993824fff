"""``/api/v1/`` dispatch reads of a work order: who can take it, and why (docs/dispatch.md)."""

from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from accounts.roles import can
from core.api import ERRORS
from core.dates import ApiDateTime, checked
from core.errors import Forbidden, NotFound

from .dispatching import order_verdicts
from .permissions import visible_to

router = Router(tags=["dispatch"])
LIMIT = 200  # engineers judged per call


class EligibilityQuery(Schema):
    appointment_at: ApiDateTime | None = None


class EligibilityReasonOut(Schema):
    rule: str = Field(
        description="active, auto, area, skill, certificate, leave, shift, capacity, daily, deadline, distance"
    )
    ok: bool
    warning: bool = Field(description="Not a rule: the assignment needs a reason (a visit after the on-site deadline).")
    info: bool = Field(description="Explanation only (distance from the home base).")
    message: str = Field(description="Why, in the caller's language.")


class EligibleEngineerOut(Schema):
    id: int
    name: str
    eligible: bool
    open_orders: int
    distance_km: float | None
    reasons: list[EligibilityReasonOut]


class EligibleEngineersOut(Schema):
    order_id: int
    appointment_at: ApiDateTime | None
    engineers: list[EligibleEngineerOut]


@router.get("/work-orders/{order_id}/eligible-engineers", response={200: EligibleEngineersOut, **ERRORS})
def eligible_engineers(request, order_id: int, params: Query[EligibilityQuery]):
    """Every field engineer judged by the dispatch rules for this order — at ``appointment_at``
    if given, else as soon as possible before the on-site deadline: eligible ones first, in the
    order automatic assignment would pick them, each with the reasons ("why this engineer" /
    "why not"). For those who may assign orders (agents, technical support, supervisors,
    managers); an order they cannot see is a 404."""
    if not 0 < order_id < 2**62:
        raise NotFound(_("Work order not found."))
    order = visible_to(request.user).select_related("customer", "product_model__line").filter(pk=order_id).first()
    if order is None:
        raise NotFound(_("Work order not found."))
    if not can(request.user, "order.assign"):
        raise Forbidden()
    starts = checked(params.appointment_at, field="appointment_at")
    verdicts = order_verdicts(order, starts=starts)[:LIMIT]
    return {
        "order_id": order.pk,
        "appointment_at": starts,
        "engineers": [
            {
                "id": v.engineer.id,
                "name": v.engineer.name,
                "eligible": v.eligible,
                "open_orders": v.engineer.open_orders,
                "distance_km": round(v.distance_km, 1) if v.distance_km is not None else None,
                "reasons": [
                    {"rule": r.rule, "ok": r.ok, "warning": r.warning, "info": r.info, "message": r.message}
                    for r in v.reasons
                ],
            }
            for v in verdicts
        ],
    }
