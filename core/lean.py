"""Lean reads and writes for the hottest paths, on the ORM's own statements.

Every API request authenticates its token, every intake looks up a unit with its model,
product line and owner, every order page reads the order with nine joined tables and its
children. Through the ORM each of these reads costs about 1.2 ms of CPU on this project's
benchmark machine, nearly all of it building and compiling the query (``docs/benchmarks.md``);
the statement itself runs in under 0.1 ms. ``Compiled`` compiles the queryset once per database
and keeps its SQL, its parameters' order and what turns a row into instances (the model
iterable's own steps: the backend's converters, ``Model.from_db``, ``select_related``'s
populators); each use only fills in the values.

``fetch_many`` runs several independent SELECTs; on PostgreSQL it sends them in one pipeline, so
an order page's half a dozen child reads cost one round trip instead of one each. ``insert``
writes new rows in one ``INSERT … RETURNING`` without a query object.

Use it only where a profile shows the ORM's own cost dominating, with a test that compares
its result to the ORM's.
"""

import functools
import inspect
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import connections, router
from django.db.models import Expression, QuerySet
from django.db.models.query import get_related_populators


class Param(Expression):
    """The place of the ``index``-th value given to ``Compiled.statement``: one ``%s`` in the
    compiled SQL. Use it where a queryset takes a value (``filter(order_id=Param(0))``; as the
    right side of ``__in`` it can take a ``Fragment``). Its value reaches the driver as given,
    without the field's own preparation: ints and strings."""

    def __init__(self, index: int):
        super().__init__()
        self.index = index

    def as_sql(self, compiler, connection):
        return "%s", [self]


@dataclass(frozen=True)
class Fragment:
    """SQL with its parameters, spliced in the place of a ``Param`` (e.g. a subquery compiled
    by the ORM for the actor's scope)."""

    sql: str
    params: tuple


@dataclass(frozen=True)
class _Plan:
    texts: tuple[str, ...]  # the SQL around each placeholder: len(slots) + 1 pieces
    slots: tuple  # per placeholder: a Param (its index) or the compiled value itself
    sql: str
    model: type
    start: int
    end: int
    init_list: tuple[str, ...]
    converters: tuple
    populators: tuple


class Compiled:
    """A queryset's SELECT compiled by the ORM once per database alias, run again and again with
    other values.

    ``make(Param(0), Param(1), …)`` builds the queryset (one argument per value). The first use
    on a database compiles it (``get_compiler(using=alias).as_sql()``) and keeps the SQL, where
    each ``Param`` sits among the parameters, and what Django's model iterable needs to turn a
    row into instances (the model's columns, the database's converters, ``select_related``'s
    populators). Later uses only fill in the values: the joins, columns and conditions are the
    ORM's own, without building and compiling the query on every request."""

    def __init__(self, make: Callable[..., QuerySet]):
        self.make = make
        self.arity = len(inspect.signature(make).parameters)
        self._plans: dict[str, _Plan] = {}

    def _plan(self, alias: str) -> _Plan:
        plan = self._plans.get(alias)
        if plan is None:
            queryset = self.make(*(Param(i) for i in range(self.arity)))
            compiler = queryset.query.get_compiler(using=alias)
            sql, params = compiler.as_sql()
            texts, start = [], 0
            for mark in re.finditer(r"%[s%]", sql):
                if mark.group() == "%s":
                    texts.append(sql[start : mark.start()])
                    start = mark.end()
            texts.append(sql[start:])
            assert len(texts) == len(params) + 1, "a placeholder that is not a parameter"
            klass = compiler.klass_info
            assert klass is not None and not compiler.annotation_col_map, "model instances only"
            select = compiler.select
            first, last = klass["select_fields"][0], klass["select_fields"][-1] + 1
            converters = compiler.get_converters([s[0] for s in select[: compiler.col_count]])
            plan = self._plans[alias] = _Plan(
                texts=tuple(texts),
                slots=tuple(params),
                sql=sql,
                model=klass["model"],
                start=first,
                end=last,
                init_list=tuple(f[0].target.attname for f in select[first:last]),
                converters=tuple(converters.items()),
                populators=tuple(get_related_populators(klass, select, alias)),
            )
        return plan

    def statement(self, alias: str, *values) -> tuple[str, list]:
        """The SQL and parameters for these values (one per ``Param``, in order)."""
        plan = self._plan(alias)
        params: list = []
        if not any(isinstance(v, Fragment) for v in values):
            for slot in plan.slots:
                params.append(values[slot.index] if isinstance(slot, Param) else slot)
            return plan.sql, params
        parts = [plan.texts[0]]
        for slot, text in zip(plan.slots, plan.texts[1:], strict=True):
            value = values[slot.index] if isinstance(slot, Param) else slot
            if isinstance(value, Fragment):
                parts.append(value.sql)
                params.extend(value.params)
            else:
                parts.append("%s")
                params.append(value)
            parts.append(text)
        return "".join(parts), params

    def build(self, alias: str, rows) -> list:
        """The instances of the statement's rows, as the queryset would give them."""
        plan = self._plan(alias)
        connection = connections[alias]
        out = []
        for row in rows:
            if plan.converters:
                row = list(row)
                for pos, (convs, expression) in plan.converters:
                    value = row[pos]
                    for convert in convs:
                        value = convert(value, expression, connection)
                    row[pos] = value
            obj = plan.model.from_db(alias, plan.init_list, row[plan.start : plan.end])
            for populator in plan.populators:
                populator.populate(row, obj)
            out.append(obj)
        return out

    def fetch(self, alias: str, *values) -> list:
        """Run the statement with these values: the instances, in the queryset's order."""
        (rows,) = fetch_many(alias, [self.statement(alias, *values)])
        return self.build(alias, rows)


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
