"""Lean reads for the hottest paths: one SQL statement, rows turned into model instances.

Every API request authenticates its token and every intake looks up a unit with its model,
product line and owner. Through the ORM each of these reads costs about 1.2 ms of CPU on this
project's benchmark machine, nearly all of it building and compiling the query
(``docs/benchmarks.md``); the statement itself runs in under 0.1 ms. ``Shape`` does what the
ORM's compiler and model iterable do for a fixed join, once per process: it writes the column
list, keeps the database backend's converters for each column (SQLite's text dates, integer
booleans, JSON…) and builds the instances with ``Model.from_db`` (so ``_state`` is right and
``save()`` works), linking related instances the way ``select_related`` does.

``fetch_many`` runs several independent SELECTs; on PostgreSQL it sends them in one pipeline, so
an order page's half a dozen child reads cost one round trip instead of one each.

Use it only where a profile shows the ORM's own cost dominating, with a test that compares
its result to the ORM's.
"""

import functools
from collections.abc import Sequence

from django.conf import settings
from django.db import connections, router


class Shape:
    """The columns of ``model`` (table alias ``alias``) followed by those of its ``joins``.

    ``joins``: ``(alias, model, parent alias, field name on the parent)`` in the order they
    appear in the SELECT; each joined instance is cached on its parent like ``select_related``.
    A joined row that is NULL (an outer join that found nothing) leaves the relation ``None``.
    """

    def __init__(self, model, alias: str, joins: Sequence[tuple[str, object, str, str]] = ()):
        self.parts = [(alias, model, None, None), *joins]
        self._converters: dict[str, list] = {}

    def columns(self, connection) -> str:
        qn = connection.ops.quote_name
        return ", ".join(
            f"{alias}.{qn(f.column)}" for alias, model, _p, _f in self.parts for f in model._meta.concrete_fields
        )

    def _converters_for(self, connection) -> list:
        got = self._converters.get(connection.alias)
        if got is None:
            got = []
            for alias, model, _p, _f in self.parts:
                for f in model._meta.concrete_fields:
                    col = f.get_col(alias)
                    got.append((col, connection.ops.get_db_converters(col) + col.get_db_converters(connection)))
            self._converters[connection.alias] = got
        return got

    def build(self, row: Sequence, using: str):
        """The root instance of one row (the columns given by ``columns`` first; extra trailing
        columns are ignored), with its joined instances attached."""
        connection = connections[using]
        converters = self._converters_for(connection)
        values = list(row[: len(converters)])
        for i, (col, convs) in enumerate(converters):
            if convs:
                value = values[i]
                for conv in convs:
                    value = conv(value, col, connection)
                values[i] = value
        built: dict[str, object] = {}
        start = 0
        for alias, model, parent, field in self.parts:
            fields = model._meta.concrete_fields
            chunk = values[start : start + len(fields)]
            start += len(fields)
            instance = None
            pk_index = fields.index(model._meta.pk)
            if chunk[pk_index] is not None:
                instance = model.from_db(using, [f.attname for f in fields], chunk)
            built[alias] = instance
            if parent is not None and built[parent] is not None:
                built[parent]._meta.get_field(field).set_cached_value(built[parent], instance)
        return built[self.parts[0][0]]


@functools.cache
def _libpq_pipelines() -> bool:
    try:
        import psycopg
    except ImportError:  # psycopg2
        return False
    return psycopg.Pipeline.is_supported()


def pipelined(connection) -> bool:
    """Whether ``fetch_many`` sends its statements together on this connection: PostgreSQL
    through psycopg 3 with a libpq that has pipeline mode, unless ``settings.DB_PIPELINES`` is
    off (``DB_PIPELINES=0``, e.g. for a pooler that does not pass pipelines through)."""
    return connection.vendor == "postgresql" and getattr(settings, "DB_PIPELINES", True) and _libpq_pipelines()


def fetch_many(alias: str, statements: Sequence[tuple[str, Sequence]]) -> list[list[tuple]]:
    """The rows of each ``(sql, params)`` SELECT, in order.

    On PostgreSQL the statements go out in one pipeline (psycopg's pipeline mode) and their
    results come back together: one network round trip and one wait for the server instead
    of one per statement (an order page's children at 1,000,000 orders: 1.6 -> 1.0 ms,
    docs/benchmarks.md). Elsewhere they run one after the other. Each goes through Django's
    cursor wrapper all the same, so it is logged and counted like any query."""
    connection = connections[alias]
    if len(statements) < 2 or not pipelined(connection):
        with connection.cursor() as cursor:
            out = []
            for sql, params in statements:
                cursor.execute(sql, params)
                out.append(cursor.fetchall())
            return out
    cursors = [connection.cursor() for _ in statements]
    try:
        with connection.connection.pipeline():
            for cursor, (sql, params) in zip(cursors, statements, strict=True):
                cursor.execute(sql, params)
            return [cursor.fetchall() for cursor in cursors]
    finally:
        for cursor in cursors:
            cursor.close()


_INSERTS: dict[tuple, tuple | None] = {}


def _insert_plan(model, connection) -> tuple | None:
    """The fields and the statement's head for ``model``, or None where ``insert`` falls back
    to ``bulk_create`` (a model with database defaults, generated fields or fields that need
    their own placeholder SQL, or a database that cannot return the new ids)."""
    key = (model, connection.alias)
    if key not in _INSERTS:
        meta = model._meta
        fields = [f for f in meta.concrete_fields if not f.primary_key]
        simple = (
            connection.features.can_return_rows_from_bulk_insert
            and getattr(meta.pk, "db_returning", False)
            and not any(
                hasattr(f, "get_placeholder") or f.db_returning or getattr(f, "generated", False) for f in fields
            )
        )
        if simple:
            qn = connection.ops.quote_name
            head = f"INSERT INTO {qn(meta.db_table)} ({', '.join(qn(f.column) for f in fields)}) VALUES "
            marks = "(" + ", ".join(["%s"] * len(fields)) + ")"
            tail = f" RETURNING {qn(meta.pk.column)}"
            _INSERTS[key] = (fields, head, marks, tail)
        else:
            _INSERTS[key] = None
    return _INSERTS[key]


def insert(objs: Sequence) -> list:
    """Insert new instances of one model in one ``INSERT … RETURNING`` and set their ids.

    What ``bulk_create`` does for new rows with automatic ids (each field's ``pre_save`` — so
    ``auto_now_add`` is honoured — and ``get_db_prep_save``), without building a query object
    and compiling it: a few rows cost a third of the CPU. Like ``bulk_create``, no ``save()``
    is called and no signal is sent. Anything out of the ordinary (an id already set, an
    expression as a value, a model ``_insert_plan`` declines) goes through ``bulk_create``."""
    objs = list(objs)
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model)
    connection = connections[alias]
    plan = _insert_plan(model, connection)
    if plan is None or any(type(o) is not model or o.pk is not None for o in objs):
        return model._default_manager.using(alias).bulk_create(objs)
    fields, head, marks, tail = plan
    params = []
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="insert")
        for f in fields:
            value = f.pre_save(obj, add=True)
            if hasattr(value, "resolve_expression"):
                return model._default_manager.using(alias).bulk_create(objs)
            params.append(f.get_db_prep_save(value, connection))
    max_rows = connection.ops.bulk_batch_size(fields, objs)
    if max_rows < len(objs):
        return model._default_manager.using(alias).bulk_create(objs)
    with connection.cursor() as cursor:
        cursor.execute(head + ", ".join([marks] * len(objs)) + tail, params)
        ids = [row[0] for row in cursor.fetchall()]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False
        obj._state.db = alias
    return objs
