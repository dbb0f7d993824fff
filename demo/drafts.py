"""Deciding everything about one demo work order, without touching the database.

For each order: who, what, when (``created_at`` over the last 365 days, denser
recently, ascending so that numbers grow with time), a target state that depends on
its age, the warranty decision made from the unit's sale date and main-unit term on
the day of the request (the same pure rule ``service`` uses), a plan of events from
``lifecycle.plan_order``, and every random detail of its quote, repair report,
complaint and shipments. All randomness of the orders lives here, drawn from one
``random.Random`` in order, so the same seed gives the same orders whatever the
database and however the writing is scheduled.
"""

import datetime as dt
import itertools
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from service.choices import Channel, Coverage, LineKind, Mode, Priority, ServiceType, Status
from service.models import Complaint
from warranty.rules import Cause, Reason, decide

from . import catalogue
from .archive import World
from .lifecycle import Plan, pick_status, plan_order

NOTES = {"cancel": catalogue.CANCEL_NOTES, "reopen": catalogue.REOPEN_NOTES, "refuse": catalogue.REFUSALS}
SERVICE_TYPES = (
    (ServiceType.REPAIR, 55),
    (ServiceType.PARTS, 8),
    (ServiceType.INSTALLATION, 10),
    (ServiceType.GUIDANCE, 5),
    (ServiceType.SOFTWARE, 5),
    (ServiceType.CONSULTATION, 4),
    (ServiceType.RETURN, 3),
    (ServiceType.MAINTENANCE, 7),
    (ServiceType.FOLLOW_UP, 3),
)
INDUSTRIAL_TYPES = (
    (ServiceType.REPAIR, 50),
    (ServiceType.MAINTENANCE, 30),
    (ServiceType.SOFTWARE, 10),
    (ServiceType.INSTALLATION, 10),
)
NO_UNIT_TYPES = (
    (ServiceType.CONSULTATION, 40),
    (ServiceType.GUIDANCE, 30),
    (ServiceType.REPAIR, 20),
    (ServiceType.INSTALLATION, 10),
)
CHANNELS = (
    (Channel.PHONE, 40),
    (Channel.EMAIL, 12),
    (Channel.CHAT, 15),
    (Channel.WECHAT, 18),
    (Channel.APP, 10),
    (Channel.API, 5),
)
CAUSES = (
    (Cause.DEFECT, 70),
    (Cause.MISUSE, 8),
    (Cause.ACCIDENT, 7),
    (Cause.WEAR, 6),
    (Cause.MANUAL_ERROR, 3),
    (Cause.TRANSPORT_DAMAGE, 3),
    (Cause.UNAUTHORISED_REPAIR, 2),
    (Cause.FORCE_MAJEURE, 1),
)
FAULT_TYPES = frozenset({ServiceType.REPAIR.value, ServiceType.PARTS.value})
LABOUR_RATES = (Decimal("150.00"), Decimal("200.00"), Decimal("300.00"))
TRAVEL = (Decimal("50.00"), Decimal("80.00"), Decimal("120.00"), Decimal("150.00"))
CENT = Decimal("0.01")
# The demo customer's showcase orders (one per state): days since the request.
SHOWCASE_AGE = {
    Status.NEW: 0.1,
    Status.ACKNOWLEDGED: 0.4,
    Status.ASSESSED: 1,
    Status.SCHEDULED: 2,
    Status.IN_SERVICE: 3,
    Status.AWAITING_PARTS: 6,
    Status.AWAITING_CUSTOMER: 4,
    Status.RESOLVED: 7,
    Status.ACCEPTED: 9,
    Status.CLOSED: 45,
    Status.CANCELLED: 20,
    Status.REOPENED: 15,
}


def _table(pairs):
    """(population as plain strings, cumulative weights) for ``_pick``."""
    return [p[0].value for p in pairs], list(itertools.accumulate(p[1] for p in pairs))


def _pick(rng: random.Random, table):
    return rng.choices(table[0], cum_weights=table[1])[0]


_SERVICE_TYPES, _INDUSTRIAL_TYPES, _NO_UNIT_TYPES = (
    _table(SERVICE_TYPES),
    _table(INDUSTRIAL_TYPES),
    _table(NO_UNIT_TYPES),
)
_CHANNELS, _CAUSES = _table(CHANNELS), _table(CAUSES)


@dataclass(frozen=True)
class Staff:
    desk: list[int]  # agents, support, supervisors: who acknowledges, assesses, schedules
    engineers: list[int]
    demo_engineer: int | None


