"""The reveal of an order's masked phone, e-mail and address (HTMX button on the order pages)."""

from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_POST

from core.errors import DomainError
from core.idempotency import once_per_form

from .. import services
from .access import staff
from .outcomes import refuse, wants_partial
from .panels import contact_box


@staff
@require_POST
@never_cache
@once_per_form  # a double click waits for the first; each reveal that runs is logged
def contact_reveal(request, order_id: int):
    """Answers the contact box in full (HTMX) or a small page (without JavaScript); 404 for an order
    the user cannot see, 403 for a role that does not call or visit customers. Each reveal is
    logged by the service; the answer is never cached."""
    try:
        contact = services.contact_reveal(actor=request.user, order_id=order_id)
    except DomainError as exc:
        return refuse(request, exc)  # NotFound → 404, Forbidden → 403
    context = {"order": contact.order, "contact": contact_box(contact.order, request.user, revealed=True)}
    template = "service/partials/contact.html" if wants_partial(request) else "service/contact.html"
    return render(request, template, context)
