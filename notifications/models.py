"""A notification: one message to one recipient (or one group bot) through one channel."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class ChannelName(models.TextChoices):
    INAPP = "inapp", _("In-app")
    EMAIL = "email", _("Email")
    SMS = "sms", _("SMS")
    WECOM = "wecom", _("WeCom group bot")
    DINGTALK = "dingtalk", _("DingTalk group bot")
    FEISHU = "feishu", _("Feishu group bot")


class Notification(models.Model):
    """The in-app channel is the row itself (``sent_at`` set at creation); every other
    channel is delivered by ``notifications.tasks.notifications_send`` after commit.
    Group-bot rows have no recipient: they go to the team's chat group."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="notifications",
    )
    channel = models.CharField(_("channel"), max_length=10, choices=ChannelName.choices)
    kind = models.CharField(_("kind"), max_length=30, blank=True)  # the sender's message kind, e.g. "acknowledgement"
    subject = models.CharField(_("subject"), max_length=200)
    body = models.TextField(_("message"), max_length=5000)
    order_id = models.PositiveBigIntegerField(_("work order"), null=True, blank=True, db_index=True)
    link = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("created"), default=timezone.now)
    sent_at = models.DateTimeField(_("sent"), null=True, blank=True)
    read_at = models.DateTimeField(_("read"), null=True, blank=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    error = models.TextField(_("last error"), blank=True, max_length=2000)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["recipient", "channel", "read_at", "-id"], name="notif_inbox"),
            models.Index(fields=["sent_at", "channel", "attempts"], name="notif_pending"),
        ]

    def __str__(self) -> str:
        return f"{self.get_channel_display()}: {self.subject}"


# The channels a person may choose; in-app is always on (the inbox).
CHOOSABLE = (ChannelName.EMAIL, ChannelName.SMS)


class Preference(models.Model):
    """How one person wants to be told: the language messages are written in and the channels
    besides in-app. Without a row: ``settings.LANGUAGE_CODE`` and
    ``settings.NOTIFY_DEFAULT_CHANNELS`` for their kind of user (docs/notifications.md)."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("user"),
        on_delete=models.CASCADE,
        related_name="notify_preference",
    )
    language = models.CharField(_("language"), max_length=10, choices=settings.LANGUAGES, blank=True)
    channels = models.JSONField(_("channels"), default=list, blank=True)
    updated_at = models.DateTimeField(_("updated"), default=timezone.now)

    class Meta:
        verbose_name = _("notification preference")
        verbose_name_plural = _("notification preferences")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.language or '-'} {','.join(self.channels)}"
