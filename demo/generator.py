"""``seed_demo``: a reproducible demo data set, from a handful of orders to a million.

Same seed, same data: every choice comes from one ``random.Random(seed)`` and every
time is an offset from ``now`` (the command passes the current hour, so two runs in
the same hour write the same history).

Two ways to write the orders, from the same drafts (``drafts.OrderDrafter``):

- **through the services** (the default up to ``SERVICES_LIMIT`` orders, what ``make run``
  loads): ``history.Replay`` calls intake, the transitions, quotes, reports, acceptances,
  shipments and complaints with ``now=`` each step's historic moment, so every row is what
  the product writes — SLA snapshot and clocks, events, audit rows, notifications;
- **in bulk** (benchmarks, up to a million orders): plain tuples below the services, in the
  same shape. The bulk path does not go through the services (one service call per event
  would take hours for a million orders) but keeps their invariants: every event is a legal
  move of ``service.workflow.TRANSITIONS`` from the state before it, the order's status is
  the last event's ``to_status``, ``version`` is what the services would have counted, the
  coverage is the warranty rule's decision on the request day, and the SLA snapshot and
  clocks are what the SLA engine computes for that history (``bulk_clocks``), with an audit
  row per service call (``OrderFormatter``). ``demo/tests/test_shapes.py`` holds the two
  paths to the same rows per order.

Customers and units (the CRM and the product archive, imported in a real installation) are
written in bulk on both paths.

Historic times in bulk: ``auto_now``/``auto_now_add`` fields overwrite any value given on
insert, ``bulk_create`` included. The loader does not need a workaround: it writes its rows
as plain tuples through ``bulk.Table`` (``COPY`` / ``executemany``; see there why),
below the ORM's ``pre_save``, so ``created_at``, ``updated_at``, ``at``… keep exactly
the historic values the generator computed.

The bulk load is one transaction (``bulk.load_scope``). Inside it the loaded tables'
non-unique indexes are dropped and built again at the end, and their foreign keys are
checked once over all the loaded rows instead of row by row (``bulk.indexes_deferred``);
primary keys, unique and check constraints stay in force throughout. When it commits,
every index is back and every reference has been checked; if anything fails, nothing
of the load remains. The service path commits each service call (domain events reach
their subscribers after each commit, as in production): a failed load says so, and the
database must be emptied before loading again.
"""

import datetime as dt
import random
import time
from collections.abc import Callable
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from accounts.choices import Role
from complaints.models import Complaint
from core.models import AuditLog
from customers.models import Address, Contact, Customer
from feedback.models import Answer, FollowUp, Invitation, Response, SurveyVersion
from products.models import Unit
from service.models import (
    Acceptance,
    OrderSla,
    PartUsed,
    Quote,
    QuoteLine,
    RepairReport,
    Shipment,
    WorkOrder,
    WorkOrderClock,
    WorkOrderEvent,
)
from service.tasks import engineer_loads_recount
from sla.escalation import scan_clocks

from . import archive, bulk, feedback, history, improvement, people, showcase
from .complaints import complaints_year
from .drafts import OrderDrafter, Staff
from .models import DemoDataset
from .orders import write_orders

LOADED = (
    Customer,
    Address,
    Contact,
    Unit,
    WorkOrder,
    WorkOrderEvent,
    Quote,
    QuoteLine,
    RepairReport,
    PartUsed,
    Acceptance,
    Complaint,
    Shipment,
    OrderSla,
    WorkOrderClock,
    Invitation,
    Response,
    Answer,
    FollowUp,
    AuditLog,
)


