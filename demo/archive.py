"""The master data of the demo: product catalogue, customers and their units.

The catalogue is small and written with ``update_or_create``; customers and units are
built in memory as tuples and written in batches (``bulk.Table``). What the order generator
needs afterwards (ids, names, dates) is kept in compact lists in ``World``.
"""

import datetime as dt
import random
from collections.abc import Callable
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone

from customers.models import Address, Contact, Customer
from products.models import ComponentClass, ProductLine, ProductModel, Unit, WarrantyTerm

from . import catalogue
from .bulk import Adapters, Ids, Table
from .lifecycle import Weighted, weighted

PRODUCT_MIX = {"air-conditioner": 34, "smart-lock": 26, "camera": 18, "robot-vacuum": 18, "production-line": 4}
# The units each demo customer owns: (model code, days since the sale).
DEMO_UNITS = {
    "customer": (("KFR-35GW/B3", 400), ("SL-X3PRO", 200), ("CAM-C2", 900), ("RV-S9MAX", 1500)),
    "customer2": (("KFR-72LW/C2", 300), ("CAM-P9", 120)),
    "customer3": (("PL-SMT2000", 250), ("PL-PK5000", 500)),
}


@dataclass(slots=True)
class ModelInfo:
    id: int
    code: str
    line: str
    prefix: str
    main_months: int
    industrial: bool
    mail_in: float
    colours: tuple
    dealers: tuple


@dataclass
class World:
    """What later stages need to know about the rows already written."""

    models: list[ModelInfo] = field(default_factory=list)
    main_class_id: int | None = None  # the component class an assessment without a named one decides by
    # customers, by index
    customer_ids: list[int] = field(default_factory=list)
    customer_names: list[str] = field(default_factory=list)
    customer_phones: list[str] = field(default_factory=list)
    customer_addresses: list[str] = field(default_factory=list)
    customer_zh: list[bool] = field(default_factory=list)  # writes in Chinese
    customer_tiers: list[str] = field(default_factory=list)
    customer_regions: list[str] = field(default_factory=list)
    customer_users: list[int | None] = field(default_factory=list)
    companies: list[int] = field(default_factory=list)
    # units, by index
    unit_ids: list[int] = field(default_factory=list)
    unit_serials: list[str] = field(default_factory=list)
    unit_owner: list[int] = field(default_factory=list)  # customer index, -1 when unsold
    unit_model: list[int] = field(default_factory=list)  # index into models
    unit_sale: list[dt.date] = field(default_factory=list)
    owned_units: list[int] = field(default_factory=list)
    demo_units: dict[str, list[int]] = field(default_factory=dict)
    demo_customer_index: dict[str, int] = field(default_factory=dict)


def ensure_catalogue(world: World) -> int:
    """Component classes, product lines, models and warranty terms; returns rows written."""
    rows = 0
    classes = {c.code: c for c in ComponentClass.objects.all()}
    for code, name, name_en, kind in catalogue.EXTRA_COMPONENT_CLASSES:
        if code not in classes:
            classes[code] = ComponentClass.objects.create(code=code, name=name, name_en=name_en, kind=kind)
            rows += 1
    world.main_class_id = classes["main"].pk
    for line_code, ((name, name_en), industrial, colours, dealers, mail_in, models) in catalogue.PRODUCT_LINES.items():
        line, _ = ProductLine.objects.update_or_create(
            code=line_code, defaults={"name": name, "name_en": name_en, "is_industrial": industrial}
        )
        rows += 1
        for code, model_name, model_name_en, prefix, overrides in models:
            model, _ = ProductModel.objects.update_or_create(
                code=code, defaults={"name": model_name, "name_en": model_name_en, "line": line}
            )
            terms = {**catalogue.DEFAULT_TERMS, **overrides}
            for class_code, months in terms.items():
                WarrantyTerm.objects.update_or_create(
                    model=model, component_class=classes[class_code], defaults={"months": months}
                )
            rows += 1 + len(terms)
            world.models.append(
                ModelInfo(model.pk, code, line_code, prefix, terms["main"], industrial, mail_in, colours, dealers)
            )
    return rows


# The draws below are those of rng.choice/randint/randrange, inlined (hundreds of thousands
# of customers): ``seq[below(len(seq))]`` is ``rng.choice(seq)``, ``a + below(b - a + 1)``
# is ``rng.randint(a, b)``, from the same stream.
MOBILE_PREFIXES, STREETS, EMAIL_DOMAINS = catalogue.MOBILE_PREFIXES, catalogue.STREETS, catalogue.EMAIL_DOMAINS
SURNAMES, GIVEN_NAMES, PLACES = catalogue.SURNAMES, catalogue.GIVEN_NAMES, catalogue.PLACES


