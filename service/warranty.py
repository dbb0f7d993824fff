"""Warranty reads that need the work orders and the business calendar (docs/warranty.md).

``products`` holds the pure rules (``products.periods``, ``products.warranty``,
``products.guarantees``) and knows neither the calendars (``sla``, its sibling) nor the work
orders (``service``, above it). This module feeds them: the working-day predicate of the
default business calendar, and a unit's repair records and exchanges from its work orders.
"""

import datetime as dt
from collections import defaultdict
from dataclasses import dataclass

from django.core.cache import cache
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from core.policies import get_policy
from products import guarantees, warranty
from products.models import Unit
from products.periods import Convention, WorkingDay
from products.selectors import three_guarantees_policy, unit_coverage
from products.warranty import Reason, unit_start
from sla import engine

from .choices import Coverage, EventType, Status
from .models import PartUsed, Replacement, WorkOrder, WorkOrderEvent

MAIN_FAULT = "main"  # the fault key of a repair whose failed component was not named


CALENDAR_KEY = "warranty:calendar"
CALENDAR_SECONDS = 30  # as long as ``sla.engine.compile_calendar`` trusts a calendar's stamp


def working_day() -> WorkingDay:
    """Whether a date is a working day by the default business calendar (holidays, 调休).

    Every intake states the warranty period: the calendar row is kept in the cache for as long
    as the compiled calendar's stamp is, so the period costs no query on a warm cache."""
    calendar = cache.get(CALENDAR_KEY)
    if calendar is None:
        calendar = engine.calendar_for()
        cache.set(CALENDAR_KEY, calendar, CALENDAR_SECONDS)
    return engine.compile_calendar(calendar).is_working_day


def _local(at: dt.datetime) -> dt.date:
    return timezone.localdate(at)


def unit_repairs(unit: Unit, *, on: dt.date | None = None) -> list[guarantees.Repair]:
    """The unit's repair records as they stood on ``on`` (default today): its free (warranty) work
    orders handed in by then that reached the repair, each with the failed component as the
    fault, the day it was handed in, the day it was repaired (first ``resolve`` by ``on``; None
    while in repair) and the days it had waited for parts by ``on``."""
    on = on or timezone.localdate()
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
    records = []
    for order in orders:
        if _local(order.created_at) > on:
            continue  # handed in after the day asked about
        rows = [(action, at) for action, at in events[order.pk] if _local(at) <= on]
        if not rows:
            continue  # not started by then: not a repair
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
            wait_days += (on - _local(waiting_since)).days  # still waiting on the day asked about
        fault = order.failed_component.code if order.failed_component_id else MAIN_FAULT
        records.append(guarantees.Repair(fault, _local(order.created_at), returned, wait_days))
    return records


def unit_exchanges(unit: Unit, *, on: dt.date | None = None) -> list[dt.date]:
    """The days, up to ``on`` (default today), this unit was handed over in exchange for another
    (its Three Guarantees restart)."""
    on = on or timezone.localdate()
    days = [
        _local(at)
        for at in Replacement.objects.filter(new_unit=unit, is_return=False).values_list("created_at", flat=True)
    ]
    return [d for d in days if d <= on]


@dataclass(frozen=True)
class UnitEntitlements:
    unit: Unit
    answer: guarantees.Entitlements
    repairs: list[guarantees.Repair]
    exchanges: list[dt.date]


def unit_entitlements(unit: Unit, *, on: dt.date, goods_intact: bool | None = None) -> UnitEntitlements:
    """The Three Guarantees remedies owed on ``on`` for a performance fault of ``unit``."""
    repairs, exchanges = unit_repairs(unit, on=on), unit_exchanges(unit, on=on)
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


def reason_data(reason) -> dict:
    return {"code": reason.code, "text": reason.text}


