"""The console's order page and the printable repair report."""

from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import render
from django.utils import timezone

from accounts.roles import can
from core.errors import NotFound

from .. import selectors
from ..choices import Coverage, QuoteStatus, Status
from ..dispatching import order_verdicts
from ..forms import AssignForm, assignment_choices
from ..presenters import log_pii_view, order_summary
from .access import console
from .outcomes import wants_partial
from .panels import FINISHED, blank_form, common_context

QUOTE_CLOSED = FINISHED | {Status.RESOLVED, Status.ACCEPTED}
VERDICTS_SHOWN = 30  # engineers listed with their reasons under the assignment form


def load_order(request, order_id: int) -> selectors.OrderDetail:
    """The order's detail if the user may see it; a missing and a forbidden order are both 404."""
    try:
        return selectors.work_order_detail(actor=request.user, order_id=order_id)
    except NotFound:
        raise Http404 from None


def console_forms(order, user) -> dict:
    """The desk's forms: assignment, quote, quote decisions, replacement."""
    open_order = order.status not in FINISHED
    can_assign = can(user, "order.assign") and open_order
    can_quote = can(user, "order.quote") and order.coverage == Coverage.PAID and order.status not in QUOTE_CLOSED
    can_replace = can(user, "order.replace") and open_order and order.unit_id is not None
    context = {
        "can_assign": can_assign,
        "can_quote": can_quote,
        "can_decide": can(user, "order.assign"),
        "can_replace": can_replace,
        "can_approve_special": can(user, "replacement.approve_special"),
        "replacements": selectors.replacements_of(order),
    }
    if can_assign:
        local = timezone.localtime(order.appointment_at) if order.appointment_at else None
        engineers, departments = assignment_choices()
        context["assign_form"] = AssignForm(
            engineers=engineers,
            departments=departments,
            initial={"assignee": order.assignee_id, "appointment_at": local, "version": order.version},
        )
        verdicts = order_verdicts(order, starts=order.appointment_at)[:VERDICTS_SHOWN]
        context["verdicts"] = verdicts
        context["eligible_count"] = sum(v.eligible for v in verdicts)
    if can_quote:
        context["quote_fields"] = blank_form("quote")
    if can_replace:
        context["replacement_fields"] = blank_form("replacement", can_approve_special=context["can_approve_special"])
    return context


@console
def detail(request, order_id: int):
    detail = load_order(request, order_id)
    context = common_context(detail, request.user)
    context.update(console_forms(detail.order, request.user))
    context["page"] = "console"
    template = "service/partials/order.html" if wants_partial(request) else "service/detail.html"
    return render(request, template, context)


@login_required
def report_print(request, order_id: int):
    """The repair report to print or save as PDF: anyone who can see the order (customers too).
    An export: phone and address masked for staff (``order_summary``), the customer's own in full."""
    detail = load_order(request, order_id)
    order = detail.order
    paid_quote = detail.quote_in(QuoteStatus.APPROVED) if order.coverage == Coverage.PAID else None
    log_pii_view(request.user, order)
    context = {
        "order": order,
        "data": order_summary(order, request.user),
        "report": detail.report,
        "report_parts": detail.parts,
        "quote": paid_quote,
        "acceptance": detail.acceptance,
        "printed_at": timezone.now(),
    }
    return render(request, "service/report_print.html", context)
