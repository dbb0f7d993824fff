"""The audit log as a page and an export: its filter, its reads and how a row is shown.

Filters: the actor's username (exact), the object type and id, the action, and a period of
days in the service's time zone (``from`` and ``to`` inclusive). Newest first (``at``, then
``id``), on the indexes ``audit_at`` and ``audit_actor_at``.

Personal data is masked as in the admin's list (SPEC §11): phone numbers, e-mail addresses and
addresses always; names unless the reader holds ``pii.view_unmasked``. The export (CSV) is
itself an audit row (action ``export``, object ``core.auditlog``, the filter in ``after``).
"""

import csv
import datetime as dt
import io
import json
from collections.abc import Iterator
from zoneinfo import ZoneInfo

from django import forms
from django.conf import settings
from django.db import transaction
from django.db.models import Count, Q
from django.utils.translation import gettext_lazy as _

from core import audit, lean
from core.errors import ValidationFailed
from core.masking import mask_address, mask_email, mask_name, mask_phone
from core.models import AuditLog
from core.pagination import CURSOR_MAX_LENGTH, keyset_page

from .roles import can

ORDER = ["-at", "-id"]
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
EXPORT_MAX = 50_000  # rows in one export; a wider period is refused, to be narrowed
MASKED_REPR = {"customers.address": mask_address, "customers.customer": mask_name, "customers.contact": mask_name}


