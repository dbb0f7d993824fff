"""The field engineer's view, made for a phone: my day (docs/screens.md), and one order to work on."""

from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.idempotency import once_per_form
from sla.models import ClockName

from .. import selectors, services
from ..agenda import SECTIONS, area_of, engineer_agenda, map_links
from ..choices import EventType, Status
from ..filters import WorkOrderFilter
from ..forms import VisitForm
from ..presenters import log_pii_view, order_summary
from ..services.visits import can_check_in, last_visit
from .access import engineer_only
from .detail import load_order
from .outcomes import checked, done, refuse, wants_partial
from .panels import common_context, contact_box, label_of
from .queue import rows_for

DONE_PAGE = 10


def card(order, user) -> dict:
    """One order of the day as its card shows it: the masked summary, the area (city and
    district) with its map links, the nearest deadline, the contact box (reveal, logged) and
    which visit button applies."""
    area = area_of(order.address)
    return {
        "order": order,
        "data": order_summary(order, user),
        "area": area,
        "map": map_links(area),
        "deadline": order.deadline,
        "deadline_name": label_of(ClockName, order.deadline.clock) if order.deadline else "",
        "contact": contact_box(order, user),
        "check_in": can_check_in(order.status, order.on_site),
        "check_out": order.on_site,
    }


@engineer_only
def engineer(request):
    """My open orders in sections (overdue, today, upcoming, to schedule), then the finished ones."""
    user = request.user
    mine_done = WorkOrderFilter(status=[Status.CLOSED, Status.CANCELLED], assignee=user.pk, sort="newest")
    status, error = 200, None
    now = timezone.now()
    agenda = engineer_agenda(actor=user, now=now)
    orders = [o for s in SECTIONS for o in agenda.sections[s]]
    log_pii_view(user, orders)
    try:
        done_rows, done_next = selectors.work_order_list(
            actor=user, f=mine_done, cursor=request.GET.get("done") or None, size=DONE_PAGE
        )
    except DomainError as exc:  # a cursor that was tampered with or is stale
        done_rows, done_next, status, error = [], None, 400, exc.message
    sections = [{"key": key, "cards": [card(o, user) for o in agenda.sections[key]]} for key in SECTIONS]
    context = {
        "sections": sections,
        "truncated": agenda.truncated,
        "today": timezone.localdate(now),
        "done_rows": rows_for(done_rows, user),
        "done_next": done_next,
        "paged": bool(request.GET.get("done")),
        "error": error,
    }
    template = "service/partials/engineer_list.html" if wants_partial(request) else "service/engineer.html"
    return render(request, template, context, status=status)


@engineer_only
def engineer_order(request, order_id: int):
    """One of my orders: 404 for an order assigned to someone else."""
    context = common_context(load_order(request, order_id), request.user)
    context["page"] = "engineer"
    order = context["order"]
    latest = last_visit(order)
    on_site = latest is not None and latest.action == EventType.CHECK_IN
    context["visit"] = {"check_in": can_check_in(order.status, on_site), "check_out": on_site}
    template = "service/partials/engineer_order.html" if wants_partial(request) else "service/engineer_order.html"
    return render(request, template, context)


def _visit(request, order_id: int, service, message) -> object:
    """Check in or out through ``service``; back to the order's page when posted from it, else to my day."""
    form = VisitForm(request.POST)
    from_order = request.POST.get("next") == "order"
    back = reverse("service:engineer_order", args=[order_id]) if from_order else reverse("service:engineer")
    try:
        data = checked(form)
        service(order_id=order_id, actor=request.user, location=data["location"])
    except DomainError as exc:
        return refuse(request, exc, back=back, forms=[form])
    return done(request, message, back=back)


@engineer_only
@require_POST
@once_per_form
def check_in(request, order_id: int):
    return _visit(request, order_id, services.work_order_check_in, _("Checked in. The visit has started."))


@engineer_only
@require_POST
@once_per_form
def check_out(request, order_id: int):
    return _visit(request, order_id, services.work_order_check_out, _("Checked out. The visit is recorded."))
