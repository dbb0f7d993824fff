"""The complaint case (issue 17): receipt time, routing, result notice, customer messages, API."""

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from accounts.absences import absence_record
from accounts.models import Absence
from complaints import services
from complaints.choices import Category, Channel, Status
from complaints.models import Complaint, ComplaintClock, ComplaintEvent
from complaints.routing import route
from complaints.tests.flow import NOTICE, complaint_in
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from core.models import AuditLog
from core.policies import set_policy
from notifications.models import Notification
from sla.escalation import scan_clocks
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


@pytest.fixture
def team(db):
    desk = DepartmentFactory(code="problem-handling")
    production = DepartmentFactory(code="production-quality")
    customer_user = UserFactory(role="customer")
    return SimpleNamespace(
        desk=desk,
        production=production,
        agent=UserFactory(role="agent"),
        engineer=UserFactory(role="engineer"),
        handler=UserFactory(role="complaint_handler", department=desk),
        handler2=UserFactory(role="complaint_handler", department=desk),
        supervisor=UserFactory(role="supervisor", department=desk),
        customer_user=customer_user,
        customer=CustomerFactory(user=customer_user),
        other=CustomerFactory(user=UserFactory(role="customer")),
    )


def opened(team, when=None, received=None, actor=None, channel=Channel.PHONE):
    when = when or at(2026, 3, 2, 10, 0)
    with time_machine.travel(when, tick=False):
        return services.complaint_open(
            actor=actor or team.agent,
            customer_id=team.customer.pk,
            channel=channel,
            description="工程师态度差。",
            received_at=received,
        )


def move(c, action, who, when, **data):
    with time_machine.travel(when, tick=False):
        return services.complaint_transition(complaint_id=c.pk, action=action, actor=who, data=data, now=when)


def clocks(c) -> dict:
    return {k.clock: k for k in ComplaintClock.objects.filter(complaint=c)}


# --- receipt time and the clocks at the calendar's edges --------------------------------------


def test_the_clocks_run_from_the_receipt_not_the_keying_in(team):
    # given a call received on Monday 09:10, keyed in at 10:30
    c = opened(team, when=at(2026, 3, 2, 10, 30), received=at(2026, 3, 2, 9, 10))
    k = clocks(c)
    assert c.received_at == at(2026, 3, 2, 9, 10) and c.created_at == at(2026, 3, 2, 10, 30)
    assert k["acknowledge"].started_at == at(2026, 3, 2, 9, 10)
    assert k["acknowledge"].due_at == at(2026, 3, 2, 10, 10)  # already passed when keyed in
    # then the minute scan breaches it
    with time_machine.travel(at(2026, 3, 2, 10, 31), tick=False):
        scan_clocks()
    assert clocks(c)["acknowledge"].state == "breached"


@pytest.mark.parametrize(
    ("received", "ack_due", "resolution_due"),
    [
        # the lunch break (12:00–13:00) does not count
        (at(2026, 3, 2, 11, 30), at(2026, 3, 2, 13, 30), at(2026, 3, 23, 18, 0)),
        # Friday before the Spring Festival: the hour reaches into Saturday 14 February (调休)
        (at(2026, 2, 13, 17, 30), at(2026, 2, 14, 9, 30), None),
        # the eve of National Day (1–7 October off): half an hour left, then 8 October; the 15
        # working days are 8, 9, Saturday 10 (调休), 12–16, 19–23, 26, 27 October
        (at(2026, 9, 30, 17, 30), at(2026, 10, 8, 9, 30), at(2026, 10, 27, 18, 0)),
        # received on a holiday: nothing counts before the first working hour (8 October 09:00)
        (at(2026, 10, 3, 10, 0), at(2026, 10, 8, 10, 0), at(2026, 10, 27, 18, 0)),
    ],
    ids=["lunch", "tiaoxiu-saturday", "national-day-eve", "holiday"],
)
def test_clocks_at_the_calendars_edges(team, received, ack_due, resolution_due):
    c = opened(team, when=received, received=received)
    k = clocks(c)
    assert k["acknowledge"].due_at == ack_due
    assert k["classify"].due_at == ack_due
    if resolution_due is not None:
        assert k["resolution"].due_at == resolution_due


