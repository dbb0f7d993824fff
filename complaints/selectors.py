"""Reads of complaints; every read starts from the actor's scope (``permissions.visible_to``)."""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import NotFound
from core.pagination import keyset_page
from service.models import WorkOrder
from sla.models import Clock
from sla.templatetags.sla_tags import clock_rows

from .choices import OPEN_STATUSES, Status
from .models import Complaint, ComplaintClock, ComplaintDocument, ComplaintEvent
from .permissions import visible_to

VIEWS = ("", "mine", "at_risk", "unassigned")


def at_risk_q():
    """An open complaint with a running clock past its warning time (set by the escalation scan)."""
    return Q(
        Exists(ComplaintClock.objects.filter(complaint=OuterRef("pk"), state=Clock.State.RUNNING, at_risk=True)),
        status__in=OPEN_STATUSES,
    )


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
    view: str = ""  # "mine" (by deadline), "at_risk", "unassigned"; "" all, newest first


def _work_scope(actor, f: WorkListFilter, now):
    qs = visible_to(actor)
    qs = qs.filter(status=f.status) if f.status else qs.filter(status__in=OPEN_STATUSES)
    if f.overdue:
        qs = qs.filter(due_at__lt=now)
    if f.mine or f.view == "mine":
        qs = qs.filter(owner=actor)
    if f.view == "mine":
        qs = qs.filter(due_at__isnull=False)  # by deadline: the ones with a running clock
    elif f.view == "at_risk":
        qs = qs.filter(at_risk_q())
    elif f.view == "unassigned":
        qs = qs.filter(owner__isnull=True)
    return qs


def complaint_work_list(*, actor, f: WorkListFilter, cursor: str | None, size: int, now=None):
    """One page of the work list, newest first: one query for the page and one for its clocks,
    whatever the page's depth (``core.pagination.keyset_page``)."""
    now = now or timezone.now()
    qs = _work_scope(actor, f, now).select_related("owner", "customer", "order")
    order = ["due_at", "id"] if f.view == "mine" else ["-id"]
    rows, next_cursor = keyset_page(qs, order=order, cursor=cursor, size=size)
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
            at_risk=Count("id", filter=at_risk_q()),
        )
    )


def complaints_closed_since(*, actor, since, limit: int) -> tuple[list[Complaint], int]:
    """The complaints closed since ``since``, most recent first (at most ``limit``), and how
    many there are: two queries."""
    qs = visible_to(actor).filter(status=Status.CLOSED, closed_at__gte=since)
    rows = list(qs.select_related("owner", "order").order_by("-closed_at", "-id")[:limit])
    return rows, qs.count()


@dataclass(frozen=True)
class ComplaintDetail:
    complaint: Complaint
    events: tuple
    clocks: tuple
    documents: tuple
    orders: tuple  # the linked order and the unit's other orders, with their repair reports


def complaint_detail(*, actor, complaint_id: int) -> ComplaintDetail:
    """One complaint the actor may see, with what its page shows, in five queries."""
    complaint = (
        visible_to(actor)
        .select_related("customer", "customer__user", "owner", "department", "order", "unit", "unit__model")
        .filter(pk=complaint_id)
        .first()
    )
    if complaint is None:
        raise NotFound(_("Complaint not found."))
    events = tuple(ComplaintEvent.objects.filter(complaint=complaint).select_related("actor").order_by("at", "id"))
    clocks = tuple(ComplaintClock.objects.filter(complaint=complaint).order_by("id"))
    complaint.sla_clocks = list(clocks)
    documents = tuple(ComplaintDocument.objects.filter(complaint=complaint).select_related("document").order_by("id"))
    linked = Q(pk=complaint.order_id) if complaint.order_id else Q(pk__in=[])
    if complaint.unit_id:
        linked |= Q(unit_id=complaint.unit_id, customer_id=complaint.customer_id)
    orders = tuple(
        WorkOrder.objects.filter(linked).select_related("report", "unit").order_by("-id")[:20]
        if complaint.order_id or complaint.unit_id
        else ()
    )
    return ComplaintDetail(complaint, events, clocks, documents, orders)


@dataclass(frozen=True)
class ApiFilter:
    status: tuple = ()
    category: str = ""
    owner: int | None = None
    overdue: bool = False
    customer: int | None = None
    order: int | None = None
    received_from: dt.datetime | None = None
    received_to: dt.datetime | None = None


def complaint_list(*, actor, f: ApiFilter, cursor: str | None, size: int, now=None):
    """``GET /complaints``: one page, newest first, and the page's clocks: two queries."""
    now = now or timezone.now()
    qs = visible_to(actor).select_related("customer", "owner", "department", "unit")
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.category:
        qs = qs.filter(category=f.category)
    if f.owner is not None:
        qs = qs.filter(owner_id=f.owner)
    if f.overdue:
        qs = qs.filter(due_at__lt=now, status__in=OPEN_STATUSES)
    if f.customer is not None:
        qs = qs.filter(customer_id=f.customer)
    if f.order is not None:
        qs = qs.filter(order_id=f.order)
    if f.received_from is not None:
        qs = qs.filter(received_at__gte=f.received_from)
    if f.received_to is not None:
        qs = qs.filter(received_at__lt=f.received_to)
    rows, next_cursor = keyset_page(qs, order=["-id"], cursor=cursor, size=size)
    by_id = {c.pk: c for c in rows}
    for c in rows:
        c.sla_clocks = []
    if by_id:
        for clock in ComplaintClock.objects.filter(complaint_id__in=list(by_id)).order_by("id"):
            by_id[clock.complaint_id].sla_clocks.append(clock)
    return rows, next_cursor


def complaints_of_customer(*, actor, cursor: str | None, size: int):
    """The portal's list: the customer's own complaints, newest first (one query)."""
    return keyset_page(visible_to(actor), order=["-id"], cursor=cursor, size=size)