@dataclass(frozen=True)
class Sizes:
    orders: int
    customers: int
    units: int

    @classmethod
    def for_orders(cls, orders: int) -> "Sizes":
        """About five orders per customer and three per unit over the year."""
        return cls(orders=orders, customers=max(30, orders // 5), units=max(60, orders // 3))


@dataclass
class Result:
    orders: int
    rows: int
    seconds: float
    calls: int = 0  # service calls (the service path)


# Up to this many orders, ``seed_demo`` writes them through the services by default.
SERVICES_LIMIT = 20_000
ARCHIVE = (Customer, Address, Contact, Unit)


def generate(
    *,
    seed: int,
    orders: int,
    now: dt.datetime,
    batch: int = 5000,
    progress: Callable[[str, int, int, int, float], None] | None = None,
    helper: bool | None = None,
    through_services: bool | None = None,
    scan_at: dt.datetime | None = None,
    each: Callable | None = None,
) -> Result:
    """Write the demo data set; ``progress(stage, done, total, rows, seconds)`` after each batch.

    ``through_services``: write the orders through the services (default: up to
    ``SERVICES_LIMIT`` orders) or in bulk. ``helper``: draft the bulk orders in a helper
    process (default: for large sets, see ``orders``). ``scan_at``: when the SLA scan that
    ends the load runs (default: the real current time, as the minute job would). ``each``:
    see ``history.Replay.run`` (tests).
    """
    started = time.monotonic()
    now = now.astimezone(dt.UTC)
    if through_services is None:
        through_services = orders <= SERVICES_LIMIT
    rng = random.Random(seed)
    sizes = Sizes.for_orders(orders)
    day = showcase.engineer_day_size(orders)  # the demo engineer's day: written last, part of the count
    drafted = orders - day
    totals = {"rows": 0}

    def report(stage: str, done: int, total: int, rows: int) -> None:
        if progress is not None:
            progress(stage, done, total, totals["rows"] + rows, time.monotonic() - started)

    with transaction.atomic():  # reference data: a few rows, written the ordinary way
        departments = people.ensure_departments()
        users = people.ensure_demo_users(seed=seed, departments=departments)
        demo_customers = people.ensure_demo_customers(users)
        totals["rows"] += people.ensure_engineer_profiles(users)
        world = archive.World()
        totals["rows"] += len(departments) + 2 * len(users) + archive.ensure_catalogue(world)

    def rebuilding() -> None:
        if progress is not None:
            progress("indexes", 0, 1, totals["rows"], time.monotonic() - started)

    staff = Staff(
        desk=[u.pk for u in users.values() if u.role in (Role.AGENT, Role.TECH_SUPPORT, Role.SUPERVISOR)],
        engineers=[u.pk for u in users.values() if u.role == Role.ENGINEER],
        demo_engineer=users["engineer"].pk,
    )
    departments_ids = {k: d.pk for k, d in departments.items()}
    calls = 0
    if through_services:
        with bulk.load_scope(ARCHIVE, rebuilding=rebuilding):
            totals["rows"] += _archive(rng, world, sizes, now, batch, demo_customers, report)
        drafter = OrderDrafter(rng, world, staff, now=now, count=drafted, departments=departments_ids, seed=seed)
        drafts = [drafter.draft(i) for i in range(drafted)]
        replay = history.Replay(drafts, users={u.pk: u for u in users.values()}, departments=departments_ids, now=now)

        def moved(done: int, total: int, calls: int) -> None:
            if progress is not None:  # (stage "services": the count is of service calls, not rows)
                progress("services", done, total, calls, time.monotonic() - started)

        counts = replay.run(progress=moved, scan_at=scan_at, each=each)
        calls = counts.calls
        totals["rows"] += sum(m.objects.count() for m in history.WRITTEN)
    else:
        # Events are written order after order (ascending order ids): see bulk.indexes_deferred.
        with bulk.load_scope(LOADED, rebuilding=rebuilding, in_order=[(WorkOrderEvent, "order")]):
            totals["rows"] += _archive(rng, world, sizes, now, batch, demo_customers, report)
            drafter = OrderDrafter(rng, world, staff, now=now, count=drafted, departments=departments_ids, seed=seed)
            people_ids = {"agent": users["agent"].pk, "lead": users["supervisor"].pk}
            totals["rows"] += write_orders(
                drafter, count=drafted, batch=batch, report=report, people=people_ids, helper=helper
            )
            if Response.objects.exists():  # the services mark the survey's version answered (frozen)
                SurveyVersion.objects.filter(pk__in=Response.objects.values("version")).update(answered=True)
        engineer_loads_recount()
        scan_clocks(now=scan_at or timezone.now())  # the minute job's first pass, as on the service path
    if day:  # before the engineers take automatic assignments again: the desk assigns these by hand
        totals["rows"] += showcase.engineer_day_showcase(users=users, now=now)
    people.make_room_for_new_orders()
    totals["rows"] += complaints_year(users=users, now=now, seed=seed)  # docs/complaints.md
    with transaction.atomic():
        totals["rows"] += showcase.complaints_showcase(users=users)
    totals["rows"] += feedback.feedback_showcase(users=users, now=now, seed=seed)
    totals["rows"] += improvement.improvement_showcase(users=users, now=now)
    seconds = time.monotonic() - started
    DemoDataset.objects.create(seed=seed, orders=orders, rows=totals["rows"], seconds=round(seconds, 2))
    return Result(orders=orders, rows=totals["rows"], seconds=seconds, calls=calls)


def _archive(rng, world, sizes: Sizes, now, batch: int, demo_customers, report) -> int:
    rows = archive.create_customers(
        rng, world, count=sizes.customers, now=now, batch=batch, demo=demo_customers, report=report
    )
    return rows + archive.create_units(rng, world, count=sizes.units, now=now, batch=batch, report=report)


def current_seed() -> int | None:
    """The seed of the last demo data set loaded, if any."""
    return DemoDataset.objects.values_list("seed", flat=True).first()
