"""SLA through the API: deadline preview, clocks in work-order responses, extension —
with examples on the real 2026 China calendar (Spring Festival, Labour Day, National Day,
adjusted working days on weekends) and across the year end (provisional)."""

import datetime as dt
import re
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import pytest
import time_machine

from notifications.models import Notification
from service.models import WorkOrderClock, WorkOrderEvent
from service.services import request_create
from tests.factories import CustomerFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


def due_times(body) -> dict:
    return {c["clock"]: (parse(c["due_at"]), c["provisional"]) for c in body["clocks"]}


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    return SimpleNamespace(
        agent=UserFactory(role="agent"),
        engineer=UserFactory(role="engineer"),
        customer_user=customer_user,
        customer=CustomerFactory(user=customer_user),
    )


def new_order(people, when, **kw):
    with time_machine.travel(when, tick=False):
        return request_create(actor=people.agent, customer_id=people.customer.pk, fault_description="Broken", **kw)


# --- preview ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "policy, start, expected",
    [
        (
            "standard",
            "2026-09-30T10:00:00+08:00",  # Wednesday before National Day (1-7 October)
            {
                "response": at(2026, 10, 1, 10, 0),  # 24 h elapsed: holidays do not matter
                "onsite": at(2026, 10, 10, 18, 0),  # 3 working days: 8, 9 and Saturday 10 October (调休)
                "resolution": at(2026, 10, 15, 18, 0),
            },  # 8, 9, 10, 12, 13, 14, 15 October
        ),
        (
            "urgent",
            "2026-02-13T15:00:00+08:00",  # Friday before the Spring Festival
            {
                "response": at(2026, 2, 13, 17, 0),
                "onsite": at(2026, 2, 14, 15, 0),  # 8 business hours reach into Saturday 14 February (调休)
                "resolution": at(2026, 2, 25, 18, 0),
            },  # 14 February, then 24 and 25 after the holiday
        ),
        (
            "standard",
            "2026-04-30T17:00:00+08:00",  # Thursday before Labour Day (1-5 May)
            {
                "response": at(2026, 5, 1, 17, 0),
                "onsite": at(2026, 5, 8, 18, 0),  # 6, 7, 8 May
                "resolution": at(2026, 5, 13, 18, 0),
            },  # 6, 7, 8, Saturday 9 (调休), 11, 12, 13 May
        ),
        (
            "urgent",
            "2026-04-30T17:00:00+08:00",
            {
                "response": at(2026, 4, 30, 19, 0),
                "onsite": at(2026, 5, 6, 17, 0),  # 17-18 on 30 April, then 7 h on 6 May
                "resolution": at(2026, 5, 8, 18, 0),
            },
        ),
    ],
    ids=["national-day", "spring-festival", "labour-day", "labour-day-urgent"],
)
def test_preview_on_the_2026_calendar(people, api_as, policy, start, expected):
    # when
    response = api_as(people.agent).get("/sla/preview", {"policy": policy, "start": start})

    # then
    assert response.status_code == 200, response.content
    body = response.json()
    assert body["policy"] == policy
    assert body["calendar"] == "cn"
    assert parse(body["start"]) == dt.datetime.fromisoformat(start)
    assert due_times(body) == {clock: (due, False) for clock, due in expected.items()}


def test_preview_of_a_complaint_across_the_year_end_is_provisional(people, api_as):
    # when a complaint comes in on Tuesday 15 December 2026 (2027 not confirmed yet)
    response = api_as(people.agent).get("/sla/preview", {"policy": "complaint", "start": "2026-12-15T10:00:00+08:00"})

    # then acknowledgement and classification are 1 business hour, resolution 15 working days
    # counted with the weekday rule in 2027 (1 January counted as working) and provisional
    assert response.status_code == 200
    clocks = {c["clock"]: c for c in response.json()["clocks"]}
    assert due_times(response.json()) == {
        "acknowledge": (at(2026, 12, 15, 11, 0), False),
        "classify": (at(2026, 12, 15, 11, 0), False),
        "resolution": (at(2027, 1, 5, 18, 0), True),
    }
    assert (clocks["resolution"]["clock_type"], clocks["resolution"]["amount"]) == ("working_days", 15)
    assert (clocks["acknowledge"]["clock_type"], clocks["acknowledge"]["amount"]) == ("business", 60)


def test_preview_reads_a_start_without_offset_as_beijing_time(people, api_as):
    response = api_as(people.agent).get("/sla/preview", {"policy": "standard", "start": "2026-09-30T10:00"})
    assert response.status_code == 200
    assert parse(response.json()["start"]) == at(2026, 9, 30, 10, 0)
    assert due_times(response.json())["response"] == (at(2026, 10, 1, 10, 0), False)


def test_preview_without_start_uses_now(people, api_as):
    with time_machine.travel(at(2026, 9, 30, 10, 0), tick=False):
        response = api_as(people.agent).get("/sla/preview", {"policy": "standard"})
    assert parse(response.json()["start"]) == at(2026, 9, 30, 10, 0)


