"""The demo's orders are written through the services: every order has the rows the product writes.

The service path commits each call (a refused acceptance opens its complaint after the
commit, as in production); inside a test's transaction each call runs in Django's
``captureOnCommitCallbacks(execute=True)``, which delivers what its commit would have.
"""

import datetime as dt
import re
from collections import Counter

import pytest
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.models import User
from conftest import ApiClient
from core.models import AuditLog
from demo.generator import generate
from demo.history import signature
from demo.people import ensure_engineer_profiles
from feedback.models import Answer, FollowUp, Invitation, Response
from notifications.models import Notification
from service.choices import Status
from service.models import (
    Acceptance,
    OrderSla,
    Quote,
    RepairReport,
    Shipment,
    WorkOrder,
    WorkOrderClock,
    WorkOrderEvent,
)
from sla.models import ClockEvent

from .checks import missing_rows

CUSTOMER_NOTIFIED = "customer_notified"
NOW = timezone.now().replace(minute=0, second=0, microsecond=0)
SCAN = NOW + dt.timedelta(minutes=1)
ORDERS = 60

pytestmark = pytest.mark.django_db


@pytest.fixture
def load(django_capture_on_commit_callbacks):
    def each():
        return django_capture_on_commit_callbacks(execute=True)

    def load(orders=ORDERS, *, through_services=True, seed=7):
        return generate(
            seed=seed, orders=orders, now=NOW, batch=25, through_services=through_services, scan_at=SCAN, each=each
        )

    return load


def test_every_demo_order_has_the_rows_intake_and_its_transitions_write(load):
    # given the demo loaded the way ``make run`` loads it
    load()

    # then every order has its events, SLA snapshot and clocks, audit rows, next deadline
    assert WorkOrder.objects.count() == ORDERS
    assert missing_rows() == {}
    # and the history spans the year up to now, with clocks running, at risk and breached
    assert set(WorkOrder.objects.values_list("status", flat=True)) == set(Status.values)
    assert WorkOrder.objects.filter(due_at__isnull=False).exists()
    assert WorkOrderClock.objects.filter(state="running").exists()
    assert WorkOrderClock.objects.filter(state="breached").exists()
    assert WorkOrderEvent.objects.filter(action=ClockEvent.BREACHED).exists()  # the scan's, at its time
    assert Notification.objects.filter(created_at=SCAN).exists()  # and its escalations
    oldest = WorkOrder.objects.order_by("created_at").values_list("created_at", flat=True).first()
    assert oldest <= NOW - dt.timedelta(days=60)
    assert not WorkOrderEvent.objects.filter(at__gt=SCAN).exists()
    assert not AuditLog.objects.filter(object_type="service.workorder", at__gt=SCAN).exists()


def _shape(order: WorkOrder) -> dict:
    """An order's rows without ids: events, clocks, SLA snapshot, audit verbs and notifications."""
    numbers = order.number

    def payload(p: dict) -> dict:  # ids differ between two loads
        return {k: v for k, v in p.items() if k not in ("quote", "shipment", "assignee")}

    events = [
        (e.at, e.action, e.from_status, e.to_status, e.note, payload(e.payload), e.actor.username if e.actor else None)
        for e in order.events.select_related("actor").order_by("at", "id")
    ]
    clocks = list(
        order.clocks.order_by("clock").values_list(
            "clock",
            "clock_type",
            "amount",
            "state",
            "started_at",
            "due_at",
            "warn_at",
            "paused_at",
            "paused_seconds",
            "stopped_at",
            "breached_at",
            "at_risk",
            "escalation_level",
        )
    )
    audits = sorted(
        (a.at, a.action, a.object_type, a.actor.username if a.actor else None)
        for a in AuditLog.objects.filter(object_type__startswith="service.").select_related("actor")
        if (a.object_type == "service.workorder" and a.object_id == str(order.pk))
        or (a.object_type != "service.workorder" and a.object_repr.split(" ", 1)[0] == numbers)
    )
    return {
        "order": (
            order.status,
            order.version,
            order.created_at,
            order.updated_at,
            order.closed_at,
            order.due_at,
            order.coverage,
            order.coverage_reason,
            order.cause,
            order.paused_from,
            order.assignee.username if order.assignee else None,
        ),
        "events": events,
        "clocks": clocks,
        "sla": OrderSla.objects.filter(order=order).values_list("policy_code", "snapshot").first(),
        "audits": audits,
        "notifications": sorted(
            (
                channel,
                kind,
                subject.replace(numbers, "#"),  # (the number differs between two loads)
                body.replace(numbers, "#"),
                created,
                # in-app messages are delivered as written; e-mail and SMS by the queue (the test's
                # runs at once, at the wall clock's time; the bulk rows of the past are never sent)
                sent if channel == "inapp" else None,
                recipient,
            )
            for channel, kind, subject, body, created, sent, recipient in Notification.objects.filter(
                order_id=order.pk, subject__contains=numbers
            ).values_list("channel", "kind", "subject", "body", "created_at", "sent_at", "recipient__username")
        ),  # (the order's own and the customer's; the bulk path writes complaints without their clocks: docs/demo.md)
        "feedback": _feedback(order),
        "children": (
            list(Quote.objects.filter(order=order).values_list("status", "total", "created_at", "decided_at")),
            list(RepairReport.objects.filter(order=order).values_list("service_date", "minutes_spent")),
            list(Acceptance.objects.filter(order=order).values_list("accepted", "signed_at", "comment")),
            list(Shipment.objects.filter(order=order).values_list("direction", "shipped_at", "received_at")),
        ),
    }


