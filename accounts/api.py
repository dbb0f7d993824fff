"""How the API knows its caller: ``Authorization: Bearer <token>`` (``core.api.build_api`` is given it)."""

from django.utils import timezone
from ninja.security import HttpBearer

from .models import ApiToken
from .selectors import live_token


class TokenAuth(HttpBearer):
    """``Authorization: Bearer <token>`` with a per-user API token."""

    def authenticate(self, request, token):
        row = live_token(token)
        if row is None:
            return None
        now = timezone.now()
        if row.last_used_at is None or (now - row.last_used_at).total_seconds() > 60:
            ApiToken.objects.filter(pk=row.pk).update(last_used_at=now)
        request.user = row.user
        return row.user