@pytest.mark.parametrize(
    "who, params, status, code",
    [
        ("agent", {"policy": "standard", "start": "30/09/2026"}, 422, "validation_error"),
        ("agent", {"policy": "standard", "start": "2026-02-30T10:00"}, 422, "validation_error"),
        ("agent", {"policy": "nope", "start": "2026-09-30T10:00"}, 404, "not_found"),
        ("agent", {}, 422, "validation_error"),
        ("customer_user", {"policy": "standard", "start": "2026-09-30T10:00"}, 403, "forbidden"),
        ("engineer", {"policy": "standard", "start": "2026-09-30T10:00"}, 200, None),
    ],
    ids=["bad-datetime", "impossible-date", "unknown-policy", "no-policy", "customer", "engineer"],
)
def test_preview_errors(people, api_as, who, params, status, code):
    response = api_as(getattr(people, who)).get("/sla/preview", params)
    assert response.status_code == status, response.content
    if code:
        assert response.json()["code"] == code
    if code == "validation_error" and "start" in params:
        assert "start" in response.json()["fields"]


@pytest.mark.parametrize(
    "policy, start",
    [
        ("complaint", "0001-01-01T00:00:00+14:00"),
        ("complaint", "9999-12-31T23:59:59-12:00"),
        ("standard", "0001-01-01T00:00:00"),
        ("standard", "9999-12-31T23:59:59"),
        ("standard", "1900-01-01T10:00"),
        ("standard", "1999-12-31T23:59:59+08:00"),
        ("standard", "2100-01-01T00:00:00"),
    ],
    ids=["year-1-east", "year-9999-west", "year-1", "year-9999", "1900-lmt", "just-before", "just-after"],
)
def test_preview_outside_the_supported_window_is_422(people, api_as, policy, start):
    response = api_as(people.agent).get("/sla/preview", {"policy": policy, "start": start})
    assert response.status_code == 422, response.content
    body = response.json()
    assert body["code"] == "validation_error"
    (message,) = body["fields"]["start"]
    assert "start" in message and "2000-01-01" in message and "2099-12-31" in message


@pytest.mark.parametrize("policy", ["standard", "urgent", "industrial", "complaint"])
@pytest.mark.parametrize("start", ["2000-01-01T00:00", "2099-12-31T23:59:59"], ids=["earliest", "latest"])
def test_preview_times_have_rfc3339_offsets(people, api_as, policy, start):
    # when the preview starts at an edge of the window
    response = api_as(people.agent).get("/sla/preview", {"policy": policy, "start": start})

    # then every time has a whole-minute offset (RFC 3339), e.g. +08:00, never a local mean time
    assert response.status_code == 200, response.content
    body = response.json()
    times = [body["start"]] + [c["due_at"] for c in body["clocks"]]
    for value in times:
        assert re.fullmatch(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)", value), value
    assert parse(body["start"]) == dt.datetime.fromisoformat(start).replace(tzinfo=SH)


def test_preview_needs_a_login(db, client):
    assert client.get("/api/v1/sla/preview", {"policy": "standard"}).status_code == 401


# --- clocks in work-order responses -----------------------------------------------------------


def test_work_order_detail_shows_each_clock(people, api_as):
    # given an order received on 30 September 2026 at 10:00
    order = new_order(people, at(2026, 9, 30, 10, 0))

    # when
    body = api_as(people.agent).get(f"/work-orders/{order.pk}").json()

    # then
    assert body["sla_policy"] == {
        "code": "standard",
        "name": "标准服务",
        "name_en": "Standard service",
        "calendar": "cn",
    }
    clocks = {c["clock"]: c for c in body["clocks"]}
    assert list(clocks) == ["response", "onsite", "resolution"]
    onsite = clocks["onsite"]
    assert (onsite["clock_type"], onsite["target"], onsite["state"]) == ("working_days", 3, "running")
    assert parse(onsite["due_at"]) == at(2026, 10, 10, 18, 0)
    assert parse(onsite["original_due_at"]) == at(2026, 10, 10, 18, 0)
    assert onsite["paused_seconds"] == 0
    assert onsite["at_risk"] is False and onsite["provisional"] is False
    assert onsite["extension_reason"] == ""
    assert parse(body["due_at"]) == at(2026, 10, 1, 10, 0)


def test_work_order_list_shows_clocks_and_provisional_flags(people, api_as):
    # given one order before and one across the year end
    new_order(people, at(2026, 9, 30, 10, 0))
    late = new_order(people, at(2026, 12, 28, 10, 0))

    # when
    items = api_as(people.customer_user).get("/work-orders", {"sort": "due"}).json()["items"]

    # then the customer sees both orders' clocks; the year-end resolution is provisional
    assert [len(i["clocks"]) for i in items] == [3, 3]
    by_id = {i["id"]: i for i in items}
    resolution = next(c for c in by_id[late.pk]["clocks"] if c["clock"] == "resolution")
    assert resolution["provisional"] is True
    assert parse(resolution["due_at"]) == at(2027, 1, 6, 18, 0)


