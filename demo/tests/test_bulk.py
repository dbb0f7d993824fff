"""The bulk loader's mechanisms: deferred indexes and foreign keys, its own value forms, the collector."""

import datetime as dt
import gc
import random
import re

import pytest
from django.db import IntegrityError, connection

from customers.models import Address, Customer
from demo import bulk
from demo.generator import LOADED, generate
from demo.lifecycle import from_micros, seconds_to_micros, to_micros
from service.models import WorkOrderEvent

NOW = dt.datetime(2026, 6, 1, 12, tzinfo=dt.UTC)


def _indexes(models) -> set[tuple]:
    """Every index of the tables with its definition, as the database keeps it."""
    tables = [m._meta.db_table for m in models]
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT tablename, indexname, indexdef FROM pg_indexes WHERE tablename = ANY(%s)", [tables])
        else:
            marks = ", ".join(["%s"] * len(tables))
            cursor.execute(
                f"SELECT tbl_name, name, sql FROM sqlite_master WHERE type = 'index' AND tbl_name IN ({marks})", tables
            )
        return set(cursor.fetchall())


def _foreign_keys(models) -> set[tuple]:
    tables = [m._meta.db_table for m in models]
    if connection.vendor != "postgresql":
        return set()  # SQLite keeps them in the table definition, which the loader never alters
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT conrelid::regclass::text, conname, pg_get_constraintdef(oid) FROM pg_constraint "
            "WHERE contype = 'f' AND conrelid = ANY(%s::regclass[])",
            [tables],
        )
        return set(cursor.fetchall())


@pytest.mark.django_db
def test_every_index_and_foreign_key_is_back_after_the_load_with_its_definition():
    # given the indexes and foreign keys of the loaded tables before a load
    before, keys = _indexes(LOADED), _foreign_keys(LOADED)
    assert any("CREATE INDEX" in (definition or "") for _t, _n, definition in before)

    # when a demo set is loaded
    generate(seed=3, orders=60, now=NOW, batch=25, helper=False, through_services=False)

    # then the same indexes exist again, with the same definitions
    assert _indexes(LOADED) == before
    assert _foreign_keys(LOADED) == keys


@pytest.mark.django_db
def test_a_broken_reference_fails_the_load_and_leaves_the_schema_as_it_was():
    # given the indexes of a table before a load
    before = _indexes([Customer, Address])
    table = bulk.Table(Address, ("customer_id", "label", "province", "city", "line", "is_default"), compact=True)

    # when a load writes an address of a customer that does not exist
    with pytest.raises(IntegrityError):
        with bulk.load_scope([Customer, Address]):
            table.insert([(987654, "x", "p", "c", "l", True)])

    # then the broken reference is reported, nothing of the load remains, and the indexes are back
    assert not Address.objects.filter(customer_id=987654).exists()
    assert _indexes([Customer, Address]) == before


def _row_checks_on(models) -> bool:
    """Whether each written row's references are checked as it is written: SQLite's
    ``PRAGMA foreign_keys``; PostgreSQL's foreign key constraints of the tables."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            return cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    return bool(_foreign_keys(models))


def _session_settings() -> list:
    """The connection settings the loader changes for its duration."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            return [
                cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("foreign_keys", "cache_size", "temp_store")
            ]
        cursor.execute("SELECT current_setting('maintenance_work_mem'), current_setting('work_mem')")
        return list(cursor.fetchone())


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_references_are_checked_once_at_the_end_and_the_settings_restored():
    # given a load outside any transaction (as the command runs it)
    table = bulk.Table(Address, ("customer_id", "label", "province", "city", "line", "is_default"))
    before, settings = _indexes([Address]), _session_settings()
    assert _row_checks_on([Address])

    # when a row with a broken reference is written, with no per-row check during the load
    # (SQLite: the pragma off; PostgreSQL: the constraint dropped)
    with pytest.raises(IntegrityError) as raised:
        with bulk.load_scope([Address]):
            assert not _row_checks_on([Address])
            table.insert([(987654, "x", "p", "c", "l", True)])

    # then the check at the end names the table and the value, and the load is rolled back
    assert "customers_address" in str(raised.value) and "987654" in str(raised.value)
    assert not Address.objects.filter(customer_id=987654).exists()
    # and the indexes, the per-row checks and the connection's settings are as they were
    assert _indexes([Address]) == before
    assert _row_checks_on([Address])
    assert _session_settings() == settings


def test_seconds_become_the_microseconds_a_timedelta_would_hold():
    # given gaps of every size, and fractions that fall exactly on half a microsecond
    rng = random.Random(1)
    gaps = [rng.uniform(0, 10**6) for _ in range(20000)] + [rng.uniform(0, 2) for _ in range(5000)]
    gaps += [0.0, 1.0, 0.0000005, 0.0000015, 2.5e-6, 1234.5000005, 3600.0 * 0.25]

    # then each is rounded exactly as datetime.timedelta rounds it
    for gap in gaps:
        assert seconds_to_micros(gap) == dt.timedelta(seconds=gap) // dt.timedelta(microseconds=1), gap


def test_microseconds_round_trip_to_the_same_instant():
    for at in (NOW, NOW - dt.timedelta(days=400, microseconds=7), dt.datetime(2025, 3, 30, 1, 59, 59, tzinfo=dt.UTC)):
        assert from_micros(to_micros(at)) == at


