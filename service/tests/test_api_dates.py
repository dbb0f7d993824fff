"""Dates and times through the work-order API: one rule for every date-time input (an offsetless
value is Asia/Shanghai time; it must lie in the supported window), amounts bounded to what the
SLA engine computes, and a partial assignment that leaves what it does not name alone.
Bad input is a 422 in the one error shape, never a 500, and changes nothing."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine

from core.models import AuditLog
from notifications.models import Notification
from service.choices import Status
from service.models import Shipment, WorkOrder, WorkOrderClock, WorkOrderEvent
from service.services import request_create
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory

SH = ZoneInfo("Asia/Shanghai")
OUT_OF_WINDOW = [
    "0001-01-01T00:00:00+14:00",
    "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00",
    "9999-12-31T23:59:59",
    "1999-12-31T23:59:59+08:00",
    "2100-01-01T00:00:00+08:00",
    "1999-12-31T15:59:59Z",
]
OUT_IDS = ["year-1-east", "year-9999-west", "year-1", "year-9999", "just-before", "just-after", "just-before-utc"]


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=SH)


def parse(value: str) -> dt.datetime:
    return dt.datetime.fromisoformat(value.replace("Z", "+00:00"))


@pytest.fixture
def people(db):
    customer_user = UserFactory(role="customer")
    return {
        "agent": UserFactory(role="agent"),
        "engineer": UserFactory(role="engineer"),
        "customer_user": customer_user,
        "customer": CustomerFactory(user=customer_user),
    }


def assert_window_error(response, field):
    assert response.status_code == 422, response.content[:500]
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == "validation_error"
    (message,) = body["fields"][field]
    assert field in message and "2000-01-01" in message and "2099-12-31" in message, message


def writes():
    return (
        WorkOrder.objects.values_list("pk", "assignee_id", "appointment_at", "version").order_by("pk").first(),
        WorkOrderEvent.objects.count(),
        Shipment.objects.count(),
        AuditLog.objects.exclude(action__in=["view_pii", "denied"]).count(),
        list(WorkOrderClock.objects.values().order_by("pk")),
        Notification.objects.count(),
    )


# --- shipments -------------------------------------------------------------------------------


@pytest.fixture
def mail_in(customer_user, unit_of):
    unit = unit_of(customer_user)
    return request_create(actor=customer_user, fault_description="Screen flickers", serial=unit.serial, mode="mail_in")


def test_a_shipment_time_without_offset_is_beijing_time(customer_user, api_as, mail_in):
    # when the customer sends a parcel, giving the time as the wall clock shows it
    with time_machine.travel(at(2026, 12, 6, 12, 0), tick=False):
        r = api_as(customer_user).post(
            f"/work-orders/{mail_in.pk}/shipments",
            {"direction": "in", "carrier": "SF", "tracking_number": "SF1", "shipped_at": "2026-12-06T10:00:00"},
        )

    # then it is read as Asia/Shanghai time
    assert r.status_code == 201, r.content
    assert parse(r.json()["shipped_at"]) == at(2026, 12, 6, 10, 0)
    assert Shipment.objects.get().shipped_at == at(2026, 12, 6, 10, 0)


def test_a_future_shipment_time_without_offset_is_refused(customer_user, api_as, mail_in):
    with time_machine.travel(at(2026, 12, 6, 12, 0), tick=False):
        r = api_as(customer_user).post(
            f"/work-orders/{mail_in.pk}/shipments",
            {"direction": "in", "carrier": "SF", "tracking_number": "SF1", "shipped_at": "2026-12-06T13:00:00"},
        )
    assert r.status_code == 422 and r.json()["code"] == "date_in_future"


@pytest.mark.parametrize("value", OUT_OF_WINDOW, ids=OUT_IDS)
def test_a_shipment_time_outside_the_window_is_refused(customer_user, api_as, mail_in, value):
    before = writes()
    r = api_as(customer_user).post(
        f"/work-orders/{mail_in.pk}/shipments",
        {"direction": "in", "carrier": "SF", "tracking_number": "SF1", "shipped_at": value},
    )
    assert_window_error(r, "shipped_at")
    assert writes() == before


# --- assignment ------------------------------------------------------------------------------


@pytest.mark.parametrize("value", OUT_OF_WINDOW, ids=OUT_IDS)
def test_an_appointment_outside_the_window_is_refused(people, api_as, value):
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"])
    before = writes()
    r = api_as(people["agent"]).post(
        f"/work-orders/{order.pk}/assignment", {"assignee_id": people["engineer"].pk, "appointment_at": value}
    )
    assert_window_error(r, "appointment_at")
    assert writes() == before


@pytest.mark.parametrize(
    "value, expected",
    [
        ("2000-01-01T00:00:00", at(2000, 1, 1)),
        ("2000-01-01T00:00:00+08:00", at(2000, 1, 1)),
        ("2099-12-31T23:59:59", at(2099, 12, 31, 23, 59, 59)),
        ("2099-12-31T15:59:59Z", at(2099, 12, 31, 23, 59, 59)),
    ],
    ids=["first-local", "first-offset", "last-local", "last-utc"],
)
def test_the_edges_of_the_window_are_accepted(people, api_as, value, expected):
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"])
    r = api_as(people["agent"]).post(f"/work-orders/{order.pk}/assignment", {"appointment_at": value})
    assert r.status_code == 200, r.content
    order.refresh_from_db()
    assert order.appointment_at == expected
    assert parse(r.json()["appointment_at"]) == expected


def test_an_assignment_that_names_only_the_appointment_keeps_the_engineer(people, api_as):
    # given an order assigned to an engineer, in a team
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"], engineer=people["engineer"])
    api = api_as(people["agent"])
    assert api.post(f"/work-orders/{order.pk}/assignment", {"assignee_id": people["engineer"].pk}).status_code == 200
    order.refresh_from_db()
    assert order.assignee_id == people["engineer"].pk
    department = order.department_id

    # when only the appointment is sent
    r = api.post(f"/work-orders/{order.pk}/assignment", {"appointment_at": "2026-12-01T09:30:00+08:00"})

    # then the engineer and the team stay, the appointment is set
    assert r.status_code == 200, r.content
    order.refresh_from_db()
    assert order.assignee_id == people["engineer"].pk
    assert order.department_id == department
    assert order.appointment_at == at(2026, 12, 1, 9, 30)
    assert r.json()["assignee"]["id"] == people["engineer"].pk


def test_an_explicit_null_clears_the_engineer_and_the_appointment(people, api_as):
    # given an assigned order with an appointment
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"])
    api = api_as(people["agent"])
    r = api.post(
        f"/work-orders/{order.pk}/assignment",
        {"assignee_id": people["engineer"].pk, "appointment_at": "2026-12-01T09:30:00+08:00"},
    )
    assert r.status_code == 200, r.content

    # when the engineer is cleared explicitly
    r = api.post(f"/work-orders/{order.pk}/assignment", {"assignee_id": None})

    # then the order is unassigned, and the appointment stays
    assert r.status_code == 200, r.content
    order.refresh_from_db()
    assert order.assignee_id is None
    assert order.appointment_at == at(2026, 12, 1, 9, 30)

    # and an explicit null clears the appointment too
    r = api.post(f"/work-orders/{order.pk}/assignment", {"appointment_at": None})
    assert r.status_code == 200, r.content
    order.refresh_from_db()
    assert order.appointment_at is None


# --- extension -------------------------------------------------------------------------------


def _extend(people, api_as, order, body, when=None):
    with time_machine.travel(when or at(2026, 3, 5, 9, 0), tick=False):
        return api_as(people["agent"]).post(f"/work-orders/{order.pk}/clocks/resolution/extension", body)


def _order_of_2_march(people):
    with time_machine.travel(at(2026, 3, 2, 10, 0), tick=False):
        return request_create(actor=people["agent"], customer_id=people["customer"].pk, fault_description="Broken")


@pytest.mark.parametrize("value", [*OUT_OF_WINDOW, "9999-12-31T23:59:59"], ids=[*OUT_IDS, "finding"])
def test_an_extension_to_a_deadline_outside_the_window_is_refused(people, api_as, value):
    order = _order_of_2_march(people)
    before = writes()
    r = _extend(people, api_as, order, {"reason": "r", "new_due_at": value})
    assert_window_error(r, "new_due_at")
    assert writes() == before


@pytest.mark.parametrize("extra", [1_000_000, 2**40], ids=["finding", "huge"])
def test_an_extension_amount_beyond_the_schema_bound_is_refused(people, api_as, extra):
    order = _order_of_2_march(people)
    before = writes()
    r = _extend(people, api_as, order, {"reason": "r", "extra": extra})
    assert r.status_code == 422, r.content
    assert r.json()["code"] == "validation_error" and "extra" in r.json()["fields"]
    assert writes() == before


@pytest.mark.parametrize(
    "body, code, field",
    [
        ({"reason": "r", "extra": 525_600}, "bad_extension", "extra"),
        ({"reason": "r", "extra": 366}, "bad_extension", "extra"),
        ({"reason": "r", "new_due_at": "2099-12-31T23:59:59"}, "beyond_horizon", "new_due_at"),
        ({"reason": "r", "new_due_at": "2036-03-02T10:00:01+08:00"}, "beyond_horizon", "new_due_at"),
    ],
    ids=["minutes-bound-on-working-days", "working-days-bound", "last-instant-of-window", "just-past-horizon"],
)
def test_an_extension_beyond_what_the_engine_computes_is_refused_cleanly(people, api_as, body, code, field):
    # given an order whose resolution clock (7 working days) started on 2 March 2026 at 10:00
    order = _order_of_2_march(people)
    before = writes()

    # when the extension is larger than a working-day clock takes, or past the ten-year horizon
    r = _extend(people, api_as, order, body)

    # then a clear 422 on the field, and nothing changed
    assert r.status_code == 422, r.content
    assert r.json()["code"] == code
    assert list(r.json()["fields"]) == [field]
    assert writes() == before


def test_an_extension_up_to_the_horizon_is_accepted(people, api_as):
    order = _order_of_2_march(people)
    r = _extend(people, api_as, order, {"reason": "r", "new_due_at": "2036-03-02T10:00:00+08:00"})
    assert r.status_code == 200, r.content
    assert parse(r.json()["due_at"]) == at(2036, 3, 2, 10, 0)


def test_repeated_extensions_stop_cleanly_at_the_horizon(people, api_as):
    # given an order extended again and again by the largest amount the schema allows
    order = _order_of_2_march(people)
    statuses = []
    for _ in range(40):
        before = writes()
        r = _extend(people, api_as, order, {"reason": "again", "extra": 365})
        statuses.append(r.status_code)
        if r.status_code != 200:
            break

    # then each one either succeeds or, once past the horizon, is refused without a change
    assert statuses[:-1] == [200] * (len(statuses) - 1)
    assert statuses[-1] == 422, statuses
    assert r.json()["code"] == "beyond_horizon"
    assert writes() == before
    clock = WorkOrderClock.objects.get(order=order, clock="resolution")
    assert at(2034, 1, 1) < clock.due_at <= at(2036, 3, 2, 10, 0)


# --- the console: the same rule, and its assignment form as before ------------------------------


def _console_assign(client, people, order, data):
    from django.contrib.messages import get_messages
    from django.urls import reverse

    client.force_login(people["agent"])
    r = client.post(reverse("service:assign", args=[order.pk]), {"version": order.version, **data})
    return r, [str(m) for m in get_messages(r.wsgi_request)]


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "1999-12-31T23:59"])
def test_the_console_refuses_an_appointment_outside_the_window(client, people, value):
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"])
    before = writes()
    r, messages = _console_assign(client, people, order, {"assignee": people["engineer"].pk, "appointment_at": value})
    assert r.status_code == 302
    assert any("2000-01-01" in m and "2099-12-31" in m and "Appointment" in m for m in messages), messages
    assert writes() == before


def test_the_console_form_keeps_its_behaviour(client, people):
    # given an order assigned with an appointment
    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"])
    r, _ = _console_assign(
        client, people, order, {"assignee": people["engineer"].pk, "appointment_at": "2026-12-01T09:30"}
    )
    order.refresh_from_db()
    assert (order.assignee_id, order.appointment_at) == (people["engineer"].pk, at(2026, 12, 1, 9, 30))
    department = order.department_id

    # when the form is sent with the appointment and the team left blank: they stay
    r, _ = _console_assign(client, people, order, {"assignee": people["engineer"].pk, "appointment_at": ""})
    order.refresh_from_db()
    assert (order.assignee_id, order.appointment_at, order.department_id) == (
        people["engineer"].pk,
        at(2026, 12, 1, 9, 30),
        department,
    )

    # and "Unassigned" (a blank engineer) unassigns
    r, _ = _console_assign(client, people, order, {"assignee": ""})
    order.refresh_from_db()
    assert order.assignee_id is None
    assert order.appointment_at == at(2026, 12, 1, 9, 30)


# --- the services check the same rule (for callers other than the API) ----------------------------


def test_the_services_read_offsetless_times_as_beijing_time_and_refuse_the_rest(people, customer_user, mail_in):
    from core.errors import ValidationFailed
    from service import services
    from service.services.shipping import shipment_record

    order = order_in(Status.ASSESSED, agent=people["agent"], customer=people["customer"])
    services.work_order_assign(order_id=order.pk, actor=people["agent"], appointment_at=dt.datetime(2026, 12, 1, 9, 30))
    order.refresh_from_db()
    assert order.appointment_at == at(2026, 12, 1, 9, 30)
    before = writes()
    with pytest.raises(ValidationFailed) as refused:
        services.work_order_assign(order_id=order.pk, actor=people["agent"], appointment_at=dt.datetime(1, 1, 1))
    assert refused.value.code == "date_out_of_range" and list(refused.value.fields) == ["appointment_at"]
    with pytest.raises(ValidationFailed) as refused:
        shipment_record(
            order_id=mail_in.pk,
            actor=customer_user,
            direction="in",
            carrier="SF",
            tracking_number="1",
            shipped_at=dt.datetime(9999, 12, 31, 23, 59, tzinfo=dt.timezone(dt.timedelta(hours=-12))),
        )
    assert refused.value.code == "date_out_of_range" and list(refused.value.fields) == ["shipped_at"]
    assert writes() == before
