"""What the SLA engine computes: the largest amounts and the furthest deadline.

The business-time maths (``sla.businesstime``) searches at most ``MAX_SEARCH_YEARS`` (20)
local years past a start and compiles local years 1900 to 2500 only. Policy targets, extensions
and date-times coming in (``core.dates``: 2000-01-01 to 2099-12-31) are bounded well inside
that, so a deadline is always computable; what still falls outside (a sparse calendar, many
extensions in a row) is refused with a 422, never an error of the maths.
"""

import datetime as dt

MAX_MINUTES = 525_600
"""The largest target or extension of a clock counted in minutes (calendar or business hours): a year."""

MAX_WORKING_DAYS = 365
"""The largest target or extension of a working-day clock."""

HORIZON_YEARS = 10
HORIZON = dt.timedelta(days=3653)
"""A deadline lies at most ten years after its clock started (extensions included)."""
