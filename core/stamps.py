"""Change stamps of the small, rarely edited tables a process keeps in memory (SLA policies and
calendars, warranty terms): a handful of counts, maxima and sums that move whenever a row is
added, changed (``updated_at``) or deleted. A cache compares its stamp with the stored one
before every use, so an edit is seen by the very next request in every process, with nothing
to invalidate.

Each owner registers the expressions of its stamp (``register``); reading a stamp costs one query.
"""

from collections.abc import Callable

from django.db import connections

_EXPRESSIONS: dict[str, Callable[[], list[str]]] = {}


def register(name: str, expressions: Callable[[], list[str]]) -> None:
    """``expressions()`` returns the SQL scalar expressions (sub-selects) of the stamp ``name``."""
    _EXPRESSIONS[name] = expressions


def read(alias: str, name: str) -> tuple:
    """The stamp ``name`` on the database ``alias``, as a tuple of strings."""
    with connections[alias].cursor() as cur:
        cur.execute("SELECT " + ", ".join(_EXPRESSIONS[name]()))  # registered expressions only, never input
        return tuple(str(v) for v in cur.fetchone())
