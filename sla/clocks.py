"""SLA clocks on cases of any registered type (``sla.cases``): started at intake, met, paused,
resumed, cancelled and extended as the case moves.

The maths is in ``sla.businesstime`` (pure); policies and calendars in ``sla.engine``.
Semantics (see docs/sla.md):
- a transition meets the clocks its case type declares for its action (``CaseType.meets``);
  a running or paused clock is met, or breached when met after its deadline; a clock the scan
  marked breached is stopped late;
- the clocks of ``CaseType.starts`` start with their transition, not at intake;
- while the case is in a wait state whose milestone (``CaseType.waits``) the policy pauses on
  (``pause_on``), every running clock is paused; on leaving it the due time moves by exactly
  the paused time of the clock's own type (working time for business and working-day clocks,
  elapsed time for calendar clocks);
- ``warn_at`` is the instant the clock is "at risk" (default 80 % of its target);
- entering one of ``CaseType.cancel_states`` cancels the running and paused clocks;
- ``extend``: a handler moves a running (or paused) clock's deadline later, before it passes,
  with a reason; ``original_due_at`` keeps the first deadline and the customer is notified.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db import router, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.choices import Role
from core import audit, dates, lean
from core.errors import Conflict, Forbidden, NotFound, ValidationFailed
from notifications.services import Message, notify_many

from . import cases, engine
from .businesstime import ClockKind, add_business_time, add_working_days, shift_due_for_pause, working_time_between
from .cases import CaseType, MatchKeys
from .limits import HORIZON, HORIZON_YEARS, MAX_MINUTES, MAX_WORKING_DAYS
from .models import BusinessCalendar, Clock, ClockEvent

State = Clock.State
OPEN = (State.RUNNING, State.PAUSED)


def _warn_at(start: dt.datetime, due: dt.datetime, clock_type: str, ratio: Decimal, cal) -> dt.datetime:
    if clock_type == ClockKind.CALENDAR:
        return start + (due - start) * float(ratio)
    span = working_time_between(start, due, cal)
    return add_business_time(start, span * float(ratio), cal).due


def _new_clock(case: CaseType, subject, target: dict, start: dt.datetime, cal_code: str, cal, ratio) -> Clock:
    res = engine.due(start, target["clock_type"], target["amount"], cal)
    return case.clock_model(
        **{case.subject_field: subject},
        clock=target["clock"],
        clock_type=target["clock_type"],
        amount=target["amount"],
        calendar_code=cal_code,
        started_at=start,
        due_at=res.due,
        original_due_at=res.due,
        warn_at=_warn_at(start, res.due, target["clock_type"], ratio, cal),
        provisional=res.provisional,
    )


def pauses_of(case: CaseType, snapshot: dict) -> set[str]:
    """The milestones that pause the case's clocks, from its policy snapshot. A snapshot taken
    before policies paused on milestones lists the case's wait states instead."""
    if "pause_on" in snapshot:
        return set(snapshot["pause_on"])
    return {case.waits[s] for s in snapshot.get("pause_statuses", []) if s in case.waits}


@dataclass
class ClockPlan:
    """What intake will store of the SLA: the matched policy's snapshot and the clocks to start."""

    policy_code: str
    snapshot: dict
    clocks: list[Clock]

    @property
    def next_due(self) -> dt.datetime | None:
        return min((c.due_at for c in self.clocks if c.due_at), default=None)


def plan(case: CaseType, subject, *, now: dt.datetime, keys: MatchKeys | None = None) -> ClockPlan | None:
    """Match the policy and compute the clocks of a new case, without writing anything (the
    case need not be saved yet, so its next deadline goes into the same INSERT)."""
    keys = keys if keys is not None else case.keys(subject)
    cfg = engine.config()
    policy = engine.match_policy(
        case_type=case.code,
        service_type=keys.service_type,
        priority=keys.priority,
        customer_tier=keys.customer_tier,
        industrial=keys.industrial,
        region=keys.region,
        cfg=cfg,
    )
    if policy is None:
        return None
    calendar = engine.calendar_for(policy=policy, region=keys.region, cfg=cfg)
    snap = engine.snapshot(policy, calendar)
    return plan_for(
        case, subject, now=now, policy_code=policy.code, snapshot=snap, cal=engine.compile_calendar(calendar)
    )


def plan_for(case: CaseType, subject, *, now: dt.datetime, policy_code: str, snapshot: dict, cal) -> ClockPlan:
    """The clocks a new case starts under its matched policy (``snapshot``, compiled calendar
    ``cal``), in memory: what ``plan`` records, and the demo's bulk loader too."""
    ratio = Decimal(snapshot["at_risk_ratio"])
    later, skipped = case.starts_later(), set(case.skips(subject))
    clocks = [
        _new_clock(case, None, t, now, snapshot["calendar"], cal, ratio)
        for t in snapshot["targets"]
        if t["clock"] not in later and t["clock"] not in skipped
    ]
    return ClockPlan(policy_code=policy_code, snapshot=snapshot, clocks=clocks)


