"""Writes to the customer archive."""

import re

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.utils.translation import gettext as _

from accounts.roles import can
from core import audit
from core.errors import Forbidden, ValidationFailed

from .models import Customer

PHONE_RE = re.compile(r"\+?[0-9]{5,20}")


def customer_for(actor) -> Customer:
    """The customer record of a portal user, created on first use."""
    customer = Customer.objects.filter(user=actor).first()
    if customer is None:
        customer = Customer.objects.create(
            user=actor, name=actor.display_name(), phone=actor.phone or "", email=actor.email or ""
        )
        audit.record(actor=actor, action="create", obj=customer)
    return customer


def customer_create(*, actor, name: str, phone: str, email: str = "", region: str = "") -> Customer:
    """A customer keyed in by the back office (e.g. during a phone call); audited."""
    if not can(actor, "request.create_for_customer"):
        raise Forbidden()
    name, phone = (name or "").strip(), (phone or "").strip()
    email, region = (email or "").strip(), (region or "").strip()
    errors: dict[str, list[str]] = {}
    if not name:
        errors["name"] = [_("This field is required.")]
    elif len(name) > 120:
        errors["name"] = [_("At most %(n)s characters.") % {"n": 120}]
    if (phone or not email) and not PHONE_RE.fullmatch(phone):  # a customer who writes in may give only an email
        errors["phone"] = [_("Enter a valid phone number.")]
    if email:
        try:
            validate_email(email)
        except ValidationError:
            errors["email"] = [_("Enter a valid email address.")]
    if len(region) > 60:
        errors["region"] = [_("At most %(n)s characters.") % {"n": 60}]
    if errors:
        raise ValidationFailed(fields=errors)
    with transaction.atomic():
        customer = Customer.objects.create(name=name, phone=phone, email=email, region=region)
        audit.record(actor=actor, action="create", obj=customer)
    return customer