def test_clock_states_show_after_the_scan(people, api_as):
    # given an order whose first response was missed
    from sla.escalation import scan_clocks

    order = new_order(people, at(2026, 3, 2, 10, 0))
    with time_machine.travel(at(2026, 3, 3, 10, 1), tick=False):
        scan_clocks()

    # when
    clocks = {c["clock"]: c for c in api_as(people.agent).get(f"/work-orders/{order.pk}").json()["clocks"]}

    # then
    assert clocks["response"]["state"] == "breached"
    assert clocks["response"]["escalation_level"] == 2
    assert clocks["onsite"]["state"] == "running"


# --- extension --------------------------------------------------------------------------------


def test_extension_through_the_api(people, api_as):
    # given an order whose resolution is due 11 March 18:00
    order = new_order(people, at(2026, 3, 2, 10, 0))
    api = api_as(people.agent)

    # when the agent extends it by 2 working days on 5 March
    with time_machine.travel(at(2026, 3, 5, 9, 0), tick=False):
        response = api.post(
            f"/work-orders/{order.pk}/clocks/resolution/extension",
            {"reason": "Waiting for the manufacturer's part", "extra": 2},
        )

    # then the new and the original deadline are both visible, and the customer is told
    assert response.status_code == 200, response.content
    body = response.json()
    assert parse(body["due_at"]) == at(2026, 3, 13, 18, 0)
    assert parse(body["original_due_at"]) == at(2026, 3, 11, 18, 0)
    assert body["extension_reason"] == "Waiting for the manufacturer's part"
    detail = api.get(f"/work-orders/{order.pk}").json()
    assert any(e["action"] == "sla_extended" and e["note"] == body["extension_reason"] for e in detail["events"])
    assert Notification.objects.filter(recipient=people.customer_user, order_id=order.pk).exists()


def test_extension_with_a_new_deadline(people, api_as):
    order = new_order(people, at(2026, 3, 2, 10, 0))
    with time_machine.travel(at(2026, 3, 5, 9, 0), tick=False):
        response = api_as(people.agent).post(
            f"/work-orders/{order.pk}/clocks/resolution/extension",
            {"reason": "Agreed with the customer", "new_due_at": "2026-03-20T12:00"},
        )
    assert response.status_code == 200, response.content
    assert parse(response.json()["due_at"]) == at(2026, 3, 20, 12, 0)


@pytest.mark.parametrize(
    "who, when, clock, body, status, code",
    [
        ("agent", at(2026, 3, 12, 9, 0), "resolution", {"reason": "late", "extra": 1}, 409, "deadline_passed"),
        ("engineer", at(2026, 3, 5, 9, 0), "resolution", {"reason": "x", "extra": 1}, 403, "forbidden"),
        ("customer_user", at(2026, 3, 5, 9, 0), "resolution", {"reason": "x", "extra": 1}, 403, "forbidden"),
        ("agent", at(2026, 3, 5, 9, 0), "nope", {"reason": "x", "extra": 1}, 404, "not_found"),
        ("agent", at(2026, 3, 5, 9, 0), "resolution", {"extra": 1}, 422, "validation_error"),
        ("agent", at(2026, 3, 5, 9, 0), "resolution", {"reason": "x"}, 422, "bad_extension"),
        ("agent", at(2026, 3, 5, 9, 0), "resolution", {"reason": "x", "extra": -3}, 422, "validation_error"),
        ("agent", at(2026, 3, 5, 9, 0), "resolution", {"reason": "x", "new_due_at": "soon"}, 422, "validation_error"),
    ],
    ids=["after-deadline", "engineer", "customer", "unknown-clock", "no-reason", "no-amount", "negative", "bad-date"],
)
def test_extension_refusals_change_nothing(people, api_as, who, when, clock, body, status, code):
    # given
    order = new_order(people, at(2026, 3, 2, 10, 0))
    before = list(WorkOrderClock.objects.filter(order=order).values())

    # when
    with time_machine.travel(when, tick=False):
        response = api_as(getattr(people, who)).post(f"/work-orders/{order.pk}/clocks/{clock}/extension", body)

    # then
    assert response.status_code == status, response.content
    assert response.json()["code"] == code
    assert list(WorkOrderClock.objects.filter(order=order).values()) == before
    assert not WorkOrderEvent.objects.filter(action="sla_extended").exists()
    assert not Notification.objects.exists()


def test_extension_of_another_customers_order_reads_as_not_found(people, api_as):
    order = new_order(people, at(2026, 3, 2, 10, 0))
    response = api_as(people.agent).post(
        f"/work-orders/{order.pk + 99999}/clocks/resolution/extension", {"reason": "x", "extra": 1}
    )
    assert response.status_code == 404
    response = api_as(people.agent).post(
        "/work-orders/99999999999999999999/clocks/resolution/extension", {"reason": "x", "extra": 1}
    )
    assert response.status_code in (404, 422)
