"""The one write path for notifications: create rows now, deliver after commit."""

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.db.models import F
from django.urls import NoReverseMatch, reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from core.errors import NotFound

from . import channels
from .models import ChannelName, Notification
from .preferences import channels_of, language_of, preferences_of

MAX_ATTEMPTS = 3


@dataclass(frozen=True)
class Message:
    """One message to ``users``. ``subject`` and ``body`` are plain text, or translatable
    templates (``gettext_lazy``, a body may be a sequence of them, one line each) filled with
    ``values`` (plain or translatable values): each recipient reads it in their own language
    (``notifications.preferences``). ``kind`` names the sender's kind of message."""

    users: Sequence
    subject: object
    body: object
    order_id: int | None = None
    kind: str = ""
    values: dict | None = None
    link: str = ""  # where the message leads (default: the order's page for the recipient)


def render(m: Message, language: str) -> tuple[str, str]:
    """The message's subject and body in ``language``."""
    with translation.override(language):
        values = {k: str(v) for k, v in (m.values or {}).items()}
        parts = m.body if isinstance(m.body, (list, tuple)) else [m.body]
        lines = [str(p) % values if m.values is not None else str(p) for p in parts]
        subject = str(m.subject) % values if m.values is not None else str(m.subject)
    return subject[:200], "\n".join(line for line in lines if line)[:5000]


def order_link(order_id: int | None, user) -> str:
    """Where the recipient reads the order: the portal for customers, the console for staff."""
    if order_id is None:
        return ""
    if user is not None and user.is_customer:
        kind = "customer"
    elif user is not None and user.role == "engineer":
        kind = "engineer"
    else:
        kind = "staff"
    name = settings.NOTIFY_ORDER_LINKS.get(kind)  # the order pages belong to apps above this one
    if not name:
        return ""
    try:
        return reverse(name, args=[order_id])
    except NoReverseMatch:
        return ""


def notify(*, users: Iterable, subject: str, body: str, order=None) -> list[Notification]:
    """Notify ``users`` through the active channels each chose; sending happens after commit."""
    return notify_many([Message(list(users), subject, body, order.pk if order is not None else None)])


def notify_many(messages: Iterable[Message], *, now: dt.datetime | None = None) -> list[Notification]:
    """Many messages in one insert (used by the SLA scan). Inactive users are skipped; each
    user gets the message in their language through the per-user channels they chose and can
    be reached by (``preferences``, one query for all). ``now``: when they are written (default: now)."""
    now = now or timezone.now()
    active = channels.active()
    messages = list(messages)
    prefs = preferences_of({u.pk: u for m in messages for u in m.users if u is not None}.values())
    rows: list[Notification] = []
    for m in messages:
        seen, users = set(), []
        for u in m.users:
            if u is not None and u.is_active and u.pk not in seen:
                seen.add(u.pk)
                users.append(u)
        if not users:
            continue
        texts: dict[str, tuple[str, str]] = {}  # by language

        def text(language: str, m=m, texts=texts) -> dict:
            if language not in texts:
                texts[language] = render(m, language)
            subject, body = texts[language]
            return {"subject": subject, "body": body, "order_id": m.order_id, "kind": m.kind, "created_at": now}

        for ch in active:
            if ch.per_user:
                rows += [
                    Notification(
                        recipient=u,
                        channel=ch.name,
                        link=m.link or order_link(m.order_id, u),
                        sent_at=now if ch.name == ChannelName.INAPP else None,
                        **text(language_of(u, prefs.get(u.pk))),
                    )
                    for u in users
                    if ch.name in channels_of(u, prefs.get(u.pk)) and ch.reaches(u)
                ]
            elif any(not u.is_customer for u in users):
                rows.append(
                    Notification(
                        recipient=None,
                        channel=ch.name,
                        link=order_link(m.order_id, None),
                        **text(settings.LANGUAGE_CODE),
                    )
                )
    if not rows:
        return rows
    Notification.objects.bulk_create(rows)
    pending = [r.pk for r in rows if r.sent_at is None]
    if pending:
        transaction.on_commit(lambda: _enqueue(pending))
    return rows


def _enqueue(ids: list[int]) -> None:
    from .tasks import notifications_send

    notifications_send.enqueue(ids)


def deliver(ids: Iterable[int]) -> dict:
    """Send pending rows. Each row is claimed with a conditional UPDATE first, so two workers
    (or a retry) never send the same row twice; a failure un-claims it and records the error."""
    sent = failed = 0
    rows = Notification.objects.filter(pk__in=list(ids), sent_at__isnull=True).select_related("recipient")
    for n in rows:
        now = timezone.now()
        claimed = Notification.objects.filter(pk=n.pk, sent_at__isnull=True).update(
            sent_at=now, attempts=F("attempts") + 1
        )
        if not claimed:
            continue
        try:
            channels.get(n.channel).send(n)
        except Exception as exc:  # noqa: BLE001 (any channel failure is recorded, never raised)
            Notification.objects.filter(pk=n.pk).update(sent_at=None, error=str(exc)[:2000])
            failed += 1
        else:
            if n.error:
                Notification.objects.filter(pk=n.pk).update(error="")
            sent += 1
    return {"sent": sent, "failed": failed}


def pending_for_retry(*, now: dt.datetime | None = None, max_age: dt.timedelta = dt.timedelta(days=1)) -> list[int]:
    now = now or timezone.now()
    return list(
        Notification.objects.filter(
            sent_at__isnull=True, attempts__gt=0, attempts__lt=MAX_ATTEMPTS, created_at__gte=now - max_age
        ).values_list("pk", flat=True)[:1000]
    )


def inbox(actor):
    """The actor's in-app notifications, newest first."""
    return Notification.objects.filter(recipient=actor, channel=ChannelName.INAPP).order_by("-id")


def notification_mark_read(*, actor, notification_id: int, now: dt.datetime | None = None) -> Notification:
    """Mark one of the actor's own in-app notifications read (someone else's reads as not found)."""
    n = inbox(actor).filter(pk=notification_id).first()
    if n is None:
        raise NotFound(_("Notification not found."))
    if n.read_at is None:
        n.read_at = now or timezone.now()
        Notification.objects.filter(pk=n.pk, read_at__isnull=True).update(read_at=n.read_at)
    return n


def notifications_mark_all_read(*, actor, now: dt.datetime | None = None) -> int:
    """Mark every unread in-app notification of the actor read; returns how many were."""
    return inbox(actor).filter(read_at__isnull=True).update(read_at=now or timezone.now())


def channels_used(rows: Iterable[Notification]) -> list[str]:
    """The channels that carried ``notify_many``'s rows, in the channels' order (what a
    ``customer_notified`` timeline event records)."""
    used = {r.channel for r in rows}
    return [c for c in ChannelName.values if c in used]


def channels_label(channels: Iterable[str]) -> str:
    """The channels' names in the reader's language, "In-app, SMS" ("no channel" for none)."""
    names = dict(ChannelName.choices)
    return ", ".join(str(names.get(c, c)) for c in channels) or _("no channel")
