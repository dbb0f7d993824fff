"""The audit trail: snapshots and the rows ``record`` appends."""

import datetime as dt
from decimal import Decimal

import pytest

from core import audit
from core.models import AuditLog
from service.models import Quote
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory


def test_snapshot_is_json_safe(db):
    # given an order with dates, decimals and foreign keys, and a quote with money
    order = WorkOrderFactory(appointment_at=dt.datetime(2026, 1, 2, 3, 4, tzinfo=dt.UTC))
    quote = Quote.objects.create(order=order, total=Decimal("12.30"))

    # when
    data, money = audit.snapshot(order), audit.snapshot(quote)

    # then
    assert data["customer_id"] == order.customer_id
    assert data["appointment_at"] == "2026-01-02T03:04:00+00:00"
    assert money["total"] == "12.30"
    import json

    json.dumps(data)
    json.dumps(money)


def test_record_keeps_only_the_changed_fields(db):
    # given
    actor = UserFactory(role="agent")
    order = WorkOrderFactory(priority="normal")
    before = audit.snapshot(order)
    order.priority = "urgent"
    order.save()

    # when
    row = audit.record(actor=actor, action="update", obj=order, before=before)

    # then
    row.refresh_from_db()
    assert (row.actor_id, row.action, row.object_type, row.object_id) == (
        actor.pk,
        "update",
        "service.workorder",
        str(order.pk),
    )
    # (``updated_at`` is the services' to set, with the time of the change: a bare save keeps it)
    assert row.before == {"priority": "normal"}
    assert row.after["priority"] == "urgent"
    assert set(row.after) == {"priority"}
    assert row.object_repr == order.number


def test_record_of_a_creation_has_the_full_snapshot(db):
    # given
    customer = CustomerFactory(name="李雷")

    # when
    row = audit.record(actor=None, action="create", obj=customer)

    # then
    assert row.actor_id is None
    assert row.before is None
    assert row.after["name"] == "李雷"


def test_record_of_a_deletion_has_no_after(db):
    # given
    customer = CustomerFactory()

    # when
    row = audit.record(actor=None, action="delete", obj=customer, before=audit.snapshot(customer))

    # then
    assert row.after is None
    assert row.before["name"] == customer.name


def test_unsaved_actor_is_not_recorded(db):
    # given an anonymous-like user object without a primary key
    from accounts.models import User

    # when
    row = audit.record(actor=User(username="ghost"), action="create", obj=CustomerFactory())

    # then
    assert row.actor_id is None


def test_long_repr_is_cut(db):
    # given
    customer = CustomerFactory(name="x" * 120)

    # when
    row = audit.record(actor=None, action="create", obj=customer)

    # then
    assert len(row.object_repr) <= 200


@pytest.mark.parametrize("n", [1, 3], ids=["one", "three"])
def test_audit_rows_are_newest_first(db, n):
    # given
    for _ in range(n):
        audit.record(actor=None, action="create", obj=CustomerFactory())

    # when
    ids = list(AuditLog.objects.values_list("id", flat=True))

    # then
    assert ids == sorted(ids, reverse=True)
