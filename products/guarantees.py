"""The Three Guarantees (三包) rules as one pure function (docs/warranty.md).

Sources: 《部分商品修理更换退货责任规定》 (2001, the Three Guarantees rules) arts. 8–14 and the
product-specific Three Guarantees rules; 《消费者权益保护法》 arts. 24–25; 《网络购买商品七日无理由
退货暂行办法》. Periods are counted by ``products.periods.period`` (the Civil Code).

:func:`entitlements` answers, for one unit on one date, which remedies the customer is
entitled to for a performance fault (性能故障), and why:

- within ``return_days`` (7) of the sale: return, exchange or repair;
- within ``exchange_days`` (15): exchange or repair;
- within the Three Guarantees period (``period_months``, lengthened by the days the unit spent
  in repair or waiting for parts): repair; and exchange — or a return when no exchange is
  possible — once the same fault has been repaired ``repairs_before_exchange`` (2) times, or a
  repair took longer than ``repair_days_limit`` (30) days for the repairer's own reasons, or
  longer than ``parts_wait_days_limit`` (90) days while waiting for parts;
- after an exchange the Three Guarantees period, the repair count and the deducted days
  start again from the exchange date (the 7- and 15-day choices stay counted from the sale);
- a unit bought online may also be returned without a reason within ``online_return_days``
  (7) of its receipt, unless its line is excluded or the goods are not intact.
"""

import datetime as dt
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field

from django.db import models
from django.utils.translation import gettext_lazy as _

from .periods import WorkingDay, period


class OnlineExclusion(models.TextChoices):
    """Goods that the seven-day no-reason return does not cover (消费者权益保护法 art. 25)."""

    CUSTOM_MADE = "custom_made", _("Made to the customer's order")
    PERISHABLE = "perishable", _("Fresh, live or perishable goods")
    DIGITAL = "digital", _("Downloaded or unsealed audio-visual products, software and other digital goods")
    PERIODICALS = "periodicals", _("Delivered newspapers and periodicals")
    CONFIRMED = "confirmed", _("Unsuitable for return by its nature, as the buyer confirmed at purchase")


class Remedy(models.TextChoices):
    RETURN = "return", _("Return (refund)")
    EXCHANGE = "exchange", _("Exchange")
    REPAIR = "repair", _("Repair")


class Why(models.TextChoices):
    """The reasons an answer gives (stable codes, translated labels)."""

    NOT_APPLICABLE = (
        "not_applicable",
        _("The Three Guarantees do not apply to this product line (sold under contract)."),
    )
    NO_SALE_DATE = "no_sale_date", _("No sale date is on record.")
    NOT_SOLD_YET = "not_sold_yet", _("The date is before the sale.")
    WITHIN_RETURN_DAYS = (
        "within_return_days",
        _("A performance fault within %(days)s days of the sale: return, exchange or repair, as the customer chooses."),
    )
    WITHIN_EXCHANGE_DAYS = (
        "within_exchange_days",
        _("A performance fault within %(days)s days of the sale: exchange or repair, as the customer chooses."),
    )
    IN_PERIOD = "in_period", _("Within the Three Guarantees period: free repair.")
    REPAIRED_TWICE = (
        "repaired_twice",
        _(
            "The same fault has been repaired %(count)s times: an exchange is owed, or a return if no exchange is possible."
        ),
    )
    REPAIR_TOO_LONG = (
        "repair_too_long",
        _("A repair took %(days)s days for the repairer's own reasons (more than %(limit)s): an exchange is owed."),
    )
    PARTS_WAIT_TOO_LONG = (
        "parts_wait_too_long",
        _("A repair waited %(days)s days for parts (more than %(limit)s): an exchange is owed."),
    )
    EXPIRED = "expired", _("The Three Guarantees period has ended.")
    ONLINE_NO_REASON = (
        "online_no_reason",
        _("Bought online: returnable without a reason within %(days)s days of receipt, if the goods are intact."),
    )
    ONLINE_EXCLUDED = "online_excluded", _("Bought online, but excluded from the no-reason return: %(what)s.")
    ONLINE_NOT_INTACT = "online_not_intact", _("Bought online, but the goods are not intact: no no-reason return.")


@dataclass(frozen=True)
class Policy:
    """A product line's Three Guarantees rules (``products.models.ThreeGuaranteesPolicy``)."""

    enabled: bool = True
    return_days: int = 7
    exchange_days: int = 15
    period_months: int = 12
    repairs_before_exchange: int = 2
    repair_days_limit: int = 30
    parts_wait_days_limit: int = 90
    online_return_days: int = 7
    online_exclusion: str = ""


@dataclass(frozen=True)
class Repair:
    """One repair record: the fault repaired, the day the unit was handed in (送修) and the day it
    came back (None: still in repair), and of those days how many it waited for parts."""

    fault: str
    received: dt.date
    returned: dt.date | None = None
    parts_wait_days: int = 0

    def days(self, on: dt.date) -> int:
        """Days in repair up to ``on`` (the day of receipt not counted, as every period)."""
        end = min(self.returned or on, on)
        return max(0, (end - self.received).days)


@dataclass(frozen=True)
class Reason:
    code: str
    params: dict = field(default_factory=dict)

    @property
    def text(self) -> str:
        return str(Why(self.code).label) % self.params if self.params else str(Why(self.code).label)