def test_received_in_the_future_or_outside_the_window_is_refused(team):
    with pytest.raises(ValidationFailed) as exc:
        opened(team, when=at(2026, 3, 2, 10, 0), received=at(2026, 3, 2, 10, 5))
    assert exc.value.code == "received_in_future"
    with pytest.raises(ValidationFailed) as exc:
        opened(team, when=at(2026, 3, 2, 10, 0), received=dt.datetime(1999, 12, 31, 23, 0))
    assert exc.value.code == "date_out_of_range"
    assert not Complaint.objects.exists()


def test_waiting_for_the_customer_pauses_and_an_extension_moves_the_resolution(team):
    c = opened(team)
    move(c, "acknowledge", team.handler, at(2026, 3, 2, 10, 20))
    move(c, "classify", team.handler, at(2026, 3, 2, 10, 40), category="other", owner_id=team.handler.pk)
    move(c, "investigate", team.handler, at(2026, 3, 2, 11, 0))
    with time_machine.travel(at(2026, 3, 3, 10, 0), tick=False):
        services.complaint_transition(
            complaint_id=c.pk, action="wait_customer", actor=team.handler, note="Asked for photos."
        )
    assert clocks(c)["resolution"].state == "paused"
    move(c, "resume", team.handler, at(2026, 3, 4, 10, 0))
    assert clocks(c)["resolution"].due_at == at(2026, 3, 24, 18, 0)  # a working day later
    # when the handler extends it by 3 working days before the deadline
    with time_machine.travel(at(2026, 3, 10, 10, 0), tick=False):
        services.complaint_extend(complaint_id=c.pk, actor=team.handler, reason="等待检测报告", extra=3)
    k = clocks(c)["resolution"]
    assert (k.due_at, k.original_due_at) == (at(2026, 3, 27, 18, 0), at(2026, 3, 23, 18, 0))
    assert ComplaintEvent.objects.filter(complaint=c, action="sla_extended").exists()
    assert Notification.objects.filter(recipient=team.customer_user, body__contains="等待检测报告").exists()
    # after the deadline: refused
    with time_machine.travel(at(2026, 3, 28, 10, 0), tick=False), pytest.raises(Conflict):
        services.complaint_extend(complaint_id=c.pk, actor=team.handler, reason="late", extra=1)


def test_an_extension_given_its_moment_stamps_every_row_with_it(team):
    # given a complaint under investigation, the wall clock weeks after it (as in the demo's replay)
    c = opened(team)
    move(c, "acknowledge", team.handler, at(2026, 3, 2, 10, 20))
    move(c, "classify", team.handler, at(2026, 3, 2, 10, 40), category="other", owner_id=team.handler.pk)
    when = at(2026, 3, 10, 10, 0)
    # when the handler extends it "then" (``now=``), not at the wall clock's time
    with time_machine.travel(at(2026, 5, 1, 10, 0), tick=False):
        services.complaint_extend(complaint_id=c.pk, actor=team.handler, reason="等待检测报告", extra=3, now=when)
    # then the clock, its event, the audit row and the customer's message carry that moment
    k = clocks(c)["resolution"]
    assert (k.extended_at, k.due_at, k.original_due_at) == (when, at(2026, 3, 26, 18, 0), at(2026, 3, 23, 18, 0))
    assert ComplaintEvent.objects.get(complaint=c, action="sla_extended").at == when
    assert AuditLog.objects.get(action="sla_extend", object_id=str(k.pk)).at == when
    told = Notification.objects.filter(recipient=team.customer_user, body__contains="等待检测报告")
    assert [n.created_at for n in told] == [when] * told.count() and told.exists()
    # and "then" is also the moment the deadline is checked against: after it, refused
    with pytest.raises(Conflict):
        services.complaint_extend(
            complaint_id=c.pk, actor=team.handler, reason="late", extra=1, now=at(2026, 3, 27, 10, 0)
        )


# --- routing -------------------------------------------------------------------------------------


