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
import random
from dataclasses import dataclass, field
from decimal import Decimal

from django.utils import timezone

from complaints.choices import Source as ComplaintSource
from complaints.choices import Status as ComplaintStatus
from products.periods import Convention
from products.warranty import Cause, Reason, decide
from service.choices import Channel, Coverage, LineKind, Mode, Priority, ServiceType, Status
from sla.calendar_data import china_calendar

from . import catalogue, surveys
from .archive import World
from .lifecycle import Plan, Weighted, pick_status, plan_order, weighted

# Periods end on working days of the China calendar, as the default business calendar the
# services pass (sla migration 0002 seeds it from the same package); demo terms use the Civil Code.
WORKING_DAY = china_calendar().is_working_day
CIVIL_CODE = Convention.CIVIL_CODE.value

# The notes of a route's steps, by whether the customer writes in Chinese: the staff's notes in
# Chinese, a refusal in the customer's words.
NOTES = {
    zh: {
        "cancel": catalogue.CANCEL_NOTES,
        "reopen": catalogue.REOPEN_NOTES,
        "refuse": tuple(r[0 if zh else 1] for r in catalogue.REFUSALS),
    }
    for zh in (True, False)
}
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
HOURS = tuple(Decimal(n) / 2 for n in range(1, 9))  # a quote's estimate: 0.5 to 4 hours
TRAVEL = (Decimal("50.00"), Decimal("80.00"), Decimal("120.00"), Decimal("150.00"))
CENT = Decimal("0.01")
ONE = Decimal(1)
LABOUR, MATERIAL, TRAVEL_KIND = LineKind.LABOUR.value, LineKind.MATERIAL.value, LineKind.TRAVEL.value
PARTS_PER_REPORT = (0, 1, 1, 2)
COMPLAINT_SOURCES = (
    ComplaintSource.PHONE.value,
    ComplaintSource.EMAIL.value,
    ComplaintSource.API.value,
)  # desk channels
COMPLAINT_STATES = (ComplaintStatus.NEW.value, ComplaintStatus.CLOSED.value)
# Plain strings of the choices the drafting loop compares and stores.
PORTAL, MAIL_IN, ONSITE = Channel.PORTAL.value, Mode.MAIL_IN.value, Mode.ONSITE.value
URGENT, NORMAL = Priority.URGENT.value, Priority.NORMAL.value
WARRANTY, PAID, UNDETERMINED = Coverage.WARRANTY.value, Coverage.PAID.value, Coverage.UNDETERMINED.value
NO_START_DATE = Reason.NO_START_DATE.value
DEFECT = Cause.DEFECT.value
DESK_TYPES = frozenset({ServiceType.SOFTWARE.value, ServiceType.GUIDANCE.value})
CLOSED = Status.CLOSED.value
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


