"""The complaint handler's work list and the quality specialist's review list (their homes)."""

import datetime as dt

from django.shortcuts import render
from django.utils import timezone

from accounts.roles import can
from core.audit import record_pii_view
from core.errors import DomainError
from core.masking import mask_name
from service import worklists
from service.views.access import capability
from service.views.queue import page_links

from . import selectors
from .forms import DEFAULT_DAYS, QualityForm, WorkListForm

PAGE = 25
CLOSED_SHOWN = 20


def customer_names(actor, complaints) -> None:
    """Set ``c.customer_name``: in full for the roles that need names (the page logged in one
    row), masked for the others."""
    clear = can(actor, "pii.view_unmasked")
    for c in complaints:
        c.customer_name = c.customer.name if clear else mask_name(c.customer.name)
    if clear and complaints:
        record_pii_view(actor=actor, obj=[c.customer for c in complaints], fields=["name"])


@capability("complaint.work")
def work_list(request):
    form = WorkListForm(request.GET)
    rows, next_cursor, status = [], None, 200
    if form.is_valid():
        data = form.cleaned_data
        f = selectors.WorkListFilter(status=data["status"], overdue=data["overdue"], mine=data["mine"])
        try:
            rows, next_cursor = selectors.complaint_work_list(
                actor=request.user, f=f, cursor=data["cursor"] or None, size=PAGE
            )
        except DomainError as exc:  # a tampered or stale cursor
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    customer_names(request.user, rows)
    context = {
        "form": form,
        "rows": rows,
        "counts": selectors.complaint_work_counts(actor=request.user),
        **page_links(request, next_cursor),
    }
    return render(request, "complaints/work_list.html", context, status=status)


@capability("quality.review")
def quality(request):
    form = QualityForm(request.GET or None)
    days = DEFAULT_DAYS
    orders, next_cursor, status = [], None, 200
    valid = not form.is_bound or form.is_valid()
    if form.is_bound and valid:
        days = form.cleaned_data["days"]
    since = timezone.now() - dt.timedelta(days=days)
    if valid:
        cursor = form.cleaned_data["cursor"] if form.is_bound else ""
        try:
            orders, next_cursor = worklists.quality_orders(
                actor=request.user, since=since, cursor=cursor or None, size=PAGE
            )
        except DomainError as exc:
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    closed, closed_count = selectors.complaints_closed_since(actor=request.user, since=since, limit=CLOSED_SHOWN)
    context = {
        "form": form,
        "days": days,
        "orders": orders,
        "order_count": worklists.quality_order_count(actor=request.user, since=since),
        "closed": closed,
        "closed_count": closed_count,
        **page_links(request, next_cursor),
    }
    return render(request, "complaints/quality.html", context, status=status)