@dataclass(slots=True)
class Draft:
    """One order: its row values and the decided details of its related rows."""

    status: str
    plan: Plan
    customer_id: int
    contact_name: str
    contact_phone: str
    unit_id: int | None
    serial: str
    product_model_id: int | None
    service_type: str
    priority: str
    channel: str
    mode: str
    fault: str
    address: str
    preferred_time: str
    assignee: int | None
    department: int
    appointment_at: dt.datetime | None
    coverage: str
    coverage_reason: str
    cause: str
    created_by: int
    desk: int
    customer_user: int | None
    decision_end: dt.date | None
    parts: list  # (part number, name, price, old serial, new serial)
    quote_lines: list = field(default_factory=list)  # (kind, description, quantity, unit price, amount)
    quote_hours: Decimal | None = None
    report: tuple | None = None  # (cause, process, minutes)
    complaint: tuple | None = None  # (at, source, text, status): a complaint after closing
    shipments: list = field(default_factory=list)  # (direction, carrier, tracking, shipped_at, received_at)
    pk: int = 0


class OrderDrafter:
    def __init__(
        self,
        rng: random.Random,
        world: World,
        staff: Staff,
        *,
        now: dt.datetime,
        count: int,
        departments: dict[str, int],
    ):
        self.rng, self.world, self.staff, self.now = rng, world, staff, now
        self.departments = departments
        self.tz = timezone.get_current_timezone()
        self.showcase = self._showcase()
        self.times = self._creation_times(count)

    def _showcase(self) -> list[tuple[str, int]]:
        """The first orders: every state once for the demo customer, on their units."""
        units = self.world.demo_units.get("customer") or []
        if not units:
            return []
        return [(status.value, units[i % len(units)]) for i, status in enumerate(Status)]

    def _creation_times(self, count: int) -> list[float]:
        """When each order came in (POSIX seconds, ascending, so ids grow with time like real numbers).

        Spread over the last 365 days, denser recently; older than a day means during the
        day (08:00–22:00 local time).
        """
        rng, now, tz, times = self.rng, self.now, self.tz, []
        latest = (now - dt.timedelta(hours=1)).timestamp()
        for _ in range(count):
            age = 365.0 * rng.random() ** 1.5
            created = now - dt.timedelta(days=age)
            if age > 1:
                local = created.astimezone(tz).replace(
                    hour=rng.randint(8, 21), minute=rng.randrange(60), second=rng.randrange(60)
                )
                times.append(min(local.timestamp(), latest))
            else:
                times.append(created.timestamp())
        times.sort()
        return times

    def _pick_unit(self, created: dt.datetime) -> int:
        """A sold unit whose sale came before the request, or -1 (a request without a product)."""
        world, rng = self.world, self.rng
        if not world.owned_units or rng.random() >= 0.85:
            return -1
        day = created.astimezone(self.tz).date()
        for _ in range(5):
            unit = rng.choice(world.owned_units)
            if world.unit_sale[unit] < day:
                return unit
        return -1

    def _appointment(self, plan: Plan) -> dt.datetime:
        start = plan.first("start")
        if start is not None:
            return start.at
        day = timezone.localdate(self.now) + dt.timedelta(days=self.rng.randint(1, 5))
        local = timezone.make_aware(dt.datetime.combine(day, dt.time(self.rng.randint(9, 17))), self.tz)
        return local.astimezone(dt.UTC)

    def draft(self, index: int) -> Draft:
        rng, world = self.rng, self.world
        showcase = self.showcase[index] if index < len(self.showcase) else None
        if showcase is not None:
            status, unit = showcase
            created = self.now - dt.timedelta(days=SHOWCASE_AGE[status])
        else:
            status = None
            created = dt.datetime.fromtimestamp(self.times[index], dt.UTC)
            unit = self._pick_unit(created)
        if unit >= 0:
            model = world.models[world.unit_model[unit]]
            customer = world.unit_owner[unit]
            service_type = _pick(rng, _INDUSTRIAL_TYPES if model.industrial else _SERVICE_TYPES)
        else:
            model = rng.choice(world.models)
            customer = rng.randrange(len(world.customer_ids))
            service_type = _pick(rng, _NO_UNIT_TYPES)
        status = status or pick_status(rng, (self.now - created).total_seconds() / 86400)
        cause = _pick(rng, _CAUSES)
        if unit >= 0:
            decision = decide(
                start=world.unit_sale[unit],
                months=model.main_months,
                on=created.astimezone(self.tz).date(),
                cause=cause,
            )
            covered, reason, end = decision.covered, str(decision.reason.value), decision.end
        else:
            covered, reason, end = False, Reason.NO_START_DATE.value, None
        urgent = rng.random() < (0.4 if model.industrial else 0.08)
        plan = plan_order(
            rng, status=status, created_at=created, now=self.now, paid=not covered, urgent=urgent, notes=NOTES
        )
        user = world.customer_users[customer]
        channel = Channel.PORTAL.value if user and rng.random() < 0.6 else _pick(rng, _CHANNELS)
        mode = Mode.MAIL_IN.value if service_type in FAULT_TYPES and rng.random() < model.mail_in else Mode.ONSITE.value
        if service_type in FAULT_TYPES:
            text = rng.choice(catalogue.FAULTS[model.line])
        else:
            text = catalogue.GENERIC_REQUESTS.get(service_type) or rng.choice(catalogue.FAULTS[model.line])
        assigned = plan.first("assign") is not None
        engineer = None
        if assigned:
            engineer = self.staff.demo_engineer if showcase is not None else rng.choice(self.staff.engineers)
        if assigned:
            department = "field-service"
        elif service_type in (ServiceType.SOFTWARE.value, ServiceType.GUIDANCE.value):
            department = "tech-support"
        else:
            department = "customer-service"
        desk = rng.choice(self.staff.desk)
        d = Draft(
            status=plan.status,
            plan=plan,
            customer_id=world.customer_ids[customer],
            contact_name=world.customer_names[customer][:120],
            contact_phone=world.customer_phones[customer],
            unit_id=world.unit_ids[unit] if unit >= 0 else None,
            serial=world.unit_serials[unit] if unit >= 0 else "",
            product_model_id=model.id if unit >= 0 else None,
            service_type=service_type,
            priority=Priority.URGENT.value if urgent else Priority.NORMAL.value,
            channel=channel,
            mode=mode,
            fault=text[0] if world.customer_zh[customer] else text[1],
            address=world.customer_addresses[customer],
            preferred_time=rng.choice(catalogue.PREFERRED_TIMES),
            assignee=engineer,
            department=self.departments[department],
            appointment_at=self._appointment(plan) if assigned else None,
            coverage=(Coverage.WARRANTY.value if covered else Coverage.PAID.value)
            if plan.assessed
            else Coverage.UNDETERMINED.value,
            coverage_reason=reason if plan.assessed else "",
            cause=cause if plan.assessed else "",
            created_by=user if (channel == Channel.PORTAL and user) else desk,
            desk=desk,
            customer_user=user,
            decision_end=end,
            parts=[],
        )
        self._details(d, model.line)
        return d

    def _details(self, d: Draft, line: str) -> None:
        """Parts, quote lines, report, a later complaint, shipments."""
        rng, plan = self.rng, d.plan
        reported = plan.first("report") is not None
        if plan.quote_status or reported:
            pool = catalogue.PARTS[line]
            chosen = rng.sample(pool, k=rng.choice((0, 1, 1, 2))) if reported else [rng.choice(pool)]
            d.parts = [
                (
                    number,
                    name,
                    Decimal(price),
                    f"{number}-{rng.getrandbits(32):08X}",
                    f"{number}-{rng.getrandbits(32):08X}",
                )
                for number, name, price in chosen
            ]
        if plan.quote_status:
            hours = Decimal(rng.randint(1, 8)) / 2
            items = [(LineKind.LABOUR.value, "人工 Labour", hours, rng.choice(LABOUR_RATES))]
            items += [(LineKind.MATERIAL.value, name, Decimal(1), price) for _n, name, price, _o, _s in d.parts]
            if d.mode == Mode.ONSITE:
                items.append((LineKind.TRAVEL.value, "上门交通 Travel", Decimal(1), rng.choice(TRAVEL)))
            d.quote_lines = [(k, desc, q, p, (q * p).quantize(CENT)) for k, desc, q, p in items]
            d.quote_hours = hours
        if reported:
            cause, process = rng.choice(catalogue.REPORTS)
            d.report = (cause, process, rng.randint(20, 300))
        if d.status == Status.CLOSED and rng.random() < 0.015:
            at = min(plan.steps[-1].at + dt.timedelta(days=rng.uniform(0.5, 10)), self.now)
            source = rng.choice(
                (Complaint.Source.PHONE.value, Complaint.Source.EMAIL.value, Complaint.Source.ONLINE.value)
            )
            d.complaint = (at, source, rng.choice(catalogue.COMPLAINTS), rng.choice(("open", "closed")))
        schedule = plan.first("schedule")
        if d.mode == Mode.MAIL_IN and schedule is not None:
            carrier, start, resolve = rng.choice(catalogue.CARRIERS), plan.first("start"), plan.last("resolve")
            d.shipments.append(
                ("in", carrier, f"SF{rng.randrange(10**12):012d}", schedule.at, start.at if start else None)
            )
            if resolve is not None:
                shipped = min(resolve.at + dt.timedelta(hours=rng.uniform(2, 24)), self.now)
                received = shipped + dt.timedelta(days=rng.uniform(1, 3))
                d.shipments.append(
                    (
                        "out",
                        carrier,
                        f"SF{rng.randrange(10**12):012d}",
                        shipped,
                        received if received <= self.now else None,
                    )
                )
