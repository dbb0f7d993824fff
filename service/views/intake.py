"""A request keyed in by an agent during a phone call (channel "phone")."""

from django.contrib import messages
from django.db import transaction
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import DomainError, NotFound, ValidationFailed
from core.idempotency import once_per_form
from core.masking import mask_name
from customers.selectors import customers_by_phone
from customers.services import customer_create
from products.selectors import unit_visible_to

from .. import services
from ..choices import Channel
from ..forms import RequestForm, normalise_phone
from ..permissions import sees_unmasked_pii
from ..warranty import entitlements_view, unit_entitlements
from .access import capability
from .outcomes import checked, refuse

TEMPLATE = "service/new.html"

can_file = capability("request.create_for_customer")


def match_rows(actor, matches) -> list[dict]:
    clear = sees_unmasked_pii(actor)
    return [
        {
            "id": c.pk,
            "name": c.name if clear else mask_name(c.name),
            "tier": c.get_tier_display(),
            "is_key": c.is_key,
            "region": c.region,
            "units": [f"{u.model.code} · {u.serial}" for u in c.units.all()][:5],
        }
        for c in matches
    ]


def pick_customer(actor, data: dict, matches: list):
    """The customer the agent picked, the only one with this number, or a new one."""
    if data.get("customer"):
        customer = next((c for c in matches if c.pk == data["customer"]), None)
        if customer is None:
            msg = _("Choose one of the customers found for this phone number.")
            raise ValidationFailed(msg, fields={"customer": [msg]})
        return customer
    if data.get("name"):
        return customer_create(
            actor=actor,
            name=data["name"],
            phone=data["phone"],
            email=data.get("email") or "",
            region=data.get("region") or "",
        )
    if len(matches) == 1:
        return matches[0]
    if matches:
        msg = _("Several customers have this phone number: choose one, or enter a name to create a new customer.")
        raise ValidationFailed(msg, fields={"customer": [msg]})
    msg = _("No customer has this phone number: enter the name to create one.")
    raise ValidationFailed(msg, fields={"name": [msg]})


@can_file
@once_per_form
def new_request(request):
    if request.method != "POST":
        return render(request, TEMPLATE, {"form": RequestForm(), "matches": None})
    form = RequestForm(request.POST, request.FILES)
    phone = normalise_phone(request.POST.get("phone", ""))[:30]
    matches = customers_by_phone(request.user, phone)
    context = {"form": form, "matches": match_rows(request.user, matches), "phone": phone}
    try:
        data = checked(form)
        with transaction.atomic():  # a new customer is kept only if the order is created
            customer = pick_customer(request.user, data, matches)
            order = services.request_create(
                actor=request.user,
                customer_id=customer.pk,
                channel=Channel.PHONE,
                contact_name=data["contact_name"] or customer.name,
                contact_phone=data["phone"],
                serial=data["serial"],
                service_type=data["service_type"],
                priority=data["priority"],
                mode=data["mode"],
                fault_description=data["fault_description"],
                address=data["address"],
                preferred_time=data["preferred_time"],
                attachments=data["attachments"],
            )
    except DomainError as exc:
        return refuse(request, exc, form=form, template=TEMPLATE, context=context)
    messages.success(request, _("Work order %(number)s created.") % {"number": order.number})
    return redirect("service:detail", order_id=order.pk)


@can_file
def customer_lookup(request):
    """HTMX: the customers found for the phone number being typed."""
    phone = normalise_phone(request.GET.get("phone", ""))[:30]
    matches = customers_by_phone(request.user, phone)
    selected = request.GET.get("customer", "")
    return render(
        request,
        "service/partials/customer_matches.html",
        {"matches": match_rows(request.user, matches), "phone": phone, "selected": selected},
    )


@can_file
def serial_check(request):
    """HTMX: the unit behind the serial being typed, with the Three Guarantees remedies owed today
    (docs/warranty.md), so the agent knows them while taking the call."""
    serial = request.GET.get("serial", "").strip()[:60]
    context = {"serial": serial}
    if serial:
        try:
            unit = unit_visible_to(request.user, serial)
        except NotFound:
            context["unknown"] = True
        else:
            today = timezone.localdate()
            context.update(unit=unit, on=today, entitled=entitlements_view(unit_entitlements(unit, on=today), today))
    return render(request, "service/partials/serial_check.html", context)
