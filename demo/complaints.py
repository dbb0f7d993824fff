"""A year of complaints handled through the complaint services (docs/demo.md, docs/complaints.md).

Three dozen complaints over the last year, each written by ``complaints.services`` with ``now=``
the historic moment of every step, as the handler's clicks would: taken by phone or e-mail by
the agent (received earlier than keyed in, for some), filed in the portal by the customer or
sent through the API; acknowledged (the customer is told the expected handling time),
classified with automatic routing (the routing explanation is on the event), investigated with
progress messages, a callback agreed for some, the deadline extended (with the reason the
customer is told) for two, resolved with a result notice and closed. The
older ones are closed (a few resolved late: their resolution clock breached); the recent ones
are open at every stage: unacknowledged, at risk, past their deadline, waiting for the customer.
A final pass of the SLA scan at "now" marks the at-risk and breached clocks.
"""

import datetime as dt
import random

from django.utils import timezone

from accounts.choices import Role
from complaints.choices import Category, Channel, ServiceAspect
from complaints.services import (
    complaint_callback_set,
    complaint_extend,
    complaint_open,
    complaint_progress_send,
    complaint_transition,
)
from service.choices import Status
from service.models import WorkOrder
from sla.escalation import scan_clocks

COUNT = 36
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)
TEXTS = (
    "维修工程师上门迟到两个多小时，也没有提前通知。",
    "维修后同一故障再次出现，要求彻底解决。",
    "客服电话长时间无人接听。",
    "维修费用与报价不一致。",
    "说明书上的安装步骤与实际产品不符。",
    "工程师服务态度差，说话不耐烦。",
    "更换的配件质量差，用了一周又坏了。",
    "The repair took three weeks; nobody told me why.",
)
CATEGORIES = (
    (Category.SERVICE, ServiceAspect.ATTITUDE),
    (Category.SERVICE, ServiceAspect.EFFICIENCY),
    (Category.SERVICE, ServiceAspect.RESULT),
    (Category.PRODUCT_QUALITY, ""),
    (Category.INFORMATION, ""),
    (Category.OTHER, ""),
)
CHANNELS = (Channel.PHONE, Channel.PHONE, Channel.EMAIL, Channel.PORTAL, Channel.API)
NOTICE = (
    {
        "measures": "已对相关工程师进行服务规范培训，并向客户致歉。",
        "result": "客户接受道歉，问题已解决。",
        "follow_up": "一周后电话回访。",
    },
    {"measures": "更换主板并完成整机检测。", "result": "设备运行正常。", "follow_up": "一个月后回访使用情况。"},
    {
        "measures": "已更正说明书并发送新版电子说明书。",
        "result": "客户确认安装成功。",
        "follow_up": "下一批次印刷时更新纸质说明书。",
    },
)
PROGRESS = ("已安排质检人员复核维修记录。", "已联系生产部门核查同批次产品。", "正在等待检测报告，预计三天内出结果。")
# the recent open complaints: (days before now, stage reached); the rest are closed
OPEN = (
    (0.1, ()),  # just in: nobody acknowledged it yet
    (0.3, ("acknowledge",)),
    (1, ("acknowledge", "classify")),
    (3, ("acknowledge", "classify", "investigate", "progress")),
    (6, ("acknowledge", "classify", "investigate", "extend", "callback")),  # its deadline extended
    (10, ("acknowledge", "classify", "investigate", "wait_customer")),
    (17, ("acknowledge", "classify", "investigate", "progress")),  # at risk of its 15 working days
    (19, ("acknowledge", "classify", "investigate", "progress", "callback")),
    (30, ("acknowledge", "classify", "investigate")),  # past its deadline
    (45, ("acknowledge", "classify", "investigate", "progress")),  # past its deadline
)
CLOSED = ("acknowledge", "classify", "investigate", "progress", "resolve", "close")
CLOSED_EXTENDED = ("acknowledge", "classify", "investigate", "progress", "extend", "resolve", "close")
EXTENDED_CLOSED = 1  # which closed complaint (counted from the first) had its deadline extended
EXTENSION = ("需等待厂家检测报告，处理时间延长五个工作日。", 5)  # the reason the customer is told; working days


