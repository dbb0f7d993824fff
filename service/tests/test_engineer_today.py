"""The engineer's day: sections by the appointment's day in Shanghai, deadlines, map links, the
reveal behind the phone number, and check-in / check-out through the visit service."""

import datetime as dt
import re
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse

from core.errors import Conflict, Forbidden, ValidationFailed
from core.models import AuditLog
from service import services
from service.agenda import area_of, map_links, nearest_deadline, section_of
from service.choices import EventType, Status
from service.models import WorkOrder, WorkOrderClock, WorkOrderEvent
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory

SH = ZoneInfo("Asia/Shanghai")
LIST = reverse("service:engineer")
# 2026-12-07 10:00 in Shanghai (02:00 UTC): "today" is the 7th there
NOW = dt.datetime(2026, 12, 7, 10, 0, tzinfo=SH)


def local(day: int, hour: int, minute: int = 0) -> dt.datetime:
    return dt.datetime(2026, 12, day, hour, minute, tzinfo=SH)


@pytest.fixture
def people(db):
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "other": UserFactory(role="engineer"),
        "customer": CustomerFactory(name="王小明", phone="13812345678"),
    }


def numbers_in(body: str, section: str) -> list[str]:
    part = re.search(rf'id="section-{section}".*?</section>', body, re.S).group(0)
    return re.findall(r">(WO\d{8})</strong>", part)


# --- the pure parts ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("status", "appointment", "expected"),
    [
        (Status.SCHEDULED, None, "to_schedule"),
        (Status.SCHEDULED, local(6, 23, 59), "overdue"),
        (Status.AWAITING_PARTS, local(1, 9, 0), "overdue"),
        (Status.REOPENED, local(1, 9, 0), "to_schedule"),
        (Status.ASSESSED, local(6, 9, 0), "to_schedule"),
        (Status.SCHEDULED, dt.datetime(2026, 12, 6, 16, 0, tzinfo=dt.UTC), "today"),  # 00:00 on the 7th in Shanghai
        (Status.REOPENED, local(7, 23, 59), "today"),
        (Status.SCHEDULED, dt.datetime(2026, 12, 7, 16, 0, tzinfo=dt.UTC), "upcoming"),  # 00:00 on the 8th
    ],
    ids=[
        "none",
        "yesterday-late",
        "in-progress-since-the-1st",
        "reopened-stale-appointment",
        "assessed-stale-appointment",
        "today-midnight-utc-evening",
        "reopened-today",
        "tomorrow-midnight",
    ],
)
def test_section_is_the_appointments_day_in_shanghai(status, appointment, expected):
    assert section_of(status, appointment, dt.date(2026, 12, 7)) == expected


@pytest.mark.parametrize(
    ("address", "area"),
    [
        ("上海市浦东新区世纪大道100号", "上海市浦东新区"),
        ("贵州省 贵阳市 南明区滨江大道402号6栋", "贵州省 贵阳市 南明区"),
        ("广东省深圳市南山区科技园1号", "广东省深圳市南山区"),
        ("12 Harbour Road, Wan Chai", "12 Har"),
        ("", ""),
    ],
)
def test_area_keeps_city_and_district_only(address, area):
    assert area_of(address) == area


def test_map_links_open_the_phones_map_app_with_the_query_encoded():
    links = map_links("上海市浦东新区 世纪大道")
    assert (
        links["geo"]
        == "geo:0,0?q=%E4%B8%8A%E6%B5%B7%E5%B8%82%E6%B5%A6%E4%B8%9C%E6%96%B0%E5%8C%BA%20%E4%B8%96%E7%BA%AA%E5%A4%A7%E9%81%93"
    )
    assert links["web"].startswith("https://uri.amap.com/search?keyword=%E4%B8%8A") and "callnative=1" in links["web"]
    assert map_links("") == {}


def clock(due, warn=None, state="running", at_risk=False, pk=1, name="onsite"):
    return WorkOrderClock(
        pk=pk, clock=name, state=state, due_at=due, warn_at=warn, at_risk=at_risk, started_at=NOW, amount=1
    )


@pytest.mark.parametrize(
    ("clocks", "expected"),
    [
        ([], None),
        ([clock(NOW + dt.timedelta(hours=5), state="met")], None),
        ([clock(NOW + dt.timedelta(hours=5), NOW + dt.timedelta(hours=4))], ("onsite", "ok")),
        ([clock(NOW + dt.timedelta(hours=5), NOW - dt.timedelta(minutes=1))], ("onsite", "at_risk")),
        ([clock(NOW + dt.timedelta(hours=5), at_risk=True)], ("onsite", "at_risk")),
        ([clock(NOW - dt.timedelta(minutes=1))], ("onsite", "breached")),
        (
            [clock(NOW + dt.timedelta(days=3), name="resolution", pk=1), clock(NOW + dt.timedelta(hours=2), pk=2)],
            ("onsite", "ok"),
        ),
    ],
    ids=["none", "met-only", "ok", "past-warning", "marked-at-risk", "past-due", "nearest-of-two"],
)
def test_nearest_deadline_and_its_state(clocks, expected):
    found = nearest_deadline(clocks, NOW)
    assert (found and (found.clock, found.state)) == (expected and expected)


