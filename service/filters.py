"""Work-order list filters, shared by the agent console, the API and the dashboard's drill-downs."""

import datetime as dt
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import Exists, OuterRef, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from core.errors import ValidationFailed
from sla.models import Clock

from .choices import OPEN_STATUSES
from .models import WorkOrder, WorkOrderClock

SORTS = {
    "newest": ["-created_at", "-id"],
    "oldest": ["created_at", "id"],
    "due": ["due_at", "id"],
}
# What a clock's figure on the dashboard counts (``clock_state``): stopped on time; breached
# (stopped late, or still running past its deadline); pending (running within its deadline,
# or paused); stopped (met or breached with a stop time: the ones a duration is known of).
CLOCK_STATES = ("met", "breached", "pending", "stopped")
# The days a filter may name: a day far outside has no midnight a database can store.
FIRST_DAY, LAST_DAY = dt.date(2000, 1, 1), dt.date(2100, 12, 31)
# Intake takes its time once, before it writes the order and starts its clocks: a clock may start
# a moment before its order's ``created_at``, never a day.
CLOCK_MARGIN = dt.timedelta(days=1)


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
    received_from: dt.date | None = None  # received on or after this day (service's time zone)
    received_to: dt.date | None = None  # received on or before this day
    region: str = ""  # the customer's region
    product_line: int | None = None  # the order's product model's line
    open: bool = False  # in any open status
    at_risk: bool = False  # open, not overdue, with a running clock past its warning time
    clock: str = ""  # with ``clock_state``: the orders whose clock of this name is in that state
    clock_state: str = ""
    clock_from: dt.date | None = None  # and which started on or after this day
    clock_to: dt.date | None = None  # and on or before this day

    @property
    def order(self) -> list[str]:
        return SORTS.get(self.sort, SORTS["newest"])


def local_midnight(day: dt.date) -> dt.datetime:
    """The first instant of ``day`` in the service's time zone."""
    return dt.datetime.combine(day, dt.time(), tzinfo=ZoneInfo(settings.TIME_ZONE))


def check_days(**days: dt.date | None) -> None:
    """Refuse (422) a day outside ``FIRST_DAY`` … ``LAST_DAY``, naming its field."""
    msg = _("Enter a day between %(first)s and %(last)s.") % {"first": FIRST_DAY, "last": LAST_DAY}
    wrong = {name: [msg] for name, day in days.items() if day is not None and not FIRST_DAY <= day <= LAST_DAY}
    if wrong:
        raise ValidationFailed(msg, fields=wrong)


def apply(qs, f: WorkOrderFilter, *, now: dt.datetime | None = None):
    now = now or timezone.now()
    check_days(received_from=f.received_from, received_to=f.received_to, clock_from=f.clock_from, clock_to=f.clock_to)
    if f.status:
        qs = qs.filter(status__in=f.status)
    if f.open:
        qs = qs.filter(status__in=OPEN_STATUSES)
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
    if f.received_from is not None:
        qs = qs.filter(created_at__gte=local_midnight(f.received_from))
    if f.received_to is not None:
        qs = qs.filter(created_at__lt=local_midnight(f.received_to + dt.timedelta(days=1)))
    if f.region:
        qs = qs.filter(customer__region=f.region)
    if f.product_line is not None:
        qs = qs.filter(product_model__line_id=f.product_line)
    if f.overdue:
        qs = qs.filter(due_at__lt=now, status__in=OPEN_STATUSES)
    if f.at_risk:
        qs = qs.filter(at_risk_q(now))
    if f.clock and f.clock_state in CLOCK_STATES:
        clocks = WorkOrderClock.objects.filter(order_id=OuterRef("pk"), clock=f.clock).filter(
            clock_state_q(f.clock_state, now)
        )
        if f.clock_from is not None:
            clocks = clocks.filter(started_at__gte=local_midnight(f.clock_from))
        if f.clock_to is not None:
            end = local_midnight(f.clock_to + dt.timedelta(days=1))
            clocks = clocks.filter(started_at__lt=end)
            # implied (a clock starts with its order or later), and lets a list skip newer orders
            qs = qs.filter(created_at__lt=end + CLOCK_MARGIN)
        qs = qs.filter(Exists(clocks))
    if f.sort == "due":
        qs = qs.filter(due_at__isnull=False)
    if f.q:
        qs = qs.filter(search_q(f.q))
    return qs


def at_risk_q(now: dt.datetime) -> Q:
    """Open orders not overdue yet with a running clock past its warning time (the share of its
    span given by the policy's ``at_risk_ratio``), whether or not the escalation scan has run.
    The order's ``due_at`` is the earliest deadline of its running clocks, so the warned clock is
    not due yet either. The warned clocks come from index ``clock_running_warn`` alone (both
    values of ``at_risk`` named: an equality per value, for PostgreSQL's sake)."""
    warned = WorkOrderClock.objects.filter(
        state=Clock.State.RUNNING, at_risk__in=[False, True], warn_at__lte=now, due_at__gte=now
    ).values("order_id")
    return Q(status__in=OPEN_STATUSES, due_at__gte=now, pk__in=warned)


def clock_state_q(state: str, now: dt.datetime) -> Q:
    """A clock's dashboard state (``CLOCK_STATES``) at ``now``, as ``sla.kpi.compliance`` counts it."""
    S = Clock.State
    if state == "met":
        return Q(state=S.MET)
    if state == "breached":
        return Q(state=S.BREACHED) | Q(state=S.RUNNING, due_at__lt=now)
    if state == "pending":
        return Q(state=S.PAUSED) | (Q(state=S.RUNNING) & (Q(due_at__gte=now) | Q(due_at__isnull=True)))
    if state == "stopped":
        return Q(state__in=[S.MET, S.BREACHED], stopped_at__isnull=False)
    raise ValueError(state)


def search_q(text: str) -> Q:
    """Exact search by order number, serial number or phone number (all indexed)."""
    text = text.strip()[:60]
    pk = WorkOrder.pk_from_number(text)
    if pk is not None:
        return Q(pk=pk)
    return Q(serial=text) | Q(contact_phone=text)