@dataclass(frozen=True)
class Entitlement:
    remedy: str
    reason: Reason
    until: dt.date | None  # the last day it can be claimed on this ground (None: while the ground holds)


@dataclass(frozen=True)
class Entitlements:
    applies: bool
    on: dt.date
    remedies: tuple[Entitlement, ...] = ()
    notes: tuple[Reason, ...] = ()  # why nothing more is owed (expired, excluded…)
    sale_date: dt.date | None = None
    period_start: dt.date | None = None  # the sale, or the last exchange
    return_ends: dt.date | None = None
    exchange_ends: dt.date | None = None
    period_ends: dt.date | None = None  # the Three Guarantees period's last day, repair days added
    deducted_days: int = 0
    repairs_by_fault: dict = field(default_factory=dict)
    online_return_ends: dt.date | None = None

    @property
    def kinds(self) -> frozenset[str]:
        return frozenset(e.remedy for e in self.remedies)


def entitlements(
    *,
    policy: Policy,
    sale_date: dt.date | None,
    on: dt.date,
    repairs: Sequence[Repair] = (),
    exchanges: Sequence[dt.date] = (),
    online: bool = False,
    received_date: dt.date | None = None,
    goods_intact: bool | None = None,
    working_day: WorkingDay | None = None,
) -> Entitlements:
    """The remedies owed on ``on`` for a performance fault of a unit sold on ``sale_date``."""
    if not policy.enabled:
        return Entitlements(False, on, notes=(Reason(Why.NOT_APPLICABLE),))
    if sale_date is None:
        return Entitlements(True, on, notes=(Reason(Why.NO_SALE_DATE),))
    if on < sale_date:
        return Entitlements(True, on, notes=(Reason(Why.NOT_SOLD_YET),), sale_date=sale_date)

    def ends(start, **length):
        return period(start, working_day=working_day, **length).last_day

    return_ends = ends(sale_date, days=policy.return_days)
    exchange_ends = ends(sale_date, days=policy.exchange_days)
    base = max([sale_date, *(d for d in exchanges if sale_date <= d <= on)])
    counted = [r for r in repairs if base <= r.received <= on]
    deducted = sum(r.days(on) for r in counted)
    period_ends = ends(base, months=policy.period_months, extra_days=deducted)
    by_fault = Counter(r.fault for r in counted if r.returned is not None and r.returned <= on)

    owed: list[Entitlement] = []
    notes: list[Reason] = []

    def owe(remedy, code, until=None, **params):
        if remedy not in {e.remedy for e in owed}:
            owed.append(Entitlement(remedy, Reason(code, params), until))

    if on <= return_ends:
        for remedy in (Remedy.RETURN, Remedy.EXCHANGE, Remedy.REPAIR):
            owe(remedy, Why.WITHIN_RETURN_DAYS, return_ends, days=policy.return_days)
    elif on <= exchange_ends:
        for remedy in (Remedy.EXCHANGE, Remedy.REPAIR):
            owe(remedy, Why.WITHIN_EXCHANGE_DAYS, exchange_ends, days=policy.exchange_days)
    if on <= period_ends:
        grounds = []
        worst = max(by_fault.values(), default=0)
        if worst >= policy.repairs_before_exchange:
            grounds.append(Reason(Why.REPAIRED_TWICE, {"count": worst}))
        for r in counted:
            days = r.days(on)
            own_days = max(0, days - r.parts_wait_days)
            if r.parts_wait_days and days > policy.parts_wait_days_limit:
                grounds.append(Reason(Why.PARTS_WAIT_TOO_LONG, {"days": days, "limit": policy.parts_wait_days_limit}))
            elif own_days > policy.repair_days_limit:
                grounds.append(Reason(Why.REPAIR_TOO_LONG, {"days": own_days, "limit": policy.repair_days_limit}))
        if grounds:
            owe(Remedy.EXCHANGE, grounds[0].code, period_ends, **grounds[0].params)
            if grounds[0].code == Why.REPAIRED_TWICE:
                owe(Remedy.RETURN, grounds[0].code, period_ends, **grounds[0].params)
        owe(Remedy.REPAIR, Why.IN_PERIOD, period_ends)
    else:
        notes.append(Reason(Why.EXPIRED))

    online_ends = None
    if online:
        online_ends = ends(received_date or sale_date, days=policy.online_return_days)
        if policy.online_exclusion:
            notes.append(Reason(Why.ONLINE_EXCLUDED, {"what": OnlineExclusion(policy.online_exclusion).label}))
        elif goods_intact is False:
            notes.append(Reason(Why.ONLINE_NOT_INTACT))
        elif on <= online_ends:
            owe(Remedy.RETURN, Why.ONLINE_NO_REASON, online_ends, days=policy.online_return_days)

    return Entitlements(
        applies=True,
        on=on,
        remedies=tuple(sorted(owed, key=lambda e: list(Remedy).index(e.remedy))),
        notes=tuple(notes),
        sale_date=sale_date,
        period_start=base,
        return_ends=return_ends,
        exchange_ends=exchange_ends,
        period_ends=period_ends,
        deducted_days=deducted,
        repairs_by_fault=dict(by_fault),
        online_return_ends=online_ends,
    )
