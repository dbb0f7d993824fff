"""Work-order list filters, shared by the agent console and the API."""

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone

from .choices import OPEN_STATUSES
from .models import WorkOrder

SORTS = {
    "newest": ["-created_at", "-id"],
    "oldest": ["created_at", "id"],
    "due": ["due_at", "id"],
}


@dataclass
class WorkOrderFilter:
    status: list[str] = field(default_factory=list)
    priority: str = ""
    service_type: str = ""
    channel: str = ""
    assignee: int | None = None
    department: int | None = None
    customer: int | None = None
    overdue: bool = False
    q: str = ""
    sort: str = "newest"

    @property
    def order(self) -> list[str]:
        return SORTS.get(self.sort, SORTS["newest"])


def apply(qs, f: WorkOrderFilter, *, now: dt.datetime | None = None):
    if f.status:
        qs = qs.filter(status__in=f.status)
    for name in ("priority", "service_type", "channel"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.assignee is not None:
        qs = qs.filter(assignee_id=f.assignee)
    if f.department is not None:
        qs = qs.filter(department_id=f.department)
    if f.customer is not None:
        qs = qs.filter(customer_id=f.customer)
    if f.overdue:
        qs = qs.filter(due_at__lt=now or timezone.now(), status__in=OPEN_STATUSES)
    if f.sort == "due":
        qs = qs.filter(due_at__isnull=False)
    if f.q:
        qs = qs.filter(search_q(f.q))
    return qs


def search_q(text: str) -> Q:
    """Exact search by order number, serial number or phone number (all indexed)."""
    text = text.strip()[:60]
    pk = WorkOrder.pk_from_number(text)
    if pk is not None:
        return Q(pk=pk)
    return Q(serial=text) | Q(contact_phone=text)