TOKEN = re.compile(r"/s/[A-Za-z0-9_-]+/")


def _feedback(order: WorkOrder) -> dict:
    """The order's survey rows (its invitation, response, answers, follow-ups, their audit rows and
    the customer's survey message), without ids or tokens."""
    invitations = Invitation.objects.filter(order=order)
    followups = FollowUp.objects.filter(order=order)
    responses = Response.objects.filter(invitation__order=order)
    ids = {
        "feedback.invitation": [str(pk) for pk in invitations.values_list("pk", flat=True)],
        "feedback.response": [str(pk) for pk in responses.values_list("pk", flat=True)],
        "feedback.followup": [str(pk) for pk in followups.values_list("pk", flat=True)],
    }
    audits = AuditLog.objects.filter(
        Q(object_type="feedback.invitation", object_id__in=ids["feedback.invitation"])
        | Q(object_type="feedback.response", object_id__in=ids["feedback.response"])
        | Q(object_type="feedback.followup", object_id__in=ids["feedback.followup"])
    )
    return {
        "invitations": list(
            invitations.values_list(
                "reason",
                "version_id",
                "department__code",
                "product_line__code",
                "language",
                "channels",
                "period",
                "created_at",
                "expires_at",
                "answered_at",
            )
        ),  # fmt: skip
        "responses": list(
            responses.values_list(
                "channel",
                "recorded_by__username",
                "department__code",
                "product_line__code",
                "score",
                "product_score",
                "service_score",
                "overall",
                "satisfied",
                "negative",
                "comment",
                "answered_at",
            )
        ),  # fmt: skip
        "answers": sorted(
            Answer.objects.filter(response__invitation__order=order).values_list(
                "question__code", "value", "score", "text", "answered_at"
            ),
            key=str,
        ),
        "followups": sorted(
            followups.values_list(
                "reason",
                "team__code",
                "assignee__username",
                "status",
                "created_at",
                "start_at",
                "due_at",
                "escalated_at",
                "outcome",
                "note",
                "done_at",
                "done_by__username",
                "response__channel",
            ),
            key=str,
        ),  # fmt: skip
        "audits": sorted(audits.values_list("at", "action", "object_type", "actor__username"), key=str),
        "messages": sorted(
            # (e-mail and SMS are sent by the queue: the test's runs at once, at the wall clock's time)
            (
                channel,
                subject,
                TOKEN.sub("/s/#/", body.replace(order.number, "#")),
                created,
                sent if channel == "inapp" else None,
                recipient,
            )
            for channel, subject, body, created, sent, recipient in Notification.objects.filter(
                kind="survey", body__contains=order.number
            ).values_list("channel", "subject", "body", "created_at", "sent_at", "recipient__username")
        ),
    }


class Rollback(Exception):
    pass


def _bulk_shapes(load, orders: int) -> dict:
    try:
        with transaction.atomic():
            load(orders, through_services=False)
            shapes = {o.created_at: _shape(o) for o in WorkOrder.objects.all()}
            raise Rollback
    except Rollback:
        return shapes


