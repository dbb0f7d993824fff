"""Reads for dispatch: the engineers' facts and the rules' policies, in a fixed number of queries.

What rarely changes — skills, certificates, areas, shifts, calendars, home bases, certificate
requirements — is read once per process and kept until the change stamp moves
(``core.stamps``: counts and latest ``updated_at`` of those tables, one query), as the SLA
policies are. What moves with every order — load, last assignment, whether the engineer is
active and takes automatic assignments — is read fresh (one query), and so is the leave
overlapping the period in question (one query). Booked visits per day belong to the work
orders, above this app: the caller fills ``Engineer.visits`` (``service.dispatching``).
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.db import router
from django.db.models import F, Prefetch
from django.db.models.functions import Coalesce

from accounts.choices import Role
from accounts.models import Absence as AbsenceRow
from accounts.models import User
from core import stamps
from core.geo import Point
from core.policies import get_policy
from sla.engine import calendar_for, compile_calendar
from sla.models import BusinessCalendar, CalendarDay

from .availability import ShiftSpec
from .eligibility import Absence, CertificateSpec, Engineer, RequirementSpec, Rules, SkillSpec
from .models import (
    Certificate,
    CertificateKind,
    CertificateRequirement,
    EngineerProfile,
    ServiceArea,
    Shift,
    Skill,
)


def _stamp_expressions() -> list[str]:
    tables = [m._meta.db_table for m in (EngineerProfile, Skill, Certificate, CertificateKind, CertificateRequirement)]
    tables += [m._meta.db_table for m in (ServiceArea, Shift, BusinessCalendar)]
    expressions = []
    for t in tables:
        expressions += [f"(SELECT COUNT(*) FROM {t})", f"(SELECT MAX(updated_at) FROM {t})"]  # noqa: S608 (tables)
    expressions.append(f"(SELECT COUNT(*) FROM {CalendarDay._meta.db_table})")  # noqa: S608
    return expressions


stamps.register("dispatch", _stamp_expressions)


@dataclass(frozen=True)
class _Static:
    stamp: tuple
    engineers: dict  # user id → Engineer with the static facts (load fields left at defaults)
    requirements: tuple[RequirementSpec, ...]


_STATIC: dict[str, _Static] = {}


def _static() -> _Static:
    alias = router.db_for_read(EngineerProfile)
    stamp = stamps.read(alias, "dispatch")
    cached = _STATIC.get(alias)
    if cached is not None and cached.stamp == stamp:
        return cached
    profiles = (
        EngineerProfile.objects.using(alias)
        .select_related("calendar")
        .prefetch_related(
            Prefetch("skills", queryset=Skill.objects.select_related("product_line").order_by("id")),
            "certificates__kind",
            Prefetch("areas", queryset=ServiceArea.objects.order_by("id")),
            "shifts",
        )
    )
    requirements = tuple(
        RequirementSpec(r.kind_id, r.kind.label, r.product_line_id, r.service_type)
        for r in CertificateRequirement.objects.using(alias).select_related("kind")
    )
    _STATIC[alias] = cached = _Static(
        stamp=stamp, engineers={p.user_id: _facts(p) for p in profiles}, requirements=requirements
    )
    return cached


def _calendar(p: EngineerProfile):
    if p.calendar_id is not None:
        return compile_calendar(p.calendar)
    areas = list(p.areas.all())
    return compile_calendar(calendar_for(region=areas[0].region if areas else ""))


def _facts(p: EngineerProfile) -> Engineer:
    return Engineer(
        id=p.user_id,
        name="",
        capacity=p.capacity,
        daily_capacity=p.daily_capacity,
        regions=tuple(a.region for a in p.areas.all()),
        skills=tuple(
            SkillSpec(s.product_line_id, s.product_line.label if s.product_line_id else "", s.service_type, s.level)
            for s in p.skills.all()
        ),
        certificates=tuple(CertificateSpec(c.kind_id, c.kind.label, c.valid_until) for c in p.certificates.all()),
        shifts=tuple(ShiftSpec(s.weekday, s.starts, s.ends, s.on_rest_days) for s in p.shifts.all()),
        calendar=_calendar(p),
        home=Point.of(p.home_lat, p.home_lng),
        team_id=p.team_id,
    )


def rules() -> Rules:
    """The policies the rules read; the certificate requirements come with ``engineers``."""
    return Rules(
        max_open_orders=int(get_policy("dispatch.max_open_orders")),
        daily_visits=int(get_policy("dispatch.daily_visits")),
        min_level=int(get_policy("dispatch.min_skill_level")),
        min_level_urgent=int(get_policy("dispatch.min_skill_level_urgent")),
        horizon=dt.timedelta(hours=int(get_policy("dispatch.availability_horizon_hours"))),
    )


_USER_FIELDS = ("id", "username", "first_name", "last_name", "is_active", "role", "department_id")


def engineers(
    *, ids=None, automatic: bool = False, period: tuple[dt.datetime, dt.datetime]
) -> tuple[list[Engineer], tuple[RequirementSpec, ...]]:
    """The facts of the engineers ``ids`` (all field engineers if ``None``), with their leave
    overlapping ``period``, and the certificate requirements. ``automatic``: only those who
    take automatic assignments, are active and below capacity (the intake's candidates).
    Three queries (stamp, load, leave)."""
    static = _static()
    qs = User.objects.all()
    if ids is not None:
        qs = qs.filter(pk__in=list(ids))
    else:
        qs = qs.filter(role=Role.ENGINEER)
    if automatic:
        capacity = int(get_policy("dispatch.max_open_orders"))
        qs = qs.filter(
            is_active=True,
            role=Role.ENGINEER,
            dispatch_profile__auto_assign=True,
            dispatch_profile__open_orders__lt=Coalesce(F("dispatch_profile__capacity"), capacity),
        )
    rows = list(
        qs.values_list(
            *_USER_FIELDS,
            "dispatch_profile__auto_assign",
            "dispatch_profile__open_orders",
            "dispatch_profile__last_assigned_at",
            "dispatch_profile__capacity",
        ).order_by("id")
    )
    away: dict[int, list[Absence]] = {}
    if rows:
        start, end = period
        leave = AbsenceRow.objects.filter(user_id__in=[r[0] for r in rows], starts__lt=end, ends__gt=start)
        for a in leave.order_by("starts"):
            away.setdefault(a.user_id, []).append(Absence(a.starts, a.ends, a.reason))
    result = []
    for uid, username, first, last, is_active, role, department_id, auto, load, last_at, capacity in rows:
        name = f"{first} {last}".strip() or username
        base = static.engineers.get(uid)
        common = {
            "id": uid,
            "name": name,
            "active": is_active,
            "is_engineer": role == Role.ENGINEER,
            "absences": tuple(away.get(uid, ())),
            "names": (username, first, last),
        }
        if base is None or auto is None:  # no profile (or one created since the stamp was read)
            result.append(Engineer(**common, has_profile=False))
            continue
        result.append(
            replace(
                base,
                **common,
                auto_assign=auto,
                open_orders=load,
                last_assigned_at=last_at,
                capacity=capacity,
                team_id=base.team_id if base.team_id is not None else department_id,
            )
        )
    return result, static.requirements


def user_of(engineer: Engineer) -> User:
    """A ``User`` carrying the names the facts were read with (to show who it is)."""
    username, first, last = engineer.names
    return User(pk=engineer.id, username=username, first_name=first, last_name=last)


def board_queryset():
    """The supervisor's list of engineers, with their rows prefetched (five queries a page)."""
    return (
        EngineerProfile.objects.select_related("user__department", "team", "calendar")
        .prefetch_related(
            Prefetch("skills", queryset=Skill.objects.select_related("product_line").order_by("id")),
            "certificates__kind",
            Prefetch("areas", queryset=ServiceArea.objects.order_by("id")),
            "shifts",
        )
        .filter(user__role=Role.ENGINEER)
    )
