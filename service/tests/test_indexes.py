"""The indexes intake writes to: every foreign key still has an index that starts with it, and
none has two (migration 0004: one B-tree entry less per key and per row written)."""

import datetime as dt

import pytest
from django.db import connection, transaction

from service.models import WorkOrder, WorkOrderClock, WorkOrderEvent
from sla.escalation import steps

pytestmark = pytest.mark.django_db

# column -> the only index (or unique constraint) that starts with it
LEADING = {
    WorkOrder: {"customer_id": "wo_customer", "assignee_id": "wo_assignee", "department_id": "wo_team_due"},
    WorkOrderEvent: {"order_id": "service_wor_order_i_73f710_idx", "actor_id": "event_actor"},
    WorkOrderClock: {"order_id": "uniq_order_clock", "extended_by_id": "clock_extended_by"},
}


def _indexes(model) -> dict[str, list[str]]:
    with connection.cursor() as cursor:
        found = connection.introspection.get_constraints(cursor, model._meta.db_table)
    return {
        name: info["columns"]
        for name, info in found.items()
        if (info["index"] or info["unique"]) and not info["primary_key"] and info["columns"]
    }


@pytest.mark.parametrize("model", list(LEADING), ids=lambda m: m.__name__)
def test_each_foreign_key_is_led_by_exactly_one_index(model):
    indexes = _indexes(model)
    for column, expected in LEADING[model].items():
        leading = sorted(name for name, columns in indexes.items() if columns[0] == column)
        assert leading == [expected], (column, leading)


def test_no_order_index_on_its_product_model():
    """Orders are never looked up by model; deleting a model (refused while it has orders)
    scans them instead of every intake writing one more entry."""
    assert not [name for name, columns in _indexes(WorkOrder).items() if "product_model_id" in columns]


@pytest.mark.parametrize(
    ("model", "column", "value"),
    [(WorkOrderEvent, "actor_id", 1), (WorkOrderClock, "extended_by_id", 1), (WorkOrder, "customer_id", 1)],
    ids=["event actor", "clock extender", "order customer"],
)
def test_lookups_by_the_key_use_its_index(model, column, value):
    """What deleting a user (SET_NULL) or listing a customer's orders runs is an index search,
    also where the index is partial (only rows with a value)."""
    table = model._meta.db_table
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f'EXPLAIN QUERY PLAN SELECT id FROM "{table}" WHERE "{column}" IN (%s)', [value])
            plan = " ".join(str(row[-1]) for row in cursor.fetchall())
            assert "USING" in plan and "INDEX" in plan, plan
        else:
            cursor.execute("SET LOCAL enable_seqscan = off")  # an empty test table: ask for the index
            cursor.execute(f'EXPLAIN SELECT id FROM "{table}" WHERE "{column}" IN (%s)', [value])
            plan = " ".join(row[0] for row in cursor.fetchall())
            assert "Index" in plan and "Seq Scan" not in plan, plan


@pytest.mark.parametrize(
    ("action", "index"), [("sla_breached", "clock_running_due"), ("sla_at_risk", "clock_running_warn")]
)
def test_the_escalation_claims_search_the_running_clocks_index(action, index):
    """The partial indexes (only running clocks) serve both claims of the scan, with the
    state bound as a parameter as the ORM sends it."""
    step = next(s for s in steps(dt.datetime(2026, 11, 24, tzinfo=dt.UTC)) if s.action == action)
    qs = WorkOrderClock.objects.filter(step.condition).order_by(*step.order_by).values_list("id", flat=True)[:1000]
    with transaction.atomic():
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute("SET LOCAL enable_seqscan = off")  # an empty test table: ask for an index
        plan = qs.explain()
    if connection.vendor == "sqlite":
        assert index in plan, plan
    else:  # the empty table leaves PostgreSQL's choice between the two open; either one's predicate held
        assert "clock_running_" in plan and "Seq Scan" not in plan, plan