def save(case: CaseType, subject, plan: ClockPlan | None) -> list[Clock]:
    """Record the plan of a just-inserted case: its SLA snapshot and its running clocks."""
    if plan is None:
        return []
    snapshot = case.snapshot_model(
        **{case.subject_field: subject}, policy_code=plan.policy_code, snapshot=plan.snapshot
    )
    (snapshot,) = lean.insert([snapshot])
    accessor = case.snapshot_model._meta.get_field(case.subject_field).remote_field.get_accessor_name()
    setattr(subject, accessor, snapshot)
    for c in plan.clocks:
        setattr(c, case.subject_field, subject)
    lean.insert(plan.clocks)  # every intake: the ORM's bulk_create costs three times the CPU
    refresh_next_due(case, subject, plan.clocks)
    return plan.clocks


def start(case: CaseType, subject, *, now: dt.datetime | None = None) -> list[Clock]:
    """Match the policy, record it on the case and start its clocks (for a case saved without them)."""
    now = now or getattr(subject, "created_at", None) or timezone.now()
    return save(case, subject, plan(case, subject, now=now))


def move_clocks(
    case: CaseType, snap: dict, clocks: list, subject, *, action: str, to_state: str, now: dt.datetime, calendar
) -> tuple[dict[str, str], list]:
    """A transition's effect on the case's clocks, in memory: changes ``clocks`` (the case's
    clocks in id order) and returns ``({clock: what happened}, the clocks it starts)``, unsaved.
    ``snap`` is the case's policy snapshot, ``calendar()`` gives its compiled calendar.
    ``on_transition`` runs it on the stored clocks; the demo's bulk loader on clocks it keeps
    in memory, so both write what the engine decides."""
    pausing = pauses_of(case, snap)
    pauses = case.waits.get(to_state) in pausing
    meets = case.meets.get(action, frozenset())
    changes: dict[str, str] = {}
    for c in clocks:
        if c.state == State.PAUSED and not pauses:
            res = shift_due_for_pause(c.due_at, c.paused_at, now, calendar(), c.clock_type)
            paused = (
                working_time_between(c.paused_at, now, calendar()) if c.clock_type != "calendar" else now - c.paused_at
            )
            if c.warn_at and c.warn_at > c.paused_at:
                c.warn_at = shift_due_for_pause(c.warn_at, c.paused_at, now, calendar(), c.clock_type).due
            c.due_at, c.provisional = res.due, c.provisional or res.provisional
            c.paused_seconds += int(paused.total_seconds())
            c.paused_at, c.state = None, State.RUNNING
            changes[c.clock] = "resumed"
        if c.state in OPEN:
            if to_state in case.cancel_states:
                c.state, c.stopped_at = State.CANCELLED, now
                changes[c.clock] = "cancelled"
            elif c.clock in meets:
                met = c.due_at is None or now <= c.due_at or c.state == State.PAUSED
                c.state = State.MET if met else State.BREACHED
                c.stopped_at = now
                if not met and c.breached_at is None:
                    c.breached_at = c.due_at
                changes[c.clock] = c.state
            elif pauses and c.state == State.RUNNING:
                c.state, c.paused_at = State.PAUSED, now
                changes[c.clock] = "paused"
        elif c.state == State.BREACHED and c.stopped_at is None and c.clock in meets:
            c.stopped_at = now
            changes[c.clock] = "stopped_late"
    new = []
    existing = {c.clock for c in clocks}
    starting = case.starts.get(action, frozenset())
    for t in snap["targets"]:
        if t["clock"] in starting and t["clock"] not in existing:
            new.append(_new_clock(case, subject, t, now, snap["calendar"], calendar(), Decimal(snap["at_risk_ratio"])))
            changes[t["clock"]] = "started"
    return changes, new