def _table(pairs) -> Weighted:
    """Population as plain strings, with cumulative weights, for ``weighted``."""
    return Weighted.of([p[0].value for p in pairs], [p[1] for p in pairs])


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
    survey: object = None  # surveys.Draw: what follows a closed order's survey (its own random stream)
    shipments: list = field(default_factory=list)  # (direction, carrier, tracking, shipped_at, received_at)
    pk: int = 0
    # what the SLA policy is matched on besides the order's own fields: (tier, region, industrial)
    match: tuple = ("", "", False)
    warranty: dict | None = None  # intake's warranty check of the unit (the create event's payload)
    # the assessment's failed component (the main unit's class), its months and the convention
    failed_component: int | None = None
    months: int = 0
    convention: str = ""


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
        seed: int = 0,
    ):
        self.rng, self.world, self.staff, self.now = rng, world, staff, now
        self.seed = seed  # the surveys' streams (one per order: surveys.draw)
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

    def _appointment(self, plan: Plan) -> dt.datetime:
        start = plan.first("start")
        if start is not None:
            return start.at
        day = timezone.localdate(self.now) + dt.timedelta(days=self.rng.randint(1, 5))
        local = timezone.make_aware(dt.datetime.combine(day, dt.time(self.rng.randint(9, 17))), self.tz)
        return local.astimezone(dt.UTC)

    def draft(self, index: int) -> Draft:
        """One order. The draws are those of ``rng.choice``, ``randrange`` and ``choices``, inlined:
        ``seq[below(len(seq))]`` is ``rng.choice(seq)``, from the same stream."""
        rng, world = self.rng, self.world
        below, random_ = rng._randbelow, rng.random
        showcase = self.showcase[index] if index < len(self.showcase) else None
        day = None  # the request's local day, when needed
        if showcase is not None:
            status, unit = showcase
            created = self.now - dt.timedelta(days=SHOWCASE_AGE[status])
        else:
            status = None
            created = dt.datetime.fromtimestamp(self.times[index], dt.UTC)
            # A sold unit whose sale came before the request, or -1 (a request without a product).
            unit, owned = -1, world.owned_units
            if owned and random_() < 0.85:
                day = created.astimezone(self.tz).date()
                sales = world.unit_sale
                for _ in range(5):
                    candidate = owned[below(len(owned))]
                    if sales[candidate] < day:
                        unit = candidate
                        break
        if unit >= 0:
            model = world.models[world.unit_model[unit]]
            customer = world.unit_owner[unit]
            service_type = weighted(rng, _INDUSTRIAL_TYPES if model.industrial else _SERVICE_TYPES)
        else:
            models = world.models
            model = models[below(len(models))]
            customer = below(len(world.customer_ids))
            service_type = weighted(rng, _NO_UNIT_TYPES)
        status = status or pick_status(rng, (self.now - created).total_seconds() / 86400)
        cause = weighted(rng, _CAUSES)
        warranty = None
        if unit >= 0:
            day = day or created.astimezone(self.tz).date()
            start, months = world.unit_sale[unit], model.main_months
            decision = decide(start=start, months=months, on=day, cause=cause, working_day=WORKING_DAY)
            covered, reason, end = decision.covered, str(decision.reason.value), decision.end
            check = (
                decision
                if cause == DEFECT
                else decide(start=start, months=months, on=day, cause=DEFECT, working_day=WORKING_DAY)
            )
            warranty = {
                "in_period": check.covered,
                "until": check.end.isoformat() if check.end else None,
                "reason": str(check.reason.value),
            }
        else:
            covered, reason, end = False, NO_START_DATE, None
        urgent = random_() < (0.4 if model.industrial else 0.08)
        plan = plan_order(
            rng,
            status=status,
            created_at=created,
            now=self.now,
            paid=not covered,
            urgent=urgent,
            notes=NOTES[world.customer_zh[customer]],
        )
        user = world.customer_users[customer]
        channel = PORTAL if user and random_() < 0.6 else weighted(rng, _CHANNELS)
        fault_type = service_type in FAULT_TYPES
        mode = MAIL_IN if fault_type and random_() < model.mail_in else ONSITE
        if fault_type:
            faults = catalogue.FAULTS[model.line]
            text = faults[below(len(faults))]
        else:
            text = catalogue.GENERIC_REQUESTS.get(service_type)
            if not text:
                faults = catalogue.FAULTS[model.line]
                text = faults[below(len(faults))]
        staff = self.staff
        assigned = plan.first("assign") is not None
        engineer = None
        if assigned:
            engineer = staff.demo_engineer if showcase is not None else staff.engineers[below(len(staff.engineers))]
            department = "field-service"
        elif service_type in DESK_TYPES:
            department = "tech-support"
        else:
            department = "customer-service"
        desk = staff.desk[below(len(staff.desk))]
        preferred_time = PREFERRED_TIMES[below(len(PREFERRED_TIMES))][0 if world.customer_zh[customer] else 1]
        assessed = plan.assessed
        d = Draft(
            plan.status,
            plan,
            world.customer_ids[customer],
            world.customer_names[customer][:120],
            world.customer_phones[customer],
            world.unit_ids[unit] if unit >= 0 else None,
            world.unit_serials[unit] if unit >= 0 else "",
            model.id if unit >= 0 else None,
            service_type,
            URGENT if urgent else NORMAL,
            channel,
            mode,
            text[0] if world.customer_zh[customer] else text[1],
            world.customer_addresses[customer],
            preferred_time,
            engineer,
            self.departments[department],
            self._appointment(plan) if assigned else None,
            (WARRANTY if covered else PAID) if assessed else UNDETERMINED,
            reason if assessed else "",
            cause if assessed else "",
            user if (channel == PORTAL and user) else desk,
            desk,
            user,
            end,
            [],
        )
        d.match = (world.customer_tiers[customer], world.customer_regions[customer], model.industrial and unit >= 0)
        d.warranty = warranty
        if assessed and unit >= 0:
            d.failed_component, d.months, d.convention = world.main_class_id, model.main_months, CIVIL_CODE
        self._details(d, model.line, zh=world.customer_zh[customer])
        if d.plan.first("close") is not None:
            d.survey = surveys.draw(self.seed, index)
        return d

    def _details(self, d: Draft, line: str, *, zh: bool) -> None:
        """Parts, quote lines, report, a later complaint (in the customer's words: ``zh``), shipments."""
        rng, plan = self.rng, d.plan
        below, bits = rng._randbelow, rng.getrandbits
        reported = plan.first("report") is not None
        quoted = plan.quote_status
        if quoted or reported:
            pool = catalogue.PARTS[line]
            if reported:
                chosen = _sample(below, pool, PARTS_PER_REPORT[below(4)])
            else:
                chosen = (pool[below(len(pool))],)
            d.parts = [
                (number, name, _decimal(price), f"{number}-{bits(32):08X}", f"{number}-{bits(32):08X}")
                for number, name, _name_en, price in chosen
            ]
        if quoted:
            hours = HOURS[below(8)]
            items = [(LABOUR, "人工", hours, LABOUR_RATES[below(3)])]
            items += [(MATERIAL, name, ONE, price) for _n, name, price, _o, _s in d.parts]
            if d.mode == ONSITE:
                items.append((TRAVEL_KIND, "上门交通", ONE, TRAVEL[below(4)]))
            d.quote_lines = [(k, desc, q, p, _amount(q, p)) for k, desc, q, p in items]
            d.quote_hours = hours
        if reported:
            cause, process = REPORTS[below(len(REPORTS))]
            d.report = (cause, process, 20 + below(281))
        if d.status == CLOSED and rng.random() < 0.015:
            at = min(plan.steps[-1].at + dt.timedelta(days=rng.uniform(0.5, 10)), self.now)
            source = COMPLAINT_SOURCES[below(3)]
            text = catalogue.COMPLAINTS[below(len(catalogue.COMPLAINTS))][0 if zh else 1]
            d.complaint = (at, source, text, COMPLAINT_STATES[below(2)])
        if d.mode == MAIL_IN:
            schedule = plan.first("schedule")
            if schedule is None:
                return
            carrier, start, resolve = CARRIERS[below(len(CARRIERS))], plan.first("start"), plan.last("resolve")
            d.shipments.append(("in", carrier, f"SF{below(10**12):012d}", schedule.at, start.at if start else None))
            if resolve is not None:
                # back to the customer after the repair, before the next step (the services refuse a
                # parcel on a finished order); received by the customer, who marks it in the portal
                following = plan.route.lasts["resolve"] + 1
                if following < len(plan.steps):
                    shipped = resolve.at + (plan.steps[following].at - resolve.at) * rng.uniform(0.2, 0.8)
                else:
                    shipped = min(resolve.at + dt.timedelta(hours=rng.uniform(2, 24)), self.now)
                received = shipped + dt.timedelta(days=rng.uniform(1, 3))
                if received > self.now or d.customer_user is None:
                    received = None
                d.shipments.append(("out", carrier, f"SF{below(10**12):012d}", shipped, received))


REPORTS, CARRIERS, PREFERRED_TIMES = catalogue.REPORTS, catalogue.CARRIERS, catalogue.PREFERRED_TIMES
_DECIMALS: dict[str, Decimal] = {}
_AMOUNTS: dict[tuple[Decimal, Decimal], Decimal] = {}


def _decimal(text: str) -> Decimal:
    value = _DECIMALS.get(text)
    if value is None:
        value = _DECIMALS[text] = Decimal(text)
    return value


def _amount(quantity: Decimal, price: Decimal) -> Decimal:
    """quantity × price to the cent (few distinct pairs: computed once each)."""
    key = (quantity, price)
    value = _AMOUNTS.get(key)
    if value is None:
        value = _AMOUNTS[key] = (quantity * price).quantize(CENT)
    return value


def _sample(below, pool, k: int) -> list:
    """``rng.sample(pool, k)`` for a pool of at most 21 (its list-based branch), inlined."""
    n = len(pool)
    assert n <= 21
    work, result = list(pool), []
    for i in range(k):
        j = below(n - i)
        result.append(work[j])
        work[j] = work[n - i - 1]
    return result
