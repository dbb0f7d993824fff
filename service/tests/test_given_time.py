"""Services given ``now=`` stamp every row they write with it (how the demo writes its year of history)."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint, ComplaintEvent
from core.models import AuditLog
from notifications.models import Notification
from service import services
from service.models import Acceptance, Quote, RepairReport, WorkOrder, WorkOrderClock, WorkOrderEvent
from sla.escalation import scan_clocks
from sla.models import ClockEvent

from .flow import signature_url

pytestmark = pytest.mark.django_db

T0 = (timezone.now() - dt.timedelta(days=200)).replace(microsecond=0)


def at(hours: float) -> dt.datetime:
    return T0 + dt.timedelta(hours=hours)


def test_a_paid_repair_driven_with_past_times_carries_them_on_every_row(
    agent, engineer, customer_user, unit_of, django_capture_on_commit_callbacks
):
    # given a request filed 200 days ago, then every step a few hours after the one before
    unit = unit_of(customer_user, sale_date=dt.date(2015, 1, 1))  # long out of warranty: a paid repair
    order = services.request_create(
        actor=agent, customer_id=customer_user.customer.pk, serial=unit.serial, fault_description="坏了", now=at(0)
    )
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=agent, now=at(1))
    services.work_order_transition(order_id=order.pk, action="assess", actor=agent, now=at(2))
    quote = services.quote_create(
        order_id=order.pk, actor=agent, lines=[{"description": "人工", "unit_price": "100"}], now=at(3)
    )
    services.quote_decide(quote_id=quote.pk, actor=customer_user, approve=True, now=at(4))
    services.work_order_assign(order_id=order.pk, actor=agent, assignee_id=engineer.pk, now=at(5))
    services.work_order_transition(order_id=order.pk, action="schedule", actor=agent, now=at(6))
    services.work_order_transition(order_id=order.pk, action="start", actor=engineer, now=at(30))
    services.report_save(order_id=order.pk, actor=engineer, cause="c", process="p", minutes_spent=30, now=at(31))
    services.work_order_transition(order_id=order.pk, action="resolve", actor=engineer, now=at(32))
    with django_capture_on_commit_callbacks(execute=True):  # the refusal's complaint is opened after the commit
        services.acceptance_sign(
            order_id=order.pk,
            actor=engineer,
            accepted=False,
            signer_name="客户",
            signature=signature_url(),
            comment="还是坏的",
            now=at(33),
        )

    # then the order, its events, clocks, quote, report, acceptance and audit rows carry those times
    order = WorkOrder.objects.get(pk=order.pk)
    assert (order.created_at, order.updated_at) == (at(0), at(33))
    events = list(WorkOrderEvent.objects.filter(order=order).order_by("id").values_list("action", "at"))
    assert [t for a, t in events if a != "customer_notified"] == [at(h) for h in (0, 1, 2, 3, 4, 5, 6, 30, 31, 32, 33)]
    # the customer's messages (acknowledgement, quote, appointment, resolution) carry their step's time
    told = [t for a, t in events if a == "customer_notified"]
    assert told == [at(h) for h in (1, 3, 6, 32)]
    assert set(Notification.objects.filter(order_id=order.pk, kind__gt="").values_list("created_at", flat=True)) == set(
        told
    )
    assert set(
        AuditLog.objects.filter(object_type="service.workorder", object_id=str(order.pk)).values_list("at", flat=True)
    ) == {at(h) for h in (0, 1, 2, 5, 6, 30, 32, 33)}
    quote = Quote.objects.get(pk=quote.pk)
    assert (quote.created_at, quote.decided_at) == (at(3), at(4))
    report = RepairReport.objects.get(order=order)
    assert (report.created_at, report.updated_at, report.service_date) == (at(31), at(31), timezone.localdate(at(31)))
    assert Acceptance.objects.get(order=order).signed_at == at(33)
    clocks = {c.clock: c for c in WorkOrderClock.objects.filter(order=order)}
    assert clocks["response"].started_at == at(0) and clocks["response"].stopped_at == at(1)
    assert clocks["resolution"].stopped_at == at(32)
    # and the complaint the refusal opens (after the commit) carries the refusal's time
    complaint = Complaint.objects.get(order=order)
    assert complaint.created_at == at(33)
    assert set(ComplaintEvent.objects.filter(complaint=complaint).values_list("at", flat=True)) == {at(33)}


def test_the_scan_given_a_time_stamps_its_events_and_notifications(agent, customer_user, unit_of, make_user):
    # given an order filed 200 days ago and never answered, and a manager to escalate to
    make_user("manager", email="manager@example.com")
    unit = unit_of(customer_user)
    order = services.request_create(
        actor=agent, customer_id=customer_user.customer.pk, serial=unit.serial, fault_description="坏了", now=at(0)
    )

    # when the scan runs as it would have a week later
    scan_clocks(now=at(24 * 7))

    # then its breach events and notifications carry that time
    breaches = WorkOrderEvent.objects.filter(order=order, action=ClockEvent.BREACHED)
    assert breaches.exists() and set(breaches.values_list("at", flat=True)) == {at(24 * 7)}
    assert "breached" in set(WorkOrderClock.objects.filter(order=order).values_list("state", flat=True))
    assert set(Notification.objects.filter(order_id=order.pk).values_list("created_at", flat=True)) == {at(24 * 7)}
