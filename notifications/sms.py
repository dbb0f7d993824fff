"""Text messages through a provider (``settings.NOTIFY_SMS_PROVIDER``, a dotted path).

A provider is any class with ``send(phone: str, text: str) -> None`` that raises
``channels.DeliveryError`` (or any exception) when the message was not taken; the row then
keeps the error and is retried (``notifications.tasks``). The default, :class:`LogProvider`,
sends nothing: it writes the message to the ``notifications.sms`` log with the number masked
and keeps it in ``outbox`` (the last messages, for tests and the demo). The Notification row
itself is the durable record. docs/notifications.md shows an Aliyun / Tencent Cloud provider.
"""

import logging
from collections import deque
from functools import lru_cache

from django.conf import settings
from django.utils.module_loading import import_string

from core.masking import mask_phone

DEFAULT_PROVIDER = "notifications.sms.LogProvider"
log = logging.getLogger("notifications.sms")
outbox: deque = deque(maxlen=1000)  # (masked phone, text) of the log provider's messages


class LogProvider:
    """Nothing leaves the machine: the message goes to the log (the number masked)."""

    def send(self, phone: str, text: str) -> None:
        masked = mask_phone(phone)
        outbox.append((masked, text))
        log.info("SMS to %s: %s", masked, text)


@lru_cache(maxsize=4)
def _provider(path: str):
    return import_string(path)()


def provider():
    return _provider(getattr(settings, "NOTIFY_SMS_PROVIDER", "") or DEFAULT_PROVIDER)
