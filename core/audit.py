"""The audit trail: every change to a domain object appends one ``AuditLog`` row."""

import datetime as dt
import decimal
import uuid
from collections.abc import Mapping

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db import connection, models, transaction
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from . import lean
from .models import AuditLog

# What an audit row's ``action`` means, for the audit page (the rows keep the codes): the
# actions any object can have, then per object type (``app.model``) what its workflow or its
# own services register (``register_action_labels``).
ACTION_LABELS = {
    "create": pgettext_lazy("audit action", "Created"),
    "update": pgettext_lazy("audit action", "Changed"),
    "delete": pgettext_lazy("audit action", "Deleted"),
    "assign": pgettext_lazy("audit action", "Assigned"),
    "denied": _("Request refused"),
    "view_pii": _("Personal data shown"),
    "reveal_pii": _("Contact details revealed"),
    "export": _("Exported"),
    "pii_export": _("Personal data exported (PIPL)"),
    "pii_erase": _("Personal data erased (PIPL)"),
    "sla_extend": _("Deadline extended"),
    "2fa_enable": _("Two-factor sign-in turned on"),
    "2fa_disable": _("Two-factor sign-in turned off"),
}
OBJECT_TYPE_LABELS = {"http": _("HTTP request")}
_TYPE_ACTION_LABELS: dict[str, dict[str, object]] = {}


def register_action_labels(object_type: str, labels: Mapping[str, object]) -> None:
    """Name the actions of one object type (``app.model``) on the audit page."""
    _TYPE_ACTION_LABELS.setdefault(object_type, {}).update(labels)


def _model(object_type: str):
    try:
        return apps.get_model(object_type)
    except (LookupError, ValueError):
        return None


def action_label(action: str, object_type: str):
    """The translated name of an audit row's action (the code itself when nothing names it)."""
    label = _TYPE_ACTION_LABELS.get(object_type, {}).get(action) or ACTION_LABELS.get(action)
    if label is not None:
        return label
    model = _model(object_type)
    if model is not None:  # an event row (a visit's check-in, say): its ``action`` choices
        try:
            choices = dict(model._meta.get_field("action").flatchoices)
        except FieldDoesNotExist:
            choices = {}
        if action in choices:
            return choices[action]
    return action


def object_type_label(object_type: str):
    """The translated name of an audit row's object type (``service.workorder`` → "work order")."""
    if object_type in OBJECT_TYPE_LABELS:
        return OBJECT_TYPE_LABELS[object_type]
    model = _model(object_type)
    return model._meta.verbose_name if model is not None else object_type


def _jsonable(value):
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (decimal.Decimal, uuid.UUID)):
        return str(value)
    if isinstance(value, models.Model):
        return value.pk
    if hasattr(value, "name") and hasattr(value, "storage"):  # FieldFile
        return value.name or None
    return value


def snapshot(obj: models.Model) -> dict:
    """The concrete field values of ``obj`` as JSON-safe data (foreign keys as ids)."""
    data = {}
    for field in obj._meta.concrete_fields:
        data[field.attname] = _jsonable(getattr(obj, field.attname))
    return data


def entry(
    *, actor, action: str, obj: models.Model, before: dict | None = None, after=None, at: dt.datetime | None = None
) -> AuditLog:
    """The audit row ``record`` would append, not saved yet (see ``record_entries``).

    ``at``: when the change happened, given by a service that takes ``now`` (default: now)."""
    if after is None and action != "delete":
        after = snapshot(obj)
    if before is not None and after is not None:
        changed = {k for k in after if before.get(k) != after.get(k)}
        before = {k: v for k, v in before.items() if k in changed}
        after = {k: v for k, v in after.items() if k in changed}
    row = AuditLog(
        actor=actor if (actor is not None and actor.pk) else None,
        action=action,
        object_type=obj._meta.label_lower,
        object_id=str(obj.pk),
        object_repr=str(obj)[:200],
        before=before,
        after=after,
    )
    if at is not None:
        row.at = at
    return row