def _mobile(rng: random.Random) -> str:
    below = rng._randbelow
    return MOBILE_PREFIXES[below(len(MOBILE_PREFIXES))] + f"{below(10**8):08d}"


def _street_address(rng: random.Random, district: str) -> str:
    below = rng._randbelow
    return (
        f"{district}{STREETS[below(len(STREETS))]}{1 + below(999)}号"
        f"{1 + below(30)}栋{1 + below(6)}单元{1 + below(33)}{1 + below(4):02d}室"
    )


def _chinese_name(rng: random.Random) -> str:
    below = rng._randbelow
    return SURNAMES[below(len(SURNAMES))] + GIVEN_NAMES[below(len(GIVEN_NAMES))]


def _person(rng: random.Random, i: int) -> tuple[str, bool, str]:
    """(name, writes in Chinese?, email) of a private customer: a Chinese name (the demo is set
    in mainland China); one in seven writes to the service in English."""
    below = rng._randbelow
    name = _chinese_name(rng)
    return name, rng.random() < 0.85, f"c{i:07d}@{EMAIL_DOMAINS[below(len(EMAIL_DOMAINS))]}"


CUSTOMER_COLUMNS = ("id", "name", "kind", "tier", "phone", "email", "region", "user_id", "created_at")
ADDRESS_COLUMNS = ("customer_id", "label", "province", "city", "line", "is_default")
CONTACT_COLUMNS = ("customer_id", "name", "phone", "email", "is_primary")
UNIT_COLUMNS = (
    "id",
    "serial",
    "model_id",
    "batch",
    "production_date",
    "sale_date",
    "purchase_date",
    "channel",
    "channel_en",
    "colour",
    "colour_en",
    "owner_id",
    "proof_id",
    "status",
    "replaced_by_id",
    "registered_at",
)


def create_customers(
    rng: random.Random, world: World, *, count: int, now: dt.datetime, batch: int, demo: dict, report: Callable
) -> int:
    """``count`` customers (5 % companies) with one address each and some contacts; returns rows written."""
    for username, customer in demo.items():
        world.demo_customer_index[username] = len(world.customer_ids)
        address = customer.addresses.first()
        _remember(
            world,
            customer.pk,
            customer.name,
            customer.phone,
            str(address) if address else "",
            zh=username not in catalogue.DEMO_CUSTOMERS_IN_ENGLISH,
            company=customer.kind == Customer.Kind.COMPANY,
            user=customer.user_id,
            tier=customer.tier,
            region=customer.region,
        )
    adapt = Adapters(compact=True)
    tables = (
        Table(Customer, CUSTOMER_COLUMNS, compact=True),
        Table(Address, ADDRESS_COLUMNS, compact=True),
        Table(Contact, CONTACT_COLUMNS, compact=True),
    )
    rows, done, ids = 0, 0, Ids(Customer)
    below = rng._randbelow
    while done < count:
        size = min(batch, count - done)
        with transaction.atomic():
            customers, addresses, contacts = [], [], []
            for pk, i in zip(ids.take(size), range(done, done + size), strict=True):
                province, city, districts = PLACES[below(len(PLACES))]
                company = rng.random() < 0.05
                if company:
                    name = f"{city[:-1]}{rng.choice(catalogue.COMPANY_WORDS)}{rng.choice(catalogue.COMPANY_KINDS)}"
                    zh, email = True, f"service{i}@{rng.choice(catalogue.EMAIL_DOMAINS)}"
                else:
                    name, zh, email = _person(rng, i)
                phone = _mobile(rng)
                email = email if rng.random() < 0.8 else ""
                tier = Customer.Tier.KEY if rng.random() < (0.5 if company else 0.03) else Customer.Tier.STANDARD
                created = now - dt.timedelta(days=rng.uniform(30, 5 * 365))
                customers.append(
                    (
                        pk,
                        name,
                        Customer.Kind.COMPANY if company else Customer.Kind.PERSON,
                        tier,
                        phone,
                        email,
                        province,
                        None,
                        adapt.ts(created),
                    )
                )
                line = _street_address(rng, districts[below(len(districts))])
                addresses.append((pk, "默认", province, city, line, True))
                if company:
                    contacts.append((pk, _chinese_name(rng), _mobile(rng), email, True))
                elif rng.random() < 0.2:
                    person = _chinese_name(rng)
                    contacts.append((pk, person, _mobile(rng), f"f{i:07d}@example.com", False))
                _remember(
                    world,
                    pk,
                    name,
                    phone,
                    f"{province} {city} {line}",
                    zh=zh,
                    company=company,
                    tier=tier,
                    region=province,
                )
            for table, batch_rows in zip(tables, (customers, addresses, contacts), strict=True):
                rows += table.insert(batch_rows)
        done += size
        report("customers", done, count, rows)
    return rows


