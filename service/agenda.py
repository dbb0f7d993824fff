"""The field engineer's day: my open orders in four sections, each with its nearest deadline.

Sections, by the appointment's day in Asia/Shanghai (``settings.TIME_ZONE``):

* **overdue** — an appointment on a day before today and the work not done: a visit missed
  (still scheduled) or work started then and not finished (in service, waiting for parts or
  the customer); the most recent first, so yesterday's missed visit leads, not last winter's;
* **today** — an appointment today, by appointment time;
* **upcoming** — an appointment after today, soonest first;
* **to_schedule** — no appointment yet, or only a past one on an order that needs a new
  visit agreed (new, acknowledged, assessed, reopened); the oldest request first.

The day lists the orders where the engineer has something to do: every open state but
"resolved" and "accepted" (the customer's signature and the desk's closing are left; the
engineer collects a signature on site, from the order's page). One query reads the orders (at
most ``LIMIT``), one their clocks, whatever the number of orders (the last visit of each comes
in the first). The map links and the area shown before a reveal are built here, without any
request to a map service (docs/screens.md).
"""

import datetime as dt
import re
from dataclasses import dataclass, field
from urllib.parse import quote

from django.db.models import F, OuterRef, Subquery
from django.utils import timezone

from core import geo
from core.geo import Point

from .choices import OPEN_STATUSES, EventType, Status
from .models import WorkOrderEvent
from .permissions import visible_to
from .selectors import attach_clocks

OVERDUE, TODAY, UPCOMING, TO_SCHEDULE = "overdue", "today", "upcoming", "to_schedule"
SECTIONS = (OVERDUE, TODAY, UPCOMING, TO_SCHEDULE)
WORKING = frozenset(OPEN_STATUSES - {Status.RESOLVED, Status.ACCEPTED})
NEEDS_APPOINTMENT = frozenset({Status.NEW, Status.ACKNOWLEDGED, Status.ASSESSED, Status.REOPENED})
LIMIT = 200  # an engineer's open orders; more is a dispatching problem, and the page says so
VISIT_EVENTS = (EventType.CHECK_IN, EventType.CHECK_OUT)
STOPPED = {"met", "cancelled"}  # clock states that no longer count down


def section_of(status: str, appointment_at: dt.datetime | None, today: dt.date) -> str:
    """The section of an order by its appointment's local day (Asia/Shanghai) against ``today``."""
    if appointment_at is None:
        return TO_SCHEDULE
    day = timezone.localdate(appointment_at)
    if day > today:
        return UPCOMING
    if day == today:
        return TODAY
    return TO_SCHEDULE if status in NEEDS_APPOINTMENT else OVERDUE


@dataclass(frozen=True)
class Deadline:
    """The nearest deadline of an order's clocks still counting: ``state`` is ``ok``,
    ``at_risk`` (past its warning time, or marked by the scan) or ``breached`` (past due)."""

    clock: str
    due_at: dt.datetime
    state: str


def nearest_deadline(clocks, now: dt.datetime) -> Deadline | None:
    """Of the clocks still counting (running, paused or breached), the one due first."""
    counting = [c for c in clocks if c.state not in STOPPED and c.stopped_at is None and c.due_at is not None]
    if not counting:
        return None
    c = min(counting, key=lambda c: (c.due_at, c.pk))
    if c.state == "breached" or c.due_at <= now:
        state = "breached"
    elif c.at_risk or (c.warn_at is not None and c.warn_at <= now):
        state = "at_risk"
    else:
        state = "ok"
    return Deadline(clock=c.clock, due_at=c.due_at, state=state)


# Province, city and district (县, 区, 旗, or a county-level 市) at the start of a Chinese address.
_AREA = re.compile(r"^(.{2,6}?(?:省|自治区|特别行政区))?(.{2,8}?(?:市|州|盟|地区))?(.{1,8}?(?:区|县|旗|市))?")


def area_of(address: str) -> str:
    """The city and district of an address (``上海市浦东新区``), shown masked before a reveal: the
    street and number stay hidden. An address in another form keeps its first 6 characters, as
    ``core.masking.mask_address`` does."""
    address = (address or "").strip()
    if not address:
        return ""
    match = _AREA.match(address)
    area = match.group(0) if match else ""
    if area and len(area) < len(address):
        return area
    return address[:6]


def map_links(query: str, site: Point | None = None) -> dict:
    """Links that open the phone's map app. With the site's coordinates (shown only with the
    revealed address): ``geo`` (RFC 5870, WGS-84), ``web`` navigation in Amap (高德地图) to the
    point converted to GCJ-02 and ``baidu`` a marker at the BD-09 point (``core.geo``). Without
    them, at ``query`` (an address or an area): ``geo`` is the ``geo:0,0?q=…`` URI Android's
    map apps read, ``web`` the Amap URI API search. Nothing is fetched by the server."""
    if site is not None:
        links = geo.map_links(site, label=query)
        return {"geo": links["geo"], "web": links["amap"], "baidu": links["baidu"]}
    if not query:
        return {}
    q = quote(query, safe="")
    return {"geo": f"geo:0,0?q={q}", "web": f"https://uri.amap.com/search?keyword={q}&callnative=1"}


@dataclass
class Agenda:
    sections: dict[str, list] = field(default_factory=dict)
    truncated: bool = False  # more open orders than ``LIMIT``

    @property
    def count(self) -> int:
        return sum(len(rows) for rows in self.sections.values())


def engineer_agenda(*, actor, now: dt.datetime | None = None) -> Agenda:
    """The actor's open orders in sections (``SECTIONS``), each order with ``sla_clocks``,
    ``deadline`` (``Deadline`` or ``None``) and ``on_site`` (checked in, not yet out)."""
    now = now or timezone.now()
    last_visit = (
        WorkOrderEvent.objects.filter(order_id=OuterRef("pk"), action__in=VISIT_EVENTS)
        .order_by("-at", "-id")
        .values("action")[:1]
    )
    qs = (
        visible_to(actor)
        .filter(assignee_id=actor.pk, status__in=sorted(WORKING))
        .select_related("customer", "assignee", "product_model", "sla")
        .annotate(last_visit=Subquery(last_visit))
        .order_by(F("appointment_at").asc(nulls_last=True), "created_at", "id")
    )
    orders = list(qs[: LIMIT + 1])
    agenda = Agenda(sections={s: [] for s in SECTIONS}, truncated=len(orders) > LIMIT)
    orders = orders[:LIMIT]
    attach_clocks(orders)
    today = timezone.localdate(now)
    for o in orders:
        o.deadline = nearest_deadline(o.sla_clocks, now)
        o.on_site = o.last_visit == EventType.CHECK_IN
        agenda.sections[section_of(o.status, o.appointment_at, today)].append(o)
    agenda.sections[OVERDUE].reverse()  # the most recent missed appointment first
    agenda.sections[TO_SCHEDULE].sort(key=lambda o: (o.created_at, o.pk))
    return agenda