def test_the_bulk_loader_writes_what_the_services_write_for_each_order(load):
    # given the same demo (same seed, same moment) loaded in bulk, and through the services
    bulk = _bulk_shapes(load, 40)
    load(40)
    services = {o.created_at: _shape(o) for o in WorkOrder.objects.all()}

    # then each order has the same rows both ways: events (with their payloads and SLA clock
    # changes), clocks, policy snapshot, audit verbs, notifications, the survey's rows and the
    # rows they refer to
    assert services.keys() == bulk.keys()
    surveyed = [c for c in services if services[c]["feedback"]["invitations"]]
    assert surveyed and any(services[c]["feedback"]["responses"] for c in surveyed)
    assert any(services[c]["feedback"]["messages"] for c in surveyed)  # a portal customer's link
    done = [f for c in surveyed for f in services[c]["feedback"]["followups"] if f[3] == "done"]
    assert done and any(f[3] == "open" for c in surveyed for f in services[c]["feedback"]["followups"])
    for created in services:
        for part in services[created]:
            assert bulk[created][part] == services[created][part], (created, part)


SCAN_EVENTS = (ClockEvent.AT_RISK, ClockEvent.BREACHED)


def _same_path(order: WorkOrder) -> list[tuple]:
    return list(order.events.exclude(action__in=(*SCAN_EVENTS, CUSTOMER_NOTIFIED)).values_list("action", "to_status"))


def test_a_demo_order_has_the_rows_of_an_order_driven_through_the_api(load):
    # given the demo, and one of its orders that went the whole way without a quote or a parcel
    load()
    path = [
        "create",
        "acknowledge",
        "assess",
        "assign",
        "schedule",
        "start",
        "report",
        "resolve",
        "accept",
        "close",
    ]
    demo = next(
        o
        for o in WorkOrder.objects.filter(status=Status.CLOSED, unit__isnull=False).order_by("-id")
        if [a for a, _s in _same_path(o)] == path and not o.clocks.exclude(state="met").exists()
    )
    actors = {e.action: e.actor for e in demo.events.select_related("actor")}
    desk, engineer = ApiClient(actors["acknowledge"]), ApiClient(demo.assignee)
    # (as while the demo's history was written: nobody takes automatic assignments at intake,
    # and the engineers work round the clock everywhere)
    ensure_engineer_profiles({u.username: u for u in User.objects.filter(dispatch_profile__isnull=False)})

    # when an order for the same unit takes the same path through the public API
    response = desk.post(
        "/service-requests",
        {"customer_id": demo.customer_id, "serial": demo.serial, "fault_description": "同样的故障。"}
        | {"service_type": demo.service_type, "priority": demo.priority, "mode": demo.mode, "channel": demo.channel},
    )
    assert response.status_code == 201, response.content
    pk = response.json()["id"]
    for step in path[1:]:
        if step == "assign":
            body = {"assignee_id": demo.assignee_id, "department_id": demo.department_id}
            response = desk.post(f"/work-orders/{pk}/assignment", body | {"appointment_at": timezone.now().isoformat()})
        elif step == "report":
            response = engineer.client.put(
                f"/api/v1/work-orders/{pk}/report",
                '{"cause": "电路板故障", "process": "更换电路板", "minutes_spent": 40}',
                content_type="application/json",
                **engineer._headers(None),
            )
        elif step == "accept":
            body = {"accepted": True, "signer_name": "客户", "signature": signature(pk)}
            response = engineer.post(f"/work-orders/{pk}/acceptance", body)
        else:
            client = engineer if step in ("start", "resolve") else desk
            body = {"action": step} | ({"cause": demo.cause} if step == "assess" else {})
            response = client.post(f"/work-orders/{pk}/transitions", body)
        assert response.status_code == 200, (step, response.content)
    live = WorkOrder.objects.get(pk=pk)

    # then it has the rows of the demo order: the same events with the same payload keys, the
    # same clocks met, the same policy, the same audit verbs by the same people (the reads the
    # API logged, ``view_pii``, aside), the same customer messages
    def rows(order):
        events = [
            (e.action, e.from_status, e.to_status, sorted(e.payload), e.actor_id)
            for e in order.events.exclude(action__in=SCAN_EVENTS).order_by("at", "id")
        ]
        clocks = sorted(order.clocks.values_list("clock", "clock_type", "amount", "state"))
        audits = Counter(
            (a.action, a.object_type, a.actor_id)
            for a in AuditLog.objects.filter(object_type__startswith="service.").exclude(action="view_pii")
            if (a.object_type == "service.workorder" and a.object_id == str(order.pk))
            or a.object_repr.split(" ", 1)[0] == order.number
        )
        sla = OrderSla.objects.filter(order=order).values_list("policy_code", "snapshot").first()
        return events, clocks, audits, sla, Notification.objects.filter(order_id=order.pk).count()

    assert rows(live) == rows(demo)
    assert (live.status, live.version, live.coverage, live.due_at) == (demo.status, demo.version, demo.coverage, None)
