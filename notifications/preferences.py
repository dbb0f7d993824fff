"""Each person's notification preference: the language messages are written in and the
channels besides in-app. The one write path is ``preference_set``."""

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from core import audit
from core.errors import ValidationFailed

from .models import CHOOSABLE, ChannelName, Preference

LANGUAGE_CODES = frozenset(code for code, _name in settings.LANGUAGES)


def default_channels(user) -> list[str]:
    defaults = getattr(settings, "NOTIFY_DEFAULT_CHANNELS", {}) or {}
    return list(defaults.get("customer" if user.is_customer else "staff", [ChannelName.EMAIL]))


def default_language() -> str:
    return settings.LANGUAGE_CODE


def preferences_of(users) -> dict[int, Preference]:
    """The stored preference of each user (one query); users without a row are absent."""
    ids = [u.pk for u in users]
    return {p.user_id: p for p in Preference.objects.filter(user_id__in=ids)} if ids else {}


def language_of(user, pref: Preference | None) -> str:
    return (pref.language if pref is not None else "") or default_language()


def channels_of(user, pref: Preference | None) -> set[str]:
    """The per-user channels this user wants (in-app always)."""
    chosen = pref.channels if pref is not None else default_channels(user)
    return {ChannelName.INAPP, *(c for c in chosen if c in CHOOSABLE)}


def preference_get(user) -> dict:
    """What the preferences page and the API show."""
    pref = Preference.objects.filter(user=user).first()
    return {"language": language_of(user, pref), "channels": sorted(channels_of(user, pref) - {ChannelName.INAPP})}


def preference_set(
    *, actor, language: str | None = None, channels: list[str] | None = None, now: dt.datetime | None = None
) -> Preference:
    """Set the actor's own language and/or channels (``None``: left as it is). In-app is
    always on and needs no choosing; an unknown language or channel is refused."""
    if language is not None and language not in LANGUAGE_CODES:
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"language": [msg]})
    if channels is not None:
        wanted = [c for c in channels if c != ChannelName.INAPP]
        if any(c not in CHOOSABLE for c in wanted):
            msg = _("Not a valid choice.")
            raise ValidationFailed(msg, fields={"channels": [msg]})
        channels = sorted(set(wanted))
    now = now or timezone.now()
    with transaction.atomic():
        pref = Preference.objects.select_for_update().filter(user=actor).first()
        before = audit.snapshot(pref) if pref is not None else None
        if pref is None:
            pref = Preference(user=actor, channels=default_channels(actor))
        if language is not None:
            pref.language = language
        if channels is not None:
            pref.channels = channels
        pref.updated_at = now
        pref.save()
        audit.record(actor=actor, action="create" if before is None else "update", obj=pref, before=before, at=now)
    return pref
