"""My products: their warranty per component class, and registering one."""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError
from core.idempotency import once_per_form
from customers.services import customer_for
from feedback.selectors import pending_surveys
from products.api import warranty_data
from products.services import unit_register
from service.permissions import visible_to as orders_visible_to
from service.warranty import entitlements_view, unit_entitlements

from ..forms import UnitRegisterForm, add_domain_error
from ..presenters import coverage_rows
from ..selectors import my_unit, units_page
from .common import customer_required, page_size


@customer_required
def home(request):
    today = timezone.localdate()
    rows, next_cursor = units_page(
        actor=request.user, cursor=request.GET.get("cursor") or None, size=page_size(), on=today
    )
    rows = [(unit, coverage_rows(coverage)) for unit, coverage in rows]
    context = {"rows": rows, "next_cursor": next_cursor, "today": today}
    if request.htmx and request.GET.get("cursor"):
        return render(request, "portal/partials/unit_cards_more.html", context)
    context["surveys"] = pending_surveys(actor=request.user)
    return render(request, "portal/home.html", context)


@customer_required
@once_per_form
def register_unit(request):
    form = UnitRegisterForm(request.POST or None, request.FILES or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            data = form.cleaned_data
            try:
                unit = unit_register(
                    actor=request.user,
                    customer=customer_for(request.user),
                    serial=data["serial"],
                    model_code=data["model"].code if data["model"] else None,
                    purchase_date=data["purchase_date"],
                    sold_online=data["sold_online"] or None,
                    received_date=data["received_date"],
                    proof=data["proof"],
                )
            except DomainError as exc:
                add_domain_error(form, exc)
                status = exc.status
            else:
                messages.success(request, _("The product %(serial)s is registered to you.") % {"serial": unit.serial})
                return redirect("portal:unit_detail", unit_id=unit.pk)
        else:
            status = 422
    return render(request, "portal/register_unit.html", {"form": form}, status=status)


@customer_required
def unit_detail(request, unit_id: int):
    unit = my_unit(request.user, unit_id)
    today = timezone.localdate()
    warranty = warranty_data(unit, today)
    orders = orders_visible_to(request.user).filter(unit=unit).order_by("-created_at", "-id")[:20]
    return render(
        request,
        "portal/unit_detail.html",
        {
            "unit": unit,
            "warranty": warranty,
            "coverage": coverage_rows(warranty["components"]),
            "entitled": entitlements_view(unit_entitlements(unit, on=today), today),
            "orders": orders,
            "today": today,
        },
    )
