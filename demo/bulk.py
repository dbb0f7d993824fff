"""Writing many rows fast: plain tuples straight into a table.

``bulk_create`` spends ~100 µs per row building model instances and compiling the
INSERT (measured: 8–9 k rows/s on SQLite, 80 % of it in Django's SQL compiler), far
too slow for a million orders with ten events each. The demo loader therefore
builds rows as tuples of database-ready values and writes them with ``COPY … FROM
STDIN`` on PostgreSQL (binary in the compact form, see ``Table``) and prepared
multi-row INSERTs (``executemany``) on other databases.

- Columns the caller does not give get the field's default, adapted once, so a
  field added to a model later with a default does not break the loader.
- Ids that other rows reference are given by the loader (``Ids``): a contiguous block
  after the table's highest id, so rows can be built anywhere (even in another
  process) before they are written. The load must therefore run alone — ``seed_demo``
  only loads into a database without work orders. The whole load is one transaction
  (``load_scope``) on PostgreSQL and on SQLite: nobody sees half a data set, and a
  failed load leaves the database as it was. On PostgreSQL it holds the tables locked
  and moves their sequences past the new ids before it commits; on SQLite it holds
  the one write lock for the duration.
- Values must already be in the database's form: use ``Adapters`` for datetimes and
  dates; JSON is given as text. The demo loader uses the compact form (``compact=True``:
  times as microseconds, converted by the database).
"""

import datetime as dt
import gc
import struct
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from functools import cache
from itertools import chain

from django.core.management.color import no_style
from django.db import connection, models, transaction

_UTC = dt.UTC


ROWS_PER_INSERT = 100  # SQLite: rows per INSERT statement (within Django's limit of parameters)
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=_UTC)
_MICROSECOND = dt.timedelta(microseconds=1)
# SQLite: the text Django stores for a UTC time ("YYYY-MM-DD HH:MM:SS[.ffffff]"), from
# microseconds since the epoch, computed by SQLite itself.
_SQLITE_TIME = (
    "CASE WHEN ?{n} % 1000000 THEN printf('%s.%06d', datetime(?{n} / 1000000, 'unixepoch'), ?{n} % 1000000) "
    "ELSE datetime(?{n} / 1000000, 'unixepoch') END"
)


def _times_as_micros() -> bool:
    """Whether compact rows carry their times as microseconds on this connection.

    PostgreSQL (binary COPY), and SQLite where Django keeps UTC text (the default with
    ``USE_TZ``); elsewhere compact rows are ordinary ones.
    """
    if connection.vendor == "postgresql":
        return True
    return connection.vendor == "sqlite" and connection.timezone is _UTC


class Adapters:
    """Database-ready values for the current connection.

    ``compact``: for ``Table(…, compact=True)``, which takes a time as an ``int``,
    microseconds since the Unix epoch (UTC), and converts it inside the database: ``ts``
    and ``micros`` then give that ``int``. Formatting a datetime in Python and sending
    it to the writing process cost more than everything else about an event row.
    """

    def __init__(self, *, compact: bool = False):
        self.native = connection.vendor == "postgresql"
        self.db_tz = connection.timezone if not self.native else None
        if compact and _times_as_micros():
            self.ts, self.micros = _micros_of, _same

    def micros(self, us: int | None):
        """A time given as microseconds since the Unix epoch (UTC), as ``ts`` gives it."""
        if us is None:
            return None
        return self.ts(_EPOCH + dt.timedelta(microseconds=us))

    def ts(self, value: dt.datetime | None):
        if value is None or self.native:
            return value
        if value.tzinfo is not _UTC or self.db_tz is not _UTC:
            return value.astimezone(self.db_tz).replace(tzinfo=None).isoformat(" ")
        return value.isoformat(" ")[:-6]  # "YYYY-MM-DD HH:MM:SS[.ffffff]" in UTC, as Django stores it

    def day(self, value: dt.date | None):
        if value is None or self.native:
            return value
        return value.isoformat()


def _same(value):
    return value


def _micros_of(value: dt.datetime | None) -> int | None:
    return None if value is None else (value - _EPOCH) // _MICROSECOND


@cache
def _binary_dumpers() -> tuple:
    """The binary COPY dumpers for the loader's own forms of two types (PostgreSQL).

    - ``jsonb`` given as text: psycopg's dumper would serialise a ``str`` again, into a
      JSON string.
    - ``timestamptz`` given as an ``int``, microseconds since the Unix epoch (UTC):
      written as it is (PostgreSQL's binary form is microseconds since 2000), where a
      datetime per value would be built, sent to the writing process and taken apart.

    Any other value (a ``Jsonb`` wrapper from a field default, a ``datetime``) goes
    through psycopg's own dumper.
    """
    from psycopg.types.datetime import DatetimeBinaryDumper
    from psycopg.types.json import JsonbBinaryDumper

    pack = struct.Struct("!q").pack
    since_2000 = 946_684_800_000_000

    class JsonbTextBinaryDumper(JsonbBinaryDumper):
        def dump(self, obj):
            if type(obj) is str:
                return b"\x01" + obj.encode()
            return super().dump(obj)

    class MicrosBinaryDumper(DatetimeBinaryDumper):
        def dump(self, obj):
            if type(obj) is int:
                return pack(obj - since_2000)
            return super().dump(obj)

    return JsonbTextBinaryDumper, MicrosBinaryDumper


