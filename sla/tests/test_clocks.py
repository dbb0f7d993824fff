"""Clocks on work orders: pause across weekends and holidays, extension, provisional
deadlines and the policy snapshot — on the real 2026 China calendar, in frozen time."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditLog
from notifications.models import Notification
from products.models import ProductLine
from service.clocks import WORK_ORDER
from service.models import OrderSla, WorkOrderClock, WorkOrderEvent
from service.services import request_create, work_order_transition
from sla import clocks
from sla.escalation import scan_clocks
from sla.models import SlaPolicy, SlaTarget
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    return SimpleNamespace(
        agent=UserFactory(role="agent"),
        customer_user=customer_user,
        customer=CustomerFactory(user=customer_user),
    )


def new_order(people, when, **kw):
    with time_machine.travel(when, tick=False):
        return request_create(actor=people.agent, customer_id=people.customer.pk, fault_description="Broken", **kw)


def move(people, order, when, *actions):
    with time_machine.travel(when, tick=False):
        for action in actions:
            work_order_transition(order_id=order.pk, action=action, actor=people.agent)


def clock(order, name) -> WorkOrderClock:
    return WorkOrderClock.objects.get(order=order, clock=name)


def clock_extend(*, order_id, **kwargs) -> WorkOrderClock:
    return clocks.extend(WORK_ORDER, subject_id=order_id, **kwargs)


# --- pause ------------------------------------------------------------------------------------


def test_pause_over_a_weekend_moves_due_times_by_the_paused_working_time(people):
    # given an urgent order on Friday 16:00: on site within 8 business hours → Monday 16:00
    order = new_order(people, at(2026, 3, 6, 16, 0), priority="urgent")
    move(people, order, at(2026, 3, 6, 16, 30), "acknowledge")
    assert clock(order, "onsite").due_at == at(2026, 3, 9, 16, 0)
    assert clock(order, "resolution").due_at == at(2026, 3, 11, 18, 0)

    # when it waits for the customer from Friday 17:00 to Monday 10:00
    move(people, order, at(2026, 3, 6, 17, 0), "wait_customer")
    move(people, order, at(2026, 3, 9, 10, 0), "resume")

    # then both clocks move by the 2 working hours paused (Fri 17-18, Mon 9-10), not by 65 h
    onsite, resolution = clock(order, "onsite"), clock(order, "resolution")
    assert onsite.due_at == at(2026, 3, 9, 18, 0)
    assert onsite.paused_seconds == 2 * 3600
    assert onsite.original_due_at == at(2026, 3, 9, 16, 0)
    assert resolution.due_at == at(2026, 3, 12, 11, 0)
    assert {onsite.state, resolution.state} == {"running"}
    assert clock(order, "response").state == "met"


def test_pause_across_national_day_moves_due_time_by_the_working_time_only(people):
    # given an urgent order on Wednesday 30 September 10:00: 8 business hours → 8 October 10:00
    order = new_order(people, at(2026, 9, 30, 10, 0), priority="urgent")
    move(people, order, at(2026, 9, 30, 10, 30), "acknowledge")
    assert clock(order, "onsite").due_at == at(2026, 10, 8, 10, 0)

    # when it waits for the customer from 30 September 17:00 to 8 October 10:00 (holiday between)
    move(people, order, at(2026, 9, 30, 17, 0), "wait_customer")
    move(people, order, at(2026, 10, 8, 10, 0), "resume")

    # then the deadline moves by exactly 2 working hours
    onsite = clock(order, "onsite")
    assert onsite.due_at == at(2026, 10, 8, 12, 0)
    assert onsite.paused_seconds == 2 * 3600


def test_pause_that_lies_inside_the_holiday_changes_nothing(people):
    # given
    order = new_order(people, at(2026, 9, 30, 10, 0), priority="urgent")
    move(people, order, at(2026, 9, 30, 10, 30), "acknowledge")
    before = clock(order, "onsite").due_at

    # when it waits for the customer from 2 to 5 October (all holiday)
    move(people, order, at(2026, 10, 2, 9, 0), "wait_customer")
    move(people, order, at(2026, 10, 5, 15, 0), "resume")

    # then
    onsite = clock(order, "onsite")
    assert onsite.due_at == before
    assert onsite.paused_seconds == 0


def test_calendar_clocks_move_by_the_elapsed_paused_time(people):
    # given an order for industrial equipment: on site within 24 h of elapsed time
    line = ProductLine.objects.create(code="industry", name="Industrial", is_industrial=True)
    unit = UnitFactory(owner=people.customer, model=ProductModelFactory(line=line))
    order = new_order(people, at(2026, 3, 6, 16, 0), serial=unit.serial)
    assert order.sla.policy_code == "industrial"
    move(people, order, at(2026, 3, 6, 16, 10), "acknowledge")

    # when it waits for the customer over the weekend (Friday 17:00 to Monday 10:00)
    move(people, order, at(2026, 3, 6, 17, 0), "wait_customer")
    move(people, order, at(2026, 3, 9, 10, 0), "resume")

    # then the 24 h clock moves by the 65 h paused
    onsite = clock(order, "onsite")
    assert onsite.due_at == at(2026, 3, 7, 16, 0) + dt.timedelta(hours=65)
    assert onsite.paused_seconds == 65 * 3600


# --- extension --------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "name, kwargs, new_due",
    [
        ("onsite", {"extra": 120}, at(2026, 3, 3, 12, 0)),  # urgent: business clock, +2 working hours
        ("resolution", {"extra": 2}, at(2026, 3, 9, 18, 0)),  # working days: Thu 5 → Mon 9
        ("response", {"extra": 60}, at(2026, 3, 2, 13, 0)),  # calendar clock: +1 h elapsed
        ("onsite", {"new_due_at": dt.datetime(2026, 3, 4, 9, 30)}, at(2026, 3, 4, 9, 30)),  # naive = Beijing
    ],
    ids=["business-minutes", "working-days", "calendar-minutes", "explicit-new-deadline"],
)
def test_extension_before_the_deadline_moves_it_and_keeps_the_original(people, name, kwargs, new_due):
    # given an urgent order from Monday 10:00 (response 12:00, on site Tue 10:00, resolution Thu 18:00)
    order = new_order(people, at(2026, 3, 2, 10, 0), priority="urgent")
    original = clock(order, name).due_at
    handler = UserFactory(role="complaint_handler")

    # when a handler extends it before it passes
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False):
        c = clock_extend(order_id=order.pk, clock=name, actor=handler, reason="Part on back order", **kwargs)

    # then
    c.refresh_from_db()
    assert c.due_at == new_due
    assert c.original_due_at == original
    assert c.extension_reason == "Part on back order"
    assert c.extended_by == handler
    event = WorkOrderEvent.objects.get(order=order, action="sla_extended")
    assert event.note == "Part on back order"
    assert event.payload["clock"] == name
    assert event.payload["original_due_at"] == original.isoformat()
    assert AuditLog.objects.filter(action="sla_extend", object_id=str(c.pk)).exists()


def test_extension_notifies_the_customer_and_moves_the_orders_next_deadline(people):
    # given
    order = new_order(people, at(2026, 3, 2, 10, 0), priority="urgent")
    assert order.due_at == at(2026, 3, 2, 12, 0)

    # when the first-response deadline is extended by an hour
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False):
        clock_extend(order_id=order.pk, clock="response", actor=people.agent, reason="Line down", extra=60)

    # then the customer has a message with the new deadline and the reason
    note = Notification.objects.get(recipient=people.customer_user, channel="inapp")
    assert note.order_id == order.pk
    assert "2026-03-02 13:00" in note.body and "Line down" in note.body
    order.refresh_from_db()
    assert order.due_at == at(2026, 3, 2, 13, 0)


def test_extension_after_the_deadline_is_refused_and_changes_nothing(people):
    # given an order whose first response is due at 12:00
    order = new_order(people, at(2026, 3, 2, 10, 0), priority="urgent")
    before = list(WorkOrderClock.objects.filter(order=order).values())

    # when someone tries to extend it at 12:01
    with time_machine.travel(at(2026, 3, 2, 12, 1), tick=False), pytest.raises(Conflict) as exc:
        clock_extend(order_id=order.pk, clock="response", actor=people.agent, reason="Too late", extra=60)

    # then
    assert exc.value.code == "deadline_passed"
    assert list(WorkOrderClock.objects.filter(order=order).values()) == before
    assert not WorkOrderEvent.objects.filter(action="sla_extended").exists()
    assert not Notification.objects.exists()


def test_a_paused_clock_can_be_extended_while_its_deadline_has_not_really_passed(people):
    # given an urgent order (on site by Tuesday 10:00) waiting for the customer since Monday 11:00
    order = new_order(people, at(2026, 3, 2, 10, 0), priority="urgent")
    move(people, order, at(2026, 3, 2, 10, 30), "acknowledge")
    move(people, order, at(2026, 3, 2, 11, 0), "wait_customer")

    # when on Wednesday 10:00 (after the stored deadline, before the deadline it has if resumed
    # now: Wednesday 18:00) a handler extends it by 1 business hour
    with time_machine.travel(at(2026, 3, 4, 10, 0), tick=False):
        clock_extend(order_id=order.pk, clock="onsite", actor=people.agent, reason="Customer abroad", extra=60)
    move(people, order, at(2026, 3, 4, 10, 0), "resume")

    # then the pause (15 working hours) is added on top of the extended deadline
    onsite = clock(order, "onsite")
    assert onsite.original_due_at == at(2026, 3, 3, 10, 0)
    assert onsite.due_at == at(2026, 3, 5, 9, 0) + dt.timedelta(hours=1)  # Tue 11:00 + 15 working hours


def test_extension_of_a_met_clock_is_refused(people):
    # given
    order = new_order(people, at(2026, 3, 2, 10, 0))
    move(people, order, at(2026, 3, 2, 10, 5), "acknowledge")

    # when / then
    with time_machine.travel(at(2026, 3, 2, 10, 10), tick=False), pytest.raises(Conflict) as exc:
        clock_extend(order_id=order.pk, clock="response", actor=people.agent, reason="x", extra=60)
    assert exc.value.code == "clock_stopped"


@pytest.mark.parametrize(
    "kwargs, error",
    [
        ({"reason": "  ", "extra": 60}, ValidationFailed),
        ({"reason": "x"}, ValidationFailed),
        ({"reason": "x", "extra": 60, "new_due_at": at(2026, 3, 9, 9, 0)}, ValidationFailed),
        ({"reason": "x", "extra": 0}, ValidationFailed),
        ({"reason": "x", "new_due_at": at(2026, 3, 2, 11, 30)}, ValidationFailed),  # earlier than 12:00
    ],
    ids=["no-reason", "no-amount", "both-amounts", "zero", "earlier"],
)
def test_extension_needs_a_reason_and_one_later_deadline(people, kwargs, error):
    order = new_order(people, at(2026, 3, 2, 10, 0), priority="urgent")
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False), pytest.raises(error):
        clock_extend(order_id=order.pk, clock="response", actor=people.agent, **kwargs)
    assert clock(order, "response").due_at == at(2026, 3, 2, 12, 0)


@pytest.mark.parametrize(
    "role, error",
    [("engineer", Forbidden), ("customer", Forbidden), ("analyst", Forbidden), ("finance", Forbidden)],
    ids=["engineer", "customer", "analyst", "finance"],
)
def test_only_handlers_may_extend(people, role, error):
    order = new_order(people, at(2026, 3, 2, 10, 0), priority="urgent")
    actor = people.customer_user if role == "customer" else UserFactory(role=role)
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False), pytest.raises(error):
        clock_extend(order_id=order.pk, clock="response", actor=actor, reason="x", extra=60)
    assert not WorkOrderEvent.objects.filter(action="sla_extended").exists()


def test_extension_of_an_unknown_clock_or_order_is_not_found(people):
    order = new_order(people, at(2026, 3, 2, 10, 0))
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False):
        with pytest.raises(NotFound):
            clock_extend(order_id=order.pk, clock="fix", actor=people.agent, reason="x", extra=60)
        with pytest.raises(NotFound):
            clock_extend(order_id=order.pk + 1000, clock="response", actor=people.agent, reason="x", extra=60)


def test_an_extended_at_risk_clock_is_no_longer_at_risk_and_not_breached_at_the_old_deadline(people):
    # given a first response at risk (due 12:00, at risk from 11:36)
    order = new_order(people, at(2026, 3, 2, 10, 0), priority="urgent")
    with time_machine.travel(at(2026, 3, 2, 11, 40), tick=False):
        assert scan_clocks().at_risk == [clock(order, "response").pk]

    # when it is extended by 2 hours, and the scan runs after the old deadline
    with time_machine.travel(at(2026, 3, 2, 11, 45), tick=False):
        clock_extend(order_id=order.pk, clock="response", actor=people.agent, reason="Callback booked", extra=120)
    with time_machine.travel(at(2026, 3, 2, 12, 30), tick=False):
        result = scan_clocks()

    # then
    response = clock(order, "response")
    assert result.breached == []
    assert response.state == "running"
    assert response.at_risk is False and response.escalation_level == 0
    assert response.warn_at == at(2026, 3, 2, 13, 12)  # 80 % of the 4 h from 10:00 to 14:00


# --- provisional deadlines and the policy snapshot ---------------------------------------------


def test_deadline_beyond_the_confirmed_years_is_provisional(people):
    # when a request comes in on 28 December 2026 (2027 is not confirmed)
    order = new_order(people, at(2026, 12, 28, 10, 0))

    # then the resolution deadline (7 working days) uses the weekday rule and is provisional
    resolution = clock(order, "resolution")
    assert resolution.due_at == at(2027, 1, 6, 18, 0)  # 1 January 2027 counted as a working day
    assert resolution.provisional is True
    assert clock(order, "response").provisional is False


def test_later_policy_edits_do_not_rewrite_an_orders_policy(people):
    # given an order under the standard policy
    order = new_order(people, at(2026, 3, 2, 10, 0))
    snapshot = OrderSla.objects.get(order=order).snapshot
    clocks_before = list(WorkOrderClock.objects.filter(order=order).values("clock", "amount", "due_at"))

    # when an admin changes the policy's targets and the waits it pauses on
    policy = SlaPolicy.objects.get(code="standard")
    SlaTarget.objects.filter(policy=policy, clock="resolution").update(amount=2)
    policy.pause_on = []
    policy.save()
    newer = new_order(people, at(2026, 3, 2, 10, 0))

    # then the old order keeps its snapshot, its clocks, and still pauses while waiting
    assert OrderSla.objects.get(order=order).snapshot == snapshot
    assert list(WorkOrderClock.objects.filter(order=order).values("clock", "amount", "due_at")) == clocks_before
    assert clock(newer, "resolution").due_at == at(2026, 3, 4, 18, 0)
    move(people, order, at(2026, 3, 2, 11, 0), "acknowledge", "wait_customer")
    assert clock(order, "resolution").state == "paused"
    move(people, newer, at(2026, 3, 2, 11, 0), "acknowledge", "wait_customer")
    assert clock(newer, "resolution").state == "running"


@pytest.mark.parametrize(
    "stored, paused_by",
    [
        ({"pause_statuses": ["awaiting_customer"]}, "wait_customer"),
        ({"pause_statuses": ["awaiting_parts"]}, "wait_parts"),
        ({"pause_on": ["parts"]}, "wait_parts"),
        ({"pause_statuses": []}, None),
    ],
    ids=["old-customer", "old-parts", "milestone-parts", "old-none"],
)
def test_an_orders_snapshot_decides_which_waits_pause_its_clocks(people, stored, paused_by):
    # given an order in service whose recorded policy pauses on the stored waits (a snapshot
    # taken before milestones lists work-order statuses instead)
    order = new_order(people, at(2026, 3, 2, 10, 0), serial=UnitFactory(owner=people.customer).serial)
    sla = OrderSla.objects.get(order=order)
    sla.snapshot = {k: v for k, v in sla.snapshot.items() if k not in ("pause_on", "pause_statuses")} | stored
    sla.save()
    move(people, order, at(2026, 3, 2, 10, 30), "acknowledge", "assess", "schedule", "start")

    # when it waits for the customer, then (after resuming) for parts
    move(people, order, at(2026, 3, 2, 11, 0), "wait_customer")
    while_customer = clock(order, "resolution").state
    move(people, order, at(2026, 3, 2, 12, 0), "resume", "wait_parts")
    while_parts = clock(order, "resolution").state

    # then the clocks paused during exactly the waits the snapshot names
    assert while_customer == ("paused" if paused_by == "wait_customer" else "running")
    assert while_parts == ("paused" if paused_by == "wait_parts" else "running")


def test_new_orders_record_the_policys_pause_milestones(people):
    order = new_order(people, at(2026, 3, 2, 10, 0))
    snapshot = OrderSla.objects.get(order=order).snapshot
    assert snapshot["pause_on"] == ["customer"]
    assert "pause_statuses" not in snapshot
