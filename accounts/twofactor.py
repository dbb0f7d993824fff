"""Optional TOTP two-factor authentication for staff (django-otp).

Enrolment keeps the new secret in the session until the user confirms it with a code; only
then is a confirmed ``TOTPDevice`` stored. Login is two steps: the password step leaves a
*pending* login in the session (nobody is logged in yet) and the code step completes it.
"""

import secrets
import time
from base64 import b32encode
from binascii import unhexlify

from django.conf import settings
from django.db import transaction
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from core import audit
from core.errors import Forbidden, NotFound, ValidationFailed

PENDING_KEY = "two_factor_pending"
ENROL_KEY = "two_factor_enrol_key"
PENDING_SECONDS = 300
DEVICE_NAME = "authenticator"


def may_use(user) -> bool:
    """Two-factor is offered to staff (every role but customer) and superusers."""
    return bool(user and user.is_authenticated and (user.is_staff_member or user.is_superuser))


def has_device(user) -> bool:
    return TOTPDevice.objects.filter(user=user, confirmed=True).exists()


def confirmed_device(user) -> TOTPDevice | None:
    return TOTPDevice.objects.filter(user=user, confirmed=True).order_by("id").first()


def new_key() -> str:
    return secrets.token_hex(20)


def config_url(user, key: str) -> str:
    """The ``otpauth://`` URI an authenticator app reads (from the QR code)."""
    return TOTPDevice(user=user, key=key, name=DEVICE_NAME).config_url


def secret_b32(key: str) -> str:
    return b32encode(unhexlify(key)).decode()


def _clean_code(code) -> str:
    code = "".join(str(code or "").split())
    if not code.isdigit() or len(code) != 6:
        raise ValidationFailed(fields={"code": [_("Enter the 6-digit code from your authenticator app.")]})
    return code


def two_factor_enable(*, actor, key: str, code: str) -> TOTPDevice:
    """Store a confirmed device for ``actor`` once ``code`` proves the app holds ``key``."""
    if not may_use(actor):
        raise Forbidden()
    code = _clean_code(code)
    try:
        totp = TOTP(unhexlify(key), step=30, t0=0, digits=6, drift=0)
    except (ValueError, TypeError):
        raise ValidationFailed(fields={"code": [_("The enrolment has expired. Please start again.")]}) from None
    if not totp.verify(int(code), tolerance=1):
        raise ValidationFailed(fields={"code": [_("That code is not valid. Check the clock of your phone.")]})
    with transaction.atomic():
        if TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).exists():
            raise ValidationFailed(fields={"code": [_("Two-factor authentication is already on.")]})
        device = TOTPDevice.objects.create(user=actor, name=DEVICE_NAME, key=key, confirmed=True, last_t=totp.t())
        audit.record(actor=actor, action="2fa_enable", obj=actor, after={"device": device.pk})
    return device


def two_factor_disable(*, actor, code: str) -> None:
    """Remove the user's device; a current code is required, so a stolen session is not enough."""
    if not may_use(actor):
        raise Forbidden()
    code = _clean_code(code)
    with transaction.atomic():
        device = TOTPDevice.objects.select_for_update().filter(user=actor, confirmed=True).first()
        if device is None:
            raise NotFound()
        if not device.verify_is_allowed()[0] or not device.verify_token(code):
            raise ValidationFailed(fields={"code": [_("That code is not valid. Check the clock of your phone.")]})
        TOTPDevice.objects.filter(user=actor).delete()
        audit.record(actor=actor, action="2fa_disable", obj=actor, after={"device": device.pk})


def start_pending(request, user, *, backend: str, next_url: str) -> None:
    """The password was right; remember who is half logged in until the code step."""
    request.session[PENDING_KEY] = {"uid": user.pk, "backend": backend, "at": time.time(), "next": next_url}


def pending_login(request) -> dict | None:
    data = request.session.get(PENDING_KEY)
    if not isinstance(data, dict) or time.time() - float(data.get("at", 0)) > PENDING_SECONDS:
        return None
    return data


def clear_pending(request) -> None:
    request.session.pop(PENDING_KEY, None)


def otp_issuer() -> str:
    return getattr(settings, "OTP_TOTP_ISSUER", "")
