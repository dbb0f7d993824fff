"""Reads sent to the read replica: ``replica_reads()`` marks a block whose reads may go there.

The router that acts on the mark is the project's (``config.routers``), which also names the
read-side apps whose every read goes there. Nothing inside ``replica_reads()`` may write: a
request that has just written must not read its own write from the replica (replication lag).
"""

from contextlib import contextmanager
from contextvars import ContextVar

from django.conf import settings

REPLICA = "replica"

_reading_from_replica: ContextVar[bool] = ContextVar("reading_from_replica", default=False)


def replica_configured() -> bool:
    return REPLICA in settings.DATABASES


def reading_from_replica() -> bool:
    """Inside a ``replica_reads()`` block?"""
    return _reading_from_replica.get()


@contextmanager
def replica_reads():
    """Send the reads made inside the block to the replica (when there is one)."""
    token = _reading_from_replica.set(True)
    try:
        yield
    finally:
        _reading_from_replica.reset(token)
