"""The life of one demo work order: which events it went through, and when.

Pure functions over a seeded ``random.Random``; no database. A plan is built by
walking ``service.workflow.TRANSITIONS``, so every event it yields is a legal move
from the state the order was in (an illegal route raises ``ValueError``, which the
tests exercise for every target state).

Actions that are not transitions (``assign``, ``quote``, ``quote_approved``,
``quote_rejected``, ``report``) keep the state, exactly like the services that
write them. ``version`` counts what the services count: 1 for the creation plus
one per transition, per assignment and per saved repair report.
"""

import datetime as dt
import itertools
import random
from bisect import bisect_right as _bisect
from dataclasses import dataclass
from typing import NamedTuple

from service.choices import Status as S
from service.workflow import TRANSITIONS, target_state

# Hours between the previous event and this one: (low, high).
GAPS = {
    "acknowledge": (0.1, 20),
    "assess": (0.5, 24),
    "quote": (1, 24),
    "quote_approved": (2, 72),
    "quote_rejected": (2, 72),
    "assign": (0.5, 24),
    "schedule": (0.1, 2),
    "start": (12, 96),
    "wait_parts": (0.5, 4),
    "wait_customer": (1, 48),
    "resume": (12, 168),
    "report": (0.5, 6),
    "resolve": (0.1, 1),
    "accept": (0.05, 24),
    "refuse": (0.05, 24),
    "close": (1, 72),
    "cancel": (1, 72),
    "reopen": (24, 480),
}
URGENT_FACTOR = 0.25
# Who takes each action: the desk (agent / support / supervisor), the order's engineer, the customer.
ENGINEER_ACTIONS = frozenset({"start", "wait_parts", "resume", "report", "resolve", "accept", "refuse"})
CUSTOMER_ACTIONS = frozenset({"quote_approved", "quote_rejected"})
VERSIONED = frozenset(TRANSITIONS) | {"create", "assign", "report"}

# Target states by the age of the order (days): older orders are mostly finished.
STATUS_WEIGHTS = (
    (0.1, {S.NEW: 60, S.ACKNOWLEDGED: 30, S.ASSESSED: 8, S.CANCELLED: 2}),
    (
        2,
        {
            S.NEW: 25,
            S.ACKNOWLEDGED: 20,
            S.ASSESSED: 15,
            S.SCHEDULED: 12,
            S.IN_SERVICE: 8,
            S.AWAITING_CUSTOMER: 6,
            S.AWAITING_PARTS: 3,
            S.RESOLVED: 5,
            S.ACCEPTED: 2,
            S.CLOSED: 2,
            S.CANCELLED: 2,
        },
    ),
    (
        14,
        {
            S.NEW: 3,
            S.ACKNOWLEDGED: 5,
            S.ASSESSED: 8,
            S.SCHEDULED: 12,
            S.IN_SERVICE: 12,
            S.AWAITING_PARTS: 8,
            S.AWAITING_CUSTOMER: 8,
            S.RESOLVED: 12,
            S.ACCEPTED: 8,
            S.CLOSED: 18,
            S.CANCELLED: 5,
            S.REOPENED: 1,
        },
    ),
    (
        60,
        {
            S.NEW: 0.2,
            S.ACKNOWLEDGED: 0.5,
            S.ASSESSED: 1,
            S.SCHEDULED: 2,
            S.IN_SERVICE: 2,
            S.AWAITING_PARTS: 3,
            S.AWAITING_CUSTOMER: 2,
            S.RESOLVED: 3,
            S.ACCEPTED: 4,
            S.CLOSED: 73,
            S.CANCELLED: 7,
            S.REOPENED: 1.5,
        },
    ),
    (
        None,
        {
            S.ASSESSED: 0.1,
            S.SCHEDULED: 0.2,
            S.IN_SERVICE: 0.2,
            S.AWAITING_PARTS: 0.5,
            S.AWAITING_CUSTOMER: 0.5,
            S.RESOLVED: 0.5,
            S.ACCEPTED: 0.8,
            S.CLOSED: 88,
            S.CANCELLED: 8,
            S.REOPENED: 0.5,
        },
    ),
)


def weighted(rng: random.Random, table: "Weighted"):
    """``rng.choices(population, cum_weights=…)[0]``: the same draw from the same stream, without the list."""
    return table.population[_bisect(table.cumulative, rng.random() * table.total, 0, table.hi)]


class Weighted(NamedTuple):
    """A population with cumulative weights, ready for ``weighted``."""

    population: list
    cumulative: list
    total: float
    hi: int

    @classmethod
    def of(cls, population, weights) -> "Weighted":
        cumulative = list(itertools.accumulate(weights))
        return cls(list(population), cumulative, cumulative[-1] + 0.0, len(cumulative) - 1)


_TABLES = [(limit, Weighted.of(w, w.values())) for limit, w in STATUS_WEIGHTS]


