"""Revealing a work order's masked contact details (SPEC §11: masked everywhere, shown only to
whoever needs to call or visit the customer, each view logged)."""

from dataclasses import dataclass

from django.utils.translation import gettext as _

from core import audit
from core.errors import Forbidden, NotFound

from ..models import WorkOrder
from ..permissions import CONTACT_FIELDS, may_reveal_contact, sees_own_contact, visible_to


@dataclass(frozen=True)
class Contact:
    order: WorkOrder
    contact_name: str
    contact_phone: str
    address: str
    email: str


def contact_reveal(*, actor, order_id: int) -> Contact:
    """The order's full contact details, for a role that calls or visits the customer
    (``may_reveal_contact``); one ``reveal_pii`` audit row each time (actor, order, field names).

    An order the actor cannot see is not found; one they see but need not call is 403
    ``reveal_not_allowed``, and nothing is logged but the refusal (``denied``). A customer asking
    for their own order's details gets them, unlogged, as on every page of theirs."""
    in_range = 0 < order_id < 2**62  # a database id; larger numbers are no order at all
    order = visible_to(actor).select_related("customer").filter(pk=order_id).first() if in_range else None
    if order is None:
        raise NotFound(_("Work order not found."))
    if not may_reveal_contact(actor, order):
        raise Forbidden(
            _("Your role does not call or visit customers: their phone and address stay masked."),
            code="reveal_not_allowed",
        )
    if not sees_own_contact(actor, order):
        audit.record_pii_reveal(actor=actor, obj=order, fields=CONTACT_FIELDS)
    return Contact(
        order=order,
        contact_name=order.contact_name,
        contact_phone=order.contact_phone,
        address=order.address,
        email=order.customer.email,
    )