class AuditFilterForm(forms.Form):
    actor = forms.CharField(label=_("Actor (username)"), required=False, max_length=150)
    object_type = forms.CharField(label=_("Object type"), required=False, max_length=60)
    object_id = forms.CharField(label=_("Object id"), required=False, max_length=40)
    action = forms.CharField(label=_("Action"), required=False, max_length=40)
    date_from = forms.DateField(
        label=_("From (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    date_to = forms.DateField(
        label=_("To (day)"), required=False, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
    )
    cursor = forms.CharField(required=False, max_length=CURSOR_MAX_LENGTH, widget=forms.HiddenInput)

    def clean(self):
        data = super().clean()
        msg = _("Enter a day between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}
        for name in ("date_from", "date_to"):
            day = data.get(name)
            if day is not None and not FIRST_DAY <= day <= LAST_DAY:
                self.add_error(name, msg)
        first, last = data.get("date_from"), data.get("date_to")
        if first and last and first > last:
            self.add_error("date_to", _("The last day is before the first."))
        return data

    def filters(self) -> dict:
        """The valid filter values that are set (for the export's audit row)."""
        data = self.cleaned_data
        return {k: str(v) for k, v in data.items() if v and k != "cursor"}


def _midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def audit_rows(data: dict):
    """The audit rows matching a valid form's ``cleaned_data``, with their actors."""
    qs = AuditLog.objects.select_related("actor")
    if data.get("actor"):
        qs = qs.filter(actor__username=data["actor"])
    for name in ("object_type", "object_id", "action"):
        if data.get(name):
            qs = qs.filter(**{name: data[name]})
    if data.get("date_from"):
        qs = qs.filter(at__gte=_midnight(data["date_from"]))
    if data.get("date_to"):
        qs = qs.filter(at__lt=_midnight(data["date_to"] + dt.timedelta(days=1)))
    return qs


def audit_page(data: dict, *, size: int):
    """One page, newest first: one query whatever the depth (a bad cursor: ``ValidationFailed``)."""
    return keyset_page(audit_rows(data), order=ORDER, cursor=data.get("cursor") or None, size=size)


def last_day_counts(now: dt.datetime) -> dict:
    """The figures above the page: rows of the last 24 hours, and among them refused requests
    and reveals of contact details (one query on the ``audit_at`` index)."""
    return AuditLog.objects.filter(at__gte=now - dt.timedelta(days=1)).aggregate(
        total=Count("id"),
        denied=Count("id", filter=Q(action="denied")),
        reveals=Count("id", filter=Q(action="reveal_pii")),
    )


# --- masking -------------------------------------------------------------------------------


def _masker(key: str, names_clear: bool):
    key = key.lower()
    if "phone" in key or "mobile" in key:
        return mask_phone
    if "email" in key:
        return mask_email
    if "address" in key and not key.endswith("_id"):
        return mask_address
    if not names_clear and (key.endswith("name") and key not in ("username", "policy_name")):
        return mask_name
    return None


def masked(value, *, names_clear: bool, key: str = ""):
    """``value`` (a row's ``before``/``after``) with the personal data masked, keys kept."""
    if isinstance(value, dict):
        return {k: masked(v, names_clear=names_clear, key=k) for k, v in value.items()}
    if isinstance(value, list):
        return [masked(v, names_clear=names_clear, key=key) for v in value]
    if isinstance(value, str) and key:
        mask = _masker(key, names_clear)
        return mask(value) if mask else value
    return value


def present(row: AuditLog, *, names_clear: bool) -> dict:
    """A row as the page and the export show it."""
    mask = MASKED_REPR.get(row.object_type)
    label = row.object_repr
    if mask is mask_address or (mask is not None and not names_clear):
        label = mask(label)
    keys = set(row.before) if isinstance(row.before, dict) else set()
    keys |= set(row.after) if isinstance(row.after, dict) else set()
    return {
        "row": row,
        "fields": ", ".join(sorted(keys)),
        "actor": row.actor.username if row.actor_id else "",
        "action": audit.action_label(row.action, row.object_type),
        "object_type": audit.object_type_label(row.object_type),
        "label": label,
        "before": _json(masked(row.before, names_clear=names_clear)),
        "after": _json(masked(row.after, names_clear=names_clear)),
    }


def presented(rows, actor) -> list[dict]:
    names_clear = can(actor, "pii.view_unmasked")
    return [present(r, names_clear=names_clear) for r in rows]


# --- export --------------------------------------------------------------------------------

EXPORT_COLUMNS = ("id", "at", "actor", "action", "object_type", "object_id", "object", "before", "after")


def audit_log_export(*, actor, data: dict, filters: dict) -> tuple[int, Iterator[str]]:
    """The filtered rows as CSV lines (Asia/Shanghai times), newest first; the export itself is
    appended to the log first, in its own transaction, with the filter and the row count."""
    qs = audit_rows(data).order_by(*ORDER)
    count = qs.count()
    if count > EXPORT_MAX:
        msg = _("%(count)s rows match: narrow the filter to at most %(max)s rows to export.") % {
            "count": count,
            "max": EXPORT_MAX,
        }
        raise ValidationFailed(msg, code="export_too_large")
    with transaction.atomic():
        lean.insert(
            [
                AuditLog(
                    actor=actor,
                    action="export",
                    object_type=AuditLog._meta.label_lower,
                    object_id="csv",
                    object_repr="audit log export",
                    after={"filters": filters, "rows": count},
                )
            ]
        )
    names_clear = can(actor, "pii.view_unmasked")
    zone = ZoneInfo(settings.TIME_ZONE)

    def lines() -> Iterator[str]:
        buffer = io.StringIO()
        writer = csv.writer(buffer)

        def flush() -> str:
            text = buffer.getvalue()
            buffer.seek(0)
            buffer.truncate(0)
            return text

        buffer.write("\ufeff")  # Excel reads UTF-8 (Chinese) only with the byte-order mark
        writer.writerow(EXPORT_COLUMNS)
        yield flush()
        for row in qs[:EXPORT_MAX].iterator(chunk_size=2000):
            shown = present(row, names_clear=names_clear)
            writer.writerow(
                [
                    row.pk,
                    row.at.astimezone(zone).strftime("%Y-%m-%d %H:%M:%S"),
                    shown["actor"],
                    row.action,
                    row.object_type,
                    row.object_id,
                    _csv_safe(shown["label"]),
                    _csv_safe(shown["before"]),
                    _csv_safe(shown["after"]),
                ]
            )
            yield flush()

    return count, lines()


def _json(value) -> str:
    return "" if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _csv_safe(text: str) -> str:
    """A cell a spreadsheet would run as a formula (``=``, ``+``, ``-``, ``@``) is quoted."""
    return "'" + text if text[:1] in ("=", "+", "-", "@", "\t", "\r") else text
