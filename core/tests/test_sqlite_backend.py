"""core.backends.sqlite3: a second writer waits for the first one's commit in short steps.

Two real connections to one SQLite file (WAL, as the settings configure it): while one holds
the write transaction, the other's ``BEGIN IMMEDIATE`` retries with SQLite's busy handler off,
sleeping at most ``LONGEST_WAIT_S`` between tries, starts as soon as the lock is free, and
fails like SQLite ("database is locked") once the busy timeout has passed. The busy timeout
of the connection is the same before and after, whatever happened."""

import threading
import time

import pytest
from django.db import OperationalError
from django.db.utils import load_backend

from core.backends.sqlite3 import base as backend


@pytest.fixture(autouse=True)
def _own_files(django_db_blocker):
    """These connections go to a file of the test's own, not to the test database."""
    with django_db_blocker.unblock():
        yield


def _wrapper(path, alias, busy_ms=2000):
    settings_dict = {
        "ENGINE": "core.backends.sqlite3",
        "NAME": str(path),
        "OPTIONS": {
            "init_command": f"PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA busy_timeout={busy_ms};",
            "transaction_mode": "IMMEDIATE",
            "timeout": 20,
        },
        "ATOMIC_REQUESTS": False,
        "AUTOCOMMIT": True,
        "CONN_MAX_AGE": 0,
        "CONN_HEALTH_CHECKS": False,
        "TIME_ZONE": None,
        "USER": "",
        "PASSWORD": "",
        "HOST": "",
        "PORT": "",
        "TEST": {},
    }
    w = load_backend("core.backends.sqlite3").DatabaseWrapper(settings_dict, alias)
    w.ensure_connection()
    return w


@pytest.fixture
def pair(tmp_path):
    first, second = _wrapper(tmp_path / "w.sqlite3", "first"), _wrapper(tmp_path / "w.sqlite3", "second")
    with first.cursor() as c:
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
    yield first, second
    for w in (first, second):
        w.close()


def _begin(w):
    """What ``transaction.atomic`` does on SQLite to open the outermost transaction."""
    w.set_autocommit(False, force_begin_transaction_with_broken_autocommit=True)


def _commit(w):
    w.commit()
    w.set_autocommit(True)


def _busy_ms(w):
    with w.cursor() as c:
        c.execute("PRAGMA busy_timeout")
        return c.fetchone()[0]


def test_the_second_writer_starts_when_the_first_commits_and_never_sleeps_long(tmp_path, monkeypatch):
    """Load-independent: the first writer commits only once the second one is seen waiting (its
    sixth sleep), so no scheduling delay can let the second start unopposed; the busy timeout is
    far above any stall of a loaded machine; and "when the first commits" is checked by the
    order of events (wall clock of one machine), not by how long the sleeps lasted."""
    first, second = (
        _wrapper(tmp_path / "w.sqlite3", "first", 60_000),
        _wrapper(tmp_path / "w.sqlite3", "second", 60_000),
    )
    with first.cursor() as c:
        c.execute("CREATE TABLE t (id INTEGER PRIMARY KEY, who TEXT)")
    sleeps = []  # (monotonic time the sleep began, seconds asked)
    seen_waiting = threading.Event()
    real_sleep = time.sleep

    def sleep(seconds):
        sleeps.append((time.monotonic(), seconds))
        if len(sleeps) >= 6:
            seen_waiting.set()
        real_sleep(seconds)

    monkeypatch.setattr(backend.time, "sleep", sleep)
    first.inc_thread_sharing()  # the first writer runs in a thread of its own
    holding = threading.Event()
    committing_at, committed_at = [], []

    def hold_then_commit():
        _begin(first)
        with first.cursor() as c:
            c.execute("INSERT INTO t (who) VALUES ('first')")
        holding.set()
        seen_waiting.wait(50)  # until the second writer has found the lock taken and retried
        committing_at.append(time.monotonic())
        _commit(first)
        committed_at.append(time.monotonic())

    t = threading.Thread(target=hold_then_commit)
    try:
        t.start()
        assert holding.wait(50)
        _begin(second)  # waits until the first one commits
        began_at = time.monotonic()
        t.join()
        with second.cursor() as c:
            c.execute("INSERT INTO t (who) VALUES ('second')")
        _commit(second)
        with second.cursor() as c:
            c.execute("SELECT who FROM t ORDER BY id")
            assert [r[0] for r in c.fetchall()] == ["first", "second"]
        asked = [s for _, s in sleeps]
        # it waited in short steps, doubling from the first to the longest, never longer
        assert seen_waiting.is_set() and len(asked) >= 6
        assert asked[:4] == [backend.FIRST_WAIT_S * 2**i for i in range(3)] + [backend.LONGEST_WAIT_S]
        assert max(asked) <= backend.LONGEST_WAIT_S
        # it started only after the first one's commit ...
        assert began_at >= committing_at[0]
        # ... and at its next try: at most the one sleep after the last refused try began after it
        assert sum(1 for at, _ in sleeps if at > committed_at[0]) <= 1
        assert _busy_ms(second) == 60_000
    finally:
        seen_waiting.set()
        t.join(60)
        first.close()
        second.close()


def test_a_writer_that_waits_past_the_busy_timeout_fails_as_sqlite_would(tmp_path):
    first, second = _wrapper(tmp_path / "w.sqlite3", "first"), _wrapper(tmp_path / "w.sqlite3", "second", busy_ms=150)
    try:
        _begin(first)
        started = time.monotonic()
        with pytest.raises(OperationalError, match="database is locked"):
            _begin(second)
        assert time.monotonic() - started >= 0.15
        assert _busy_ms(second) == 150  # restored, and the connection still works
        _commit(first)
        _begin(second)
        _commit(second)
    finally:
        first.close()
        second.close()


def test_an_uncontended_transaction_keeps_the_busy_timeout(pair):
    first, _second = pair
    _begin(first)
    with first.cursor() as c:
        c.execute("INSERT INTO t (who) VALUES ('alone')")
    _commit(first)
    assert _busy_ms(first) == 2000


def test_the_begin_is_logged_like_any_query_when_queries_are_logged(pair):
    first, _second = pair
    first.force_debug_cursor = True
    _begin(first)
    _commit(first)
    assert [q["sql"] for q in first.queries_log][:1] == ["BEGIN IMMEDIATE"]


def test_the_project_runs_on_it_on_sqlite():
    from django.db import connections

    default = connections["default"]
    assert isinstance(default, backend.DatabaseWrapper) == (default.vendor == "sqlite")
