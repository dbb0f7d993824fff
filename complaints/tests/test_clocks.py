"""The complaint's SLA clocks (complaint policy, SPEC §3) in frozen time: started when a refusal
opens the complaint, met by its milestones, paused while waiting for the customer, and scanned
and escalated by the same job as the work orders' clocks.

The seeded complaint policy: acknowledge within 60 business minutes, classify and name an
owner within 60 business minutes of receipt, resolve within 15 working days; it pauses on the
"customer" wait. The China calendar: 09:00–12:00 and 13:00–18:00 on working days.
"""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from complaints.models import Complaint, ComplaintClock, ComplaintEvent
from complaints.services import complaint_transition
from complaints.tests.flow import data_for
from notifications.models import Notification
from service import services
from service.tests.flow import order_in, signature_url
from sla.escalation import scan_clocks
from sla.tasks import sla_scan
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


MONDAY = at(2026, 3, 2, 10, 0)  # an ordinary working Monday


@pytest.fixture
def team(db):
    dept = DepartmentFactory(code="complaints-desk")
    customer_user = UserFactory(role="customer")
    return SimpleNamespace(
        agent=UserFactory(role="agent"),
        engineer=UserFactory(role="engineer"),
        handler=UserFactory(role="complaint_handler", department=dept),
        supervisor=UserFactory(role="supervisor", department=dept),
        manager=UserFactory(role="manager", department=dept),
        customer_user=customer_user,
        customer=CustomerFactory(user=customer_user),
    )


def refused(team, django_capture_on_commit_callbacks, when=MONDAY) -> Complaint:
    """An order driven to resolved and refused by the customer at ``when``: the complaint opens."""
    with time_machine.travel(when, tick=False):
        order = order_in("resolved", agent=team.agent, customer=team.customer, engineer=team.engineer)
        with django_capture_on_commit_callbacks(execute=True):
            services.acceptance_sign(
                order_id=order.pk,
                actor=team.customer_user,
                accepted=False,
                signer_name="王小明",
                signature=signature_url(),
                comment="还是有噪音。 Still noisy.",
            )
    return Complaint.objects.get(order=order)


def clocks(complaint) -> dict[str, ComplaintClock]:
    return {c.clock: c for c in ComplaintClock.objects.filter(complaint=complaint)}


def move(complaint, action, who, when, note="Done."):
    with time_machine.travel(when, tick=False):
        return complaint_transition(
            complaint_id=complaint.pk, action=action, actor=who, note=note, data=data_for(action, who)
        )


def test_a_refusal_opens_a_complaint_with_the_policys_three_clocks(team, django_capture_on_commit_callbacks):
    complaint = refused(team, django_capture_on_commit_callbacks)
    c = clocks(complaint)
    assert complaint.sla.policy_code == "complaint"
    assert set(c) == {"acknowledge", "classify", "resolution"}
    # 60 business minutes from Monday 10:00; at risk after 80 % (48 minutes)
    assert (c["acknowledge"].due_at, c["acknowledge"].warn_at) == (at(2026, 3, 2, 11, 0), at(2026, 3, 2, 10, 48))
    assert c["classify"].due_at == at(2026, 3, 2, 11, 0)
    # 15 working days after Monday 2 March: the close of Monday 23 March
    assert c["resolution"].due_at == at(2026, 3, 23, 18, 0)
    assert all(x.state == "running" and x.calendar_code for x in c.values())
    # the complaint's next deadline is the earliest running one
    complaint.refresh_from_db()
    assert complaint.due_at == at(2026, 3, 2, 11, 0)


def test_milestones_meet_their_clocks(team, django_capture_on_commit_callbacks):
    complaint = refused(team, django_capture_on_commit_callbacks)
    move(complaint, "acknowledge", team.handler, at(2026, 3, 2, 10, 30))
    assert {k: v.state for k, v in clocks(complaint).items()} == {
        "acknowledge": "met",
        "classify": "running",
        "resolution": "running",
    }
    move(complaint, "classify", team.handler, at(2026, 3, 2, 11, 30))  # half an hour late
    move(complaint, "investigate", team.handler, at(2026, 3, 3, 9, 0))
    move(complaint, "resolve", team.handler, at(2026, 3, 10, 15, 0))
    c = clocks(complaint)
    assert (c["classify"].state, c["resolution"].state) == ("breached", "met")
    assert c["classify"].stopped_at == at(2026, 3, 2, 11, 30)
    # the event rows carry what the clocks did
    classify = ComplaintEvent.objects.get(complaint=complaint, action="classify")
    assert classify.payload["clocks"] == {"classify": "breached"}
    complaint.refresh_from_db()
    assert complaint.due_at is None


