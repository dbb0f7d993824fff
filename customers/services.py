"""Writes to the customer archive."""

from core import audit

from .models import Customer


def customer_for(actor) -> Customer:
    """The customer record of a portal user, created on first use."""
    customer = Customer.objects.filter(user=actor).first()
    if customer is None:
        customer = Customer.objects.create(
            user=actor, name=actor.display_name(), phone=actor.phone or "", email=actor.email or ""
        )
        audit.record(actor=actor, action="create", obj=customer)
    return customer
