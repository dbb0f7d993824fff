"""``/api/v1/`` endpoint for replacement and return under warranty."""

from ninja import Router

from core.api import ERRORS

from . import selectors
from .presenters import order_detail
from .schemas import ReplacementIn, WorkOrderDetailOut
from .services.replacement import replacement_create

router = Router(tags=["warranty"])


@router.post(
    "/work-orders/{order_id}/replacement",
    response={200: WorkOrderDetailOut, **ERRORS},
    operation_id="warranty_api_replace_unit",  # the id clients have generated code from
)
def replace_unit(request, order_id: int, payload: ReplacementIn):
    """Replace (or take back) the order's unit when the Three Guarantees owe it or the replacement
    rule allows it; otherwise only with a manager's approval and its reason (docs/warranty.md)."""
    replacement_create(
        order_id=order_id,
        actor=request.user,
        ground=payload.ground,
        new_serial=payload.new_serial,
        new_model_code=payload.new_model,
        new_colour=payload.new_colour,
        new_colour_en=payload.new_colour_en,
        is_return=payload.is_return,
        manager_approved=payload.manager_approved,
        approval_reason=payload.approval_reason,
        goods_condition=payload.goods_condition,
    )
    return order_detail(selectors.work_order_detail(actor=request.user, order_id=order_id), request.user)