@pytest.mark.django_db
def test_a_time_in_microseconds_reads_back_as_the_same_datetime():
    # given times with and without microseconds, over several days, and a compact table of events
    times = [
        NOW,
        NOW.replace(microsecond=120),
        NOW - dt.timedelta(days=367, seconds=59),
        dt.datetime(2024, 2, 29, 23, 59, 59, 999999, tzinfo=dt.UTC),
        dt.datetime(2025, 1, 1, 0, 0, 0, 1, tzinfo=dt.UTC),
    ]
    adapt, compact = bulk.Adapters(), bulk.Adapters(compact=True)
    assert (
        [compact.ts(at) for at in times]
        == [compact.micros(to_micros(at)) for at in times]
        == list(map(to_micros, times))
    )
    assert adapt.micros(to_micros(times[1])) == adapt.ts(times[1]) and compact.ts(None) is None
    generate(seed=5, orders=1, now=NOW, batch=1, helper=False, through_services=False)
    order_id = WorkOrderEvent.objects.values_list("order_id", flat=True).first()
    table = bulk.Table(
        WorkOrderEvent, ("order_id", "at", "action", "from_status", "to_status", "note", "payload"), compact=True
    )

    # when written in the compact form
    table.insert([(order_id, compact.ts(at), f"t{i}", "new", "new", "", '{"n": 1}') for i, at in enumerate(times)])

    # then each reads back as the datetime it was, stored as Django stores it (the text Django writes, on SQLite)
    written = WorkOrderEvent.objects.filter(action__startswith="t").order_by("action")
    assert [e.at for e in written] == times
    assert [e.payload for e in written] == [{"n": 1}] * len(times)
    if connection.vendor == "sqlite":
        with connection.cursor() as cursor:
            cursor.execute("SELECT at || '' FROM service_workorderevent WHERE action LIKE 't%' ORDER BY action")
            assert [r[0] for r in cursor.fetchall()] == [adapt.ts(at) for at in times]


@pytest.mark.django_db
def test_the_loaded_rows_keep_their_times_and_json():
    # given a loaded demo set (binary COPY on PostgreSQL, multi-row INSERTs elsewhere)
    generate(seed=5, orders=30, now=NOW, batch=30, helper=False, through_services=False)

    # then the events' payloads are JSON objects and their times are historic, before now
    event = WorkOrderEvent.objects.filter(action="assign").first()
    assert isinstance(event.payload, dict) and "assignee" in event.payload
    assert event.at.tzinfo is not None and event.at < NOW


def test_no_collections_restores_the_collector():
    assert gc.isenabled()
    with bulk.no_collections():
        assert not gc.isenabled()
    assert gc.isenabled()
    with pytest.raises(RuntimeError):
        with bulk.no_collections():
            raise RuntimeError
    assert gc.isenabled()


@pytest.mark.django_db
def test_indexes_of_a_column_written_in_order_stay_on_postgresql_and_are_rebuilt_on_sqlite():
    # given the secondary indexes of the events before a load that writes them in order of their order
    before = _indexes([WorkOrderEvent])
    secondary = {name for _t, name, definition in before if definition and "UNIQUE" not in definition}
    leading_order = {
        name for _t, name, definition in before if name in secondary and re.search(r'\("?order_id"?', definition)
    }
    assert leading_order and secondary - leading_order

    # when inside the load
    with bulk.load_scope([WorkOrderEvent], in_order=[(WorkOrderEvent, "order")]):
        during = {name for _t, name, _d in _indexes([WorkOrderEvent])}

    # then PostgreSQL kept the order_id indexes (new keys land on the B-tree's rightmost leaf)
    # and SQLite dropped them with the others (keeping them showed no gain there); the other
    # secondary indexes were dropped on both, and afterwards all are back
    assert secondary & during == (leading_order if connection.vendor == "postgresql" else set())
    assert _indexes([WorkOrderEvent]) == before


def _planner_statistics(table: str) -> dict:
    """What the planner knows of ``table``: PostgreSQL's row estimate and all-visible pages,
    SQLite's ``sqlite_stat1`` row count."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SELECT reltuples, relallvisible FROM pg_class WHERE relname = %s", [table])
            reltuples, all_visible = cursor.fetchone()
            return {"rows": reltuples, "all_visible_pages": all_visible}
        cursor.execute("SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'")
        if cursor.fetchone() is None:
            return {"rows": -1}
        cursor.execute("SELECT stat FROM sqlite_stat1 WHERE tbl = %s", [table])
        stats = cursor.fetchall()
        return {"rows": max((int(stat.split()[0]) for (stat,) in stats), default=-1)}


@pytest.mark.django_db(transaction=True)
def test_a_load_outside_a_transaction_leaves_its_tables_analysed():
    # given a load outside any transaction (as the command runs it)
    owner = Customer.objects.create(name="Li Lei", phone="13900000000")
    addresses = bulk.Table(Address, ("customer_id", "label", "province", "city", "line", "is_default"))

    # when it writes rows
    with bulk.load_scope([Address]):
        addresses.insert([(owner.pk, f"A{i}", "p", "c", "l", False) for i in range(500)])

    # then the planner knows how many rows there are (ANALYZE), and on PostgreSQL the pages
    # are marked all-visible (VACUUM), so that an index-only scan need not read them
    stats = _planner_statistics(Address._meta.db_table)
    assert stats["rows"] >= 500
    if connection.vendor == "postgresql":
        assert stats["all_visible_pages"] > 0
