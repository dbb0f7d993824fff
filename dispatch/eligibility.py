"""Who may take a piece of work, and why (SPEC §4; docs/dispatch.md).

``evaluate(engineer, job, rules, now)`` is the one eligibility function: automatic assignment
at intake, the console's assignment form, ``POST /api/v1/work-orders/{id}/assignment``, the
eligible-engineers list and any re-plan call it, so every path checks the same rules and gives
the same reasons. It is pure: ``dispatch.selectors`` loads the facts (``Engineer``) and the
policies (``Rules``); the caller describes the work (``Job``).

Each rule gives a ``Reason``: ``ok`` says whether it holds, ``message`` says why in the active
language ("why this engineer" / "why not"). A rule that does not apply gives nothing. A
*warning* (the visit ends after the on-site deadline) does not make an engineer ineligible, but
the assignment needs a reason for it. ``info`` reasons (distance) only explain.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _

from core.geo import Point, haversine_km
from sla.businesstime import WorkCalendar

from .availability import ShiftSpec, Window, covers, day_windows, free_windows, minus
from .models import SkillLevel
from .registry import service_type_label

# Rule codes, in the order they are checked and shown.
ACTIVE, AUTO, AREA, SKILL, CERTIFICATE, LEAVE, SHIFT, CAPACITY, DAILY, DEADLINE, DISTANCE = (
    "active",
    "auto",
    "area",
    "skill",
    "certificate",
    "leave",
    "shift",
    "capacity",
    "daily",
    "deadline",
    "distance",
)
HARD_RULES = (ACTIVE, AUTO, AREA, SKILL, CERTIFICATE, LEAVE, SHIFT, CAPACITY, DAILY)


@dataclass(frozen=True)
class Job:
    """The work to be done. ``starts``/``ends``: the visit, when a time is set; ``deadline``: the
    on-site deadline; ``current_assignee_id``: the engineer who already has it (already counted
    in their load and their day); ``automatic``: the intake's pick (only willing engineers)."""

    region: str = ""
    product_line_id: int | None = None
    product_line_label: str = ""
    service_type: str = ""
    urgent: bool = False
    starts: dt.datetime | None = None
    ends: dt.datetime | None = None
    deadline: dt.datetime | None = None
    location: Point | None = None
    automatic: bool = False
    current_assignee_id: int | None = None


@dataclass(frozen=True)
class SkillSpec:
    product_line_id: int | None
    product_line_label: str
    service_type: str
    level: int


@dataclass(frozen=True)
class CertificateSpec:
    kind_id: int
    label: str
    valid_until: dt.date | None


@dataclass(frozen=True)
class RequirementSpec:
    kind_id: int
    label: str
    product_line_id: int | None
    service_type: str


@dataclass(frozen=True)
class Absence:
    starts: dt.datetime
    ends: dt.datetime
    reason: str = ""


@dataclass
class Engineer:
    """One engineer's facts, as ``dispatch.selectors.engineers`` loads them."""

    id: int
    name: str
    active: bool = True
    is_engineer: bool = True
    has_profile: bool = True
    auto_assign: bool = True
    open_orders: int = 0
    capacity: int | None = None  # None: the policy default
    daily_capacity: int | None = None
    regions: tuple[str, ...] = ()
    skills: tuple[SkillSpec, ...] = ()
    certificates: tuple[CertificateSpec, ...] = ()
    shifts: tuple[ShiftSpec, ...] = ()
    absences: tuple[Absence, ...] = ()
    calendar: WorkCalendar | None = None
    home: Point | None = None
    team_id: int | None = None
    last_assigned_at: dt.datetime | None = None
    visits: dict[dt.date, int] = field(default_factory=dict)  # booked visits per local day (this job excluded)
    names: tuple[str, str, str] = ("", "", "")  # username, first and last name


@dataclass(frozen=True)
class Rules:
    """The policies the rules read (``core.policies``; ``dispatch.selectors.rules``)."""

    max_open_orders: int = 20
    daily_visits: int = 6
    min_level: int = SkillLevel.TRAINEE
    min_level_urgent: int = SkillLevel.QUALIFIED
    horizon: dt.timedelta = dt.timedelta(days=3)
    requirements: tuple[RequirementSpec, ...] = ()


@dataclass(frozen=True)
class Reason:
    rule: str
    ok: bool
    message: str
    warning: bool = False  # not a rule: the assignment goes ahead with a reason
    info: bool = False  # explanation only


