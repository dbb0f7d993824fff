"""The SLA engine's database side: calendars from the database, policy matching, previews.

The maths is pure (``sla.businesstime``); this module only loads calendars and
policies and caches the compiled calendars (cheap to reuse across many orders).
"""

import datetime as dt
from dataclasses import dataclass

from django.core.cache import cache
from django.db import router
from django.db.models import Max

from core import stamps

from .businesstime import Result, WorkCalendar, compute_due
from .models import BusinessCalendar, CaseKind, ClockType, SlaPolicy, SlaTarget

_COMPILED: dict[tuple, WorkCalendar] = {}


def _windows(raw) -> list:
    raw = raw or {}
    return [[tuple(w) for w in raw.get(str(d), raw.get(d, []))] for d in range(7)]


def compile_calendar(cal: BusinessCalendar) -> WorkCalendar:
    """The pure calendar for a database calendar, cached until the calendar or its days change."""
    stamp = cache.get(f"sla:cal:{cal.pk}:stamp")
    if stamp is None:
        latest = cal.days.aggregate(m=Max("id"))["m"]
        stamp = (cal.updated_at.isoformat(), latest, cal.days.count(), cal.years.count())
        cache.set(f"sla:cal:{cal.pk}:stamp", stamp, 30)
    key = (cal.pk, stamp)
    compiled = _COMPILED.get(key)
    if compiled is None:
        holidays, workdays = set(), set()
        for date, kind in cal.days.values_list("date", "kind"):
            (holidays if kind == "holiday" else workdays).add(date)
        compiled = WorkCalendar(
            tz=cal.tz,
            windows=_windows(cal.windows),
            holidays=frozenset(holidays),
            workdays=frozenset(workdays),
            confirmed_years=frozenset(cal.years.values_list("year", flat=True)),
            adjusted_day_windows=[tuple(w) for w in cal.adjusted_day_windows] if cal.adjusted_day_windows else None,
        )
        for old in [k for k in _COMPILED if k[0] == cal.pk]:
            del _COMPILED[old]
        _COMPILED[key] = compiled
    return compiled


def forget_calendar(cal_id: int) -> None:
    cache.delete(f"sla:cal:{cal_id}:stamp")


@dataclass(frozen=True)
class _Config:
    stamp: tuple
    policies: tuple  # active policies of every case type in rank order, targets prefetched
    calendars: tuple


_CONFIG: dict[str, _Config] = {}


def _stamp_expressions() -> list[str]:
    """Moves whenever a policy, a target or a calendar row changes (``core.stamps``)."""
    p, t, c = SlaPolicy._meta.db_table, SlaTarget._meta.db_table, BusinessCalendar._meta.db_table
    return [
        f"(SELECT COUNT(*) FROM {p})",  # noqa: S608 (table names)
        f"(SELECT MAX(updated_at) FROM {p})",
        f"(SELECT COUNT(*) FROM {t})",
        f"(SELECT MAX(id) FROM {t})",
        f"(SELECT SUM(amount * (id - (id / 97) * 97 + 1)) FROM {t})",
        f"(SELECT SUM(LENGTH(clock) * 7 + LENGTH(clock_type) * (id - (id / 89) * 89 + 3)) FROM {t})",
        f"(SELECT COUNT(*) FROM {c})",
        f"(SELECT MAX(updated_at) FROM {c})",
    ]


stamps.register("sla", _stamp_expressions)


def config() -> _Config:
    """Policies and calendars, read once per process and re-read when the stamp moves.

    Intake matches a policy for every order; reading them costs four queries and as much CPU
    as the rest of the match (docs/benchmarks.md). The stamp query keeps this exact: an edit
    is seen by the very next order in every process, with no cache to invalidate."""
    alias = router.db_for_read(SlaPolicy)
    stamp = stamps.read(alias, "sla")
    cached = _CONFIG.get(alias)
    if cached is not None and cached.stamp == stamp:
        return cached
    policies = tuple(
        SlaPolicy.objects.using(alias).filter(active=True).select_related("calendar").prefetch_related("targets")
    )
    calendars = tuple(BusinessCalendar.objects.using(alias).order_by("id"))
    _CONFIG[alias] = cfg = _Config(stamp=stamp, policies=policies, calendars=calendars)
    return cfg


def calendar_for(*, policy: SlaPolicy | None = None, region: str = "", cfg: _Config | None = None) -> BusinessCalendar:
    if policy is not None and policy.calendar_id:
        return policy.calendar
    calendars = (cfg or config()).calendars
    if region:
        cal = next((c for c in calendars if c.region == region), None)
        if cal:
            return cal
    cal = next((c for c in calendars if c.is_default), None) or (calendars[0] if calendars else None)
    if cal is None:
        cal = BusinessCalendar.objects.create(
            code="default",
            name="Default",
            is_default=True,
            windows={str(d): [["09:00", "12:00"], ["13:00", "18:00"]] for d in range(5)},
        )
    return cal


def match_policy(
    *,
    service_type: str = "",
    priority: str = "",
    customer_tier: str = "",
    industrial: bool = False,
    region: str = "",
    case_type: str = CaseKind.WORK_ORDER,
    cfg: _Config | None = None,
) -> SlaPolicy | None:
    """The first active policy of the case type, by rank, whose non-empty filters all match."""
    for policy in (cfg or config()).policies:
        if policy.case_type != case_type:
            continue
        if policy.service_types and service_type not in policy.service_types:
            continue
        if policy.priorities and priority not in policy.priorities:
            continue
        if policy.customer_tiers and customer_tier not in policy.customer_tiers:
            continue
        if policy.industrial is not None and policy.industrial != industrial:
            continue
        if policy.regions and region not in policy.regions:
            continue
        return policy
    return None


def snapshot(policy: SlaPolicy, calendar: BusinessCalendar) -> dict:
    """What the case records of its policy, so later edits of the policy don't rewrite history."""
    return {
        "policy": policy.code,
        "name": policy.name,
        "name_en": policy.name_en,
        "calendar": calendar.code,
        "pause_on": list(policy.pause_on or []),
        "at_risk_ratio": str(policy.at_risk_ratio),
        "targets": [
            {"clock": t.clock, "clock_type": t.clock_type, "amount": t.amount}
            for t in sorted(policy.targets.all(), key=lambda t: t.id)
        ],
    }


def target_amount(clock_type: str, amount: int):
    return amount if clock_type == ClockType.WORKING_DAYS else dt.timedelta(minutes=amount)


def due(start: dt.datetime, clock_type: str, amount: int, cal: WorkCalendar) -> Result:
    return compute_due(start, clock_type, target_amount(clock_type, amount), cal)


@dataclass(frozen=True)
class PreviewRow:
    clock: str
    clock_type: str
    amount: int
    due_at: dt.datetime
    provisional: bool


def preview(policy: SlaPolicy, start: dt.datetime) -> list[PreviewRow]:
    cal = calendar_for(policy=policy)
    compiled = compile_calendar(cal)
    rows = []
    for t in policy.targets.all().order_by("id"):
        res = due(start, t.clock_type, t.amount, compiled)
        rows.append(PreviewRow(t.clock, t.clock_type, t.amount, res.due, res.provisional))
    return rows