def test_waiting_for_the_customer_pauses_the_clocks_and_moves_the_deadline(team, django_capture_on_commit_callbacks):
    complaint = refused(team, django_capture_on_commit_callbacks)
    move(complaint, "acknowledge", team.handler, at(2026, 3, 2, 10, 20))
    move(complaint, "classify", team.handler, at(2026, 3, 2, 10, 40))
    move(complaint, "investigate", team.handler, at(2026, 3, 2, 11, 0))
    # when the handler waits for the customer from Tuesday 10:00 to Thursday 10:00
    move(complaint, "wait_customer", team.handler, at(2026, 3, 3, 10, 0), note="Asked for photos.")
    paused = clocks(complaint)["resolution"]
    assert (paused.state, paused.paused_at) == ("paused", at(2026, 3, 3, 10, 0))
    move(complaint, "resume", team.handler, at(2026, 3, 5, 10, 0))
    # then the deadline moves by the paused working time (2 + 5 + 8 + 1 = 16 working hours)
    resumed = clocks(complaint)["resolution"]
    assert resumed.state == "running"
    assert resumed.due_at == at(2026, 3, 25, 18, 0)
    assert resumed.original_due_at == at(2026, 3, 23, 18, 0)
    assert resumed.paused_seconds == 16 * 3600


def test_the_minute_scan_escalates_complaint_clocks_like_work_orders(team, django_capture_on_commit_callbacks):
    complaint = refused(team, django_capture_on_commit_callbacks)
    # given nobody acknowledged it: at 10:50 both first clocks are at risk (after 10:48)
    with time_machine.travel(at(2026, 3, 2, 10, 50), tick=False):
        result = scan_clocks()
    c = clocks(complaint)
    assert sorted(result.by_case["complaint"].at_risk) == sorted([c["acknowledge"].pk, c["classify"].pk])
    assert c["acknowledge"].at_risk and c["acknowledge"].escalation_level == 1
    # and at 11:01 they are breached, through the same periodic task the work orders use
    with time_machine.travel(at(2026, 3, 2, 11, 1), tick=False):
        sla_scan.enqueue()  # huey runs it in-process in the tests
    c = clocks(complaint)
    assert (c["acknowledge"].state, c["classify"].state, c["resolution"].state) == ("breached", "breached", "running")
    actions = list(
        ComplaintEvent.objects.filter(complaint=complaint, action__startswith="sla_").values_list("action", flat=True)
    )
    assert sorted(actions) == ["sla_at_risk", "sla_at_risk", "sla_breached", "sla_breached"]
    # the leads are told (no department yet: every active supervisor, then every manager)
    told = Notification.objects.filter(channel="inapp", subject__contains=complaint.number)
    assert {n.recipient_id for n in told if "at risk" in n.subject} >= {team.supervisor.pk}
    assert {n.recipient_id for n in told if "breached" in n.subject} >= {team.manager.pk}
    assert all(n.order_id == complaint.order_id for n in told)
    # a second scan changes nothing more
    with time_machine.travel(at(2026, 3, 2, 11, 2), tick=False):
        again = scan_clocks()
    assert again.by_case["complaint"].breached == [] and again.by_case["complaint"].at_risk == []


def test_the_order_page_shows_the_complaints_clocks(client, team, django_capture_on_commit_callbacks):
    complaint = refused(team, django_capture_on_commit_callbacks)
    client.force_login(team.agent)
    html = client.get(reverse("service:detail", args=[complaint.order_id]), HTTP_ACCEPT_LANGUAGE="en").content.decode()
    panel = html[html.index('data-complaint="') :]
    for name in ("acknowledge", "classify", "resolution"):
        assert f'data-clock="{name}"' in panel
    assert "Complaint acknowledgement" in panel
    assert "2026-03-23 18:00" in panel  # the resolution deadline, Beijing time
