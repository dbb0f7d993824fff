"""Warranty reads that need the work orders and the business calendar (docs/warranty.md).

``products`` holds the pure rules (``products.periods``, ``products.warranty``,
``products.guarantees``) and knows neither the calendars (``sla``, its sibling) nor the work
orders (``service``, above it). This module feeds them: the working-day predicate of the
default business calendar, and a unit's repair records and exchanges from its work orders.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.utils import timezone

from products import guarantees
from products.models import Unit
from products.periods import WorkingDay
from products.selectors import three_guarantees_policy
from products.warranty import unit_start
from sla import engine

from .choices import Coverage, EventType, Status
from .models import Replacement, WorkOrder, WorkOrderEvent

MAIN_FAULT = "main"  # the fault key of a repair whose failed component was not named


def working_day() -> WorkingDay:
    """Whether a date is a working day by the default business calendar (holidays, 调休)."""
    return engine.compile_calendar(engine.calendar_for()).is_working_day


def _local(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def unit_repairs(unit: Unit) -> list[guarantees.Repair]:
    """The unit's repair records: its free (warranty) work orders that reached the repair, each
    with the failed component as the fault, the day it was handed in, the day it was repaired
    (first ``resolve``; None while in repair) and the days it waited for parts."""
    orders = list(
        WorkOrder.objects.filter(unit=unit, coverage=Coverage.WARRANTY)
        .exclude(status=Status.CANCELLED)
        .select_related("failed_component")
        .order_by("created_at", "id")
    )
    if not orders:
        return []
    events = defaultdict(list)
    for order_id, action, at in (
        WorkOrderEvent.objects.filter(
            order_id__in=[o.pk for o in orders],
            action__in=[EventType.START, EventType.WAIT_PARTS, EventType.RESUME, EventType.RESOLVE],
        )
        .order_by("at", "id")
        .values_list("order_id", "action", "at")
    ):
        events[order_id].append((action, at))
    today = timezone.localdate()
    records = []
    for order in orders:
        rows = events[order.pk]
        if not rows:
            continue  # never started: not a repair
        returned, waiting_since, wait_days = None, None, 0
        for action, at in rows:
            if action == EventType.WAIT_PARTS and waiting_since is None:
                waiting_since = at
            elif action in (EventType.RESUME, EventType.RESOLVE) and waiting_since is not None:
                wait_days += (_local(at) - _local(waiting_since)).days
                waiting_since = None
            if action == EventType.RESOLVE and returned is None:
                returned = _local(at)
        if waiting_since is not None:
            wait_days += (today - _local(waiting_since)).days
        fault = order.failed_component.code if order.failed_component_id else MAIN_FAULT
        records.append(guarantees.Repair(fault, _local(order.created_at), returned, wait_days))
    return records


def unit_exchanges(unit: Unit) -> list[dt.date]:
    """The days this unit was handed over in exchange for another (its Three Guarantees restart)."""
    return [
        _local(at)
        for at in Replacement.objects.filter(new_unit=unit, is_return=False).values_list("created_at", flat=True)
    ]


@dataclass(frozen=True)
class UnitEntitlements:
    unit: Unit
    answer: guarantees.Entitlements
    repairs: list[guarantees.Repair]
    exchanges: list[dt.date]


def unit_entitlements(unit: Unit, *, on: dt.date, goods_intact: bool | None = None) -> UnitEntitlements:
    """The Three Guarantees remedies owed on ``on`` for a performance fault of ``unit``."""
    repairs, exchanges = unit_repairs(unit), unit_exchanges(unit)
    answer = guarantees.entitlements(
        policy=three_guarantees_policy(unit.model.line),
        sale_date=unit_start(unit),
        on=on,
        repairs=repairs,
        exchanges=exchanges,
        online=unit.sold_online,
        received_date=unit.received_date,
        goods_intact=goods_intact,
        working_day=working_day(),
    )
    return UnitEntitlements(unit, answer, repairs, exchanges)
