"""The SLA engine's event rows are typed for every case type, and a breach is published as a
domain event (``sla.clock_breached``) for later modules to react to."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core import events
from service.services import request_create
from sla import cases
from sla.escalation import scan_clocks
from sla.events import ClockBreached
from sla.models import ClockEvent
from tests.factories import CustomerFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


@pytest.mark.parametrize("case", cases.all(), ids=lambda c: c.code)
def test_every_case_types_events_know_the_engines_event_types(case):
    choices = {value for value, _label in case.event_model._meta.get_field("action").choices}
    assert set(ClockEvent.values) <= choices


def test_a_breach_is_published_after_the_scan_commits(db, django_capture_on_commit_callbacks):
    seen = []
    events.subscribe(ClockBreached, seen.append)
    try:
        agent = UserFactory(role="agent")
        with time_machine.travel(dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH), tick=False):
            order = request_create(actor=agent, customer_id=CustomerFactory().pk, fault_description="Broken")
        with time_machine.travel(dt.datetime(2026, 3, 3, 10, 1, tzinfo=SH), tick=False):
            with django_capture_on_commit_callbacks(execute=True):
                scan_clocks()
    finally:
        events.unsubscribe(ClockBreached, seen.append)
    assert seen == [
        ClockBreached(
            case="work_order",
            subject_id=order.pk,
            clock="response",
            due_at=dt.datetime(2026, 3, 3, 2, 0, tzinfo=dt.UTC),
        )
    ]
