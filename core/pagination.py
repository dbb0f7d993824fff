"""Keyset (cursor) pagination: every page costs the same, however deep.

The cursor encodes the sort key values of the last row of the previous page.
Sorting always ends with the primary key so the order is total.

Its format, as the API documents it (``CURSOR_PATTERN``): unpadded URL-safe base64 (letters,
digits, ``-`` and ``_``) of a JSON list. Anything else is refused with 422 ``bad_cursor``.
"""

import base64
import datetime as dt
import json
import re

from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db.models import Q, QuerySet

from .errors import ValidationFailed

CURSOR_PATTERN = r"^[A-Za-z0-9_-]*$"
CURSOR_MAX_LENGTH = 500
_CURSOR = re.compile(CURSOR_PATTERN)


def cursor_json_schema() -> dict:
    """What the OpenAPI document says of a cursor (pydantic ``json_schema_extra``)."""
    return {"pattern": CURSOR_PATTERN}


def encode_cursor(values: list) -> str:
    raw = json.dumps([v.isoformat() if isinstance(v, dt.datetime) else v for v in values])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str, n: int) -> list:
    # The alphabet first: the base64 decoder would skip other characters (and take "+" and "/").
    if _CURSOR.fullmatch(cursor) is None:
        raise _bad_cursor()
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()).decode())
        if not isinstance(values, list) or len(values) != n:
            raise ValueError
        return values
    except (ValueError, UnicodeDecodeError, TypeError):
        raise _bad_cursor() from None


def _bad_cursor() -> ValidationFailed:
    from django.utils.translation import gettext as _

    return ValidationFailed(
        _("The cursor is not valid."), code="bad_cursor", fields={"cursor": [_("The cursor is not valid.")]}
    )


BIGINT = (-(2**63), 2**63 - 1)


def _field(model, path: str):
    """The model field at the end of ``path`` (``customer__name``), or None if it is not one."""
    field = None
    for part in path.split("__"):
        try:
            field = model._meta.get_field(part)
        except FieldDoesNotExist:
            return None
        model = field.related_model
        if model is None:
            break
    return field


def _coerce(field, value):
    """A cursor value back to the field's type; anything we would not have encoded is refused.

    A cursor comes from the client: it may be forged, so a wrong type, an impossible date or
    an integer out of the database's range is a 422, never a crash or a silently odd page.
    """
    if value is None or isinstance(value, (bool, list, dict)):
        raise _bad_cursor()
    internal = field.get_internal_type() if field is not None else ""
    try:
        if internal.endswith(("IntegerField", "AutoField")):
            if not isinstance(value, int) or not BIGINT[0] <= value <= BIGINT[1]:
                raise ValueError
            return value
        if internal == "DateTimeField":
            if not isinstance(value, str):
                raise ValueError
            parsed = dt.datetime.fromisoformat(value)
            if parsed.tzinfo is None:
                raise ValueError
            return parsed
        if not isinstance(value, (str, int, float)):
            raise ValueError
        return field.to_python(value) if field is not None else value
    except (ValueError, TypeError, OverflowError, ValidationError):
        raise _bad_cursor() from None


def keyset_page(qs: QuerySet, *, order: list[str], cursor: str | None, size: int, parse=None):
    """Return ``(rows, next_cursor)``; ``order`` like ``["-created_at", "-id"]`` (last is the pk).

    ``parse`` optionally converts cursor values back (e.g. ISO strings to datetimes).
    """
    qs = qs.order_by(*order)
    if cursor:
        values = decode_cursor(cursor, len(order))
        values = [_coerce(_field(qs.model, key.lstrip("-")), v) for key, v in zip(order, values, strict=True)]
        if parse:
            values = parse(values)
        try:
            qs = qs.filter(_after(order, values))
        except (ValueError, TypeError):  # a tampered cursor: wrong types for the sort keys
            raise _bad_cursor() from None
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
    """(a, b, c) > (va, vb, vc) in the mixed-direction sense, as an OR of ANDs.

    The OR is ANDed with the bound on the first key (``a >= va``): the same rows, but
    PostgreSQL can then walk the sort index from the cursor and stop after one page instead
    of collecting every later row through a BitmapOr and sorting them (measured: a page 51
    deep cost as much as the remaining rows; now it costs what the first page costs)."""
    q = Q()
    for i, key in enumerate(order):
        field = key.lstrip("-")
        op = "lt" if key.startswith("-") else "gt"
        clause = Q(**{f"{field}__{op}": values[i]})
        for prev_key, prev_value in zip(order[:i], values[:i], strict=False):
            clause &= Q(**{prev_key.lstrip("-"): prev_value})
        q |= clause
    first = order[0]
    return Q(**{f"{first.lstrip('-')}__{'lte' if first.startswith('-') else 'gte'}": values[0]}) & q
