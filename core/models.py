"""Cross-cutting models: the append-only audit log and administrable policy settings."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class AppendOnlyError(RuntimeError):
    """Raised on any attempt to change or delete an audit row."""


class AuditLogQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AppendOnlyError("The audit log is append-only: rows cannot be updated.")

    def delete(self):
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")

    update.queryset_only = True
    delete.queryset_only = True


class AuditLog(models.Model):
    """One row per change to a domain object: who, when, what, before → after.

    Append-only: code never updates or deletes rows (the admin is read-only). ``save`` only
    inserts, ``delete`` and the queryset's ``update``/``delete`` raise, and on PostgreSQL a
    trigger refuses UPDATE and DELETE (migration 0002). The one exception is the redaction of
    personal data under PIPL erasure (``core.audit.redact_personal_data``), which keeps every
    row and its who/when/what and is itself logged.

    The actor is protected: a user named by a row cannot be deleted (``ProtectedError`` before
    any SQL, on every database; the foreign key refuses a raw DELETE), so no row ever loses its
    actor. Users are deactivated instead (``is_active``; the admin offers no delete).
    """

    at = models.DateTimeField(_("time"), default=timezone.now, editable=False)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("actor"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,  # never SET_NULL: that would rewrite append-only rows
        related_name="+",
    )
    action = models.CharField(_("action"), max_length=40)
    object_type = models.CharField(_("object type"), max_length=60)
    object_id = models.CharField(_("object id"), max_length=40)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    before = models.JSONField(_("before"), null=True, blank=True)
    after = models.JSONField(_("after"), null=True, blank=True)

    objects = AuditLogQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit log")
        ordering = ["-id"]
        indexes = [
            models.Index(fields=["object_type", "object_id"]),
            # The audit page's order (newest first), alone and per actor (accounts/auditlog.py).
            models.Index(fields=["at", "id"], name="audit_at"),
            models.Index(fields=["actor", "at", "id"], name="audit_actor_at"),
        ]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.action} {self.object_type}#{self.object_id}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise AppendOnlyError("The audit log is append-only: rows cannot be changed.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("The audit log is append-only: rows cannot be deleted.")


class Setting(models.Model):
    """An administrable policy value overriding the default in ``core.policies.DEFAULTS``."""

    key = models.CharField(_("key"), max_length=80, unique=True)
    value = models.JSONField(_("value"))
    updated_at = models.DateTimeField(_("updated"), auto_now=True)

    class Meta:
        verbose_name = _("setting")
        verbose_name_plural = _("settings")

    def __str__(self) -> str:
        return self.key


class IdempotencyKey(models.Model):
    """The outcome of a write sent with an ``Idempotency-Key`` header or a one-time form token
    (``core.idempotency``), or of a mail filed by the email intake (scope ``email``).

    A row without ``status_code`` is a request still running: it reserves the key. A key
    belongs to a user; a request without one (a public endpoint) is told apart by ``client``."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    client = models.CharField(max_length=80, blank=True)
    scope = models.CharField(max_length=40)
    key = models.CharField(max_length=200)
    method = models.CharField(max_length=10, blank=True)
    path = models.TextField(blank=True)
    request_hash = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    response = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "scope", "key"], name="uniq_idempotency_key"),
            models.UniqueConstraint(
                fields=["client", "scope", "key"],
                condition=models.Q(user__isnull=True),
                name="uniq_idempotency_key_anonymous",
            ),
        ]
        indexes = [models.Index(fields=["scope", "created_at"], name="idempotency_scope_created")]

    def __str__(self) -> str:
        return f"{self.scope}:{self.key}"


class Document(models.Model):
    """An uploaded file, checked by content. Served only through permission-checked views."""

    file = models.FileField(_("file"), upload_to="documents/%Y/%m/")
    original_name = models.CharField(_("original name"), max_length=200, blank=True)
    content_type = models.CharField(_("content type"), max_length=60)
    size = models.PositiveIntegerField(_("size"))
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    uploaded_at = models.DateTimeField(_("uploaded"), auto_now_add=True)

    class Meta:
        verbose_name = _("document")
        verbose_name_plural = _("documents")

    def __str__(self) -> str:
        return self.original_name or self.file.name