def _remember(
    world: World,
    pk: int,
    name: str,
    phone: str,
    address: str,
    *,
    zh: bool,
    company: bool,
    tier: str,
    region: str,
    user: int | None = None,
) -> None:
    if company:
        world.companies.append(len(world.customer_ids))
    world.customer_ids.append(pk)
    world.customer_names.append(name)
    world.customer_phones.append(phone)
    world.customer_addresses.append(address)
    world.customer_zh.append(zh)
    world.customer_users.append(user)
    world.customer_tiers.append(tier)
    world.customer_regions.append(region)


def create_units(
    rng: random.Random, world: World, *, count: int, now: dt.datetime, batch: int, report: Callable
) -> int:
    """The demo customers' units first, then ``count`` units sold over five years (5 % unsold)."""
    today = timezone.localdate(now)
    by_code = {m.code: i for i, m in enumerate(world.models)}
    lines = list(PRODUCT_MIX)
    line_models = {line: [i for i, m in enumerate(world.models) if m.line == line] for line in lines}
    weights = list(PRODUCT_MIX.values())
    planned = []
    for username, units in DEMO_UNITS.items():
        owner = world.demo_customer_index.get(username)
        if owner is None:
            continue
        for code, age in units:
            world.demo_units.setdefault(username, []).append(len(planned))
            planned.append((by_code[code], owner, today - dt.timedelta(days=age)))
    # The draws are those of rng.choices/choice/randrange/randint, inlined (a third of a
    # million units at a million orders): ``seq[below(len(seq))]`` is ``rng.choice(seq)``.
    customers, companies, models = len(world.customer_ids), world.companies, world.models
    mix, below, random_ = Weighted.of(lines, weights), rng._randbelow, rng.random
    day = dt.timedelta(days=1)
    for _ in range(count):
        choices = line_models[weighted(rng, mix)]
        model = choices[below(len(choices))]
        if random_() < 0.05:
            owner = -1
        elif models[model].industrial and companies:
            owner = companies[below(len(companies))]
        else:
            owner = below(customers)
        planned.append((model, owner, today - day * (20 + int(1800 * random_() ** 1.4))))
    adapt, table, rows, ids = Adapters(compact=True), Table(Unit, UNIT_COLUMNS, compact=True), 0, Ids(Unit)
    days: dict[dt.date, tuple] = {}  # per sale day: its database form and the registration time
    active = Unit.Status.ACTIVE.value
    for start in range(0, len(planned), batch):
        chunk = planned[start : start + batch]
        with transaction.atomic():
            built = []
            pks = ids.take(len(chunk))
            for n, pk, (model_index, owner, sale) in zip(range(start, start + len(chunk)), pks, chunk, strict=True):
                info = models[model_index]
                produced = sale - day * (15 + below(106))
                month = f"{produced.year % 100:02d}{produced.month:02d}"  # strftime("%y%m")
                serial = f"{info.prefix}{month}{n:08d}"
                known = days.get(sale)
                if known is None:
                    registered = timezone.make_aware(dt.datetime.combine(sale, dt.time(10)))
                    known = days[sale] = (adapt.day(sale), adapt.ts(registered))
                dealers, colours = info.dealers, info.colours
                built.append(
                    (
                        pk,
                        serial,
                        info.id,
                        f"B{month}-{1 + below(12):02d}",
                        adapt.day(produced),
                        known[0],
                        known[0],
                        *dealers[below(len(dealers))],
                        *colours[below(len(colours))],
                        world.customer_ids[owner] if owner >= 0 else None,
                        None,
                        active,
                        None,
                        known[1],
                    )
                )
                if owner >= 0:
                    world.owned_units.append(len(world.unit_ids))
                world.unit_ids.append(pk)
                world.unit_serials.append(serial)
                world.unit_owner.append(owner)
                world.unit_model.append(model_index)
                world.unit_sale.append(sale)
            rows += table.insert(built)
        report("units", start + len(chunk), len(planned), rows)
    return rows
