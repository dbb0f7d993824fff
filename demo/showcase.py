"""Live cases written through the services after the bulk load, so that a newcomer's first
pages show what the bulk rows cannot: complaints whose SLA clocks run now, and the demo
engineer's day (``engineer_day_showcase``).

Five recent orders each get a complaint, opened by the agent and moved by the complaint
handler through the complaint workflow to a different stage (received, acknowledged,
classified, investigating, waiting for the customer), every step through
``complaints.services`` like a user's click; their clocks (complaint policy) are on the
orders' pages in the console.
"""

import datetime as dt

from django.utils import timezone

from complaints.choices import Category, Source
from complaints.services import complaint_open, complaint_transition
from products.models import Unit
from service import services
from service.choices import Coverage, Status
from service.models import WorkOrder

from . import catalogue

PATHS = (
    (),
    ("acknowledge",),
    ("acknowledge", "classify"),
    ("acknowledge", "classify", "investigate"),
    ("acknowledge", "classify", "investigate", "wait_customer"),
)
CATEGORIES = (Category.SERVICE, Category.PRODUCT_QUALITY, Category.INFORMATION, Category.OTHER, Category.SERVICE)
SOURCES = (Source.PHONE, Source.EMAIL, Source.API, Source.PHONE, Source.EMAIL)
NOTE = "已联系客户核实情况。"


def complaints_showcase(*, users: dict) -> int:
    """Open and move the showcase complaints; returns how many were opened."""
    agent, handler = users["agent"], users["complaints"]
    orders = list(
        WorkOrder.objects.filter(status__in=[Status.RESOLVED, Status.ACCEPTED, Status.CLOSED, Status.REOPENED])
        .order_by("-id")
        .values_list("id", "customer_id")[: len(PATHS)]
    )
    for i, ((order_id, customer_id), path) in enumerate(zip(orders, PATHS, strict=False)):
        complaint = complaint_open(
            actor=agent,
            customer_id=customer_id,
            channel=SOURCES[i],
            description=catalogue.COMPLAINTS[i % len(catalogue.COMPLAINTS)][0],  # recorded by the agent
            order_id=order_id,
        )
        for action in path:
            data = (
                {"category": CATEGORIES[i], "service_aspect": "result", "owner_id": handler.pk}
                if action == "classify"
                else {}
            )
            complaint_transition(complaint_id=complaint.pk, action=action, actor=handler, note=NOTE, data=data)
    return len(orders)


# The demo engineer's day, relative to the load's "now" (Asia/Shanghai): (days from today,
# local appointment time or None, how many days before "now" the request came in, fault).
DAY = (
    (-1, dt.time(10, 0), 4, "开机后几分钟自动停机。 Stops a few minutes after starting."),
    (0, dt.time(9, 30), 2, "显示屏无画面，指示灯闪烁。 No picture on the display; the light blinks."),
    (0, dt.time(14, 0), 2, "运行时噪音明显变大。 Much louder than usual when running."),
    (0, dt.time(16, 30), 1, "遥控器无法控制主机。 The remote control does not work."),
    (1, dt.time(10, 0), 1, "需要上门安装调试。 Needs installing and commissioning on site."),
    (None, None, 1, "漏水，地面有积水。 Leaks water onto the floor."),
)


def engineer_day_size(orders: int) -> int:
    """How many of a demo set's ``orders`` are the engineer's day (none in the smallest sets)."""
    return len(DAY) if orders >= 50 else 0


def engineer_day_showcase(*, users: dict, now: dt.datetime) -> int:
    """Orders of the demo engineer for the today view: one visit missed yesterday, three today,
    one tomorrow and one still to schedule; each filed, acknowledged, assessed (quoted and
    approved when paid), assigned and scheduled through the services at times before ``now``.
    ``now``: the load's "now" (the hour it started). Returns how many orders were written."""
    agent, engineer = users["agent"], users["engineer"]
    today = timezone.localdate(now)
    units = list(Unit.objects.filter(owner__isnull=False).order_by("id")[: len(DAY)])
    for (days, at, age, fault), unit in zip(DAY, units, strict=False):
        filed = now - dt.timedelta(days=age)
        order = services.request_create(
            actor=agent, customer_id=unit.owner_id, serial=unit.serial, fault_description=fault, now=filed
        )
        services.work_order_transition(
            order_id=order.pk, action="acknowledge", actor=agent, now=filed + dt.timedelta(minutes=20)
        )
        order = services.work_order_transition(
            order_id=order.pk,
            action="assess",
            actor=agent,
            data={"cause": "defect"},
            now=filed + dt.timedelta(minutes=60),
        )
        if order.coverage == Coverage.PAID:
            lines = [{"kind": "labour", "description": "上门维修 On-site repair", "unit_price": "180.00"}]
            quote = services.quote_create(
                order_id=order.pk, actor=agent, lines=lines, now=filed + dt.timedelta(minutes=70)
            )
            services.quote_decide(quote_id=quote.pk, actor=agent, approve=True, now=filed + dt.timedelta(minutes=90))
        appointment = None
        if days is not None:
            local = dt.datetime.combine(today + dt.timedelta(days=days), at)
            appointment = timezone.make_aware(local, timezone.get_current_timezone())
        services.work_order_assign(
            order_id=order.pk,
            actor=agent,
            assignee_id=engineer.pk,
            appointment_at=appointment,
            now=filed + dt.timedelta(minutes=100),
        )
        if appointment is not None:
            services.work_order_transition(
                order_id=order.pk, action="schedule", actor=agent, now=filed + dt.timedelta(minutes=110)
            )
    return len(units)
