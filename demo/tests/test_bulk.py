"""The bulk loader's mechanisms: deferred indexes and foreign keys, its own value forms, the collector."""

import datetime as dt
import gc
import random

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
    generate(seed=3, orders=60, now=NOW, batch=25, helper=False)

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


@pytest.mark.django_db(transaction=True)
def test_outside_a_transaction_sqlite_checks_the_references_once_and_restores_its_settings():
    # given a load outside any transaction (as the command runs it): SQLite's per-row checks are off
    if connection.vendor != "sqlite":
        pytest.skip("PostgreSQL validates the foreign key when it adds the constraint back")
    table = bulk.Table(Address, ("customer_id", "label", "province", "city", "line", "is_default"))
    before = _indexes([Address])
    with connection.cursor() as cursor:
        settings = [
            cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("foreign_keys", "cache_size", "temp_store")
        ]

    # when a row with a broken reference is written
    with pytest.raises(IntegrityError) as raised:
        with bulk.load_scope([Address]):
            with connection.cursor() as cursor:
                assert cursor.execute("PRAGMA foreign_keys").fetchone()[0] == 0
            table.insert([(987654, "x", "p", "c", "l", True)])

    # then the check at the end names the table, the column and the value, and the load is rolled back
    assert "customers_address" in str(raised.value) and "987654" in str(raised.value)
    assert not Address.objects.filter(customer_id=987654).exists()
    # and the indexes, the foreign key checks and the cache are as they were
    assert _indexes([Address]) == before
    with connection.cursor() as cursor:
        assert [
            cursor.execute(f"PRAGMA {name}").fetchone()[0] for name in ("foreign_keys", "cache_size", "temp_store")
        ] == settings
    assert settings[0] == 1


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
    generate(seed=5, orders=1, now=NOW, batch=1, helper=False)
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
    generate(seed=5, orders=30, now=NOW, batch=30, helper=False)

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
def test_on_postgresql_the_indexes_of_a_column_written_in_order_stay_during_the_load():
    # given the indexes of the events before a load that writes them in order of their order
    if connection.vendor != "postgresql":
        pytest.skip("SQLite rebuilds every index (keeping these showed no gain there)")
    before = _indexes([WorkOrderEvent])
    leading_order = {
        name for _t, name, definition in before if "(order_id" in definition and "UNIQUE" not in definition
    }
    assert leading_order

    # when inside the load
    with bulk.load_scope([WorkOrderEvent], in_order=[(WorkOrderEvent, "order")]):
        during = {name for _t, name, _d in _indexes([WorkOrderEvent])}

    # then the order_id indexes stayed, the others were dropped, and afterwards all are back
    assert leading_order <= during
    assert {name for _t, name, _d in before} - during
    assert _indexes([WorkOrderEvent]) == before


@pytest.mark.django_db(transaction=True)
def test_on_postgresql_a_load_outside_a_transaction_leaves_its_tables_vacuumed_and_analysed():
    # given a load outside any transaction (as the command runs it)
    if connection.vendor != "postgresql":
        pytest.skip("SQLite has no visibility map to set; its planner statistics come from ANALYZE")
    owner = Customer.objects.create(name="Li Lei", phone="13900000000")
    addresses = bulk.Table(Address, ("customer_id", "label", "province", "city", "line", "is_default"))

    # when it writes rows
    with bulk.load_scope([Address]):
        addresses.insert([(owner.pk, f"A{i}", "p", "c", "l", False) for i in range(500)])

    # then the planner knows how many rows there are (ANALYZE), and the pages are marked
    # all-visible (VACUUM), so that an index-only scan need not read them
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples, relallvisible FROM pg_class WHERE relname = %s", [Address._meta.db_table])
        reltuples, all_visible = cursor.fetchone()
    assert reltuples >= 500 and all_visible > 0
