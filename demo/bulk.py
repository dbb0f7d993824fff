"""Writing many rows fast: plain tuples straight into a table.

``bulk_create`` spends ~100 µs per row building model instances and compiling the
INSERT (measured: 8–9 k rows/s on SQLite, 80 % of it in Django's SQL compiler), far
too slow for a million orders with ten events each. The demo loader therefore
builds rows as tuples of database-ready values and writes them with ``COPY … FROM
STDIN`` on PostgreSQL and one prepared ``executemany`` INSERT on other databases.

- Columns the caller does not give get the field's default, adapted once, so a
  field added to a model later with a default does not break the loader.
- Ids that other rows reference are given by the loader (``Ids``): a contiguous block
  after the table's highest id, so rows can be built anywhere (even in another
  process) before they are written. The load must therefore run alone — ``seed_demo``
  only loads into a database without work orders. On PostgreSQL the whole load is one
  transaction that holds the tables locked (``load_scope``) and moves their sequences
  past the new ids before it commits; on SQLite (one writer at a time) a concurrent
  insert would make the load stop with an integrity error, never mix rows.
- Values must already be in the database's form: use ``Adapters`` for datetimes and
  dates; JSON is given as text.
"""

import datetime as dt
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager

from django.core.management.color import no_style
from django.db import connection, transaction

_UTC = dt.UTC


def tune_connection() -> None:
    """Give this connection a bigger page cache while loading (SQLite; a per-connection setting).

    Index pages of a table with millions of rows no longer fit SQLite's default 2 MB
    cache; nothing about durability or integrity is changed.
    """
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size = -262144")  # 256 MB


class Adapters:
    """Database-ready values for the current connection."""

    def __init__(self):
        self.native = connection.vendor == "postgresql"
        self.db_tz = connection.timezone if not self.native else None

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


class Table:
    """Insert rows of ``model`` given as tuples in the order of ``columns`` (field attnames)."""

    def __init__(self, model, columns: Sequence[str]):
        meta = model._meta
        given = [meta.get_field(c) for c in columns]
        names = {f.attname for f in given}
        rest = [f for f in meta.concrete_fields if f.attname not in names and not f.primary_key]
        self.constants = tuple(f.get_db_prep_save(f.get_default(), connection) for f in rest)
        quote = connection.ops.quote_name
        cols = ", ".join(quote(f.column) for f in given + rest)
        self.copy = connection.vendor == "postgresql"
        if self.copy:
            self.sql = f"COPY {quote(meta.db_table)} ({cols}) FROM STDIN"
        else:
            marks = ", ".join(["%s"] * (len(given) + len(rest)))
            self.sql = f"INSERT INTO {quote(meta.db_table)} ({cols}) VALUES ({marks})"

    def insert(self, rows: list[tuple]) -> int:
        if not rows:
            return 0
        if self.constants:
            rows = [row + self.constants for row in rows]
        with connection.cursor() as cursor:
            if self.copy:
                with cursor.cursor.copy(self.sql) as copy:
                    for row in rows:
                        copy.write_row(row)  # psycopg adapts str, int, bool, Decimal, date, datetime
            else:
                cursor.executemany(self.sql, rows)
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


@contextmanager
def indexes_deferred(models, *, rebuilding: Callable[[], None] | None = None) -> Iterator[None]:
    """PostgreSQL: build the secondary indexes and check the foreign keys of ``models`` once, at the end.

    Inside the caller's transaction, drops the tables' foreign-key constraints and
    non-unique indexes, and re-creates them afterwards from their own definitions
    (``pg_get_constraintdef`` / ``pg_get_indexdef``) — what ``pg_restore`` does. Adding a
    foreign key validates every row in one query instead of one trigger per row, and an
    index is built by one sort instead of millions of inserts. PostgreSQL's DDL is
    transactional: if anything fails, the rollback brings back the schema as it was;
    once committed, every constraint holds and has been checked. Primary keys, unique
    and check constraints are never touched. Elsewhere: does nothing.
    """
    if connection.vendor != "postgresql":
        yield
        return
    if not connection.in_atomic_block:
        raise RuntimeError("indexes_deferred() must run inside a transaction")
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, quote_ident(conname), pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[]) ORDER BY oid",
            [tables],
        )
        keys = cursor.fetchall()
        cursor.execute(
            "SELECT i.indexrelid::regclass::text, pg_get_indexdef(i.indexrelid) FROM pg_index i "
            "WHERE i.indrelid = ANY(%s::regclass[]) AND NOT i.indisprimary AND NOT i.indisunique "
            "AND NOT EXISTS (SELECT 1 FROM pg_constraint c WHERE c.conindid = i.indexrelid) ORDER BY i.indexrelid",
            [tables],
        )
        indexes = cursor.fetchall()
        # Checks still pending in this transaction must run before their constraint goes
        # (PostgreSQL refuses to alter a table with pending trigger events); then the
        # deferrable constraints (all of Django's foreign keys) go back to deferred.
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")
        for table, name, _definition in keys:
            cursor.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
        for name, _definition in indexes:
            cursor.execute(f"DROP INDEX {name}")
    yield
    if rebuilding is not None:
        rebuilding()
    with connection.cursor() as cursor:
        for _name, definition in indexes:
            cursor.execute(definition)
        for table, name, definition in keys:
            cursor.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")


@contextmanager
def load_scope(models, *, rebuilding: Callable[[], None] | None = None) -> Iterator[None]:
    """Where a whole load runs.

    PostgreSQL: one transaction, with ``indexes_deferred`` (batches inside it are
    savepoints) and the sequences reset at the end. Other databases (SQLite): no outer
    transaction, so each batch commits on its own and the write-ahead log stays small.
    """
    if connection.vendor != "postgresql":
        yield
        return
    with transaction.atomic():
        with indexes_deferred(models, rebuilding=rebuilding):
            yield
        reset_sequences(models)