def on_transition(
    case: CaseType, subject, *, action: str, from_state: str, to_state: str, now: dt.datetime | None = None
) -> dict:
    """Apply a transition's effect on the case's clocks (call with the case locked, in its
    transaction); returns a summary for the event payload: ``{clock: what happened}``."""
    now = now or timezone.now()
    reads = _reads(case)
    alias = router.db_for_read(case.snapshot_model)
    found = reads.snapshot.fetch(alias, subject.pk)
    if not found:
        return {}
    snap = found[0].snapshot
    clocks = reads.clocks.fetch(alias, subject.pk)
    cal = None

    def calendar():
        nonlocal cal
        if cal is None:
            cal = engine.compile_calendar(BusinessCalendar.objects.get(code=snap["calendar"]))
        return cal

    changes, new = move_clocks(
        case, snap, clocks, subject, action=action, to_state=to_state, now=now, calendar=calendar
    )
    if changes:
        # Only the clocks this transition changed, one UPDATE each (one or two as a rule): a
        # ``bulk_update`` of all of them built a CASE per column and row and cost more CPU than
        # the rest of the transition (docs/demo.md).
        objects = case.clock_model.objects
        for c in clocks:
            if c.clock in changes:
                objects.filter(pk=c.pk).update(**{f: getattr(c, f) for f in _MOVED_FIELDS})
        lean.insert(new)
        refresh_next_due(case, subject, clocks + new)
    return changes


_MOVED_FIELDS = (
    "state",
    "due_at",
    "warn_at",
    "provisional",
    "paused_at",
    "paused_seconds",
    "stopped_at",
    "breached_at",
)


@dataclass(frozen=True)
class _Reads:
    """The two reads of every transition, compiled once per case type (``core.lean.Compiled``:
    the ORM's own statements; building and compiling them cost more than running them)."""

    case: CaseType
    snapshot: lean.Compiled  # the case's policy snapshot
    clocks: lean.Compiled  # its clocks, locked, in id order


_READS: dict[str, _Reads] = {}


def _reads(case: CaseType) -> _Reads:
    reads = _READS.get(case.code)
    if reads is None or reads.case is not case:  # first use, or the case type registered again
        key = f"{case.subject_field}_id"
        reads = _READS[case.code] = _Reads(
            case,
            lean.Compiled(lambda pk: case.snapshot_model.objects.filter(**{key: pk}).order_by("pk")[:1]),
            lean.Compiled(lambda pk: case.clock_model.objects.filter(**{key: pk}).select_for_update().order_by("id")),
        )
    return reads


def transition_hook(code: str):
    """The clock step of a case type's workflow (``core.workflow.Workflow(clocks=...)``): the
    registered case type ``code`` moves its clocks on every transition."""

    def hook(subject, *, action: str, from_state: str, to_state: str, now: dt.datetime) -> dict:
        return on_transition(cases.get(code), subject, action=action, from_state=from_state, to_state=to_state, now=now)

    return hook


def next_due(clocks) -> dt.datetime | None:
    """The earliest due time of the running clocks (and of the breached ones still counting)."""
    running = [
        c.due_at for c in clocks if c.state in (State.RUNNING, State.BREACHED) and c.stopped_at is None and c.due_at
    ]
    return min(running) if running else None


def refresh_next_due(case: CaseType, subject, clocks) -> None:
    """The case's next deadline is the earliest due time of its running clocks (for sorting lists)."""
    if case.due_field is None:
        return
    due = next_due(clocks)
    if getattr(subject, case.due_field) != due:
        case.subject_model.objects.filter(pk=subject.pk).update(**{case.due_field: due})
        setattr(subject, case.due_field, due)


EXTENDED_KIND = "deadline_extended"  # the customer's message (``Notification.kind``)
EXTEND_ROLES = frozenset({Role.AGENT, Role.COMPLAINT_HANDLER, Role.SUPERVISOR, Role.MANAGER, Role.ADMIN})


def _extended_due(c: Clock, cal, *, new_due_at: dt.datetime | None, extra: int | None):
    """The new deadline: an explicit instant, or ``extra`` in the clock's own unit (elapsed
    minutes, working minutes, or working days); returns ``(due, provisional)``."""
    if new_due_at is not None:
        return new_due_at, False
    if c.clock_type == ClockKind.CALENDAR:
        return c.due_at + dt.timedelta(minutes=extra), False
    if c.clock_type == ClockKind.BUSINESS:
        res = add_business_time(c.due_at, dt.timedelta(minutes=extra), cal)
    else:
        res = add_working_days(c.due_at, extra, cal)
    return res.due, res.provisional


def _check_extra(c: Clock, extra: int | None) -> None:
    """``extra`` within the largest amount of the clock's unit (``sla.limits``)."""
    if extra is None:
        return
    if c.clock_type == ClockKind.WORKING_DAYS and extra > MAX_WORKING_DAYS:
        msg = _("At most %(max)s working days.") % {"max": MAX_WORKING_DAYS}
    elif extra > MAX_MINUTES:
        msg = _("At most %(max)s minutes.") % {"max": MAX_MINUTES}
    else:
        return
    raise ValidationFailed(msg, code="bad_extension", fields={"extra": [msg]})


