"""Test data for the feedback tests, written through the services (not a test module)."""

import re

from feedback import services
from notifications.models import Notification

GOOD = {"quality": 9, "price": 8, "delivery": 10, "packaging": 9, "after_sales": 9, "comment": "Quick and friendly."}
LINK = re.compile(r"/s/([A-Za-z0-9_-]+)/")


def answers(**kw) -> dict:
    return {**GOOD, **kw}


def invite(customer, *, actor, order=None, now=None):
    return services.survey_invite(
        actor=actor, customer_id=customer.pk, order_id=order.pk if order is not None else None, now=now
    )


def token_from_notification(user) -> str:
    """The raw token of the newest survey link sent to ``user`` (read from the message body)."""
    body = (
        Notification.objects.filter(recipient=user, kind="survey")
        .order_by("-id")
        .values_list("body", flat=True)
        .first()
    )
    match = LINK.search(body or "")
    assert match, body
    return match.group(1)
