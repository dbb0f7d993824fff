"""Migration ``service.0006_replacement``: the replacement moved here from the retired ``warranty``
app. A database from before the move keeps its ``warranty_replacement`` rows and content type; a
fresh one gets the table."""

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from service.models import Replacement, WorkOrder
from tests.factories import UnitFactory, UserFactory

BEFORE = ("service", "0005_running_clock_indexes")
TABLE = "warranty_replacement"


def _migrate(targets) -> None:
    executor = MigrationExecutor(connection)
    executor.loader.build_graph()
    executor.migrate(targets)


def _latest() -> list:
    return MigrationExecutor(connection).loader.graph.leaf_nodes()


def _tables() -> set[str]:
    with connection.cursor() as cursor:
        return set(connection.introspection.table_names(cursor))


@pytest.fixture
def order_and_unit(transactional_db):
    unit = UnitFactory()
    agent = UserFactory(role="agent")
    order = WorkOrder.objects.create(customer=unit.owner, unit=unit, serial=unit.serial, created_by=agent)
    return order, unit, agent


def test_a_database_from_before_the_move_keeps_its_rows_and_content_type(order_and_unit):
    order, unit, agent = order_and_unit
    # given the schema as it was: the table of the warranty app, holding a row, and the
    # content type under the warranty app's label
    _migrate([BEFORE])
    assert TABLE in _tables()  # the step back leaves the table alone
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {TABLE} (ground, new_serial, new_colour, is_return, prior_repairs, created_at,"  # noqa: S608
            " created_by_id, old_unit_id, order_id) VALUES (%s, %s, %s, %s, %s, CURRENT_TIMESTAMP, %s, %s, %s)",
            ["quality_defect", "NEW-1", "", False, 0, agent.pk, unit.pk, order.pk],
        )
    ContentType.objects.filter(app_label="service", model="replacement").delete()
    old_type = ContentType.objects.create(app_label="warranty", model="replacement")
    # when the move is migrated
    _migrate(_latest())
    # then the row reads as the work order's replacement, and the content type moved with it
    replacement = Replacement.objects.get()
    assert (replacement.order_id, replacement.old_unit_id, replacement.new_serial) == (order.pk, unit.pk, "NEW-1")
    assert list(order.replacements.all()) == [replacement]
    ContentType.objects.clear_cache()
    assert ContentType.objects.get_for_model(Replacement).pk == old_type.pk
    assert not ContentType.objects.filter(app_label="warranty").exists()


def test_a_fresh_database_gets_the_table(order_and_unit):
    order, unit, agent = order_and_unit
    # given a database that never had the warranty app's table
    _migrate([BEFORE])
    with connection.schema_editor() as editor:
        editor.delete_model(Replacement)
    assert TABLE not in _tables()
    # when the move is migrated
    _migrate(_latest())
    # then the table is there and takes rows, its foreign keys and all
    assert TABLE in _tables()
    replacement = Replacement.objects.create(
        order=order, ground="special", old_unit=unit, prior_repairs=0, created_by=agent
    )
    assert list(order.replacements.all()) == [replacement]
    assert ContentType.objects.get_for_model(Replacement).app_label == "service"
