"""What the notifications app holds about a person, for the PIPL export (``core.pii``): the
notifications sent to their portal login and their notification preference. Erasure needs nothing more: those rows are
reached through their recipient and scrubbed like every linked row."""

from core.pii import Handler, fields_of

from .models import Notification, Preference


def notifications_export(customer, ctx) -> list:
    if ctx.user is None:
        return []
    rows = [
        fields_of(n, ["channel", "subject", "body", "created_at", "sent_at", "read_at"])
        for n in Notification.objects.filter(recipient=ctx.user).order_by("id")
    ]
    rows += [fields_of(p, ["language", "channels", "updated_at"]) for p in Preference.objects.filter(user=ctx.user)]
    return rows


NOTIFICATIONS = Handler(key="notifications", order=80, export=notifications_export)
