"""My service requests: the list, a new request, and one request in detail."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.idempotency import once_per_form
from customers.models import Address
from service.choices import Channel, Priority, QuoteStatus, Status
from service.models import OrderDocument
from service.selectors import work_order_detail
from service.services import request_create, work_order_note
from service.warranty import decision_view
from service.workflow import available

from ..forms import AcceptanceForm, CancelForm, QuoteDecisionForm, RequestForm, add_domain_error
from ..presenters import reason_label
from ..progress import customer_timeline, progress_caption, progress_steps
from ..selectors import my_units, requests_page
from .common import customer_required, page_size

CUSTOMER_CANCELS = {Status.NEW, Status.ACKNOWLEDGED}
REPORT_STATES = {
    Status.IN_SERVICE,
    Status.AWAITING_PARTS,
    Status.RESOLVED,
    Status.ACCEPTED,
    Status.CLOSED,
    Status.REOPENED,
}


@customer_required
def requests(request):
    rows, next_cursor = requests_page(actor=request.user, cursor=request.GET.get("cursor") or None, size=page_size())
    context = {"rows": rows, "next_cursor": next_cursor}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "portal/partials/request_rows_more.html", context)
    return render(request, "portal/requests.html", context)


def _default_address(user) -> str:
    address = Address.objects.filter(customer__user=user).order_by("-is_default", "id").first()
    return str(address) if address else ""


@customer_required
@once_per_form
def new_request(request):
    units = my_units(request.user).select_related("model").order_by("-id")
    initial = {"address": _default_address(request.user)} if request.method == "GET" else None
    if request.method == "GET" and request.GET.get("unit", "").isdigit():
        initial["unit"] = int(request.GET["unit"])
    form = RequestForm(request.POST or None, request.FILES or None, units=units, initial=initial)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                with transaction.atomic():
                    order = request_create(
                        actor=request.user,
                        channel=Channel.PORTAL,
                        serial=data["unit"].serial if data["unit"] else "",
                        service_type=data["service_type"],
                        fault_description=data["fault_description"],
                        mode=data["mode"],
                        address=data["address"],
                        preferred_time=data["preferred_time"],
                        priority=data["priority"],
                        attachments=data["attachments"],
                    )
                    if data["priority"] == Priority.URGENT:
                        work_order_note(
                            order_id=order.pk,
                            actor=request.user,
                            note=_("Urgent: %(reason)s") % {"reason": data["urgent_reason"].strip()},
                        )
            except DomainError as exc:
                add_domain_error(form, exc, aliases={"serial": "unit"})
                status = exc.status
            else:
                messages.success(request, _("Your request %(number)s has been received.") % {"number": order.number})
                return redirect("portal:request_detail", order_id=order.pk)
        else:
            status = 422
    return render(request, "portal/request_form.html", {"form": form, "has_units": units.exists()}, status=status)


def detail_context(request, detail, **forms) -> dict:
    """Everything the detail page shows (``detail``: the order's ``OrderDetail``); ``forms``
    carries bound forms with errors after a failed action."""
    user, order, events = request.user, detail.order, detail.events
    before_cancel = next((e.from_status for e in reversed(events) if e.action == "cancel"), "")
    actions = {t.action for t in available(order, user)}
    pending = detail.quote_in(QuoteStatus.PENDING)
    shows_report = order.status in REPORT_STATES
    can_cancel = "cancel" in actions and order.status in CUSTOMER_CANCELS
    steps = progress_steps(order.status, paused_from=order.paused_from, before_cancel=before_cancel)
    return {
        "order": order,
        "status_label": Status(order.status).label,
        "steps": steps,
        "progress_caption": progress_caption(steps),
        "timeline": customer_timeline(events, user),
        "coverage_reason": reason_label(order.coverage_reason),
        "decision": decision_view(order),
        "pending_quote": pending.quote if pending else None,
        "pending_lines": pending.lines if pending else (),
        "decided_quotes": [
            q.quote for q in detail.quotes if q.quote.status in {QuoteStatus.APPROVED, QuoteStatus.REJECTED}
        ],
        "quote_form": forms.get("quote_form") or QuoteDecisionForm(),
        "report": detail.report if shows_report else None,
        "report_parts": detail.parts if shows_report else (),
        "acceptance": detail.acceptance,
        "can_sign": order.status == Status.RESOLVED and {"accept", "refuse"} & actions,
        "acceptance_form": forms.get("acceptance_form") or AcceptanceForm(initial={"signer_name": user.display_name()}),
        "can_cancel": can_cancel,
        "cancel_form": forms.get("cancel_form") or CancelForm(initial={"version": order.version}),
        "documents": [d for d in detail.documents if d.kind != OrderDocument.Kind.SIGNATURE],
    }


@customer_required
def request_detail(request, order_id: int):
    detail = work_order_detail(actor=request.user, order_id=order_id)
    return render(request, "portal/request_detail.html", detail_context(request, detail))
