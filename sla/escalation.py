"""The SLA scan: mark at-risk and breached clocks of every case type, escalate, notify.

Run every minute by ``sla.tasks.sla_scan``. For each registered case type (``sla.cases``),
each pass claims a batch of its clocks with a conditional UPDATE whose WHERE clause repeats
the condition that selected them (state still ``running``, deadline or warning time passed,
not yet at risk), inside a transaction that locks the selected rows (``SELECT … FOR UPDATE
SKIP LOCKED`` on PostgreSQL; SQLite serialises writers with ``BEGIN IMMEDIATE``). Only the
rows this pass changed get an event and notifications, so re-running the scan — or running
two scans at once — changes nothing more and sends nothing more.

Escalation chain (level on the clock):
- level 1, at risk (default 80 % of the target elapsed): the supervisors, and the assignee;
- level 2, breached (deadline passed while running): the managers, and the assignee.
Supervisors and managers of the case's team (``CaseType.team_field``) are chosen; when the
case has no team, or the team has nobody in that role, all active users in that role.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core import events
from notifications.services import Message, notify_many

from . import cases
from .cases import CaseType
from .events import ClockBreached
from .models import Clock, ClockEvent, ClockName

RUNNING = Clock.State.RUNNING
BATCH = 1000
LEVEL_ROLES = {1: Role.SUPERVISOR, 2: Role.MANAGER}


@dataclass
class ScanResult:
    """The ids of the clocks one scan changed, of every case type and per case type."""

    at_risk: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)
    by_case: dict[str, "ScanResult"] = field(default_factory=dict)


@dataclass(frozen=True)
class Step:
    action: str  # the event row's action
    level: int
    condition: Q
    changes: dict
    order_by: tuple


def steps(now: dt.datetime) -> list[Step]:
    """Breach first: a clock past its deadline is reported as breached, not also as at risk."""
    return [
        Step(
            ClockEvent.BREACHED,
            2,
            Q(state=RUNNING, due_at__lt=now),
            {"state": Clock.State.BREACHED, "breached_at": F("due_at"), "escalation_level": 2},
            ("due_at",),
        ),
        Step(
            # at_risk IN (false), not NOT at_risk: an equality SQLite can match to the index
            ClockEvent.AT_RISK,
            1,
            Q(state=RUNNING, at_risk__in=[False], warn_at__lte=now),
            {"at_risk": True, "escalation_level": 1},
            ("warn_at",),
        ),
    ]


def claim(case: CaseType, step: Step, *, batch: int = BATCH) -> list[int]:
    """Change at most ``batch`` clocks of the case type matching the step; the ids of exactly
    the rows changed. Call inside a transaction."""
    objects = case.clock_model.objects
    qs = objects.filter(step.condition)
    ids = list(qs.order_by(*step.order_by).select_for_update(skip_locked=True).values_list("id", flat=True)[:batch])
    if ids:
        objects.filter(step.condition, id__in=ids).update(**step.changes)
    return ids


def scan_clocks(*, now: dt.datetime | None = None, batch: int = BATCH) -> ScanResult:
    """One full scan of every case type; each batch (claim, events, notification rows) commits on its own."""
    now = now or timezone.now()
    result = ScanResult()
    staff = _Staff()
    for case in cases.all():
        mine = result.by_case[case.code] = ScanResult()
        for step in steps(now):
            done = mine.breached if step.level == 2 else mine.at_risk
            while True:
                with transaction.atomic():
                    ids = claim(case, step, batch=batch)
                    if ids:
                        _record(case, step, ids, staff, now)
                done += ids
                if len(ids) < batch:
                    break
        result.at_risk += mine.at_risk
        result.breached += mine.breached
    return result


@dataclass(frozen=True)
class Hit:
    """A clock the scan just changed, with what the event and the message need."""

    clock_id: int
    subject_id: int
    clock: str
    due_at: dt.datetime
    status: str
    assignee_id: int | None
    department_id: int | None
    link_id: int | None


def _record(case: CaseType, step: Step, ids: list[int], staff: "_Staff", now: dt.datetime) -> None:
    sf = case.subject_field

    def path(name: str | None) -> str | None:
        return f"{sf}__{name}" if name else None

    wanted = {
        "assignee_id": path(case.assignee_field),
        "department_id": path(case.team_field),
        "link_id": path(case.link_field),
    }
    present = {name: column for name, column in wanted.items() if column}
    rows = (
        case.clock_model.objects.filter(id__in=ids)
        .order_by("id")
        .values_list("id", f"{sf}_id", "clock", "due_at", path(case.status_field), *present.values())
    )
    hits = []
    for row in rows:
        optional = dict.fromkeys(wanted)
        optional.update(zip(present, row[5:], strict=True))
        hits.append(Hit(*row[:5], **optional))
    case.event_model.objects.bulk_create(
        [
            case.event_model(
                **{f"{sf}_id": h.subject_id},
                actor=None,
                action=step.action,
                from_status=h.status,
                to_status=h.status,
                payload={"clock": h.clock, "due_at": h.due_at.isoformat(), "escalation_level": step.level},
                at=now,
            )
            for h in hits
        ]
    )
    assignee_ids = {h.assignee_id for h in hits if h.assignee_id}
    assignees = {u.pk: u for u in User.objects.filter(pk__in=assignee_ids)} if assignee_ids else {}
    texts = case.texts  # rendered in each recipient's language (notifications.preferences)
    if step.level == 2:
        subject, body = texts.breached_subject, texts.breached_body
    else:
        subject, body = texts.at_risk_subject, texts.at_risk_body
    labels = {code: _clock_label(code) for code in {h.clock for h in hits}}
    messages = []
    for h in hits:
        values = {
            "number": case.number(h.subject_id),
            "clock": labels[h.clock],
            "due": timezone.localtime(h.due_at).strftime("%Y-%m-%d %H:%M"),
        }
        assignee = assignees.get(h.assignee_id)
        users = staff.for_team(h.department_id, LEVEL_ROLES[step.level]) + ([assignee] if assignee else [])
        messages.append(Message(users, subject, body, h.link_id, values=values))
    notify_many(messages, now=now)
    if step.level == 2:
        for h in hits:  # delivered after the batch commits (and only if someone subscribes)
            events.publish(ClockBreached(case=case.code, subject_id=h.subject_id, clock=h.clock, due_at=h.due_at))


def _clock_label(code: str):
    """The clock's name, translated when the message is rendered."""
    try:
        return ClockName(code).label
    except ValueError:
        return code


class _Staff:
    """Active supervisors and managers, loaded once per scan."""

    def __init__(self):
        self._rows: list[User] | None = None

    def for_team(self, department_id: int | None, role: str) -> list[User]:
        if self._rows is None:
            self._rows = list(User.objects.filter(is_active=True, role__in=list(LEVEL_ROLES.values())).order_by("id"))
        everyone = [u for u in self._rows if u.role == role]
        team = [u for u in everyone if department_id and u.department_id == department_id]
        return team or everyone