class Table:
    """Insert rows of ``model`` given as tuples in the order of ``columns`` (field attnames).

    ``compact``: rows in the loader's compact form, with values of their column's own
    Python type (``int`` for an integer, ``Decimal`` for a numeric, ``date``, ``bool``…),
    JSON as text, and every time as an ``int``, microseconds since the Unix epoch (UTC),
    as ``Adapters(compact=True)`` gives them. PostgreSQL: ``COPY`` in the binary format,
    typed from the table's own columns (half the Python time of the text format, and
    less parsing on the server; a value of the wrong type is refused, not converted).
    SQLite: the times are turned into Django's text by SQLite itself.
    """

    def __init__(self, model, columns: Sequence[str], *, compact: bool = False):
        meta = model._meta
        given = [meta.get_field(c) for c in columns]
        names = {f.attname for f in given}
        rest = [f for f in meta.concrete_fields if f.attname not in names and not f.primary_key]
        fields = given + rest
        self.constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        if compact and _times_as_micros():  # defaults in the compact form too
            times = [isinstance(f, models.DateTimeField) for f in fields]
            self.constants = tuple(
                _micros_of(v) if t and isinstance(v, dt.datetime) else v
                for v, t in zip(self.constants, times[len(given) :], strict=True)
            )
        else:
            times = [False] * len(fields)
        quote = connection.ops.quote_name
        table = quote(meta.db_table)
        cols = ", ".join(quote(f.column) for f in fields)
        self.copy = connection.vendor == "postgresql"
        self.types = None
        if self.copy:
            if compact:
                with connection.cursor() as cursor:
                    cursor.execute(
                        "SELECT attname, atttypid::int FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                        [meta.db_table],
                    )
                    oids = dict(cursor.fetchall())
                self.types = [oids[f.column] for f in fields]
                self.sql = f"COPY {table} ({cols}) FROM STDIN (FORMAT BINARY)"
            else:
                self.sql = f"COPY {table} ({cols}) FROM STDIN"
        else:
            # Many rows per INSERT: SQLite updates an AUTOINCREMENT table's counter
            # (``sqlite_sequence``) once per statement, and Django's primary keys are all
            # AUTOINCREMENT; one row per statement spent half of an event's insert there
            # (measured: 1.65 s against 4.3 s for a million events). The driver's own
            # (numbered) placeholders.
            width = len(fields)
            self.per_statement = max(1, min(ROWS_PER_INSERT, connection.features.max_query_params // width))

            def values(row: int) -> str:
                first = row * width + 1
                marks = (_SQLITE_TIME.format(n=first + k) if t else f"?{first + k}" for k, t in enumerate(times))
                return "(" + ", ".join(marks) + ")"

            self.sql = f"INSERT INTO {table} ({cols}) VALUES {values(0)}"
            many = ", ".join(values(r) for r in range(self.per_statement))
            self.many_sql = f"INSERT INTO {table} ({cols}) VALUES {many}"

    def insert(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        if self.constants:
            rows = [row + self.constants for row in rows]
        if self.copy:
            with connection.cursor() as cursor:
                raw = cursor.cursor
                if self.types is not None:
                    for dumper in _binary_dumpers():
                        raw.adapters.register_dumper(None, dumper)  # by type: for set_types() only
                with raw.copy(self.sql) as copy:
                    if self.types is not None:
                        copy.set_types(self.types)
                    for row in rows:
                        copy.write_row(row)  # psycopg adapts str, int, bool, Decimal, date, datetime
        else:
            # Straight to the driver: Django's cursor wrapper would rewrite the placeholders
            # and walk the rows through an extra iterator.
            n = self.per_statement
            whole = len(rows) - len(rows) % n
            connection.ensure_connection()
            with connection.wrap_database_errors:
                driver = connection.connection
                if whole:
                    flat = chain.from_iterable
                    driver.executemany(self.many_sql, (list(flat(rows[i : i + n])) for i in range(0, whole, n)))
                if whole < len(rows):
                    driver.executemany(self.sql, rows[whole:])
        return len(rows)


class Ids:
    """New primary keys for ``model``: a contiguous block after its highest id."""

    def __init__(self, model):
        meta = model._meta
        quote = connection.ops.quote_name
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT MAX({quote(meta.pk.column)}) FROM {quote(meta.db_table)}")
            self.next = (cursor.fetchone()[0] or 0) + 1

    def take(self, count: int) -> range:
        start = self.next
        self.next += count
        return range(start, self.next)


def reset_sequences(models) -> None:
    """Move the id sequences past the ids the loader gave (PostgreSQL; SQLite does it itself)."""
    statements = connection.ops.sequence_reset_sql(no_style(), list(models))
    with connection.cursor() as cursor:
        for sql in statements:
            cursor.execute(sql)


def _postgresql_deferred(cursor, tables: list[str], in_order: set[tuple[str, str]]) -> Callable[[], None]:
    """Drop the foreign keys and non-unique indexes of ``tables``; return what puts them back.

    Indexes that lead with a column in ``in_order`` ((table, column) pairs) stay.
    """
    cursor.execute(
        "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint "
        "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY oid",
        [tables],
    )
    keys = cursor.fetchall()
    cursor.execute(
        "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid), i.indrelid::regclass::text, a.attname "
        "FROM pg_index i LEFT JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0] "
        "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique "
        "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
        [tables],
    )
    indexes = [(name, definition) for name, definition, *lead in cursor.fetchall() if tuple(lead) not in in_order]
    # Checks still pending in this transaction must run before their constraint goes
    # (PostgreSQL refuses to alter a table with pending trigger events); then the
    # deferrable constraints (all of Django's foreign keys) go back to deferred.
    cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    cursor.execute("SET CONSTRAINTS ALL DEFERRED")
    for table, name, _definition in keys:
        cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _definition in indexes:
        cursor.execute(f"DROP INDEX {name}")

    def restore() -> None:
        with connection.cursor() as cursor:
            # Sorting an index of millions of rows, and the anti-join that validates a
            # foreign key, stay in memory with these (the defaults, 64 MB and 4 MB, spill
            # to disk at a million orders). For this transaction only.
            cursor.execute("SET LOCAL maintenance_work_mem = '512MB'")
            cursor.execute("SET LOCAL work_mem = '256MB'")
            for _name, definition in indexes:
                cursor.execute(definition)
            for table, name, definition in keys:
                cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")

    return restore


def _sqlite_deferred(cursor, tables: list[str]) -> Callable[[], None]:
    """Drop the non-unique indexes of ``tables``; return what re-creates them and checks the foreign keys."""
    marks = ", ".join(["%s"] * len(tables))
    # Only plain ``CREATE INDEX`` statements: the automatic indexes of primary keys and
    # unique constraints have no SQL, and unique indexes stay (they are constraints).
    cursor.execute(
        f"SELECT name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks}) "
        "AND sql IS NOT NULL AND upper(substr(sql, 1, 13)) = 'CREATE INDEX ' ORDER BY tbl_name, name",
        tables,
    )
    indexes = cursor.fetchall()
    quote = connection.ops.quote_name
    for name, _sql in indexes:
        cursor.execute(f"DROP INDEX {quote(name)}")

    def restore() -> None:
        with connection.cursor() as cursor:
            for _name, sql in indexes:
                cursor.execute(sql)
        # ``PRAGMA foreign_key_check`` over the loaded tables; the first broken reference
        # raises IntegrityError (with its table, row and value), which rolls the load back.
        connection.check_constraints(table_names=tables)

    return restore


@contextmanager
def indexes_deferred(
    models, *, rebuilding: Callable[[], None] | None = None, in_order: Sequence[tuple] = ()
) -> Iterator[None]:
    """Build the secondary indexes and check the foreign keys of ``models`` once, at the end.

    Inside the caller's transaction, drops the tables' non-unique indexes and re-creates
    them afterwards from their own definitions (PostgreSQL: ``pg_get_indexdef``; SQLite:
    the ``CREATE INDEX`` statement kept in ``sqlite_master``) — what ``pg_restore`` does.
    An index is then built by one sort instead of millions of inserts into a B-tree far
    bigger than the cache (the SQLite load at a million orders was more than twice as
    slow with its indexes in place).

    Foreign keys: PostgreSQL drops the constraints and adds them back, which validates
    every row in one query instead of one trigger per row; SQLite checks every loaded
    row with ``PRAGMA foreign_key_check`` (``load_scope`` switches the per-row checks off
    where it can). A broken reference raises ``IntegrityError``.

    DDL is transactional on both: if anything fails, the rollback brings back the schema
    as it was; once committed, every index is back and every reference has been checked.
    Primary keys, unique and check constraints are never touched.

    ``in_order``: (model, column) pairs whose rows the load writes in ascending order of
    that column (the events of order after order). PostgreSQL keeps the indexes that lead
    with such a column: each new key lands on the B-tree's rightmost leaf, its insert fast
    path, which costs less than building the index again at the end (the events' two
    ``order_id`` indexes of the time, at 300,000 orders: load 5 s faster). SQLite showed no gain: it
    rebuilds them all.
    """
    if connection.vendor not in ("postgresql", "sqlite"):
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred() must run inside a transaction")
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            kept = {(m._meta.db_table, m._meta.get_field(f).column) for m, f in in_order}
            restore = _postgresql_deferred(cursor, tables, kept)
        else:
            restore = _sqlite_deferred(cursor, tables)
    yield
    if rebuilding is not None:
        rebuilding()
    restore()


@contextmanager
def no_collections() -> Iterator[None]:
    """No cyclic garbage collection while millions of short-lived rows are built.

    The loader's objects (drafts, plans, row tuples) hold no reference cycles, and are
    freed by reference counting as soon as a batch is written. The collector's default
    pace — a young collection every 700 new objects, older ones over everything Django
    has loaded — was a third of the drafting time (measured: 84 against 140 µs per
    order); raising its thresholds saved only half of that. The forked drafting process
    inherits the setting. Collection comes back, as it was, when the load ends.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@contextmanager
def _sqlite_loading() -> Iterator[None]:
    """The loading connection's SQLite settings for the duration of the load, restored afterwards.

    - A page cache of up to 1 GB, and temporary storage in memory (per-connection
      settings): the pages of the tables being appended to stay in memory, and so do
      the sorts of the index builds at the end, which SQLite sizes by the cache (at a
      million orders the events' indexes sort 17 million keys; with the default cache
      they were merged through temporary files).
    - No per-row foreign key checks (``PRAGMA foreign_keys`` can only change outside a
      transaction: inside one — a test — the checks stay on, deferred to the commit);
      ``indexes_deferred`` checks every loaded row once at the end instead.

    Durability settings are not changed: the journal stays WAL and ``synchronous`` stays
    NORMAL. The load is one transaction, so it syncs once, when it commits, however
    many rows it writes.
    """
    settings = {"cache_size": "-1048576"}
    if not connection.in_atomic_block:  # SQLite refuses to change it inside a transaction (a test)
        settings["temp_store"] = "MEMORY"
    with connection.cursor() as cursor:
        before = {}
        for name, value in settings.items():
            cursor.execute(f"PRAGMA {name}")
            before[name] = int(cursor.fetchone()[0])
            cursor.execute(f"PRAGMA {name} = {value}")
    try:
        with connection.constraint_checks_disabled():
            yield
    finally:
        with connection.cursor() as cursor:
            for name, value in before.items():
                cursor.execute(f"PRAGMA {name} = {value}")


def analyze_loaded(models) -> None:
    """Planner statistics for the loaded tables, after the commit (outside a transaction).

    PostgreSQL: ``VACUUM (ANALYZE)``, which also fills the visibility map; without it an
    index-only scan still reads every row from the table (the dashboard's month of clocks at
    1,000,000 orders: 359 -> 137 ms p95, docs/benchmarks.md). Autovacuum would do it minutes
    later; a bulk load is the moment. SQLite: ``ANALYZE`` of each table (``sqlite_stat1``;
    2.6 s for the 10 million events of a million orders)."""
    tables = [connection.ops.quote_name(m._meta.db_table) for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"VACUUM (ANALYZE) {', '.join(tables)}")
        else:
            for table in tables:
                cursor.execute(f"ANALYZE {table}")


@contextmanager
def load_scope(
    models, *, rebuilding: Callable[[], None] | None = None, in_order: Sequence[tuple] = ()
) -> Iterator[None]:
    """Where a whole load runs: one transaction, with ``indexes_deferred`` (batches inside it are savepoints).

    PostgreSQL: the sequences are reset at the end. SQLite: per-row foreign key checks off
    and a bigger cache for the duration (``_sqlite_loading``); the write-ahead log grows to
    the size of the load and is checkpointed once, after the commit. Both: the tables are
    analysed after the commit (``analyze_loaded``) when the load ran outside a transaction.
    """
    with no_collections():
        if connection.vendor == "sqlite":
            with _sqlite_loading():
                with transaction.atomic():
                    with indexes_deferred(models, rebuilding=rebuilding, in_order=in_order):
                        yield
                if not connection.in_atomic_block:
                    analyze_loaded(models)
                    with connection.cursor() as cursor:  # copy the log into the database, and empty it
                        cursor.execute("PRAGMA wal_checkpoint(TRUNCATE)")
            return
        with transaction.atomic():
            with indexes_deferred(models, rebuilding=rebuilding, in_order=in_order):
                yield
            if connection.vendor == "postgresql":
                reset_sequences(models)
        if connection.vendor == "postgresql" and not connection.in_atomic_block:
            analyze_loaded(models)
