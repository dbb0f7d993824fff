"""The checker the crash, concurrency and soak runs rely on: it passes every order the real
services produce, and it catches each kind of half-done write."""

import pytest
from django.db import connection

from core import audit
from service.clocks import WORK_ORDER
from service.models import OrderSla, WorkOrder, WorkOrderClock, WorkOrderEvent
from service.tests.flow import PATHS, order_in
from service.workflow import ACTIONS
from tests.factories import CustomerFactory, UserFactory

from .invariants import TRANSITION_ACTIONS, WAIT_MILESTONES, order_violations


class DjangoDb:
    """``rows()`` on pytest-django's database, like ``FreshDatabase.rows()`` on a live one."""

    vendor = connection.vendor

    def rows(self, query, params=()):
        with connection.cursor() as cursor:
            cursor.execute(query, list(params))
            return cursor.fetchall()


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer": CustomerFactory(),
    }


def make(people, status, **kw):
    return order_in(status, agent=people["agent"], customer=people["customer"], engineer=people["engineer"], **kw)


def test_invariants_know_every_action_and_wait():
    assert set(ACTIONS) == TRANSITION_ACTIONS
    assert dict(WORK_ORDER.waits) == WAIT_MILESTONES


@pytest.mark.parametrize("paid", [False, True], ids=["warranty", "paid"])
def test_orders_written_by_the_services_in_every_state_hold(people, paid):
    orders = [make(people, status, paid=paid) for status in PATHS]
    assert order_violations(DjangoDb(), ids=[o.pk for o in orders]) == []


def broken(people, damage) -> list[str]:
    order = make(people, "awaiting_customer")
    damage(order)
    return order_violations(DjangoDb(), ids=[order.pk])


def test_a_move_without_its_event_is_caught(people):
    lines = broken(people, lambda o: WorkOrderEvent.objects.filter(pk=o.events.order_by("id").last().pk).delete())
    assert any("the last event ends in" in line for line in lines)
    assert any("version" in line and "moves" in line for line in lines)


def test_a_status_changed_behind_the_workflow_is_caught(people):
    lines = broken(people, lambda o: WorkOrder.objects.filter(pk=o.pk).update(status="closed"))
    assert any("the last event ends in 'awaiting_customer', the order is 'closed'" in line for line in lines)
    assert any("closed_at" in line for line in lines)
    assert any("paused_from" in line for line in lines)


def test_a_version_bumped_twice_is_caught(people):
    lines = broken(people, lambda o: WorkOrder.objects.filter(pk=o.pk).update(version=o.version + 1))
    assert any("version" in line for line in lines)


def test_a_missing_audit_row_or_an_extra_one_is_caught(people):
    lines = broken(
        people, lambda o: audit.record(actor=people["agent"], action="transition:acknowledge", obj=o, before={})
    )
    assert any("audit transitions" in line for line in lines)


def test_missing_or_inconsistent_clocks_are_caught(people):
    lines = broken(people, lambda o: WorkOrderClock.objects.filter(order=o, clock="resolution").delete())
    assert any("the policy asks for" in line for line in lines)
    lines = broken(people, lambda o: WorkOrderClock.objects.filter(order=o, state="paused").update(state="running"))
    assert any("running while awaiting_customer" in line for line in lines)
    lines = broken(people, lambda o: OrderSla.objects.filter(order=o).delete())
    assert any("0 SLA policy records" in line for line in lines)
