"""Migration 0003: policies get a case type and pause on milestones, their data converted both ways."""

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor

from sla.models import SlaPolicy

BEFORE = ("sla", "0002_china_calendar_and_default_policies")
AFTER = ("sla", "0003_policy_case_type_and_pause_milestones")


def migrate(target):
    executor = MigrationExecutor(connection)
    executor.migrate([target])
    return executor.loader.project_state([target]).apps.get_model("sla", "SlaPolicy")


def migrate_to_latest():
    """Leave the schema as the other tests expect it: every migration applied."""
    executor = MigrationExecutor(connection)
    executor.migrate(executor.loader.graph.leaf_nodes())


@pytest.mark.django_db(transaction=True)
def test_for_complaints_and_pause_statuses_become_case_type_and_milestones_and_back():
    # given policies as they were written before 0003
    old = migrate(BEFORE)
    old.objects.all().delete()
    for code, complaint, statuses in [
        ("standard", False, ["awaiting_customer"]),
        ("complaint", True, ["awaiting_customer"]),
        ("urgent", False, ["awaiting_parts", "awaiting_customer", "assessed"]),
        ("industrial", False, []),
    ]:
        old.objects.create(code=code, name=code, for_complaints=complaint, pause_statuses=statuses)

    # when migrating forward
    new = migrate(AFTER)

    # then the flag is the case type, and the statuses are the waits they are (others dropped)
    policies = {p.code: p for p in new.objects.all()}
    assert {code: (p.case_type, p.pause_on) for code, p in policies.items()} == {
        "standard": ("work_order", ["customer"]),
        "complaint": ("complaint", ["customer"]),
        "urgent": ("work_order", ["parts", "customer"]),
        "industrial": ("work_order", []),
    }

    # and back: the flag and the statuses again
    old = migrate(BEFORE)
    assert {p.code: (p.for_complaints, p.pause_statuses) for p in old.objects.all()} == {
        "standard": (False, ["awaiting_customer"]),
        "complaint": (True, ["awaiting_customer"]),
        "urgent": (False, ["awaiting_parts", "awaiting_customer"]),
        "industrial": (False, []),
    }
    migrate_to_latest()
    assert SlaPolicy.objects.count() == 4
