"""Finance's home: the chargeable (out-of-warranty) orders, their quotes and amounts."""

from django import forms
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from core.errors import DomainError
from core.masking import mask_name
from core.pagination import CURSOR_MAX_LENGTH

from .. import worklists
from ..permissions import sees_unmasked_pii
from ..presenters import log_pii_view
from .access import capability
from .queue import page_links

PAGE = 25


class ChargeableFilterForm(forms.Form):
    quote = forms.ChoiceField(
        label=_("Quote"),
        required=False,
        choices=[
            ("", _("All paid orders")),
            ("pending", _("Quote awaiting the customer")),
            ("approved", _("Quote approved")),
            ("none", _("No quote yet")),
        ],
    )
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)


@capability("finance.view")
def finance(request):
    form = ChargeableFilterForm(request.GET)
    status = 200
    rows, next_cursor = [], None
    if form.is_valid():
        try:
            rows, next_cursor = worklists.chargeable_orders(
                actor=request.user,
                quote_state=form.cleaned_data["quote"],
                cursor=form.cleaned_data["cursor"] or None,
                size=PAGE,
            )
        except DomainError as exc:  # a tampered or stale cursor
            form.add_error(None, str(exc.message))
    if form.errors:
        status = 400
    log_pii_view(request.user, rows)
    context = {
        "form": form,
        "totals": worklists.chargeable_totals(actor=request.user),
        "rows": [
            {
                "order": o,
                "customer": o.customer.name if sees_unmasked_pii(request.user, o) else mask_name(o.customer.name),
                "quote": o.quote_list[0] if o.quote_list else None,
            }
            for o in rows
        ],
        **page_links(request, next_cursor),
    }
    return render(request, "service/finance.html", context, status=status)
