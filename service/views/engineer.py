"""The field engineer's view, made for a phone: my orders, and one order to work on."""

from django.shortcuts import render

from core.errors import DomainError

from .. import selectors
from ..choices import OPEN_STATUSES, Status
from ..filters import WorkOrderFilter
from .access import engineer_only
from .detail import load_order
from .outcomes import wants_partial
from .panels import common_context
from .queue import rows_for

OPEN_PAGE = 25
DONE_PAGE = 10


@engineer_only
def engineer(request):
    """Orders assigned to me: the open ones first (oldest first), then the finished ones."""
    user = request.user
    mine_open = WorkOrderFilter(status=sorted(OPEN_STATUSES), assignee=user.pk, sort="oldest")
    mine_done = WorkOrderFilter(status=[Status.CLOSED, Status.CANCELLED], assignee=user.pk, sort="newest")
    status = 200
    try:
        open_rows, open_next = selectors.work_order_list(
            actor=user, f=mine_open, cursor=request.GET.get("cursor") or None, size=OPEN_PAGE
        )
        done_rows, done_next = selectors.work_order_list(
            actor=user, f=mine_done, cursor=request.GET.get("done") or None, size=DONE_PAGE
        )
    except DomainError as exc:
        open_rows, open_next, done_rows, done_next, status = [], None, [], None, 400
        error = exc.message
    else:
        error = None
    context = {
        "open_rows": rows_for(open_rows, user),
        "done_rows": rows_for(done_rows, user),
        "open_next": open_next,
        "done_next": done_next,
        "paged": bool(request.GET.get("cursor") or request.GET.get("done")),
        "error": error,
    }
    template = "service/partials/engineer_list.html" if wants_partial(request) else "service/engineer.html"
    return render(request, template, context, status=status)


@engineer_only
def engineer_order(request, order_id: int):
    """One of my orders: 404 for an order assigned to someone else."""
    context = common_context(load_order(request, order_id), request.user)
    context["page"] = "engineer"
    template = "service/partials/engineer_order.html" if wants_partial(request) else "service/engineer_order.html"
    return render(request, template, context)
