"""Reads of complaints; every read starts from the actor's scope (``permissions.visible_to``)."""

from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q
from django.utils import timezone

from core.pagination import keyset_page
from sla.templatetags.sla_tags import clock_rows

from .choices import OPEN_STATUSES, Status
from .models import Complaint, ComplaintClock
from .permissions import visible_to


def complaints_of_order(*, actor, order_id: int) -> list[Complaint]:
    """The order's complaints the actor may see, newest first, with owner and SLA clocks (each
    complaint's ``clock_rows`` for the clocks table): one query, two when there are complaints."""
    complaints = list(
        visible_to(actor)
        .filter(order_id=order_id)
        .select_related("owner")
        .prefetch_related(Prefetch("clocks", queryset=ComplaintClock.objects.order_by("id"), to_attr="sla_clocks"))
        .order_by("-id")
    )
    for c in complaints:
        c.clock_rows = clock_rows(c)
    return complaints


@dataclass(frozen=True)
class WorkListFilter:
    """The complaint handler's work list: open complaints (or one status), optionally only the
    overdue ones (their next deadline passed) or the actor's own."""

    status: str = ""
    overdue: bool = False
    mine: bool = False


def _work_scope(actor, f: WorkListFilter, now):
    qs = visible_to(actor)
    qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=OPEN_STATUSES)
    if f.overdue:
        qs = qs.filter(due_at__lt=now)
    if f.mine:
        qs = qs.filter(owner=actor)
    return qs


def complaint_work_list(*, actor, f: WorkListFilter, cursor: str | None, size: int, now=None):
    """One page of the work list, newest first: one query for the page and one for its clocks,
    whatever the page's depth (``core.pagination.keyset_page``)."""
    now = now or timezone.now()
    qs = _work_scope(actor, f, now).select_related("owner", "customer", "order")
    rows, next_cursor = keyset_page(qs, order=["-id"], cursor=cursor, size=size)
    by_id = {c.pk: c for c in rows}
    for c in rows:
        c.sla_clocks = []
    for clock in ComplaintClock.objects.filter(complaint_id__in=list(by_id) or [0]).order_by("id"):
        by_id[clock.complaint_id].sla_clocks.append(clock)
    for c in rows:
        c.clock_rows = clock_rows(c)
        c.overdue = bool(c.due_at and c.due_at < now and c.status in OPEN_STATUSES)
    return rows, next_cursor


def complaint_work_counts(*, actor, now=None) -> dict:
    """The figures above the work list, in one query: open, overdue, the actor's own, unowned."""
    now = now or timezone.now()
    return (
        visible_to(actor)
        .filter(status__in=OPEN_STATUSES)
        .aggregate(
            open=Count("id"),
            overdue=Count("id", filter=Q(due_at__lt=now)),
            mine=Count("id", filter=Q(owner=actor)),
            unowned=Count("id", filter=Q(owner__isnull=True)),
        )
    )


def complaints_closed_since(*, actor, since, limit: int) -> tuple[list[Complaint], int]:
    """The complaints closed since ``since``, most recent first (at most ``limit``), and how
    many there are: two queries."""
    qs = visible_to(actor).filter(status=Status.CLOSED, closed_at__gte=since)
    rows = list(qs.select_related("owner", "order").order_by("-closed_at", "-id")[:limit])
    return rows, qs.count()