# --- the page --------------------------------------------------------------------------------------


def test_sections_in_order_each_sorted_and_accepted_orders_left_out(client, people):
    # given my orders: two today (the later one made first), one missed yesterday, one in
    # service since November, two upcoming, one without appointment, one reopened with its old
    # appointment, one resolved and one accepted (the customer's turn), and another engineer's
    me = people["engineer"]

    def mine(at, status=Status.SCHEDULED, **kw):
        return WorkOrderFactory(assignee=kw.pop("assignee", me), status=status, appointment_at=at, **kw)

    later_today, early_today = mine(local(7, 16, 30)), mine(local(7, 9, 0))
    november, yesterday = mine(local(6, 9, 0) - dt.timedelta(days=20), Status.IN_SERVICE), mine(local(6, 14, 0))
    far, tomorrow = mine(local(20, 9, 0)), mine(local(8, 10, 0))
    unscheduled = mine(None, Status.ASSESSED)
    reopened = mine(local(1, 9, 0), Status.REOPENED)
    accepted = mine(local(7, 11, 0), Status.ACCEPTED)
    resolved = mine(local(7, 8, 0), Status.RESOLVED)
    theirs = mine(local(7, 12, 0), assignee=people["other"])
    # when I open my day at 10:00 on the 7th, Shanghai time
    with time_machine.travel(NOW, tick=False):
        client.force_login(me)
        body = client.get(LIST).content.decode()
    # then
    sections = re.findall(r'id="section-(\w+)"', body)
    assert sections == ["overdue", "today", "upcoming", "to_schedule"]
    assert numbers_in(body, "overdue") == [yesterday.number, november.number]
    assert numbers_in(body, "today") == [early_today.number, later_today.number]
    assert numbers_in(body, "upcoming") == [tomorrow.number, far.number]
    assert numbers_in(body, "to_schedule") == [unscheduled.number, reopened.number]
    assert accepted.number not in body and resolved.number not in body and theirs.number not in body


def test_card_shows_deadline_with_words_area_map_links_and_no_clear_phone(client, people):
    # given a scheduled order of mine with real clocks, seen once its nearest deadline has passed
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    WorkOrder.objects.filter(pk=order.pk).update(address="上海市浦东新区世纪大道100号")
    nearest = WorkOrderClock.objects.filter(order=order, stopped_at__isnull=True).order_by("due_at").first()
    with time_machine.travel(nearest.due_at + dt.timedelta(minutes=5), tick=False):
        client.force_login(people["engineer"])
        body = client.get(LIST).content.decode()
    card = re.search(rf'<article[^>]*id="job-{order.pk}".*?</article>', body, re.S).group(0)
    # then the deadline says "breached" in words and styles the card
    assert "deadline-breached" in card and ">breached<" in card
    # the area is shown (street and number hidden), with the two map links for it
    assert "上海市浦东新区" in card and "世纪大道" not in card
    assert 'href="geo:0,0?q=%E4%B8%8A%E6%B5%B7%E5%B8%82%E6%B5%A6%E4%B8%9C%E6%96%B0%E5%8C%BA"' in card
    assert 'href="https://uri.amap.com/search?keyword=' in card
    # the phone stays masked with no tel: link until the logged reveal; the check-in button is there
    assert "13812345678" not in card and "tel:" not in card
    assert reverse("service:contact_reveal", args=[order.pk]) in card
    assert reverse("service:check_in", args=[order.pk]) in card


