"""Automatic assignment at intake, the eligibility check of every other path, and the load counters.

Rule (docs/dispatch.md): the candidates are the active field engineers who take automatic
assignments and are below capacity; ``eligibility.evaluate`` keeps those who meet every rule
(area, skill, certificate, leave, shift, …) and ranks them (fewest open orders, nearest home
base, longest since an automatic assignment, lowest id). The booking is one conditional UPDATE
that re-checks the capacity under the row lock, so two intakes at once never push an engineer
over capacity: the loser's UPDATE matches no row and the next-ranked engineer is tried.
"""

import datetime as dt
from dataclasses import dataclass, replace

from django.db import transaction
from django.db.models import F
from django.db.models.functions import Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from accounts.roles import can
from core import audit
from core.errors import ValidationFailed
from core.policies import get_policy

from . import selectors
from .eligibility import Job, Verdict, evaluate, ranked
from .models import (
    Certificate,
    CertificateKind,
    CertificateRequirement,
    EngineerProfile,
    ServiceArea,
    Shift,
    Skill,
    SkillLevel,
)
from .registry import known_service_type


@dataclass(frozen=True)
class Pick:
    engineer: User  # loaded with its names only (enough to show who it is)
    department_id: int | None
    verdict: Verdict


def period_of(job: Job, rules, now: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
    """The stretch of time whose leave matters for ``job``."""
    if job.starts is not None:
        return job.starts, max(job.ends or job.starts, job.starts + dt.timedelta(seconds=1))
    limit = job.deadline if job.deadline is not None and job.deadline > now else now + rules.horizon
    return now, limit


def verdicts(job: Job, *, ids=None, now: dt.datetime | None = None, visits=None) -> list[Verdict]:
    """Every engineer (or ``ids``) judged for ``job``, eligible first in the automatic pick's
    order. ``visits(engineer_ids) -> {id: {date: n}}`` gives the booked visits per day."""
    now = now or timezone.now()
    rules = selectors.rules()
    facts, requirements = selectors.engineers(ids=ids, period=period_of(job, rules, now))
    rules = replace(rules, requirements=requirements)
    if visits is not None and job.starts is not None:
        booked = visits([e.id for e in facts])
        for e in facts:
            e.visits = booked.get(e.id, {})
    return ranked([evaluate(e, job, rules, now=now) for e in facts])


def verdict_for(engineer_id: int, job: Job, *, now: dt.datetime | None = None, visits=None) -> Verdict:
    return verdicts(job, ids=[engineer_id], now=now, visits=visits)[0]


def engineer_pick(job: Job, *, now: dt.datetime | None = None) -> Pick | None:
    """Choose and book an engineer for a new order (call inside the intake's transaction)."""
    if not get_policy("dispatch.auto_assign"):
        return None
    now = now or timezone.now()
    rules = selectors.rules()
    job = replace(job, automatic=True)
    facts, requirements = selectors.engineers(automatic=True, period=period_of(job, rules, now))
    rules = replace(rules, requirements=requirements)
    for verdict in ranked([evaluate(e, job, rules, now=now) for e in facts]):
        if not verdict.eligible:
            break
        e = verdict.engineer
        booked = EngineerProfile.objects.filter(
            pk=e.id, open_orders__lt=Coalesce(F("capacity"), rules.max_open_orders)
        ).update(open_orders=F("open_orders") + 1, last_assigned_at=now)
        if booked:  # else another intake took the last place meanwhile: the next one
            return Pick(engineer=selectors.user_of(e), department_id=e.team_id, verdict=verdict)
    return None


def assignment_check(verdict: Verdict, *, actor, reason: str = "") -> dict | None:
    """A manual assignment (console, API, re-plan) to the engineer of ``verdict``: refused with
    the broken rules (422 ``not_eligible``) unless the actor may override and gives a reason; a
    visit after the on-site deadline needs a reason too (422 ``reason_required``). Returns what
    the assignment event records (``{"override": …, "late": …}``), or ``None``."""
    reason = (reason or "").strip()
    record: dict = {}
    if not verdict.eligible:
        rules = [r.rule for r in verdict.failed]
        messages = [r.message for r in verdict.failed]
        if not can(actor, "dispatch.override"):
            msg = _("%(name)s cannot take this order: %(why)s") % {
                "name": verdict.engineer.name,
                "why": " ".join(messages),
            }
            raise ValidationFailed(msg, code="not_eligible", fields={"assignee_id": messages})
        if not reason:
            msg = _("%(name)s breaks the dispatch rules: %(why)s Give a reason to override them.") % {
                "name": verdict.engineer.name,
                "why": " ".join(messages),
            }
            raise ValidationFailed(msg, code="reason_required", fields={"reason": [msg]})
        record["override"] = {"rules": rules, "reason": reason[:500]}
    if verdict.warnings:
        if not reason:
            msg = " ".join(r.message for r in verdict.warnings) + " " + _("Give a reason for the late visit.")
            raise ValidationFailed(msg, code="reason_required", fields={"reason": [msg]})
        record["late"] = {"reason": reason[:500]}
    return record or None


def load_moved(*, old_engineer_id: int | None, new_engineer_id: int | None) -> None:
    """An open order changed hands (or was assigned, or left the open states): move one unit
    of load. Engineers without a profile are ignored."""
    if old_engineer_id == new_engineer_id:
        return
    if old_engineer_id is not None:
        EngineerProfile.objects.filter(pk=old_engineer_id, open_orders__gt=0).update(open_orders=F("open_orders") - 1)
    if new_engineer_id is not None:
        EngineerProfile.objects.filter(pk=new_engineer_id).update(open_orders=F("open_orders") + 1)


@dataclass(frozen=True)
class SkillIn:
    product_line_id: int | None = None
    service_type: str = ""
    level: int = SkillLevel.QUALIFIED


@dataclass(frozen=True)
class ShiftIn:
    weekday: int
    starts: dt.time
    ends: dt.time
    on_rest_days: bool = False


@dataclass(frozen=True)
class CertificateIn:
    kind_id: int
    valid_until: dt.date | None = None
    number: str = ""


def engineer_profile_save(
    *,
    actor,
    user_id: int,
    regions=None,
    skills=None,
    shifts=None,
    certificates=None,
    **fields,
) -> EngineerProfile:
    """Create or change a field engineer's profile; ``regions``, ``skills`` (``SkillIn``),
    ``shifts`` (``ShiftIn``) and ``certificates`` (``CertificateIn``) replace the rows when given;
    ``fields`` set the profile's own (capacity, daily capacity, home base, van, calendar, team,
    auto assignment). Audited (the profile's snapshot before and after, and the rows given)."""
    unknown = set(fields) - PROFILE_FIELDS
    if unknown:
        raise ValueError(f"not profile fields: {sorted(unknown)}")
    for s in skills or ():
        if not known_service_type(s.service_type) or s.level not in SkillLevel.values:
            msg = _("Not a valid choice.")
            raise ValidationFailed(msg, fields={"skills": [msg]})
    with transaction.atomic():
        user = User.objects.select_for_update().filter(pk=user_id, role=Role.ENGINEER).first()
        if user is None:
            msg = _("Choose an active field engineer.")
            raise ValidationFailed(msg, code="bad_assignee", fields={"user_id": [msg]})
        profile, created = EngineerProfile.objects.get_or_create(user=user)
        before = None if created else audit.snapshot(profile)
        for name, value in fields.items():
            setattr(profile, name, value)
        profile.full_clean(exclude=["user"])
        profile.save()
        rows: dict = {}
        if regions is not None:
            profile.areas.all().delete()
            ServiceArea.objects.bulk_create(
                [ServiceArea(profile=profile, region=r) for r in dict.fromkeys(r.strip() for r in regions) if r]
            )
            rows["regions"] = list(profile.areas.values_list("region", flat=True))
        if skills is not None:
            profile.skills.all().delete()
            Skill.objects.bulk_create([Skill(profile=profile, **s.__dict__) for s in skills])
            rows["skills"] = [s.__dict__ for s in skills]
        if shifts is not None:
            profile.shifts.all().delete()
            Shift.objects.bulk_create([Shift(profile=profile, **s.__dict__) for s in shifts])
            rows["shifts"] = [f"{s.weekday} {s.starts:%H:%M}-{s.ends:%H:%M}" for s in shifts]
        if certificates is not None:
            profile.certificates.all().delete()
            Certificate.objects.bulk_create([Certificate(profile=profile, **c.__dict__) for c in certificates])
            rows["certificates"] = [
                {"kind": c.kind_id, "valid_until": c.valid_until.isoformat() if c.valid_until else None}
                for c in certificates
            ]
        after = {**audit.snapshot(profile), **rows}
        audit.record(actor=actor, action="create" if created else "update", obj=profile, before=before, after=after)
    return profile


PROFILE_FIELDS = frozenset(
    {
        "team_id",
        "capacity",
        "daily_capacity",
        "auto_assign",
        "calendar_id",
        "home_address",
        "home_lat",
        "home_lng",
        "van_plate",
        "van_capacity",
    }
)


def certificate_kind_save(*, actor, code: str, name: str, name_en: str = "") -> CertificateKind:
    """Create or rename a certificate kind (audited)."""
    with transaction.atomic():
        kind, created = CertificateKind.objects.get_or_create(code=code, defaults={"name": name, "name_en": name_en})
        if not created and (kind.name, kind.name_en) != (name, name_en):
            before = audit.snapshot(kind)
            kind.name, kind.name_en = name, name_en
            kind.save()
            audit.record(actor=actor, action="update", obj=kind, before=before)
        elif created:
            audit.record(actor=actor, action="create", obj=kind)
    return kind


def certificate_requirement_add(
    *, actor, kind_id: int, product_line_id: int | None = None, service_type: str = ""
) -> CertificateRequirement:
    """Say that work on ``product_line_id`` × ``service_type`` needs the certificate (once)."""
    if not known_service_type(service_type):
        msg = _("Not a valid choice.")
        raise ValidationFailed(msg, fields={"service_type": [msg]})
    with transaction.atomic():
        req, created = CertificateRequirement.objects.get_or_create(
            kind_id=kind_id, product_line_id=product_line_id, service_type=service_type
        )
        if created:
            audit.record(actor=actor, action="create", obj=req)
    return req
