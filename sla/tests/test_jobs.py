"""The breach / at-risk scan (sla.escalation, sla.tasks.sla_scan) of work orders, in frozen time.

Orders use the seeded "standard" policy (first response 24 h elapsed, on site 3 working
days, resolution 7 working days) or "urgent" (2 h, 8 business hours, 3 working days) on
the seeded China calendar.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core import mail

from notifications.models import Notification
from service.clocks import WORK_ORDER
from service.models import WorkOrder, WorkOrderClock, WorkOrderEvent
from service.services import request_create, work_order_assign, work_order_transition
from sla import cases
from sla.escalation import claim, scan_clocks, steps
from sla.tasks import sla_scan
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
MONDAY = dt.datetime(2026, 3, 2, 10, 0, tzinfo=SH)  # an ordinary working Monday


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def team(db):
    east, west = DepartmentFactory(code="cs-east"), DepartmentFactory(code="cs-west")
    return SimpleNamespace(
        dept=east,
        supervisor=UserFactory(role="supervisor", department=east),
        other_supervisor=UserFactory(role="supervisor", department=west),
        manager=UserFactory(role="manager", department=east),
        other_manager=UserFactory(role="manager", department=west),
        agent=UserFactory(role="agent"),
        engineer=UserFactory(role="engineer"),
    )


def new_order(team, when=MONDAY, *, department=True, **kw) -> WorkOrder:
    customer = CustomerFactory(user=UserFactory(role="customer"))
    with time_machine.travel(when, tick=False):
        order = request_create(actor=team.agent, customer_id=customer.pk, fault_description="Broken", **kw)
        work_order_assign(
            order_id=order.pk,
            actor=team.agent,
            assignee_id=team.engineer.pk,
            department_id=team.dept.pk if department else None,
        )
    return order


def scan(when):
    with time_machine.travel(when, tick=False):
        return scan_clocks()


def clock(order, name) -> WorkOrderClock:
    return WorkOrderClock.objects.get(order=order, clock=name)


def recipients(order, action_word: str, channel="inapp") -> set:
    rows = Notification.objects.filter(order_id=order.pk, channel=channel, subject__contains=action_word)
    return {n.recipient_id for n in rows}


def test_deadlines_and_warning_times_are_stored_at_intake(team):
    # when a normal request comes in on a working Monday at 10:00
    order = new_order(team)

    # then each clock has its deadline and its at-risk time (80 % of the target)
    response, onsite, resolution = (clock(order, n) for n in ("response", "onsite", "resolution"))
    assert response.due_at == at(2026, 3, 3, 10, 0)
    assert response.warn_at == at(2026, 3, 3, 5, 12)  # 80 % of 24 h = 19 h 12 min
    assert onsite.due_at == at(2026, 3, 5, 18, 0)  # close of the 3rd working day after Monday
    assert onsite.warn_at == at(2026, 3, 5, 10, 48)  # 80 % of the 31 working hours in between
    assert resolution.due_at == at(2026, 3, 11, 18, 0)
    assert order.sla.policy_code == "standard"


def test_business_hours_clock_is_at_risk_after_80_percent_of_its_working_time(team):
    # when an urgent request comes in (on site within 8 business hours)
    order = new_order(team, priority="urgent")

    # then the deadline is 8 working hours later and the warning at 6 h 24 min of working time
    onsite = clock(order, "onsite")
    assert onsite.due_at == at(2026, 3, 3, 10, 0)  # Mon 10-12, 13-18 (7 h) + Tue 9-10
    assert onsite.warn_at == at(2026, 3, 2, 17, 24)  # Mon 10-12 (2 h) + 13:00 + 4 h 24 min


@pytest.mark.parametrize(
    "when, at_risk",
    [(at(2026, 3, 3, 5, 11, 59), False), (at(2026, 3, 3, 5, 12), True)],
    ids=["just-before-80-percent", "at-80-percent"],
)
def test_scan_marks_a_clock_at_risk_from_80_percent(team, when, at_risk):
    # given
    order = new_order(team)

    # when
    result = scan(when)

    # then only the first-response clock is at risk, at escalation level 1
    response = clock(order, "response")
    assert response.at_risk is at_risk
    assert response.state == "running"
    assert response.escalation_level == (1 if at_risk else 0)
    assert result.at_risk == ([response.pk] if at_risk else [])
    assert result.breached == []
    assert not clock(order, "onsite").at_risk


def test_at_risk_escalates_to_the_team_supervisor_and_notifies_the_assignee(team):
    # given
    order = new_order(team)

    # when
    scan(at(2026, 3, 3, 6, 0))

    # then an event is on the order and the team's supervisor and the engineer are notified
    event = WorkOrderEvent.objects.get(order=order, action="sla_at_risk")
    assert event.payload == {
        "clock": "response",
        "due_at": clock(order, "response").due_at.isoformat(),
        "escalation_level": 1,
    }
    assert event.actor is None
    assert recipients(order, "at risk") == {team.supervisor.pk, team.engineer.pk}
    assert recipients(order, "breached") == set()


@pytest.mark.parametrize(
    "when, state",
    [(at(2026, 3, 3, 10, 0), "running"), (at(2026, 3, 3, 10, 0, 1), "breached")],
    ids=["at-the-deadline", "one-second-after"],
)
def test_scan_marks_a_clock_breached_only_after_its_deadline(team, when, state):
    # given
    order = new_order(team)

    # when
    scan(when)

    # then
    response = clock(order, "response")
    assert response.state == state
    if state == "breached":
        assert response.breached_at == response.due_at
        assert response.escalation_level == 2


def test_escalation_chain_supervisor_then_manager(team):
    # given an order whose first response is at risk, then late
    order = new_order(team)

    # when the scan runs at 80 % and again after the deadline
    first = scan(at(2026, 3, 3, 5, 30))
    second = scan(at(2026, 3, 3, 10, 1))

    # then level 1 went to the supervisor, level 2 to the manager; the engineer got both
    response = clock(order, "response")
    assert first.at_risk == [response.pk] and second.breached == [response.pk]
    assert response.escalation_level == 2
    assert recipients(order, "at risk") == {team.supervisor.pk, team.engineer.pk}
    assert recipients(order, "breached") == {team.manager.pk, team.engineer.pk}
    assert list(
        WorkOrderEvent.objects.filter(order=order, action__startswith="sla_").values_list("action", flat=True)
    ) == [
        "sla_at_risk",
        "sla_breached",
    ]


def test_a_clock_found_late_is_reported_once_as_breached_not_also_at_risk(team):
    # given an order nobody scanned before its deadline
    order = new_order(team)

    # when
    result = scan(at(2026, 3, 3, 11, 0))

    # then
    assert result.breached == [clock(order, "response").pk]
    assert result.at_risk == []
    assert WorkOrderEvent.objects.filter(order=order, action__startswith="sla_").count() == 1


def test_rerunning_the_scan_changes_nothing_and_sends_nothing(team):
    # given a scan that marked and notified
    order = new_order(team)
    scan(at(2026, 3, 3, 5, 30))
    scan(at(2026, 3, 3, 10, 1))
    before = (
        list(WorkOrderClock.objects.filter(order=order).order_by("id").values()),
        WorkOrderEvent.objects.count(),
        Notification.objects.count(),
        WorkOrder.objects.get(pk=order.pk).due_at,
    )

    # when it runs again, twice
    again = [scan(at(2026, 3, 3, 10, 1)), scan(at(2026, 3, 3, 10, 2))]

    # then
    assert all(r.at_risk == [] and r.breached == [] for r in again)
    after = (
        list(WorkOrderClock.objects.filter(order=order).order_by("id").values()),
        WorkOrderEvent.objects.count(),
        Notification.objects.count(),
        WorkOrder.objects.get(pk=order.pk).due_at,
    )
    assert after == before


def test_a_second_claim_of_the_same_step_gets_nothing(team):
    # given a clock past its deadline
    order = new_order(team)
    step = steps(at(2026, 3, 3, 11, 0))[0]

    # when two claims race for it (one after the other in one process)
    first, second = claim(WORK_ORDER, step), claim(WORK_ORDER, step)

    # then exactly one of them changed it
    assert first == [clock(order, "response").pk]
    assert second == []


def test_paused_clocks_are_neither_at_risk_nor_breached(team):
    # given an order waiting for the customer (its clocks paused) before its deadlines
    order = new_order(team)
    with time_machine.travel(at(2026, 3, 2, 11, 0), tick=False):
        work_order_transition(order_id=order.pk, action="acknowledge", actor=team.agent)
        work_order_transition(order_id=order.pk, action="wait_customer", actor=team.agent)

    # when the scan runs long after every original deadline
    result = scan(at(2026, 3, 20, 12, 0))

    # then
    assert result.at_risk == [] and result.breached == []
    assert set(WorkOrderClock.objects.filter(order=order).values_list("clock", "state")) == {
        ("response", "met"),
        ("onsite", "paused"),
        ("resolution", "paused"),
    }


def test_without_a_team_every_supervisor_is_told(team):
    # given an order with no team
    order = new_order(team, department=False)

    # when
    scan(at(2026, 3, 3, 6, 0))

    # then
    assert recipients(order, "at risk") == {team.supervisor.pk, team.other_supervisor.pk, team.engineer.pk}


def test_the_orders_next_deadline_stays_the_earliest_open_one_after_a_breach(team):
    # given
    order = new_order(team)
    assert order.due_at == at(2026, 3, 3, 10, 0)

    # when the first-response clock breaches
    scan(at(2026, 3, 3, 10, 1))

    # then the order still sorts by that (overdue) deadline
    order.refresh_from_db()
    assert order.due_at == at(2026, 3, 3, 10, 0)


def test_notifications_are_emailed_after_commit(team, django_capture_on_commit_callbacks):
    # given
    order = new_order(team)

    # when the scan commits
    with django_capture_on_commit_callbacks(execute=True):
        scan(at(2026, 3, 3, 10, 1))

    # then the manager and the engineer got an email, and the rows are marked sent
    assert sorted(m.to[0] for m in mail.outbox) == sorted([team.manager.email, team.engineer.email])
    assert order.number in mail.outbox[0].subject
    assert not Notification.objects.filter(order_id=order.pk, sent_at__isnull=True).exists()


def test_the_django_task_runs_the_scan_through_the_queue(team):
    # given
    order = new_order(team)

    # when the periodic job enqueues the task (huey runs it in-process in tests)
    with time_machine.travel(at(2026, 3, 3, 10, 1), tick=False):
        sla_scan.enqueue()

    # then
    assert clock(order, "response").state == "breached"


def test_the_periodic_job_enqueues_the_task(team):
    # given
    from sla.tasks import sla_scan_every_minute

    order = new_order(team)

    # when the huey periodic task fires
    with time_machine.travel(at(2026, 3, 3, 10, 1), tick=False):
        sla_scan_every_minute.call_local()

    # then
    assert clock(order, "response").state == "breached"


def test_the_scan_goes_through_every_registered_case_type_and_reports_each(team):
    # given an order whose first response is late
    order = new_order(team)

    # when
    result = scan(at(2026, 3, 3, 10, 1))

    # then the work orders' clocks were scanned as their case type, and counted in the totals
    assert set(result.by_case) == {case.code for case in cases.all()}
    assert result.by_case["work_order"].breached == [clock(order, "response").pk] == result.breached
    assert result.by_case["work_order"].at_risk == result.at_risk
