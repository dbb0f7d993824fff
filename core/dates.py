"""Date-times that come in from outside: one rule for the API, the console and the services.

- A value without an offset is wall-clock time in ``settings.TIME_ZONE`` (Asia/Shanghai).
- It must lie in the supported window, :data:`FIRST_DAY` 00:00 to :data:`LAST_DAY` 23:59:59.999999
  in that zone (2000-01-01 to 2099-12-31). The window lies well inside what the SLA engine
  computes (``sla.timeline``: local years 1900 to 2500, with a deadline up to 20 years after its
  start), and every offset of Asia/Shanghai in it is a whole number of minutes (no local mean
  time), so every time the API returns is valid RFC 3339.
- Outside it: a 422 naming the field and the window (``validation_error`` from an API schema,
  ``date_out_of_range`` from a service, a form error in the console).

:data:`ApiDateTime` is the type of every date-time an API schema takes; :func:`checked` is the
services' check; :class:`DateTimeField` the console forms' field. All three use :func:`parse`.
"""

import datetime as dt
from typing import Annotated

from django import forms
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _
from pydantic import AfterValidator, Field
from pydantic_core import PydanticCustomError

from .errors import ValidationFailed

FIRST_DAY = dt.date(2000, 1, 1)
LAST_DAY = dt.date(2099, 12, 31)
ERROR_TYPE = "datetime_out_of_window"  # the pydantic error type (core.api translates it)


class OutOfWindow(ValueError):
    """The date-time lies outside the supported window."""


def zone():
    """The zone an offsetless date-time is read in (``settings.TIME_ZONE``)."""
    return timezone.get_default_timezone()


def window() -> tuple[dt.datetime, dt.datetime]:
    """The first and the last supported instant, aware, in :func:`zone`."""
    z = zone()
    return (
        dt.datetime.combine(FIRST_DAY, dt.time.min, tzinfo=z),
        dt.datetime.combine(LAST_DAY, dt.time.max, tzinfo=z),
    )


def parse(value: dt.datetime) -> dt.datetime:
    """``value`` made aware (an offsetless one in :func:`zone`); :class:`OutOfWindow` outside the window.

    The comparison is made before any conversion: converting ``0001-01-01T00:00+14:00`` to
    another zone would overflow."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value, zone())
    first, last = window()
    if not first <= value <= last:
        raise OutOfWindow(value)
    return value


def window_message(field: str) -> str:
    """The translated refusal, naming ``field`` and the window."""
    return _("%(field)s must be between %(first)s and %(last)s (%(zone)s time).") % {
        "field": field,
        "first": f"{FIRST_DAY.isoformat()} 00:00",
        "last": f"{LAST_DAY.isoformat()} 23:59",
        "zone": settings.TIME_ZONE,
    }


def checked(value: dt.datetime | None, *, field: str) -> dt.datetime | None:
    """For a service: ``value`` aware and in the window (``None`` passes); otherwise
    ``ValidationFailed`` (422 ``date_out_of_range``) on ``field``."""
    if value is None:
        return None
    try:
        return parse(value)
    except OutOfWindow:
        msg = window_message(field)
        raise ValidationFailed(msg, code="date_out_of_range", fields={field: [msg]}) from None


def _api_value(value: dt.datetime) -> dt.datetime:
    try:
        return parse(value)
    except OutOfWindow:
        raise PydanticCustomError(ERROR_TYPE, "outside the supported window") from None


RULE = (
    f"ISO 8601 / RFC 3339 date-time from {FIRST_DAY.isoformat()}T00:00:00 to {LAST_DAY.isoformat()}T23:59:59 "
    f"{settings.TIME_ZONE} time; without an offset it is read as {settings.TIME_ZONE} time."
)

ApiDateTime = Annotated[
    dt.datetime,
    AfterValidator(_api_value),
    Field(
        description=RULE,
        # the bounds, machine-readable (the ``formatMinimum`` / ``formatMaximum`` keywords of ajv-formats)
        json_schema_extra={"formatMinimum": window()[0].isoformat(), "formatMaximum": window()[1].isoformat()},
    ),
]
"""A date-time an API schema takes (body or query): aware, in the window, else 422."""


DATE_ERROR_TYPE = "date_out_of_window"


def date_window_message(field: str) -> str:
    """The translated refusal of a date outside the window, naming ``field``."""
    return _("%(field)s must be a date between %(first)s and %(last)s.") % {
        "field": field,
        "first": FIRST_DAY.isoformat(),
        "last": LAST_DAY.isoformat(),
    }


def _api_date(value: dt.date) -> dt.date:
    if not FIRST_DAY <= value <= LAST_DAY:
        raise PydanticCustomError(DATE_ERROR_TYPE, "outside the supported window")
    return value


ApiDate = Annotated[
    dt.date,
    AfterValidator(_api_date),
    Field(
        description=f"ISO 8601 date (YYYY-MM-DD) from {FIRST_DAY.isoformat()} to {LAST_DAY.isoformat()}.",
        json_schema_extra={"formatMinimum": FIRST_DAY.isoformat(), "formatMaximum": LAST_DAY.isoformat()},
    ),
]
"""A calendar date an API schema takes (body or query): in the window, else 422."""


class DateTimeField(forms.DateTimeField):
    """A console form's date-time: the same rule as the API (:func:`parse`)."""

    def to_python(self, value):
        value = super().to_python(value)  # aware in the current zone (the console's: settings.TIME_ZONE)
        if value is None:
            return None
        try:
            return parse(value)
        except OutOfWindow:
            raise forms.ValidationError(window_message(str(self.label or "")), code="out_of_window") from None