def test_round_robin_takes_turns_and_skips_people_on_leave(team):
    now = at(2026, 3, 2, 10, 0)
    first = route(Category.SERVICE, now=now).owner
    assert first == team.handler  # nobody routed yet: the lowest id
    c = complaint_in("classified", handler=team.handler, customer=team.customer, now=now)
    Complaint.objects.filter(pk=c.pk).update(classified_at=now)
    assert route(Category.SERVICE, now=now).owner == team.handler2
    # when handler2 is on leave, handler takes it again
    absence_record(actor=team.supervisor, user_id=team.handler2.pk, starts=now, ends=now + dt.timedelta(days=2))
    pick = route(Category.SERVICE, now=now + dt.timedelta(hours=1))
    assert pick.owner == team.handler
    assert pick.explanation["tried"][0]["away"] == [team.handler2.pk]


def test_least_loaded_picks_the_one_with_fewest_open(team):
    set_policy("complaints.routing", "least_loaded")
    for _ in range(2):
        complaint_in("classified", handler=team.handler, customer=team.customer)
    pick = route(Category.OTHER, now=at(2026, 3, 2, 10, 0))
    assert pick.owner == team.handler2 and pick.explanation["mode"] == "least_loaded"


def test_an_empty_department_falls_back_and_then_refuses(team):
    # product quality routes to production-quality: nobody there, so the fallback desk takes it
    pick = route(Category.PRODUCT_QUALITY, now=at(2026, 3, 2, 10, 0))
    assert pick.department == team.desk and pick.explanation["fallback"] is True
    for u in (team.handler, team.handler2):
        Absence.objects.create(user=u, starts=at(2026, 3, 1, 0, 0), ends=at(2026, 3, 9, 0, 0))
    with pytest.raises(ValidationFailed) as exc:
        route(Category.PRODUCT_QUALITY, now=at(2026, 3, 2, 10, 0))
    assert exc.value.code == "no_owner_available"


def test_classification_routes_and_records_why(team):
    c = opened(team)
    move(c, "acknowledge", team.handler, at(2026, 3, 2, 10, 10))
    c = move(
        c, "classify", team.handler, at(2026, 3, 2, 10, 20), category="service", service_aspect="attitude", major=True
    )
    assert (c.owner, c.department, c.major, c.service_aspect) == (team.handler, team.desk, True, "attitude")
    event = ComplaintEvent.objects.get(complaint=c, action="classify")
    assert event.payload["routing"]["mode"] == "round_robin" and event.payload["owner"] == team.handler.pk


def test_a_service_complaint_needs_its_aspect(team):
    c = complaint_in("acknowledged", handler=team.handler, customer=team.customer)
    with pytest.raises(ValidationFailed) as exc:
        move(c, "classify", team.handler, at(2026, 3, 2, 10, 20), category="service", owner_id=team.handler.pk)
    assert "service_aspect" in exc.value.fields


def test_absences_are_recorded_by_leads_or_oneself(team):
    now = at(2026, 3, 2, 10, 0)
    with pytest.raises(Forbidden):
        absence_record(actor=team.handler, user_id=team.handler2.pk, starts=now, ends=now + dt.timedelta(days=1))
    absence_record(actor=team.handler, user_id=team.handler.pk, starts=now, ends=now + dt.timedelta(days=1))
    with pytest.raises(ValidationFailed):
        absence_record(actor=team.supervisor, user_id=team.handler.pk, starts=now, ends=now)
    assert Absence.objects.count() == 1


# --- the result notice and the customer's messages ---------------------------------------------


def test_resolving_needs_the_result_notice_and_tells_the_customer(team):
    c = complaint_in("investigating", handler=team.handler, customer=team.customer)
    with pytest.raises(ValidationFailed) as exc:
        services.complaint_transition(complaint_id=c.pk, action="resolve", actor=team.handler, data={"measures": "x"})
    assert set(exc.value.fields) == {"result", "follow_up"}
    c = services.complaint_transition(complaint_id=c.pk, action="resolve", actor=team.handler, data=dict(NOTICE))
    assert (c.measures, c.result, c.follow_up) == (NOTICE["measures"], NOTICE["result"], NOTICE["follow_up"])
    notes = Notification.objects.filter(recipient=team.customer_user, kind="complaint_result")
    assert notes.exists() and NOTICE["measures"] in notes.first().body
    kinds = list(
        ComplaintEvent.objects.filter(complaint=c, action="customer_notified").values_list("payload__kind", flat=True)
    )
    assert kinds == ["acknowledgement", "result"]