def _orders(rng: random.Random) -> list[WorkOrder]:
    orders = list(
        WorkOrder.objects.filter(status__in=[Status.CLOSED, Status.ACCEPTED, Status.RESOLVED])
        .select_related("customer", "customer__user")
        .order_by("id")[:400]
    )
    rng.shuffle(orders)
    return orders


def _working_hour(moment: dt.datetime, rng: random.Random) -> dt.datetime:
    local = timezone.localtime(moment)
    return local.replace(
        hour=rng.choice((9, 10, 11, 14, 15, 16)), minute=rng.randrange(0, 60, 5), second=0, microsecond=0
    )


def complaints_year(*, users: dict, now: dt.datetime, seed: int) -> int:
    """Write the demo's complaints; returns how many."""
    rng = random.Random(seed * 7919 + 17)
    agent, handler = users["agent"], users["complaints"]
    orders = _orders(rng)
    plans = [(days, steps) for days, steps in OPEN]
    for k in range(COUNT - len(OPEN)):
        plans.append((rng.uniform(25, 360), CLOSED_EXTENDED if k == EXTENDED_CLOSED else CLOSED))
    written = 0
    for i, (days, steps) in enumerate(plans):
        if not orders:
            break
        order = orders[i % len(orders)]
        received = now - dt.timedelta(days=days) if days < 1 else _working_hour(now - dt.timedelta(days=days), rng)
        if received > now:
            received = now - HOUR
        channel = CHANNELS[i % len(CHANNELS)]
        customer_user = order.customer.user
        if channel == Channel.PORTAL and customer_user is None:
            channel = Channel.PHONE
        actor = customer_user if channel == Channel.PORTAL else agent
        keyed = received + (dt.timedelta(minutes=40) if channel == Channel.PHONE and i % 3 == 0 else dt.timedelta())
        keyed = min(keyed, now)
        c = complaint_open(
            actor=actor,
            customer_id=order.customer_id,
            channel=channel,
            description=TEXTS[i % len(TEXTS)],
            order_id=order.pk,
            received_at=received if actor.role != Role.CUSTOMER else None,
            now=keyed,
        )
        written += 1
        at = keyed
        late = i % 5 == 0  # one closed complaint in five is handled slowly: its clocks breach
        for step in steps:
            at = at + _gap(step, rng, late)
            if at >= now:
                break
            category, aspect = CATEGORIES[i % len(CATEGORIES)]
            if step == "classify":
                data = {"category": category, "service_aspect": aspect, "major": i % 9 == 4}
                complaint_transition(complaint_id=c.pk, action=step, actor=handler, data=data, now=at)
            elif step == "resolve":
                data = NOTICE[i % len(NOTICE)]
                complaint_transition(complaint_id=c.pk, action=step, actor=handler, data=data, now=at)
            elif step == "progress":
                complaint_progress_send(complaint_id=c.pk, actor=handler, text=PROGRESS[i % len(PROGRESS)], now=at)
            elif step == "callback":
                when = _working_hour(max(at, now) + 2 * DAY, rng)
                complaint_callback_set(
                    complaint_id=c.pk, actor=handler, callback_at=when, note="客户希望下午来电。", now=at
                )
            elif step == "extend":
                reason, days = EXTENSION
                complaint_extend(complaint_id=c.pk, actor=handler, reason=reason, extra=days, now=at)
            elif step == "wait_customer":
                complaint_transition(complaint_id=c.pk, action=step, actor=handler, note="请客户提供故障照片。", now=at)
            else:
                complaint_transition(complaint_id=c.pk, action=step, actor=handler, now=at)
    scan_clocks(now=now)  # at risk and breached, as the minute job would mark them
    return written


def _gap(step: str, rng: random.Random, late: bool) -> dt.timedelta:
    if step == "acknowledge":
        return dt.timedelta(minutes=rng.randrange(10, 50)) * (3 if late else 1)
    if step == "classify":
        return dt.timedelta(minutes=rng.randrange(5, 30)) * (4 if late else 1)
    if step == "investigate":
        return HOUR * rng.randrange(2, 20)
    if step == "progress":
        return DAY * rng.randrange(1, 4)
    if step in ("callback", "extend"):
        return HOUR * rng.randrange(1, 6)
    if step == "wait_customer":
        return DAY
    if step == "resolve":
        return DAY * (rng.randrange(24, 30) if late else rng.randrange(3, 12))
    return DAY * rng.randrange(1, 3)  # close
