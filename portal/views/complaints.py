"""My complaints: file one, follow it (status, expected handling time, what we told you)."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from complaints.choices import Channel, EventType
from complaints.forms import PortalComplaintForm
from complaints.selectors import complaint_detail, complaints_of_customer
from complaints.services import complaint_open
from core.errors import DomainError
from core.idempotency import once_per_form
from customers.models import Customer
from service.models import WorkOrder

from ..forms import add_domain_error
from .common import customer_required, page_size

# What the customer's timeline shows: the steps and what they were told, never internal notes.
SHOWN = {
    EventType.OPEN,
    EventType.ACKNOWLEDGE,
    EventType.CLASSIFY,
    EventType.INVESTIGATE,
    EventType.PROGRESS,
    EventType.CALLBACK,
    EventType.SLA_EXTENDED,
    EventType.RESOLVE,
    EventType.CLOSE,
    EventType.REOPEN,
}
NOTE_SHOWN = {EventType.PROGRESS, EventType.SLA_EXTENDED}


@customer_required
def complaints(request):
    rows, next_cursor = complaints_of_customer(
        actor=request.user, cursor=request.GET.get("cursor") or None, size=page_size()
    )
    return render(request, "portal/complaints.html", {"rows": rows, "next_cursor": next_cursor})


@customer_required
@once_per_form
def new_complaint(request):
    orders = list(WorkOrder.objects.filter(customer__user=request.user).order_by("-id")[:50])
    form = PortalComplaintForm(request.POST or None, orders=orders)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            customer = Customer.objects.filter(user=request.user).first()
            try:
                c = complaint_open(
                    actor=request.user,
                    customer_id=customer.pk if customer else 0,
                    channel=Channel.PORTAL,
                    description=form.cleaned_data["description"],
                    order_id=form.cleaned_data["order"],
                )
            except DomainError as exc:
                add_domain_error(form, exc, aliases={"order_id": "order"})
            else:
                messages.success(request, _("Your complaint %(number)s is received.") % {"number": c.number})
                return redirect("portal:complaint_detail", complaint_id=c.pk)
        status = 422
    initial_order = request.GET.get("order", "")
    if request.method == "GET" and initial_order.isdigit() and len(initial_order) < 18:
        form.initial["order"] = int(initial_order)
    return render(request, "portal/complaint_form.html", {"form": form}, status=status)


@customer_required
def complaint_detail_page(request, complaint_id: int):
    d = complaint_detail(actor=request.user, complaint_id=complaint_id)
    timeline = [
        {
            "at": e.at,
            "label": EventType(e.action).label,
            "note": e.note if e.action in NOTE_SHOWN else "",
        }
        for e in d.events
        if e.action in SHOWN
    ]
    resolution = next((k for k in d.clocks if k.clock == "resolution"), None)
    return render(
        request,
        "portal/complaint_detail.html",
        {"c": d.complaint, "timeline": timeline, "resolution": resolution},
    )
