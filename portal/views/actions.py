"""What a customer does on a request: decide a quote, sign acceptance, cancel.

Each action first finds the order in the customer's own scope (somebody else's is a 404
and nothing changes), then calls the one service that makes the change. A refused
action shows the page again with the reason and the service's 4xx status.
"""

from django.contrib import messages
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from core.errors import DomainError, NotFound
from core.idempotency import once_per_form
from service.selectors import work_order_detail
from service.services import acceptance_sign, work_order_transition
from service.services import quote_decide as quote_decide_service

from ..forms import AcceptanceForm, CancelForm, QuoteDecisionForm, add_domain_error
from .common import customer_required
from .requests import detail_context


def _again(request, order_id: int, status: int, **forms):
    """The detail page again, with the failed form bound; its general errors go on top of the page."""
    context = detail_context(request, work_order_detail(actor=request.user, order_id=order_id), **forms)
    context["action_errors"] = [str(e) for form in forms.values() for e in form.non_field_errors()]
    return render(request, "portal/request_detail.html", context, status=status)


@require_POST
@customer_required
@once_per_form
def quote_decide(request, order_id: int, quote_id: int):
    detail = work_order_detail(actor=request.user, order_id=order_id)
    order = detail.order
    if not any(q.quote.pk == quote_id for q in detail.quotes):
        raise NotFound()
    form = QuoteDecisionForm(request.POST)
    if not form.is_valid():
        return _again(request, order.pk, 422, quote_form=form)
    approve = form.cleaned_data["decision"] == "approve"
    try:
        quote_decide_service(quote_id=quote_id, actor=request.user, approve=approve, note=form.cleaned_data["note"])
    except NotFound:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return _again(request, order.pk, exc.status, quote_form=form)
    messages.success(request, _("Thank you: you approved the quote.") if approve else _("You rejected the quote."))
    return redirect("portal:request_detail", order_id=order.pk)


@require_POST
@customer_required
@once_per_form
def acceptance(request, order_id: int):
    order = work_order_detail(actor=request.user, order_id=order_id).order
    form = AcceptanceForm(request.POST)
    if not form.is_valid():
        return _again(request, order.pk, 422, acceptance_form=form)
    data = form.cleaned_data
    accepted = data["decision"] == "accept"
    try:
        acceptance_sign(
            order_id=order.pk,
            actor=request.user,
            accepted=accepted,
            signer_name=data["signer_name"],
            signature=data["signature"],
            comment=data["comment"],
        )
    except NotFound:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return _again(request, order.pk, exc.status, acceptance_form=form)
    if accepted:
        messages.success(request, _("Thank you for signing. The service is accepted."))
    else:
        messages.success(
            request, _("We are sorry. Your refusal is recorded and a complaint has been opened; we will contact you.")
        )
    return redirect("portal:request_detail", order_id=order.pk)


@require_POST
@customer_required
@once_per_form
def cancel(request, order_id: int):
    order = work_order_detail(actor=request.user, order_id=order_id).order
    form = CancelForm(request.POST)
    if not form.is_valid():
        return _again(request, order.pk, 422, cancel_form=form)
    try:
        work_order_transition(
            order_id=order.pk,
            action="cancel",
            actor=request.user,
            note=form.cleaned_data["note"],
            expected_version=form.cleaned_data["version"],
        )
    except NotFound:
        raise
    except DomainError as exc:
        add_domain_error(form, exc)
        return _again(request, order.pk, exc.status, cancel_form=form)
    messages.success(request, _("Your request %(number)s is cancelled.") % {"number": order.number})
    return redirect("portal:request_detail", order_id=order.pk)
