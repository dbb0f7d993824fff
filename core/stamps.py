"""Change stamps of the small, rarely edited tables a process keeps in memory (SLA policies and
calendars, warranty terms): a handful of counts, maxima and sums that move whenever a row is
added, changed (``updated_at``) or deleted. A cache compares its stamp with the stored one
before every use, so an edit is seen by the very next request in every process, with nothing
to invalidate.

Each owner registers the expressions of its stamp (``register``). Read alone, a stamp costs one
query; inside ``together()`` the first read fetches every registered stamp in that one query and
later reads reuse it, so one request's decisions (intake's warranty check and SLA plan) share a
single round trip and a single snapshot.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar

from django.db import connections

_EXPRESSIONS: dict[str, Callable[[], list[str]]] = {}
_HELD: ContextVar[dict | None] = ContextVar("stamps_held", default=None)


def register(name: str, expressions: Callable[[], list[str]]) -> None:
    """``expressions()`` returns the SQL scalar expressions (sub-selects) of the stamp ``name``."""
    _EXPRESSIONS[name] = expressions


def _fetch(alias: str, names) -> dict[str, tuple]:
    columns, spans = [], []
    for name in names:
        exprs = _EXPRESSIONS[name]()
        spans.append((name, len(columns), len(columns) + len(exprs)))
        columns += exprs
    with connections[alias].cursor() as cur:
        cur.execute("SELECT " + ", ".join(columns))  # registered expressions only, never input
        row = tuple(str(v) for v in cur.fetchone())
    return {name: row[start:end] for name, start, end in spans}


def read(alias: str, name: str) -> tuple:
    """The stamp ``name`` on the database ``alias``, as a tuple of strings."""
    held = _HELD.get()
    if held is None:
        return _fetch(alias, [name])[name]
    stamps = held.get(alias)
    if stamps is None or name not in stamps:
        stamps = held[alias] = _fetch(alias, list(_EXPRESSIONS))
    return stamps[name]


@contextmanager
def together() -> Iterator[None]:
    """Within the block, every stamp is read at most once per database, all in one query."""
    if _HELD.get() is not None:  # nested: the outer block's snapshot holds
        yield
        return
    token = _HELD.set({})
    try:
        yield
    finally:
        _HELD.reset(token)
