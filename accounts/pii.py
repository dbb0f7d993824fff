"""What the accounts app does for the PIPL erasure (``core.pii``): the person's portal login
gives its names to the scrub, and is closed once the scrub is done (the export shows it
with the customer record)."""

import secrets

from django.apps import apps

from core.pii import PLACEHOLDER, Handler

from .models import ApiToken


def login_values(customer, ctx) -> set:
    user = ctx.user
    if user is None:
        return set()
    return {user.username, user.first_name, user.last_name, user.get_full_name(), user.email, user.phone}


def login_close(customer, ctx) -> None:
    """The portal login can no longer be used nor recognised."""
    user = ctx.user
    if user is None:
        return
    old_username = user.username
    user.username = f"erased-{secrets.token_hex(8)}"
    user.first_name = PLACEHOLDER
    user.last_name = ""
    user.email = ""
    user.phone = ""
    user.is_active = False
    user.set_unusable_password()
    user.save()
    ApiToken.objects.filter(user=user).update(revoked=True, name=PLACEHOLDER)
    if apps.is_installed("axes"):
        for name in ("AccessAttempt", "AccessLog", "AccessFailureLog"):
            apps.get_model("axes", name).objects.filter(username=old_username).delete()


LOGIN = Handler(key="login", order=15, values=login_values, after_scrub=login_close)
