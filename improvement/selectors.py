"""Reads of the improvement loop; every read starts from the actor's scope (``permissions``)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.dates import zone
from core.pagination import keyset_page
from core.policies import get_policy

from . import voc
from .choices import CORRECTIVE_OPEN, OPEN_STAGES, CorrectiveKind, PromiseStatus, Stage
from .models import CorrectiveAction, ImprovementAction, Promise, VocTheme
from .permissions import corrective_visible_to, improvement_visible_to, promises_visible_to
from .services import approval_levels, level_of, may_approve
from .workflow import WORKERS


def owner_choices():
    """Who may own an action: the active users of the roles working on improvement."""
    users = User.objects.filter(is_active=True, role__in=sorted(WORKERS)).order_by("role", "id")
    return [(u.pk, f"{u.display_name} · {u.get_role_display()}") for u in users]


def staff_choices():
    users = User.objects.filter(is_active=True).exclude(role=Role.CUSTOMER).order_by("role", "id")
    return [(u.pk, f"{u.display_name} · {u.get_role_display()}") for u in users]


def today(now=None) -> dt.date:
    return (now or timezone.now()).astimezone(zone()).date()


def role_label(role: str) -> str:
    return str(Role(role).label) if role in Role.values else role


# --- promises: what the complaint's result notice may say -----------------------------------


def promise_communicable(promise: Promise) -> bool:
    """Whether this promise may be told to the customer: approved in writing (or told already)."""
    return promise.status in (PromiseStatus.APPROVED, PromiseStatus.COMMUNICATED) and promise.decided_by_id is not None


def communicable_promises(*, complaint_id: int) -> list[Promise]:
    """The complaint's promises its result notice may state (approved ones), oldest first; one query."""
    return list(
        Promise.objects.filter(
            complaint_id=complaint_id,
            status__in=[PromiseStatus.APPROVED, PromiseStatus.COMMUNICATED],
            decided_by__isnull=False,
        ).order_by("id")
    )


def approval_queue(*, actor, cursor: str | None, size: int):
    """The pending promises ``actor`` may decide (their level or below, not their own), oldest first."""
    roles = [level["role"] for level in approval_levels()]
    mine = roles[: level_of(actor) + 1]
    if not mine:
        return [], None
    qs = (
        promises_visible_to(actor)
        .filter(status=PromiseStatus.PENDING, required_role__in=mine)
        .exclude(requested_by=actor)
        .select_related("complaint", "requested_by")
    )
    rows, next_cursor = keyset_page(qs, order=["id"], cursor=cursor, size=size)
    for p in rows:
        p.required_role_label = role_label(p.required_role)
    return rows, next_cursor


def approval_count(*, actor) -> int:
    roles = [level["role"] for level in approval_levels()]
    mine = roles[: level_of(actor) + 1]
    if not mine:
        return 0
    return (
        promises_visible_to(actor)
        .filter(status=PromiseStatus.PENDING, required_role__in=mine)
        .exclude(requested_by=actor)
        .count()
    )


# --- corrective actions ---------------------------------------------------------------------


@dataclass(frozen=True)
class CorrectiveFilter:
    kind: str = ""
    status: str = ""  # "" = open ones
    mine: bool = False
    overdue: bool = False


def corrective_list(*, actor, f: CorrectiveFilter, cursor: str | None, size: int, now=None):
    """One page of corrective actions, nearest due first: one query."""
    qs = corrective_visible_to(actor)
    qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=CORRECTIVE_OPEN)
    if f.kind:
        qs = qs.filter(kind=f.kind)
    if f.mine:
        qs = qs.filter(owner=actor)
    day = today(now)
    if f.overdue:
        qs = qs.filter(due_date__lt=day)
    qs = qs.select_related("owner", "complaint", "product_model")
    rows, next_cursor = keyset_page(qs, order=["due_date", "id"], cursor=cursor, size=size)
    for r in rows:
        r.overdue = r.status in CORRECTIVE_OPEN and r.due_date < day
    return rows, next_cursor


def corrective_counts(*, actor, now=None) -> dict:
    day = today(now)
    return (
        corrective_visible_to(actor)
        .filter(status__in=CORRECTIVE_OPEN)
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_date__lt=day)),
            quality=Count("id", filter=Q(kind=CorrectiveKind.QUALITY_FEEDBACK)),
            mine=Count("id", filter=Q(owner=actor)),
        )
    )