def pick_status(rng: random.Random, age_days: float) -> str:
    for limit, table in _TABLES:
        if limit is None or age_days < limit:
            return weighted(rng, table)
    raise AssertionError("unreachable")


# Times inside a plan are whole microseconds since the Unix epoch (UTC): adding a gap is one
# integer addition, and the loader formats them without a datetime object per event.
_EPOCH = dt.datetime(1970, 1, 1, tzinfo=dt.UTC)
_MICROSECOND = dt.timedelta(microseconds=1)


def to_micros(at: dt.datetime) -> int:
    return (at - _EPOCH) // _MICROSECOND


def from_micros(us: int) -> dt.datetime:
    return _EPOCH + dt.timedelta(microseconds=us)


def seconds_to_micros(seconds: float) -> int:
    """``timedelta(seconds=seconds)`` in microseconds, rounded exactly as ``datetime`` rounds it (seconds ≥ 0).

    Whole seconds, then the whole microseconds of the fraction, then the rest rounded
    half to even on the total — CPython's own steps, in the same float operations.
    """
    whole = int(seconds)
    micros = (seconds - whole) * 1e6
    part = int(micros)
    total = whole * 1_000_000 + part
    rest = micros - part
    if rest > 0.5 or (rest == 0.5 and total & 1):
        total += 1
    return total


class Step(NamedTuple):
    action: str
    from_status: str
    to_status: str
    us: int  # when, in microseconds since the epoch (``at`` as a datetime)
    by: str  # "desk", "engineer" or "customer"
    note: str = ""

    @property
    def at(self) -> dt.datetime:
        return from_micros(self.us)


_new_step = tuple.__new__  # builds a Step without the Python-level __new__ of a named tuple


@dataclass(slots=True)
class Plan:
    status: str
    steps: list[Step]
    route: "Route"  # what the actions imply, worked out once per distinct route

    @property
    def paused_from(self) -> str:
        return self.route.paused_from

    @property
    def version(self) -> int:
        return self.route.version

    @property
    def assessed(self) -> bool:
        return self.route.assessed

    @property
    def quote_status(self) -> str:
        """The quote's state: empty (no quote), pending, approved or rejected (a cancelled order's
        pending quote stays pending, as the services leave it)."""
        return self.route.quote_status

    @property
    def acceptances(self) -> list[Step]:
        """The accept and refuse steps, in order."""
        steps = self.steps
        return [steps[i] for i in self.route.acceptances]

    def first(self, action: str) -> Step | None:
        i = self.route.firsts.get(action)
        return None if i is None else self.steps[i]

    def last(self, action: str) -> Step | None:
        i = self.route.lasts.get(action)
        return None if i is None else self.steps[i]


def _work(rng: random.Random, paid: bool) -> list[str]:
    """From acknowledged to in service: assess, the quote of a paid repair, assign, schedule, start."""
    route = ["acknowledge"]
    if rng.random() < 0.05:
        route += ["wait_customer", "resume"]
    route.append("assess")
    if paid:
        route += ["quote", "quote_approved"]
    return route + ["assign", "schedule", "start"]


def route_to(rng: random.Random, status: str, *, paid: bool) -> list[str]:
    """The actions after ``create`` that take a new order to ``status``."""
    if status == S.NEW:
        return []
    if status == S.ACKNOWLEDGED:
        return ["acknowledge"]
    if status == S.ASSESSED:
        return ["acknowledge", "assess"] + (["quote"] if paid and rng.random() < 0.6 else [])
    if status == S.SCHEDULED:
        return _work(rng, paid)[:-1]
    if status == S.IN_SERVICE:
        return _work(rng, paid) + (["wait_parts", "resume"] if rng.random() < 0.2 else [])
    if status == S.AWAITING_PARTS:
        return _work(rng, paid) + ["wait_parts"]
    if status == S.AWAITING_CUSTOMER:
        source = rng.choice((S.ACKNOWLEDGED, S.ASSESSED, S.SCHEDULED, S.IN_SERVICE))
        return route_to(rng, source, paid=paid) + ["wait_customer"]
    resolved = _work(rng, paid) + (["wait_parts", "resume"] if rng.random() < 0.15 else []) + ["report", "resolve"]
    if status == S.RESOLVED:
        return resolved
    if status == S.ACCEPTED:
        return resolved + ["accept"]
    if status == S.CLOSED:
        if rng.random() < 0.03:  # refused once, repaired again, then accepted
            return resolved + ["refuse", "schedule", "start", "report", "resolve", "accept", "close"]
        return resolved + ["accept", "close"]
    if status == S.CANCELLED:
        if paid and rng.random() < 0.5:
            return ["acknowledge", "assess", "quote", "quote_rejected", "cancel"]
        source = rng.choice((S.NEW, S.ACKNOWLEDGED, S.ASSESSED, S.SCHEDULED, S.AWAITING_CUSTOMER))
        return route_to(rng, source, paid=paid) + ["cancel"]
    if status == S.REOPENED:
        if rng.random() < 0.5:
            return resolved + ["refuse"]
        return resolved + ["accept", "close", "reopen"]
    raise ValueError(f"unknown status {status!r}")


