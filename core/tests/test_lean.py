"""``core.lean``: the hot paths' INSERTs and joined SELECTs give exactly what the ORM gives."""

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import IntegrityError, connection, transaction
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
                AuditLog(actor=user, action="create", object_type="x.y", object_id="1", before=None, after={"k": None}),
                AuditLog(actor=None, action="view_pii", object_type="x.y", object_id="list", after=["a", 1.5]),
            ],
        }

    return make(), make()


@pytest.mark.django_db
def test_inserted_rows_equal_bulk_create_rows_field_by_field():
    user = UserFactory()
    by_orm, by_lean = _pairs(WorkOrderFactory(), user)[0], _pairs(WorkOrderFactory(), user)[1]
    with time_machine.travel(NOW, tick=False):  # auto_now_add (AuditLog.at) the same for both
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
