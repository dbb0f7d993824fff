"""The agent console's work-order queue: filters, exact search, keyset pages."""

from django.shortcuts import render
from django.utils import timezone

from core.errors import DomainError
from core.policies import get_policy
from products.models import ProductLine

from .. import selectors
from ..choices import OPEN_STATUSES
from ..forms import QueueFilterForm, assignment_choices
from ..presenters import log_pii_view, order_summary
from .access import console
from .outcomes import wants_partial


def rows_for(orders, actor) -> list[dict]:
    """Each order with its role-masked summary (one masking rule, shared with the API)."""
    now = timezone.now()
    orders = list(orders)
    log_pii_view(actor, orders)
    return [
        {
            "order": o,
            "data": order_summary(o, actor),
            "overdue": bool(o.due_at and o.due_at < now and o.status in OPEN_STATUSES),
        }
        for o in orders
    ]


def page_links(request, next_cursor) -> dict:
    params = request.GET.copy()
    params.pop("cursor", None)
    first = params.urlencode()
    following = None
    if next_cursor:
        params["cursor"] = next_cursor
        following = params.urlencode()
    return {"first_qs": first, "next_qs": following, "is_first": not request.GET.get("cursor")}


def product_line_of(form):
    """The product line a dashboard drill-down filters by, to name it (read only when set)."""
    pk = form.to_filter().product_line if form.is_bound else None
    return ProductLine.objects.filter(pk=pk).first() if pk is not None else None


@console
def queue(request):
    default_size = int(get_policy("list.page_size"))
    engineers, departments = assignment_choices()
    form = QueueFilterForm(request.GET or None, engineers=engineers, departments=departments, default_size=default_size)
    if form.is_bound:
        form.is_valid()
    size = form.size_value or default_size
    status = 200
    try:
        orders, next_cursor = selectors.work_order_list(
            actor=request.user, f=form.to_filter(), cursor=form.cursor_value, size=size
        )
    except DomainError as exc:  # a cursor that was tampered with or is stale
        form.add_error(None, str(exc.message))
        orders, next_cursor, status = [], None, 400
    if form.is_bound and form.errors and status == 200:
        status = 400
    context = {
        "form": form,
        "rows": rows_for(orders, request.user),
        "product_line": product_line_of(form),
        **page_links(request, next_cursor),
    }
    template = "service/partials/queue_table.html" if wants_partial(request) else "service/queue.html"
    return render(request, template, context, status=status)
