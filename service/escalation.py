"""The SLA scan: mark at-risk and breached clocks, escalate, notify.

Run every minute by ``service.tasks.sla_scan``. Each pass claims a batch of clocks with a
conditional UPDATE whose WHERE clause repeats the condition that selected them (state still
``running``, deadline or warning time passed, not yet at risk), inside a transaction that
locks the selected rows (``SELECT … FOR UPDATE SKIP LOCKED`` on PostgreSQL; SQLite
serialises writers with ``BEGIN IMMEDIATE``). Only the rows this pass changed get an event
and notifications, so re-running the scan — or running two scans at once — changes nothing
more and sends nothing more.

Escalation chain (level on the clock):
- level 1, at risk (default 80 % of the target elapsed): the supervisors, and the assignee;
- level 2, breached (deadline passed while running): the managers, and the assignee.
Supervisors and managers of the order's team (``WorkOrder.department``) are chosen; when the
order has no team, or the team has nobody in that role, all active users in that role.
"""

import datetime as dt
from dataclasses import dataclass, field

from django.conf import settings
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from accounts.choices import Role
from accounts.models import User
from notifications.services import Message, notify_many
from sla.models import ClockName

from .models import NUMBER_PREFIX, WorkOrderClock, WorkOrderEvent

RUNNING = WorkOrderClock.State.RUNNING
BATCH = 1000
LEVEL_ROLES = {1: Role.SUPERVISOR, 2: Role.MANAGER}


@dataclass
class ScanResult:
    at_risk: list[int] = field(default_factory=list)
    breached: list[int] = field(default_factory=list)


@dataclass(frozen=True)
class Step:
    action: str  # the WorkOrderEvent action
    level: int
    condition: Q
    changes: dict
    order_by: tuple


def steps(now: dt.datetime) -> list[Step]:
    """Breach first: a clock past its deadline is reported as breached, not also as at risk."""
    return [
        Step(
            "sla_breached",
            2,
            Q(state=RUNNING, due_at__lt=now),
            {"state": WorkOrderClock.State.BREACHED, "breached_at": F("due_at"), "escalation_level": 2},
            ("due_at",),
        ),
        Step(
            # at_risk IN (false), not NOT at_risk: an equality SQLite can match to the index
            "sla_at_risk",
            1,
            Q(state=RUNNING, at_risk__in=[False], warn_at__lte=now),
            {"at_risk": True, "escalation_level": 1},
            ("warn_at",),
        ),
    ]


def claim(step: Step, *, batch: int = BATCH) -> list[int]:
    """Change at most ``batch`` clocks matching the step; the ids of exactly the rows changed.
    Call inside a transaction."""
    qs = WorkOrderClock.objects.filter(step.condition)
    ids = list(qs.order_by(*step.order_by).select_for_update(skip_locked=True).values_list("id", flat=True)[:batch])
    if ids:
        WorkOrderClock.objects.filter(step.condition, id__in=ids).update(**step.changes)
    return ids


def scan_clocks(*, now: dt.datetime | None = None, batch: int = BATCH) -> ScanResult:
    """One full scan; each batch (claim, events, notification rows) commits on its own."""
    now = now or timezone.now()
    result = ScanResult()
    staff = _Staff()
    for step in steps(now):
        done = result.breached if step.level == 2 else result.at_risk
        while True:
            with transaction.atomic():
                ids = claim(step, batch=batch)
                if ids:
                    _record(step, ids, staff)
            done += ids
            if len(ids) < batch:
                break
    return result


@dataclass(frozen=True)
class Hit:
    """A clock the scan just changed, with what the event and the message need."""

    clock_id: int
    order_id: int
    clock: str
    due_at: dt.datetime
    status: str
    assignee_id: int | None
    department_id: int | None


def _record(step: Step, ids: list[int], staff: "_Staff") -> None:
    hits = [
        Hit(*row)
        for row in WorkOrderClock.objects.filter(id__in=ids)
        .order_by("id")
        .values_list("id", "order_id", "clock", "due_at", "order__status", "order__assignee_id", "order__department_id")
    ]
    WorkOrderEvent.objects.bulk_create(
        [
            WorkOrderEvent(
                order_id=h.order_id,
                actor=None,
                action=step.action,
                from_status=h.status,
                to_status=h.status,
                payload={"clock": h.clock, "due_at": h.due_at.isoformat(), "escalation_level": step.level},
            )
            for h in hits
        ]
    )
    assignee_ids = {h.assignee_id for h in hits if h.assignee_id}
    assignees = {u.pk: u for u in User.objects.filter(pk__in=assignee_ids)} if assignee_ids else {}
    with translation.override(settings.LANGUAGE_CODE):
        if step.level == 2:
            subject = _("SLA breached: %(number)s, %(clock)s")
            body = _("The %(clock)s deadline of work order %(number)s passed at %(due)s. Escalated to the managers.")
        else:
            subject = _("SLA at risk: %(number)s, %(clock)s")
            body = _("The %(clock)s deadline of work order %(number)s is %(due)s. Escalated to the supervisors.")
        labels = {code: _clock_label(code) for code in {h.clock for h in hits}}
        messages = []
        for h in hits:
            values = {
                "number": f"{NUMBER_PREFIX}{h.order_id:08d}",
                "clock": labels[h.clock],
                "due": timezone.localtime(h.due_at).strftime("%Y-%m-%d %H:%M"),
            }
            assignee = assignees.get(h.assignee_id)
            users = staff.for_team(h.department_id, LEVEL_ROLES[step.level]) + ([assignee] if assignee else [])
            messages.append(Message(users, subject % values, body % values, h.order_id))
        notify_many(messages)


def _clock_label(code: str) -> str:
    try:
        return str(ClockName(code).label)
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