def extend(
    case: CaseType,
    *,
    subject_id: int,
    clock: str,
    actor,
    reason: str,
    new_due_at: dt.datetime | None = None,
    extra: int | None = None,
    now: dt.datetime | None = None,
) -> Clock:
    """Extend one clock's deadline before it passes, with a reason; the customer is told.
    ``now``: the moment of the extension (default: now; the demo's replay gives a past one)."""
    role = Role.ADMIN if actor.is_superuser else actor.role
    if role not in EXTEND_ROLES:
        raise Forbidden(_("Your role cannot extend a deadline."))
    reason = (reason or "").strip()
    if not reason:
        msg = _("Give the reason for the extension; the customer will see it.")
        raise ValidationFailed(msg, fields={"reason": [msg]})
    if (new_due_at is None) == (extra is None) or (extra is not None and extra < 1):
        msg = _("Give either the new deadline or the extra time (a positive number).")
        raise ValidationFailed(msg, code="bad_extension", fields={"new_due_at": [msg], "extra": [msg]})
    new_due_at = dates.checked(new_due_at, field="new_due_at")
    with transaction.atomic():
        subject = case.visible_to(actor).select_for_update().filter(pk=subject_id).first()
        if subject is None:
            raise NotFound(str(case.texts.not_found))
        clocks = list(case.clocks_of(subject).select_for_update().order_by("id"))
        c = next((x for x in clocks if x.clock == clock), None)
        if c is None:
            raise NotFound(str(case.texts.no_such_clock))
        now = now or timezone.now()
        if c.state not in OPEN or c.due_at is None:
            raise Conflict(_("This clock has stopped; its deadline cannot be extended."), code="clock_stopped")
        cal = engine.compile_calendar(BusinessCalendar.objects.get(code=c.calendar_code))
        effective = c.due_at
        if c.state == State.PAUSED and c.paused_at:  # the deadline it would have if resumed now
            effective = shift_due_for_pause(c.due_at, c.paused_at, now, cal, c.clock_type).due
        if now > effective:
            raise Conflict(_("The deadline has passed; an extension must be made before it."), code="deadline_passed")
        field = "new_due_at" if new_due_at is not None else "extra"
        _check_extra(c, extra)
        sla = case.snapshot_model.objects.filter(**{case.subject_field: subject}).first()
        ratio = Decimal(sla.snapshot.get("at_risk_ratio", "0.8")) if sla is not None else Decimal("0.8")
        try:  # the maths refuses what it cannot compute (ValueError); nothing is changed yet
            due, provisional = _extended_due(c, cal, new_due_at=new_due_at, extra=extra)
            beyond = due > c.started_at + HORIZON
            warn_at = None if beyond else _warn_at(c.started_at, due, c.clock_type, ratio, cal)
        except (ValueError, OverflowError):
            beyond = True
        if beyond:
            msg = _(
                "The new deadline is too far away: a deadline can be at most %(years)s years after its clock started."
            )
            msg %= {"years": HORIZON_YEARS}
            raise ValidationFailed(msg, code="beyond_horizon", fields={field: [msg]})
        if due <= c.due_at:
            msg = _("The new deadline must be later than the current one.")
            raise ValidationFailed(msg, code="not_later", fields={"new_due_at": [msg]})
        before = audit.snapshot(c)
        previous = c.due_at
        c.original_due_at = c.original_due_at or previous
        c.due_at, c.provisional = due, provisional
        c.warn_at = warn_at
        if c.warn_at > now:
            c.at_risk, c.escalation_level = False, 0
        c.extension_reason, c.extended_at, c.extended_by = reason, now, actor
        c.save(
            update_fields=[
                "due_at",
                "original_due_at",
                "provisional",
                "warn_at",
                "at_risk",
                "escalation_level",
                "extension_reason",
                "extended_at",
                "extended_by",
            ]
        )
        refresh_next_due(case, subject, clocks)
        payload = {
            "clock": c.clock,
            "from": previous.isoformat(),
            "to": due.isoformat(),
            "original_due_at": c.original_due_at.isoformat(),
        }
        case.event(subject, actor=actor, action=ClockEvent.EXTENDED, note=reason, payload=payload, at=now).save()
        audit.record(actor=actor, action="sla_extend", obj=c, before=before, at=now)
        customer_user = case.customer_user(subject)
        if customer_user is not None:
            values = {
                "number": case.number(subject.pk),
                "due": timezone.localtime(due, cal.zone).strftime("%Y-%m-%d %H:%M"),
                "reason": reason,
            }
            text = case.texts
            notify_many(
                [
                    Message(
                        [customer_user],
                        text.extended_subject,  # in the customer's language (notifications.preferences)
                        text.extended_body,
                        case.link_of(subject),
                        EXTENDED_KIND,
                        values=values,
                    )
                ],
                now=now,
            )
    return c