def test_the_acknowledgement_gives_the_expected_handling_time_in_the_customers_language(team):
    from notifications.preferences import preference_set

    preference_set(actor=team.customer_user, language="zh-hans")
    c = opened(team, when=at(2026, 3, 2, 10, 0))
    move(c, "acknowledge", team.handler, at(2026, 3, 2, 10, 10))
    note = Notification.objects.filter(recipient=team.customer_user, kind="complaint_acknowledgement").first()
    assert "2026-03-23 18:00" in note.body and "预计处理时间" in note.body
    # the message opens the customer's own page of the complaint, with or without a work order
    assert note.link == f"/portal/complaints/{c.pk}/"


def test_progress_and_callback_are_sent_and_recorded(team):
    c = complaint_in("investigating", handler=team.handler, customer=team.customer)
    services.complaint_progress_send(complaint_id=c.pk, actor=team.handler, text="已安排质检复核。")
    when = dt.datetime.now(SH) + dt.timedelta(days=1)
    services.complaint_callback_set(complaint_id=c.pk, actor=team.handler, callback_at=when)
    c.refresh_from_db()
    assert c.callback_at is not None
    actions = list(ComplaintEvent.objects.filter(complaint=c).values_list("action", flat=True))
    assert "progress" in actions and "callback" in actions
    assert Notification.objects.filter(recipient=team.customer_user, kind="complaint_progress").exists()
    assert Notification.objects.filter(recipient=team.customer_user, kind="complaint_callback").exists()
    # not by an engineer, not in the past, not on a resolved complaint
    with pytest.raises(Forbidden):
        services.complaint_progress_send(complaint_id=c.pk, actor=team.engineer, text="x")
    with pytest.raises(ValidationFailed):
        services.complaint_callback_set(
            complaint_id=c.pk, actor=team.handler, callback_at=dt.datetime.now(SH) - dt.timedelta(hours=1)
        )
    services.complaint_transition(complaint_id=c.pk, action="resolve", actor=team.handler, data=dict(NOTICE))
    with pytest.raises(Conflict):
        services.complaint_progress_send(complaint_id=c.pk, actor=team.handler, text="x")
    c.refresh_from_db()
    assert c.callback_at is None  # cleared at resolution


def test_evidence_is_stored_as_a_document(team):
    c = complaint_in("investigating", handler=team.handler, customer=team.customer)
    pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")
    row = services.complaint_evidence_add(complaint_id=c.pk, actor=team.handler, upload=pdf, note="检测报告")
    assert row.document.size > 0 and row.document.original_name == "report.pdf"
    bad = SimpleUploadedFile("x.exe", b"MZ\x90\x00", content_type="application/octet-stream")
    with pytest.raises(ValidationFailed):
        services.complaint_evidence_add(complaint_id=c.pk, actor=team.handler, upload=bad)


def test_a_customer_files_for_itself_in_the_portal_channel(team):
    c = services.complaint_open(
        actor=team.customer_user, customer_id=team.customer.pk, channel=Channel.PORTAL, description="太慢了"
    )
    assert c.channel == "portal" and c.status == Status.NEW
    with pytest.raises(ValidationFailed):  # a customer cannot claim a phone call
        services.complaint_open(
            actor=team.customer_user, customer_id=team.customer.pk, channel=Channel.PHONE, description="x"
        )
    with pytest.raises(NotFound):
        services.complaint_open(
            actor=team.customer_user, customer_id=team.other.pk, channel=Channel.PORTAL, description="x"
        )


def test_one_scan_escalates_a_late_keyed_complaint_and_a_work_order(team):
    from service.tests.flow import order_in

    # given an order taken on Monday 10:00 and a call received at 09:10 but keyed in at 10:30
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        order = order_in("new", agent=team.agent, customer=team.customer)
    c = opened(team, when=at(2026, 3, 2, 10, 30), received=at(2026, 3, 2, 9, 10))
    # when the minute job runs two days later
    result = scan_clocks(now=at(2026, 3, 4, 10, 0))
    # then the same pass breaches the complaint's clocks and the order's
    assert {k.pk for k in ComplaintClock.objects.filter(complaint=c, clock__in=["acknowledge", "classify"])} <= set(
        result.by_case["complaint"].breached
    )
    assert result.by_case["work_order"].breached
    assert order.clocks.filter(state="breached").exists()
    assert ComplaintEvent.objects.filter(complaint=c, action="sla_breached").count() == 2