def corrective_detail(*, actor, action_id: int) -> CorrectiveAction | None:
    return (
        corrective_visible_to(actor)
        .select_related("owner", "complaint", "product_model", "unit", "created_by")
        .filter(pk=action_id)
        .first()
    )


def complaint_panel(*, actor, complaint_id: int) -> dict:
    """The complaint's corrective actions and promises (three queries), each promise marked
    with whether the actor may decide it and whether it may be told."""
    actions = list(
        corrective_visible_to(actor)
        .filter(complaint_id=complaint_id)
        .select_related("owner", "product_model")
        .prefetch_related("training_needs__user")
        .order_by("id")
    )
    promises = list(
        promises_visible_to(actor)
        .filter(complaint_id=complaint_id)
        .select_related("requested_by", "decided_by")
        .order_by("id")
    )
    for p in promises:
        p.required_role_label = role_label(p.required_role)
        p.may_decide = p.status == PromiseStatus.PENDING and may_approve(actor, p)
        p.communicable = promise_communicable(p)
    return {"actions": actions, "promises": promises}


# --- improvement actions --------------------------------------------------------------------


@dataclass(frozen=True)
class BoardFilter:
    source_kind: str = ""
    mine: bool = False
    overdue: bool = False


BOARD_LIMIT = 50


def board(*, actor, f: BoardFilter, now=None) -> dict:
    """The board: open actions by PDCA column (nearest due first, at most ``BOARD_LIMIT`` each)
    and the counts per column: five queries, whatever the number of actions."""
    day = today(now)
    qs = improvement_visible_to(actor).filter(status__in=OPEN_STAGES)
    if f.source_kind:
        qs = qs.filter(source_kind=f.source_kind)
    if f.mine:
        qs = qs.filter(owner=actor)
    if f.overdue:
        qs = qs.filter(due_date__lt=day)
    counts = {
        r["status"]: r
        for r in qs.values("status").annotate(n=Count("id"), late=Count("id", filter=Q(due_date__lt=day))).order_by()
    }
    columns = []
    for stage in (Stage.PLAN, Stage.DO, Stage.CHECK, Stage.ACT):
        items = list(qs.filter(status=stage).select_related("owner").order_by("due_date", "id")[:BOARD_LIMIT])
        for r in items:
            r.overdue = r.due_date < day
        count = counts.get(stage, {}).get("n", 0)
        columns.append({"stage": stage, "label": stage.label, "items": items, "count": count})
    return {"columns": columns, "overdue": sum(r["late"] for r in counts.values())}


def improvement_list(*, actor, status: str = "", cursor: str | None, size: int):
    qs = improvement_visible_to(actor)
    if status:
        qs = qs.filter(status=status)
    return keyset_page(qs.select_related("owner"), order=["-id"], cursor=cursor, size=size)


def improvement_detail(*, actor, action_id: int) -> ImprovementAction | None:
    return (
        improvement_visible_to(actor)
        .select_related("owner", "complaint", "created_by")
        .prefetch_related("events__actor")
        .filter(pk=action_id)
        .first()
    )


# --- voice of the customer -------------------------------------------------------------------


def voc_themes(*, month: dt.date, source: str = "", language: str = "", top: int | None = None) -> dict:
    """The month's top themes with their count the month before (trend): three queries."""
    top = top or int(get_policy("improvement.voc_top"))
    month = voc.month_start(month)
    previous = voc.previous_month(month)
    qs = VocTheme.objects.all()
    if source:
        qs = qs.filter(source=source)
    if language:
        qs = qs.filter(language=language)
    rows = list(
        qs.filter(period=month).values("term", "language").annotate(n=Sum("count")).order_by("-n", "term")[:top]
    )
    before = {
        r["term"]: r["n"]
        for r in qs.filter(period=previous, term__in=[r["term"] for r in rows])
        .values("term")
        .annotate(n=Sum("count"))
        .order_by()
    }
    computed = VocTheme.objects.filter(period=month).order_by("-computed_at").values_list("computed_at", flat=True)
    themes = []
    for r in rows:
        prev = before.get(r["term"], 0)
        themes.append(
            {"term": r["term"], "language": r["language"], "count": r["n"], "previous": prev, "change": r["n"] - prev}
        )
    return {"month": month, "previous": previous, "themes": themes, "computed_at": computed.first()}