@dataclass
class Verdict:
    engineer: Engineer
    reasons: list[Reason]
    distance_km: float | None = None

    @property
    def eligible(self) -> bool:
        return all(r.ok or r.warning or r.info for r in self.reasons)

    @property
    def failed(self) -> list[Reason]:
        """The rules broken ("why not")."""
        return [r for r in self.reasons if not r.ok and not r.warning and not r.info]

    @property
    def warnings(self) -> list[Reason]:
        return [r for r in self.reasons if not r.ok and r.warning]

    def rank(self) -> tuple:
        """Fewest open orders first, then the nearest home base, then the longest since an
        automatic assignment (never first), then the lowest id: equal engineers take turns."""
        last = self.engineer.last_assigned_at
        return (
            self.engineer.open_orders,
            self.distance_km if self.distance_km is not None else float("inf"),
            last is not None,
            last or dt.datetime.min.replace(tzinfo=dt.UTC),
            self.engineer.id,
        )


def _day(value: dt.datetime) -> str:
    return date_format(timezone.localtime(value), "SHORT_DATETIME_FORMAT")


def _date(value: dt.date) -> str:
    return date_format(value, "SHORT_DATE_FORMAT")


def _hours(windows: list[Window]) -> str:
    return ", ".join(f"{timezone.localtime(s):%H:%M}–{timezone.localtime(e):%H:%M}" for s, e in windows)


def _level(level: int) -> str:
    return str(SkillLevel(level).label) if level in SkillLevel.values else str(level)


def _work(job: Job) -> str:
    line = job.product_line_label or _("any product line")
    return f"{line} × {service_type_label(job.service_type)}"


