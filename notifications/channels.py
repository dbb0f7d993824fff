"""Pluggable delivery channels.

``settings.NOTIFY_CHANNELS`` lists the active channels (default ``["inapp", "email", "sms"]``).
Per-user channels (in-app, email, SMS) get one row per recipient who chose the channel
(``notifications.preferences``; in-app always) and can be reached by it; group-bot channels (WeCom,
DingTalk, Feishu) get one row per message, posted to the webhook URL configured in
``settings.NOTIFY_WEBHOOKS[name]["url"]`` (optionally signed with ``"secret"``), and only
for messages addressed to staff: customers never appear in a staff chat group.
"""

import base64
import hashlib
import hmac
import json
import time
import urllib.error
import urllib.parse
import urllib.request

from django.conf import settings
from django.core.mail import send_mail

from . import sms
from .models import ChannelName, Notification

DEFAULT_CHANNELS = ("inapp", "email", "sms")


class DeliveryError(Exception):
    """The channel refused or could not take the message; stored on the row."""


class Channel:
    name = ""
    per_user = True

    def available(self) -> bool:
        return True

    def reaches(self, user) -> bool:
        return True

    def send(self, n: Notification) -> None:
        raise NotImplementedError


class InApp(Channel):
    """The row itself is the message; marked sent when it is created."""

    name = ChannelName.INAPP

    def send(self, n: Notification) -> None:
        return None


class Email(Channel):
    name = ChannelName.EMAIL

    def reaches(self, user) -> bool:
        return bool(user.email)

    def send(self, n: Notification) -> None:
        send_mail(n.subject, _text(n), settings.DEFAULT_FROM_EMAIL, [n.recipient.email], fail_silently=False)


class Sms(Channel):
    """A text message through the configured provider (``notifications.sms``)."""

    name = ChannelName.SMS

    def reaches(self, user) -> bool:
        return bool(user.phone)

    def send(self, n: Notification) -> None:
        sms.provider().send(n.recipient.phone, _text(n))


class Webhook(Channel):
    """A chat-group bot reached by an HTTPS POST of JSON (stdlib urllib, with a timeout)."""

    per_user = False

    def config(self) -> dict:
        return (getattr(settings, "NOTIFY_WEBHOOKS", {}) or {}).get(self.name) or {}

    def available(self) -> bool:
        return bool(self.config().get("url"))

    def payload(self, text: str) -> dict:
        raise NotImplementedError

    def url(self) -> str:
        return self.config()["url"]

    def check(self, answer: dict) -> None:
        code = answer.get("errcode", 0)
        if code:
            raise DeliveryError(f"{self.name}: {code} {answer.get('errmsg', '')}".strip())

    def send(self, n: Notification) -> None:
        answer = post_json(self.url(), self.payload(_text(n)))
        self.check(answer)


class WeCom(Webhook):
    """企业微信群机器人: ``{"msgtype": "text", "text": {"content": …}}``."""

    name = ChannelName.WECOM

    def payload(self, text: str) -> dict:
        return {"msgtype": "text", "text": {"content": text}}


class DingTalk(Webhook):
    """钉钉自定义机器人; with a secret the URL carries ``timestamp`` and ``sign``
    (base64 HMAC-SHA256 of ``"{timestamp}\\n{secret}"`` keyed by the secret)."""

    name = ChannelName.DINGTALK

    def payload(self, text: str) -> dict:
        return {"msgtype": "text", "text": {"content": text}}

    def url(self) -> str:
        cfg = self.config()
        secret = cfg.get("secret", "")
        if not secret:
            return cfg["url"]
        stamp = str(int(time.time() * 1000))
        digest = hmac.new(secret.encode(), f"{stamp}\n{secret}".encode(), hashlib.sha256).digest()
        sign = urllib.parse.quote_plus(base64.b64encode(digest))
        sep = "&" if "?" in cfg["url"] else "?"
        return f"{cfg['url']}{sep}timestamp={stamp}&sign={sign}"


class Feishu(Webhook):
    """飞书自定义机器人: ``{"msg_type": "text", "content": {"text": …}}``; with a secret the
    body carries ``timestamp`` and ``sign`` (base64 HMAC-SHA256 keyed by ``"{timestamp}\\n{secret}"``
    of an empty message)."""

    name = ChannelName.FEISHU

    def payload(self, text: str) -> dict:
        body = {"msg_type": "text", "content": {"text": text}}
        secret = self.config().get("secret", "")
        if secret:
            stamp = str(int(time.time()))
            digest = hmac.new(f"{stamp}\n{secret}".encode(), b"", hashlib.sha256).digest()
            body.update(timestamp=stamp, sign=base64.b64encode(digest).decode())
        return body

    def check(self, answer: dict) -> None:
        code = answer.get("code", answer.get("StatusCode", 0))
        if code:
            raise DeliveryError(f"feishu: {code} {answer.get('msg', answer.get('StatusMessage', ''))}".strip())


REGISTRY: dict[str, Channel] = {c.name: c for c in (InApp(), Email(), Sms(), WeCom(), DingTalk(), Feishu())}


def active() -> list[Channel]:
    """The configured channels that can be used now (a bot without a URL is skipped)."""
    names = getattr(settings, "NOTIFY_CHANNELS", DEFAULT_CHANNELS)
    return [REGISTRY[n] for n in names if n in REGISTRY and REGISTRY[n].available()]


def get(name: str) -> Channel:
    return REGISTRY[name]


def _text(n: Notification) -> str:
    base = getattr(settings, "NOTIFY_BASE_URL", "")
    parts = [n.subject, n.body]
    if n.link and base:
        parts.append(base.rstrip("/") + n.link)
    return "\n".join(p for p in parts if p)


def post_json(url: str, payload: dict) -> dict:
    """POST ``payload`` as UTF-8 JSON; the answer as a dict. Only http(s) URLs."""
    if urllib.parse.urlsplit(url).scheme not in ("http", "https"):
        raise DeliveryError("webhook URL must be http(s)")
    timeout = getattr(settings, "NOTIFY_WEBHOOK_TIMEOUT", 5)
    data = json.dumps(payload, ensure_ascii=False).encode()
    request = urllib.request.Request(  # noqa: S310 (scheme checked above)
        url, data=data, method="POST", headers={"Content-Type": "application/json; charset=utf-8"}
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as response:  # noqa: S310
            raw = response.read(65536)
    except urllib.error.HTTPError as exc:
        raise DeliveryError(f"HTTP {exc.code}") from exc
    except (urllib.error.URLError, TimeoutError, OSError) as exc:
        raise DeliveryError(f"unreachable: {exc}") from exc
    try:
        answer = json.loads(raw.decode() or "{}")
    except (ValueError, UnicodeDecodeError) as exc:
        raise DeliveryError("the bot did not answer JSON") from exc
    return answer if isinstance(answer, dict) else {}
