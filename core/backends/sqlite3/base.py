"""SQLite, with a second writer that waits as long as the first holds the lock, not longer.

SQLite lets one connection write at a time. A writer that finds the lock taken gets
SQLITE_BUSY, and SQLite's own busy handler then sleeps 1, 2, 5, 10, 15, 20, 25… ms between
its tries: with two gunicorn workers, an intake that arrives while the other worker's one
(about 1 ms of writes) commits sleeps 1 to 8 ms, and the worker sits idle meanwhile
(counted with ``strace``: docs/benchmarks.md). Here ``BEGIN IMMEDIATE`` is tried with the
busy handler off and, while the lock is taken, tried again after sleeps of 50 µs doubling
to at most 0.25 ms, until the connection's busy timeout (``PRAGMA busy_timeout``) has
passed; then it fails as SQLite would ("database is locked"). Everything else (reads,
writes outside a transaction, ``COMMIT``) keeps SQLite's busy handler. With the longest sleep at
0.25 ms instead of 1 ms, a waiting intake overshoots the other's commit by less: 0.75–0.82 ms
of wait per contended start against 1.0–1.16 ms, three retries on average either way
(docs/benchmarks.md).
"""

import time

from django.db.backends.sqlite3 import base
from django.db.backends.utils import debug_transaction

FIRST_WAIT_S = 0.00005
LONGEST_WAIT_S = 0.00025


def _busy(exc: Exception) -> bool:
    # SQLITE_BUSY (5) or an extended code of it; the message is the portable test.
    code = getattr(exc, "sqlite_errorcode", None)
    return (code is not None and code & 0xFF == 5) or "database is locked" in str(exc)


class DatabaseWrapper(base.DatabaseWrapper):
    busy_timeout_ms = 5000

    def get_new_connection(self, conn_params):
        conn = super().get_new_connection(conn_params)
        # The busy timeout in force once ``init_command`` has run (it may set its own).
        self.busy_timeout_ms = int(conn.execute("PRAGMA busy_timeout").fetchone()[0])
        return conn

    def _start_transaction_under_autocommit(self):
        if self.transaction_mode != "IMMEDIATE":
            return super()._start_transaction_under_autocommit()
        conn = self.connection
        # Logged like the stock backend's BEGIN when queries are logged; a last "database is
        # locked" leaves as Django's error.
        with debug_transaction(self, "BEGIN IMMEDIATE"), self.wrap_database_errors:
            conn.execute("PRAGMA busy_timeout = 0")
            try:
                deadline, wait = None, FIRST_WAIT_S
                while True:
                    try:
                        conn.execute("BEGIN IMMEDIATE")
                        return
                    except base.Database.OperationalError as exc:
                        now = time.monotonic()
                        if deadline is None:
                            deadline = now + self.busy_timeout_ms / 1000
                        if not _busy(exc) or now >= deadline:
                            raise
                        time.sleep(wait)
                        wait = min(wait * 2, LONGEST_WAIT_S)
            finally:
                conn.execute(f"PRAGMA busy_timeout = {self.busy_timeout_ms}")
