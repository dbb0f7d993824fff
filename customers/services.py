"""Writes to the customer archive."""

import re

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
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


def _required(fields: dict, name: str, value: str) -> None:
    if not value:
        fields.setdefault(name, []).append(_("This field is required."))


def customer_signup(*, username: str, password: str, name: str, phone: str, email: str = "") -> User:
    """A customer opens a portal account: a ``User`` with the customer role and its ``Customer``
    (here, with the customer archive, since ``accounts`` sits below it).

    Both rows and their audit entries are written in one transaction. The audit entry of the
    user never carries the password hash.
    """
    username, name, phone, email = (
        (username or "").strip(),
        (name or "").strip(),
        (phone or "").strip(),
        (email or "").strip(),
    )
    fields: dict[str, list] = {}
    for field_name, value in (("username", username), ("name", name), ("phone", phone), ("password", password)):
        _required(fields, field_name, value)
    if username:
        try:
            User.username_validator(username)
        except ValidationError as exc:
            fields.setdefault("username", []).extend(str(m) for m in exc.messages)
        if User.objects.filter(username__iexact=username).exists():
            fields.setdefault("username", []).append(_("This username is already taken."))
    if password:
        try:
            validate_password(password, user=User(username=username, email=email, first_name=name))
        except ValidationError as exc:
            fields.setdefault("password", []).extend(str(m) for m in exc.messages)
    if fields:
        raise ValidationFailed(fields=fields)
    try:
        with transaction.atomic():
            user = User(username=username, email=email, first_name=name[:150], phone=phone[:30], role=Role.CUSTOMER)
            user.set_password(password)
            user.save()
            customer = Customer.objects.create(user=user, name=name[:120], phone=phone[:30], email=email)
            audit.record(
                actor=user,
                action="signup",
                obj=user,
                after={"username": user.username, "role": user.role, "email": user.email},
            )
            audit.record(actor=user, action="create", obj=customer)
    except IntegrityError:
        msg = _("This username is already taken.")
        raise ValidationFailed(msg, code="username_taken", fields={"username": [msg]}) from None
    return user
