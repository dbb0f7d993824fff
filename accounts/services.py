"""Writes to user accounts."""

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from core import audit
from core.errors import ValidationFailed

from .choices import Role
from .models import User


def _required(fields: dict, name: str, value: str) -> None:
    if not value:
        fields.setdefault(name, []).append(_("This field is required."))


def customer_signup(*, username: str, password: str, name: str, phone: str, email: str = "") -> User:
    """A customer opens a portal account: a ``User`` with the customer role and its ``Customer``.

    Both rows and their audit entries are written in one transaction. The audit entry of the
    user never carries the password hash.
    """
    from customers.models import Customer

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
        except DjangoValidationError as exc:
            fields.setdefault("username", []).extend(str(m) for m in exc.messages)
        if User.objects.filter(username__iexact=username).exists():
            fields.setdefault("username", []).append(_("This username is already taken."))
    if password:
        try:
            validate_password(password, user=User(username=username, email=email, first_name=name))
        except DjangoValidationError as exc:
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