@dataclass(frozen=True, slots=True)
class Route:
    """A route of actions after ``create``, walked once through ``TRANSITIONS``.

    Everything about a plan except its times and notes follows from its route alone —
    the state before and after each step, who acts, the version, the quote's state —
    and there are only a few hundred distinct routes, so each is worked out (and its
    legality checked) the first time it is drawn; a plan then only draws its gaps and
    notes.
    """

    steps: tuple[tuple[str, str, str, str], ...]  # (action, from, to, by) after ``create``
    lows: tuple[float, ...]
    spans: tuple[float, ...]  # high - low of each gap (``uniform`` computes the same difference)
    status: str
    paused_from: str
    version: int
    assessed: bool
    quote_status: str
    acceptances: tuple[int, ...]  # indexes into the plan's steps (``create`` is 0)
    firsts: dict
    lasts: dict


def _walk(actions: tuple[str, ...], status: str) -> Route:
    current, paused_from, assigned = str(S.NEW), "", False
    version, assessed, quote_status = 1, False, ""
    steps, acceptances, firsts, lasts = [], [], {"create": 0}, {"create": 0}
    for i, action in enumerate(actions, start=1):
        t = TRANSITIONS.get(action)
        before = current
        if t is not None:
            if current not in {str(s) for s in t.sources}:
                raise ValueError(f"{action!r} is not allowed from {current!r}")
            current = str(t.to) if t.to is not None else str(target_state(t, _Paused(paused_from)))
            if t.pauses:
                paused_from = before
            elif t.resumes:
                paused_from = ""
        if action == "assign":
            assigned = True
        if action in CUSTOMER_ACTIONS:
            by = "customer"
        else:
            by = "engineer" if assigned and action in ENGINEER_ACTIONS else "desk"
        steps.append((action, before, current, by))
        firsts.setdefault(action, i)
        lasts[action] = i
        version += action in VERSIONED
        if action == "assess":
            assessed = True
        elif action == "quote":
            quote_status = "pending"
        elif action in ("quote_approved", "quote_rejected"):
            quote_status = action[6:]
        elif action in ("accept", "refuse"):
            acceptances.append(i)
    if current != status:
        raise ValueError(f"route to {status!r} ended in {current!r}")
    return Route(
        steps=tuple(steps),
        lows=tuple(GAPS[a][0] for a in actions),
        spans=tuple(GAPS[a][1] - GAPS[a][0] for a in actions),
        status=current,
        paused_from=paused_from,
        version=version,
        assessed=assessed,
        quote_status=quote_status,
        acceptances=tuple(acceptances),
        firsts=firsts,
        lasts=lasts,
    )


_ROUTES: dict[tuple[str, ...], Route] = {}


def plan_order(
    rng: random.Random,
    *,
    status: str,
    created_at: dt.datetime,
    now: dt.datetime,
    paid: bool,
    urgent: bool = False,
    notes=None,
) -> Plan:
    """Events for an order created at ``created_at`` that is in ``status`` at ``now``.

    ``notes`` maps an action that needs a reason (cancel, reopen, refuse) to the texts
    to choose from. The random draws are those of ``rng.uniform`` and ``rng.choice``,
    inlined (this runs once per order, a million times).
    """
    actions = tuple(route_to(rng, status, paid=paid))
    route = _ROUTES.get(actions)
    if route is None or route.status != status:
        route = _ROUTES[actions] = _walk(actions, status)
    random_ = rng.random
    gaps = [low + span * random_() for low, span in zip(route.lows, route.spans, strict=True)]
    total = sum(gaps) * (URGENT_FACTOR if urgent else 1.0)
    span = (now - created_at).total_seconds() / 3600 - 0.02
    if span <= 0:
        scale = 0.0
    elif total > span:  # squeeze the history into the time there was, ending a while before now
        scale = span * rng.uniform(0.5, 0.95) / total
    else:
        scale = 1.0
    seconds = 3600.0 * scale * (URGENT_FACTOR if urgent else 1.0)
    at = to_micros(created_at)
    steps = [_new_step(Step, ("create", "", _NEW, at, "desk", ""))]
    append, below = steps.append, rng._randbelow  # what rng.choice draws with
    for (action, before, after, by), gap in zip(route.steps, gaps, strict=True):
        at += seconds_to_micros(gap * seconds)
        texts = notes.get(action) if notes else None
        append(_new_step(Step, (action, before, after, at, by, texts[below(len(texts))] if texts else "")))
    return Plan(route.status, steps, route)


_NEW = str(S.NEW)


@dataclass(slots=True)
class _Paused:
    """The one attribute ``target_state`` reads from an order."""

    paused_from: str
