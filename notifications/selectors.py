"""Reads of the inbox: always the actor's own in-app rows (``services.inbox``)."""

from core.pagination import keyset_page

from .services import inbox

PAGE_ORDER = ["-id"]  # newest first, on the ``notif_inbox`` index (recipient, channel, read_at, -id)


def inbox_page(actor, *, cursor: str | None = None, size: int = 25, unread: bool = False):
    """``(rows, next_cursor)``: one page of the actor's in-app notifications, newest first."""
    qs = inbox(actor).only("id", "subject", "body", "kind", "order_id", "link", "created_at", "read_at")
    if unread:
        qs = qs.filter(read_at__isnull=True)
    return keyset_page(qs, order=PAGE_ORDER, cursor=cursor, size=size)


def unread_count(actor) -> int:
    """One COUNT on the ``notif_inbox`` index."""
    if actor is None or not actor.is_authenticated:
        return 0
    return inbox(actor).filter(read_at__isnull=True).count()