def _active(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    if e.active and e.is_engineer and e.has_profile:
        return None
    if not e.has_profile and e.active and e.is_engineer:
        return Reason(ACTIVE, False, _("Has no dispatch profile (skills, areas, hours)."))
    return Reason(ACTIVE, False, _("Not an active field engineer."))


def _auto(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    if job.automatic and not e.auto_assign:
        return Reason(AUTO, False, _("Takes no automatic assignments."))
    return None


def _area(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    if not e.regions:
        return Reason(AREA, True, _("Covers every region."))
    if not job.region:
        return Reason(AREA, True, _("The customer's region is not known."))
    if job.region in e.regions:
        return Reason(AREA, True, _("Covers %(region)s.") % {"region": job.region})
    return Reason(
        AREA,
        False,
        _("Does not cover %(region)s (covers %(regions)s).") % {"region": job.region, "regions": "、".join(e.regions)},
    )


def _skill(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    matching = [
        s
        for s in e.skills
        if s.product_line_id in (None, job.product_line_id) and s.service_type in ("", job.service_type)
    ]
    needed = rules.min_level_urgent if job.urgent else rules.min_level
    if not matching:
        return Reason(SKILL, False, _("No skill for %(work)s.") % {"work": _work(job)})
    best = max(matching, key=lambda s: s.level)
    if best.level < needed:
        return Reason(
            SKILL,
            False,
            _("Skill level %(level)s for %(work)s is below the %(needed)s level this order needs.")
            % {"level": _level(best.level), "work": _work(job), "needed": _level(needed)},
        )
    return Reason(SKILL, True, _("Skill: %(work)s (%(level)s).") % {"work": _work(job), "level": _level(best.level)})


def _work_day(job: Job, now: dt.datetime) -> dt.date:
    return timezone.localdate(job.starts or now)


def _certificate(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    needed = [
        r
        for r in rules.requirements
        if r.product_line_id in (None, job.product_line_id) and r.service_type in ("", job.service_type)
    ]
    if not needed:
        return None
    day = _work_day(job, now)
    held = {c.kind_id: c for c in e.certificates}
    valid, problems = [], []
    for req in {r.kind_id: r for r in needed}.values():
        cert = held.get(req.kind_id)
        if cert is None:
            problems.append(_("needs the certificate %(kind)s") % {"kind": req.label})
        elif cert.valid_until is not None and cert.valid_until < day:
            problems.append(
                _("the certificate %(kind)s expired on %(date)s") % {"kind": req.label, "date": _date(cert.valid_until)}
            )
        elif cert.valid_until is not None:
            valid.append(_("%(kind)s valid until %(date)s") % {"kind": req.label, "date": _date(cert.valid_until)})
        else:
            valid.append(req.label)
    if problems:
        return Reason(CERTIFICATE, False, _("Certificate: %(problems)s.") % {"problems": "; ".join(problems)})
    return Reason(CERTIFICATE, True, _("Certificate: %(valid)s.") % {"valid": "; ".join(valid)})


def _limit(job: Job, rules: Rules, now: dt.datetime) -> dt.datetime:
    """Without a visit time: the engineer must be on duty before the on-site deadline (or
    within the horizon when there is none, or it has passed)."""
    if job.deadline is not None and job.deadline > now:
        return job.deadline
    return now + rules.horizon


def _busy(e: Engineer) -> list[Window]:
    return [(a.starts, a.ends) for a in e.absences]


def _leave(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    if e.calendar is None:
        return None
    if job.starts is not None:
        ends = job.ends or job.starts
        away = [
            a for a in e.absences if a.starts < max(ends, job.starts + dt.timedelta(seconds=1)) and a.ends > job.starts
        ]
        if away:
            return _away(away[0])
        return None
    limit = _limit(job, rules, now)
    working = free_windows(e.calendar, e.shifts, [], now, limit)
    if working and not minus(working, _busy(e)):
        away = [a for a in e.absences if a.starts < limit and a.ends > now]
        return _away(away[0]) if away else None
    return None


def _away(a: Absence) -> Reason:
    values = {"from": _day(a.starts), "until": _day(a.ends), "reason": a.reason}
    if a.reason:
        return Reason(LEAVE, False, _("On leave from %(from)s to %(until)s (%(reason)s).") % values)
    return Reason(LEAVE, False, _("On leave from %(from)s to %(until)s.") % values)


def _shift(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    if e.calendar is None:
        return None
    if job.starts is not None:
        ends = job.ends or job.starts
        day = timezone.localdate(job.starts)
        windows = day_windows(e.calendar, e.shifts, day)
        if not windows:
            return Reason(SHIFT, False, _("Not working on %(date)s.") % {"date": _date(day)})
        if covers(e.calendar, e.shifts, job.starts, max(ends, job.starts)):
            return Reason(SHIFT, True, _("On duty then (works %(hours)s).") % {"hours": _hours(windows)})
        return Reason(SHIFT, False, _("Off duty at that time (works %(hours)s that day).") % {"hours": _hours(windows)})
    limit = _limit(job, rules, now)
    free = free_windows(e.calendar, e.shifts, _busy(e), now, limit)
    if free:
        first = min(s for s, _e in free)
        return Reason(SHIFT, True, _("On duty from %(when)s.") % {"when": _day(max(first, now))})
    if free_windows(e.calendar, e.shifts, [], now, limit):
        return None  # working time there is, leave takes it: the leave rule says so
    if job.deadline is not None and job.deadline > now:
        return Reason(SHIFT, False, _("No working hours before the on-site deadline %(due)s.") % {"due": _day(limit)})
    return Reason(SHIFT, False, _("No working hours before %(until)s.") % {"until": _day(limit)})


def _capacity(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    capacity = e.capacity if e.capacity is not None else rules.max_open_orders
    values = {"load": e.open_orders, "capacity": capacity}
    if job.current_assignee_id == e.id:
        return Reason(CAPACITY, True, _("Already has this order (%(load)s of %(capacity)s open orders).") % values)
    if e.open_orders < capacity:
        return Reason(CAPACITY, True, _("%(load)s of %(capacity)s open orders.") % values)
    return Reason(CAPACITY, False, _("At capacity: %(load)s of %(capacity)s open orders.") % values)


def _daily(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    if job.starts is None:
        return None
    day = timezone.localdate(job.starts)
    booked = e.visits.get(day, 0)
    limit = e.daily_capacity or rules.daily_visits
    values = {"booked": booked, "limit": limit, "date": _date(day)}
    if booked < limit:
        return Reason(DAILY, True, _("%(booked)s of %(limit)s visits booked on %(date)s.") % values)
    return Reason(DAILY, False, _("Fully booked on %(date)s: %(booked)s of %(limit)s visits.") % values)


def _deadline(e: Engineer, job: Job, rules: Rules, now: dt.datetime) -> Reason | None:
    if job.starts is None or job.deadline is None:
        return None
    if (job.ends or job.starts) <= job.deadline:
        return None
    return Reason(
        DEADLINE,
        False,
        _("The visit ends after the on-site deadline (%(due)s).") % {"due": _day(job.deadline)},
        warning=True,
    )


RULES = (_active, _auto, _area, _skill, _certificate, _leave, _shift, _capacity, _daily, _deadline)


def evaluate(engineer: Engineer, job: Job, rules: Rules, *, now: dt.datetime) -> Verdict:
    """Every rule for one engineer and one job: the verdict with its reasons."""
    reasons = [r for rule in RULES if (r := rule(engineer, job, rules, now)) is not None]
    distance = None
    if engineer.home is not None and job.location is not None:
        distance = haversine_km(engineer.home, job.location)
        reasons.append(Reason(DISTANCE, True, _("%(km).1f km from the home base.") % {"km": distance}, info=True))
    return Verdict(engineer=engineer, reasons=reasons, distance_km=distance)


def ranked(verdicts: list[Verdict]) -> list[Verdict]:
    """Eligible engineers first, in the automatic pick's order; then the others by name."""
    ok = sorted((v for v in verdicts if v.eligible), key=Verdict.rank)
    rest = sorted(
        (v for v in verdicts if not v.eligible), key=lambda v: (len(v.failed), v.engineer.name, v.engineer.id)
    )
    return ok + rest