def test_the_reveal_on_a_card_gives_tel_and_full_address_map_link_and_is_logged(client, people):
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    WorkOrder.objects.filter(pk=order.pk).update(address="上海市浦东新区世纪大道100号")
    client.force_login(people["engineer"])
    before = AuditLog.objects.filter(action="reveal_pii").count()
    box = client.post(reverse("service:contact_reveal", args=[order.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert 'href="tel:13812345678"' in box and "世纪大道100号" in box
    assert 'href="geo:0,0?q=%E4%B8%8A%E6%B5%B7%E5%B8%82%E6%B5%A6%E4%B8%9C%E6%96%B0%E5%8C%BA%E4%B8%96' in box
    assert AuditLog.objects.filter(action="reveal_pii").count() == before + 1


# --- check-in and check-out --------------------------------------------------------------------------


def test_check_in_starts_the_work_meets_the_onsite_clock_and_is_audited(people):
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    onsite = WorkOrderClock.objects.get(order=order, clock="onsite")
    assert onsite.state == "running"
    at = onsite.started_at + dt.timedelta(hours=1)
    # when the engineer checks in, with the phone's position
    event = services.work_order_check_in(
        order_id=order.pk, actor=people["engineer"], location="31.230416, 121.473701", now=at
    )
    # then the visit is on the timeline with its time and place, the work started, the on-site clock met then
    order.refresh_from_db()
    onsite.refresh_from_db()
    assert event.action == EventType.CHECK_IN and event.at == at
    assert event.payload == {"location": {"lat": 31.230416, "lng": 121.473701}}
    assert order.status == Status.IN_SERVICE
    assert onsite.state == "met" and onsite.stopped_at == at
    actions = list(order.events.order_by("at", "id").values_list("action", flat=True))
    assert actions[-2:] == [EventType.CHECK_IN, EventType.START]
    assert AuditLog.objects.filter(action="check_in", actor=people["engineer"]).count() == 1


def test_check_out_records_minutes_on_site_and_a_second_visit_does_not_move_the_state(people):
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    eng, t0 = people["engineer"], WorkOrder.objects.get(pk=order.pk).updated_at + dt.timedelta(minutes=5)
    services.work_order_check_in(order_id=order.pk, actor=eng, now=t0)
    out = services.work_order_check_out(order_id=order.pk, actor=eng, now=t0 + dt.timedelta(minutes=95))
    assert out.payload == {"minutes_on_site": 95}
    version = WorkOrder.objects.get(pk=order.pk).version
    services.work_order_check_in(order_id=order.pk, actor=eng, now=t0 + dt.timedelta(days=1))
    order.refresh_from_db()
    assert order.status == Status.IN_SERVICE and order.version == version


@pytest.mark.parametrize(
    ("state", "step", "error", "code"),
    [
        (Status.SCHEDULED, "out", Conflict, "not_on_site"),
        (Status.SCHEDULED, "in-twice", Conflict, "already_on_site"),
        (Status.ASSESSED, "in", Conflict, "check_in_not_possible"),
        (Status.CLOSED, "in", Conflict, "check_in_not_possible"),
        (Status.SCHEDULED, "bad-location", ValidationFailed, "bad_location"),
        (Status.SCHEDULED, "other-engineer", Forbidden, "not_assignee"),
    ],
)
def test_refused_visits_change_nothing(people, state, step, error, code):
    order = order_in(state, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    eng = people["engineer"]
    if step == "in-twice":
        services.work_order_check_in(order_id=order.pk, actor=eng)
    if state == Status.ASSESSED:
        services.work_order_assign(order_id=order.pk, actor=people["agent"], assignee_id=eng.pk)
    before = (WorkOrder.objects.get(pk=order.pk).version, WorkOrderEvent.objects.count(), AuditLog.objects.count())
    with pytest.raises(error) as raised:
        if step == "out":
            services.work_order_check_out(order_id=order.pk, actor=eng)
        elif step == "bad-location":
            services.work_order_check_in(order_id=order.pk, actor=eng, location="91,200")
        elif step == "other-engineer":
            other = people["other"]
            WorkOrder.objects.filter(pk=order.pk).update(assignee=other)
            services.work_order_check_in(order_id=order.pk, actor=people["agent"])
        else:
            services.work_order_check_in(order_id=order.pk, actor=eng)
    assert raised.value.code == code
    after = (WorkOrder.objects.get(pk=order.pk).version, WorkOrderEvent.objects.count(), AuditLog.objects.count())
    assert after == before


def test_check_in_and_out_buttons_through_the_page(client, people):
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    client.force_login(people["engineer"])
    body = client.get(LIST).content.decode()
    token = re.search(r'name="form_token" value="([^"]+)"', body)
    data = {"location": ""} | ({"form_token": token.group(1)} if token else {})
    response = client.post(reverse("service:check_in", args=[order.pk]), data)
    assert response.status_code == 302 and response.url == LIST
    page = client.get(LIST).content.decode()
    assert "On site" in page and reverse("service:check_out", args=[order.pk]) in page
    assert WorkOrder.objects.get(pk=order.pk).status == Status.IN_SERVICE
    # another engineer's order: not found, nothing written
    theirs = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["other"])
    count = WorkOrderEvent.objects.count()
    assert client.post(reverse("service:check_in", args=[theirs.pk]), {"location": ""}).status_code == 404
    assert WorkOrderEvent.objects.count() == count


def test_the_visit_pages_are_for_engineers_only(client, people):
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    client.force_login(people["agent"])
    assert client.post(reverse("service:check_in", args=[order.pk]), {"location": ""}).status_code == 403
    assert client.get(reverse("service:check_in", args=[order.pk])).status_code in (403, 405)


def test_check_in_from_the_orders_page_comes_back_to_it(client, people):
    order = order_in(Status.SCHEDULED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    client.force_login(people["engineer"])
    page = reverse("service:engineer_order", args=[order.pk])
    assert reverse("service:check_in", args=[order.pk]) in client.get(page).content.decode()
    response = client.post(reverse("service:check_in", args=[order.pk]), {"location": "", "next": "order"})
    assert response.status_code == 302 and response.url == page
    body = client.get(page).content.decode()
    assert reverse("service:check_out", args=[order.pk]) in body and "Checked in on site" in body