def entitlements_view(found: "UnitEntitlements", on: dt.date) -> dict:
    """The answer as the API, the console and the portal show it (plain data, texts translated)."""
    answer = found.answer
    return {
        "serial": found.unit.serial,
        "on": on,
        "applies": answer.applies,
        "remedies": [
            {
                "remedy": e.remedy,
                "label": str(guarantees.Remedy(e.remedy).label),
                "reason": reason_data(e.reason),
                "until": e.until,
            }
            for e in answer.remedies
        ],
        "notes": [reason_data(r) for r in answer.notes],
        "sale_date": answer.sale_date,
        "period_start": answer.period_start,
        "return_ends": answer.return_ends,
        "exchange_ends": answer.exchange_ends,
        "period_ends": answer.period_ends,
        "deducted_days": answer.deducted_days,
        "online_return_ends": answer.online_return_ends,
        "repairs": [
            {
                "fault": r.fault,
                "received": r.received,
                "returned": r.returned,
                "days_in_repair": r.days(on),
                "parts_wait_days": r.parts_wait_days,
            }
            for r in found.repairs
        ],
        "exchanges": found.exchanges,
    }


@dataclass(frozen=True)
class FaultDecision:
    """What an assessment decides: the coverage of the failed component (or of the part replaced
    earlier that failed again), the period's last day and the convention it was counted by."""

    component: object | None  # products.models.ComponentClass
    coverage: warranty.Coverage
    months: int | None
    part_replaced_on: dt.date | None = None


def part_replaced_on(unit: Unit, part_serial: str, *, before_order_id: int | None = None) -> dt.date | None:
    """The service date of the repair that fitted the part with this serial to this unit."""
    if not part_serial:
        return None
    used = PartUsed.objects.filter(report__order__unit=unit, new_serial=part_serial)
    if before_order_id:
        used = used.exclude(report__order_id=before_order_id)
    return used.order_by("-report__service_date").values_list("report__service_date", flat=True).first()


def decide_fault(
    order: WorkOrder,
    *,
    cause: str,
    component: str = "",
    part_serial: str = "",
    is_working_day: WorkingDay | None = None,
) -> FaultDecision:
    """The coverage of a fault of ``order``'s unit on the request day: the named component
    class's period and covered causes (the main unit's when none is named); a part fitted by an
    earlier repair (by its serial) is covered by its own period (docs/warranty.md)."""
    on = timezone.localdate(order.created_at)
    rest = is_working_day or working_day()
    components = unit_coverage(order.unit, on=on, cause=cause, working_day=rest)
    if component:
        chosen = next((c for c in components if c.component_class.code == component), None)
        if chosen is None:
            msg = _("This product model has no such component class.")
            raise ValidationFailed(msg, code="unknown_component", fields={"component": [msg]})
    else:
        chosen = next(
            (c for c in components if c.component_class.kind == "main"), components[0] if components else None
        )
    if chosen is None:
        decision = warranty.main_of(
            [],
            unit=order.unit,
            default_months=int(get_policy("warranty.months.main")),
            on=on,
            cause=cause,
            working_day=rest,
        )
        return FaultDecision(None, decision, int(get_policy("warranty.months.main")))
    replaced = part_replaced_on(order.unit, part_serial, before_order_id=order.pk)
    if replaced is not None:
        last = warranty.replaced_part_last_day(
            replaced_on=replaced,
            unit_last_day=chosen.end,
            min_months=int(get_policy("warranty.replaced_part.min_months")),
            working_day=rest,
        )
        decision = warranty.decide_part(component=chosen, part_last_day=last, on=on, cause=cause)
        return FaultDecision(chosen.component_class, decision, chosen.months, replaced)
    return FaultDecision(chosen.component_class, warranty.of_component(chosen), chosen.months)


def decision_view(order: WorkOrder) -> dict | None:
    """The assessment's warranty decision as the console and the portal show it."""
    if order.coverage == Coverage.UNDETERMINED:
        return None
    return {
        "coverage": order.coverage,
        "coverage_label": str(Coverage(order.coverage).label),
        "reason": str(Reason(order.coverage_reason).label) if order.coverage_reason in Reason.values else "",
        "component": order.failed_component.label if order.failed_component_id else "",
        "part": order.failed_part,
        "part_serial": order.failed_part_serial,
        "last_day": order.warranty_end,
        "convention": str(Convention(order.warranty_convention).label)
        if order.warranty_convention in Convention.values
        else "",
    }
