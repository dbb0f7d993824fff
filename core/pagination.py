"""Keyset (cursor) pagination: every page costs the same, however deep.

The cursor encodes the sort key values of the last row of the previous page.
Sorting always ends with the primary key so the order is total.
"""

import base64
import datetime as dt
import json

from django.db.models import Q, QuerySet

from .errors import ValidationFailed


def encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != n:
            raise ValueError
        return values
    except (ValueError, UnicodeDecodeError, TypeError):
        from django.utils.translation import gettext as _

        raise ValidationFailed(_("The cursor is not valid."), code="bad_cursor", fields={"cursor": [_("The cursor is not valid.")]}) from None


def keyset_page(qs: QuerySet, *, order: list[str], cursor: str | None, size: int, parse=None):
    """Return ``(rows, next_cursor)``; ``order`` like ``["-created_at", "-id"]`` (last is the pk).

    ``parse`` optionally converts cursor values back (e.g. ISO strings to datetimes).
    """
    qs = qs.order_by(*order)
    if cursor:
        values = decode_cursor(cursor, len(order))
        if parse:
            values = parse(values)
        qs = qs.filter(_after(order, values))
    rows = list(qs[: size + 1])
    next_cursor = None
    if len(rows) > size:
        rows = rows[:size]
        last = rows[-1]
        next_cursor = encode_cursor([_value(last, o.lstrip("-")) for o in order])
    return rows, next_cursor


def _value(obj, name):
    value = getattr(obj, name)
    return value.isoformat() if isinstance(value, dt.datetime) else value


def _after(order: list[str], values: list) -> Q:
    """(a, b, c) > (va, vb, vc) in the mixed-direction sense, as an OR of ANDs."""
    q = Q()
    for i, key in enumerate(order):
        field = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        clause = Q(**{f"{field}__{op}": values[i]})
        for prev_key, prev_value in zip(order[:i], values[:i], strict=False):
            clause &= Q(**{prev_key.lstrip("-"): prev_value})
        q |= clause
    return q
