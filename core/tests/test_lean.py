"""``core.lean``: the hot paths' INSERTs and compiled SELECTs give exactly what the ORM gives."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.test.utils import CaptureQueriesContext

from core import lean
from core.models import AuditLog
from service.models import OrderSla, WorkOrderClock, WorkOrderEvent
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory

NOW = dt.datetime(2026, 11, 24, 3, 4, 5, 678901, tzinfo=dt.UTC)


def _rows(model, objs, exclude=("id",)):
    fields = [f.attname for f in model._meta.concrete_fields if f.attname not in exclude]
    return [model.objects.filter(pk=o.pk).values(*fields).get() for o in objs]


def _pairs(order, user):
    """The same unsaved rows twice: one set for the ORM, one for ``lean.insert``."""

    def make():
        return {
            WorkOrderEvent: [
                WorkOrderEvent(
                    order=order, at=NOW, actor=user, action="create", to_status="new", payload={"a": [1, "二"]}
                ),
                WorkOrderEvent(order=order, at=NOW, actor=None, action="assign", from_status="new", to_status="new"),
            ],
            WorkOrderClock: [
                WorkOrderClock(
                    order=order,
                    clock="response",
                    clock_type="business",
                    amount=Decimal("4.50"),
                    calendar_code="cn",
                    started_at=NOW,
                    due_at=NOW + dt.timedelta(hours=4),
                    original_due_at=NOW + dt.timedelta(hours=4),
                    warn_at=None,
                    provisional=True,
                )
            ],
            AuditLog: [
                AuditLog(
                    at=NOW,
                    actor=user,
                    action="create",
                    object_type="x.y",
                    object_id="1",
                    before=None,
                    after={"k": None},
                ),
                AuditLog(at=NOW, actor=None, action="view_pii", object_type="x.y", object_id="list", after=["a", 1.5]),
            ],
        }

    return make(), make()


@pytest.mark.django_db
def test_inserted_rows_equal_bulk_create_rows_field_by_field():
    user = UserFactory()
    by_orm, by_lean = _pairs(WorkOrderFactory(), user)[0], _pairs(WorkOrderFactory(), user)[1]
    with time_machine.travel(NOW, tick=False):  # any time a field takes at insert: the same for both
        for model, objs in by_orm.items():
            model.objects.bulk_create(objs)
        for objs in by_lean.values():
            assert lean.insert(objs) == objs

    for model in by_orm:
        exclude = ("id", "order_id")  # one order each (a clock is unique per order)
        assert _rows(model, by_lean[model], exclude) == _rows(model, by_orm[model], exclude)
        for obj in by_lean[model]:
            assert obj.pk is not None and not obj._state.adding and obj._state.db == "default"
    assert AuditLog.objects.get(pk=by_lean[AuditLog][0].pk).at == NOW


@pytest.mark.django_db
def test_one_statement_for_several_rows_and_ids_in_order():
    order = WorkOrderFactory()
    events = [WorkOrderEvent(order=order, at=NOW, action=f"a{i}", to_status="new") for i in range(5)]

    with CaptureQueriesContext(connection) as ctx:
        lean.insert(events)

    assert len(ctx.captured_queries) == 1
    assert [WorkOrderEvent.objects.get(pk=e.pk).action for e in events] == [f"a{i}" for i in range(5)]
    assert [e.pk for e in events] == sorted(e.pk for e in events)


@pytest.mark.django_db
def test_a_related_object_saved_after_assignment_gives_its_id():
    order = WorkOrderFactory.build(customer=CustomerFactory())
    sla = OrderSla(order=order, policy_code="p", snapshot={})
    order.save()  # the order gets its id after it was assigned to the SLA row

    lean.insert([sla])

    assert OrderSla.objects.get(pk=sla.pk).order_id == order.pk


@pytest.mark.django_db
def test_an_unsaved_related_object_is_refused_like_bulk_create():
    order = WorkOrderFactory.build(customer=CustomerFactory())

    with pytest.raises(ValueError):
        lean.insert([OrderSla(order=order, policy_code="p", snapshot={})])
    assert not OrderSla.objects.exists()


@pytest.mark.django_db
def test_rows_with_an_id_already_go_through_bulk_create():
    order = WorkOrderFactory()
    event = WorkOrderEvent(pk=987654, order=order, at=NOW, action="x", to_status="new")

    lean.insert([event])

    assert WorkOrderEvent.objects.get(pk=987654).action == "x"


def test_nothing_to_insert_is_no_statement(db):
    with CaptureQueriesContext(connection) as ctx:
        assert lean.insert([]) == []
    assert not ctx.captured_queries


@pytest.mark.django_db
def test_a_failed_insert_raises_and_writes_nothing():
    order = WorkOrderFactory()
    good = WorkOrderEvent(order=order, at=NOW, action="ok", to_status="new")
    bad = WorkOrderEvent(order_id=2**40, at=NOW, action="bad", to_status="new")  # no such order

    with pytest.raises(IntegrityError), transaction.atomic():
        lean.insert([good, bad])
        connection.check_constraints()  # foreign keys are checked at commit, which a test never reaches
    assert not WorkOrderEvent.objects.filter(action__in=["ok", "bad"]).exists()


# --- fetch_many --------------------------------------------------------------------------------


def _one_by_one(statements):
    out = []
    with connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)
            out.append(cursor.fetchall())
    return out


def test_fetch_many_gives_each_statements_rows_in_order_and_logs_each(db):
    # given orders with events, and statements that find many rows, one row and none
    user = UserFactory()
    orders = [WorkOrderFactory(customer=CustomerFactory()) for _ in range(3)]
    for i, order in enumerate(orders):
        lean.insert(
            [WorkOrderEvent(order=order, at=NOW, actor=user, action=f"a{k}", to_status="new") for k in range(i + 1)]
        )
    table = WorkOrderEvent._meta.db_table
    by_order = f"SELECT id, action FROM {table} WHERE order_id = %s ORDER BY id"  # noqa: S608
    statements = [(by_order, [o.pk]) for o in reversed(orders)]
    statements += [(by_order, [-1]), (f"SELECT COUNT(*) FROM {table} WHERE action = %s", ["a0"])]  # noqa: S608

    # when they are fetched together
    with CaptureQueriesContext(connection) as ctx:
        got = lean.fetch_many("default", statements)

    # then each statement's rows are those it gives alone, in the order asked, and every
    # statement is logged like any query (pipelined or not)
    assert got == _one_by_one(statements)
    assert [len(rows) for rows in got] == [3, 2, 1, 0, 1] and got[-1] == [(3,)]
    assert len(ctx.captured_queries) == len(statements)


def test_fetch_many_pipelines_on_postgresql_only_unless_turned_off(db, settings):
    assert lean.pipelined(connection) is (connection.vendor == "postgresql")

    settings.DB_PIPELINES = False

    assert lean.pipelined(connection) is False
    assert lean.fetch_many("default", [("SELECT 1", []), ("SELECT 2", [])]) == [[(1,)], [(2,)]]


def test_a_failing_statement_raises_and_the_connection_stays_usable(db):
    # given a statement that the database refuses among good ones
    good = ("SELECT 1", [])

    # when they are fetched together, the refusal is raised as Django's database error
    with pytest.raises(DatabaseError):
        with transaction.atomic():
            lean.fetch_many("default", [good, ("SELECT * FROM no_such_table", []), good])

    # and the connection goes on working afterwards
    assert lean.fetch_many("default", [good, ("SELECT 2", [])]) == [[(1,)], [(2,)]]


# --- Compiled: the ORM's statements, compiled once per database ------------------------------


def _fields(obj) -> tuple:
    return (type(obj), obj._state.db, obj._state.adding) + tuple(
        getattr(obj, f.attname) for f in obj._meta.concrete_fields
    )


def test_compiled_rows_are_the_querysets_field_by_field_joins_included(db):
    # given events with and without an actor (an outer join that finds nothing), JSON, times
    user = UserFactory(first_name="Mei")
    order = WorkOrderFactory(customer=CustomerFactory())
    lean.insert(
        [
            WorkOrderEvent(order=order, at=NOW, actor=user, action="create", to_status="new", payload={"a": [1, "二"]}),
            WorkOrderEvent(order=order, at=NOW, actor=None, action="note", to_status="new", note="x"),
        ]
    )

    def make(order_id):
        return WorkOrderEvent.objects.filter(order_id=order_id).select_related("actor").order_by("at", "id")

    compiled = lean.Compiled(make)

    # when it is run through the compiled statement, once and then again
    with CaptureQueriesContext(connection) as ctx:
        got = compiled.fetch("default", order.pk)
    again = compiled.fetch("default", order.pk)

    # then the instances and the actors joined to them are the ORM's, in one query, and the
    # actor is cached as select_related leaves it
    expected = list(make(order.pk))
    assert len(ctx.captured_queries) == 1 and len(got) == 2
    for rows in (got, again):
        assert [_fields(e) for e in rows] == [_fields(e) for e in expected]
        assert [_fields(e.actor) if e.actor_id else e.actor for e in rows] == [
            _fields(e.actor) if e.actor_id else None for e in expected
        ]
    assert type(got[0].at) is dt.datetime and got[0].payload == {"a": [1, "二"]}
    assert compiled.fetch("default", order.pk + 1000) == []


def test_compiled_is_built_and_compiled_once_per_database(db):
    # given a compiled statement whose queryset counts how often it is built
    built = []

    def make(order_id):
        built.append(order_id)
        return OrderSla.objects.filter(order_id=order_id)

    compiled = lean.Compiled(make)
    orders = [WorkOrderFactory(customer=CustomerFactory()) for _ in range(3)]
    lean.insert([OrderSla(order=o, policy_code=f"p{i}", snapshot={"i": i}) for i, o in enumerate(orders)])

    # when it is run for three orders
    got = [compiled.fetch("default", o.pk) for o in orders]

    # then the queryset was built once (with a placeholder), and each run found its own row
    assert len(built) == 1 and isinstance(built[0], lean.Param)
    assert [[s.policy_code for s in rows] for rows in got] == [["p0"], ["p1"], ["p2"]]


def test_a_fragment_takes_the_place_of_its_param_with_its_own_parameters(db):
    # given orders of two customers, and a statement whose ids come from a subquery
    from service.models import WorkOrder

    mine, theirs = CustomerFactory(), CustomerFactory()
    kept = [WorkOrderFactory(customer=mine, priority=p) for p in ("normal", "urgent", "urgent")]
    WorkOrderFactory(customer=theirs, priority="urgent")
    compiled = lean.Compiled(
        lambda ids, priority: (
            WorkOrder.objects.select_related("customer").filter(pk__in=ids, priority=priority).order_by("id")
        )
    )
    scope = WorkOrder.objects.filter(customer=mine).values("pk")
    where, params = scope.query.sql_with_params()

    # when the subquery is spliced in before a plain value
    sql, values = compiled.statement("default", lean.Fragment(where, tuple(params)), "urgent")
    got = compiled.fetch("default", lean.Fragment(where, tuple(params)), "urgent")

    # then the parameters follow the SQL's order, and the rows are the ORM's
    assert values == [*params, "urgent"] and where in sql
    expected = list(WorkOrder.objects.select_related("customer").filter(pk__in=scope, priority="urgent").order_by("id"))
    assert [_fields(o) for o in got] == [_fields(o) for o in expected] == [_fields(o) for o in kept[1:]]
    assert {o.customer.pk for o in got} == {mine.pk}
