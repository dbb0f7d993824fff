"""Policy matching at intake and the ``{% order_clocks %}`` partial."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.template import Context, Template

from products.models import ProductLine
from service.clocks import WORK_ORDER
from service.models import WorkOrderClock
from service.services import request_create, work_order_transition
from sla import clocks, engine
from sla.templatetags.sla_tags import duration_text, target_text
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.mark.parametrize(
    "filters, expected",
    [
        ({}, "standard"),
        ({"priority": "urgent"}, "urgent"),
        ({"industrial": True}, "industrial"),
        ({"industrial": True, "priority": "urgent"}, "industrial"),  # lower rank wins
        ({"case_type": "complaint"}, "complaint"),
    ],
    ids=["normal", "urgent", "industrial", "industrial-urgent", "complaint"],
)
def test_policy_matching_by_rank_and_filters(db, filters, expected):
    assert engine.match_policy(service_type="repair", **filters).code == expected


def test_intake_records_the_industrial_policy_for_industrial_equipment(db):
    # given a unit of an industrial product line
    agent = UserFactory(role="agent")
    line = ProductLine.objects.create(code="plant", name="Plant", is_industrial=True)
    unit = UnitFactory(model=ProductModelFactory(line=line))

    # when
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        order = request_create(actor=agent, serial=unit.serial, fault_description="Stopped")

    # then respond in 30 min, on site in 24 h; "fix" starts only when work starts
    clocks = {c.clock: c for c in WorkOrderClock.objects.filter(order=order)}
    assert set(clocks) == {"response", "onsite"}
    assert clocks["response"].due_at == at(2026, 3, 2, 10, 30)
    assert clocks["onsite"].due_at == at(2026, 3, 3, 10, 0)


@pytest.mark.parametrize(
    "clock_type, amount, text",
    [
        ("calendar", 1440, "24 h"),
        ("business", 60, "1 h"),
        ("business", 90, "1 h 30 min"),
        ("calendar", 30, "30 min"),
        ("working_days", 1, "1 working day"),
        ("working_days", 15, "15 working days"),
    ],
    ids=["24h", "1h", "1h30", "30min", "1-day", "15-days"],
)
def test_target_text(clock_type, amount, text):
    assert target_text(clock_type, amount) == text


def test_duration_text_of_zero():
    assert duration_text(0) == "0 min"


def render(order) -> str:
    return Template("{% load sla_tags %}{% order_clocks order %}").render(Context({"order": order}))


def test_clocks_partial_shows_every_clock_in_beijing_time(db):
    # given an order from 28 December 2026, its first response met, its resolution extended
    agent = UserFactory(role="agent")
    customer = CustomerFactory()
    with time_machine.travel(at(2026, 12, 28, 10, 0), tick=False):
        order = request_create(actor=agent, customer_id=customer.pk, fault_description="Broken")
    with time_machine.travel(at(2026, 12, 28, 11, 0), tick=False):
        work_order_transition(order_id=order.pk, action="acknowledge", actor=agent)
        clocks.extend(
            WORK_ORDER, subject_id=order.pk, clock="resolution", actor=agent, reason="Waiting for a part", extra=1
        )
        work_order_transition(order_id=order.pk, action="wait_customer", actor=agent)

    # when
    html = render(order)

    # then
    assert html.count("<tr data-clock=") == 3
    assert "First response" in html and "24 h" in html
    assert "On-site arrival" in html and "3 working days" in html
    assert '<span class="badge met">Met</span>' in html
    assert '<span class="badge paused">Paused</span>' in html
    assert "2026-12-29 10:00" in html  # first-response deadline, Beijing time
    assert "2027-01-07 18:00" in html and "2027-01-06 18:00" in html  # extended and original resolution
    assert "Waiting for a part" in html
    assert "provisional" in html
    assert "paused since 2026-12-28 11:00" in html


def test_clocks_partial_of_an_order_without_clocks(db):
    from tests.factories import WorkOrderFactory

    html = render(WorkOrderFactory())
    assert "No service-level clocks on this order." in html
