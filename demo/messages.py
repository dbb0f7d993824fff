"""The messages to the customer that the services send (``service.customer_messages``), worked
out in memory for the bulk path: the same texts in the customer's language through the channels
they chose, and the order's ``customer_notified`` event after the event that caused it.

``Reach`` reads once, in the parent, what ``notifications.services.notify_many`` reads per message:
the active channels, each portal login's language and channels, and the engineers' names. Only
the customers with a portal login are told anything (``customer_notify``), so at a million
orders these are the few demo customers' orders.
"""

from django.contrib.auth import get_user_model

from notifications import channels
from notifications.models import ChannelName
from notifications.preferences import channels_of, language_of, preferences_of
from notifications.services import Message, order_link, render
from service import customer_messages as texts
from service.choices import EventType, MessageKind
from service.models import order_number

K = MessageKind
INAPP = ChannelName.INAPP.value


class Reach:
    def __init__(self):
        User = get_user_model()
        users = list(User.objects.filter(role="customer", is_active=True))
        prefs = preferences_of(users)
        active = channels.active()
        self.users = {}
        for u in users:
            wanted = channels_of(u, prefs.get(u.pk))
            chosen = [ch.name for ch in active if ch.per_user and ch.name in wanted and ch.reaches(u)]
            self.users[u.pk] = (u, language_of(u, prefs.get(u.pk)), chosen)
        self.names = {u.pk: u.display_name() for u in User.objects.exclude(role="customer")}

    def tell(self, out, d, us: int, by: str, kind: str, status: str, lines: list, values: dict) -> None:
        """The notification rows and the event of one message (``customer_messages.customer_notify``)."""
        found = self.users.get(d.customer_user)
        if found is None:
            return
        user, language, chosen = found
        values = values | {"number": order_number(d.pk)}
        subject, body = render(Message([user], texts.SUBJECTS[kind], lines, d.pk, kind, values), language)
        link = order_link(d.pk, user)
        out.notes += [(us, user.pk, ch, kind, subject, body, link, ch == INAPP) for ch in chosen]
        told = [c for c in ChannelName.values if c in chosen]
        out.events.append(
            (us, by, EventType.CUSTOMER_NOTIFIED.value, status, status, "", {"kind": kind, "channels": told})
        )

    def engineer(self, user_id: int | None) -> str | None:
        return self.names.get(user_id) if user_id else None


def acknowledgement(clocks, payer: str) -> tuple[list, dict]:
    due = {c.clock: c.due_at for c in clocks if c.stopped_at is None and c.clock in ("resolution", "onsite")}
    return texts.acknowledgement(due, payer)