def record(
    *, actor, action: str, obj: models.Model, before: dict | None = None, after=None, at: dt.datetime | None = None
) -> AuditLog:
    """Append one audit row; ``after`` defaults to a fresh snapshot of ``obj``; ``at`` as for ``entry``."""
    row = entry(actor=actor, action=action, obj=obj, before=before, after=after, at=at)
    lean.insert([row])
    return row


def record_entries(rows: list[AuditLog]) -> list[AuditLog]:
    """Append several audit rows built by ``entry`` / ``pii_view_entry`` in one INSERT."""
    return lean.insert([r for r in rows if r is not None])


def pii_view_entry(*, actor, obj, fields, action: str = "view_pii") -> AuditLog | None:
    """The row ``record_pii_view`` would append, not saved yet (None for an empty list)."""
    fields = sorted(set(fields))
    if isinstance(obj, models.Model):
        object_type, object_id, label = obj._meta.label_lower, str(obj.pk), str(obj)
        after = {"fields": fields}
    else:
        objs = list(obj)
        if not objs:
            return None
        object_type, object_id = objs[0]._meta.label_lower, "list"
        label = ", ".join(str(o) for o in objs)
        after = {"fields": fields, "ids": [o.pk for o in objs]}
    return AuditLog(
        actor=actor if (actor is not None and actor.pk) else None,
        action=action,
        object_type=object_type,
        object_id=object_id,
        object_repr=label[:200],
        before=None,
        after=after,
    )


def record_pii_view(*, actor, obj, fields) -> AuditLog | None:
    """Log that ``actor`` was shown the unmasked personal data ``fields`` of ``obj``.

    ``obj`` is one model instance or a sequence of them (one row for a whole page of a list,
    listing the ids). Only field names are stored, never the values.
    """
    row = pii_view_entry(actor=actor, obj=obj, fields=fields)
    if row is not None:
        lean.insert([row])
    return row


def record_pii_reveal(*, actor, obj, fields) -> AuditLog:
    """Log that ``actor`` asked to see the masked personal data ``fields`` of ``obj`` in full (a
    "reveal", action ``reveal_pii``): one row each time, field names only, never the values."""
    row = pii_view_entry(actor=actor, obj=obj, fields=fields, action="reveal_pii")
    lean.insert([row])
    return row


def record_denial(*, actor, method: str, path: str, status: int, address: str = "") -> AuditLog:
    """Log a refused request (401/403, or 404 for a signed-in user): see DenialLogMiddleware."""
    safe_path = path.replace("\x00", "\\x00")  # PostgreSQL text cannot hold a NUL
    return AuditLog.objects.create(
        actor=actor if (actor is not None and actor.pk) else None,
        action="denied",
        object_type="http",
        object_id=str(status),
        object_repr=f"{method} {safe_path}"[:200],
        before=None,
        after={"status": status, "method": method, "path": safe_path[:500], "address": address[:64]},
    )


def redact_personal_data(*, queryset, scrub) -> int:
    """Rewrite ``before``/``after``/``object_repr`` of the given audit rows through ``scrub``
    (a function over JSON values that replaces personal data). For PIPL erasure only.

    The rows stay, with their time, actor, action and object; on PostgreSQL the append-only
    trigger lets this through only while ``aftersales.audit_redaction`` is on in this
    transaction. Returns the number of rows changed.
    """
    changed = 0
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('aftersales.audit_redaction', 'on', true)")
        for row in queryset.only("id", "before", "after", "object_repr").order_by("id").iterator():
            new = {"before": scrub(row.before), "after": scrub(row.after), "object_repr": scrub(row.object_repr)}
            if new != {"before": row.before, "after": row.after, "object_repr": row.object_repr}:
                # The one sanctioned write to existing audit rows (AuditLogQuerySet refuses update()).
                models.QuerySet.update(AuditLog.objects.filter(pk=row.pk), **new)
                changed += 1
        if connection.vendor == "postgresql":  # (an error rolls the setting back with the transaction)
            with connection.cursor() as cursor:
                cursor.execute("SELECT set_config('aftersales.audit_redaction', 'off', true)")
    return changed
