"""The planner's data: a problem (engineers, jobs, a distance rule) and a plan (routes, stops).

Plain frozen dataclasses with no Django import, so that ``dispatch.routing`` runs on its own
(``manage.py plan_routes``, ``bench/routing.py``, tests). Times and distances are floats in the
units of the input (docs/dispatch.md, "Route-optimised daily plans").
"""

from __future__ import annotations

from dataclasses import dataclass, field

EUCLIDEAN = "euclidean"
HAVERSINE = "haversine"


@dataclass(frozen=True)
class DistanceRule:
    """How distance and travel time between two points are computed.

    ``euclidean``: planar coordinates; travel time = distance (the same unit). ``truncate`` keeps
    that many decimals of each leg (Solomon's convention for exact results: 1), else full
    precision. ``haversine``: ``[longitude, latitude]`` in degrees, distance in km (great circle
    × ``detour``), travel time in minutes at ``speed_kmh``.
    """

    kind: str = EUCLIDEAN
    speed_kmh: float = 30.0
    detour: float = 1.0
    truncate: int | None = None


@dataclass(frozen=True)
class Engineer:
    id: str
    home: tuple[float, float]
    shift: tuple[float, float]  # leave home no earlier than start, back home no later than end
    skills: frozenset[str] = frozenset()
    capacity: float = float("inf")


@dataclass(frozen=True)
class Job:
    id: str
    location: tuple[float, float]
    window: tuple[float, float]  # service starts within [earliest, latest]
    duration: float = 0.0
    skills: frozenset[str] = frozenset()
    demand: float = 0.0
    deadline: float | None = None  # SLA on-site deadline: service starts no later than it
    required: bool = False  # a plan that leaves it out is no plan (Solomon instances)
    pin_engineer: str | None = None  # only this engineer may do it
    pin_sequence: int | None = None  # and in this order, before their other jobs

    @property
    def latest(self) -> float:
        """The latest start of service: the window's end or the SLA deadline, whichever is first."""
        return self.window[1] if self.deadline is None else min(self.window[1], self.deadline)


@dataclass(frozen=True)
class Problem:
    engineers: tuple[Engineer, ...]
    jobs: tuple[Job, ...]
    distance: DistanceRule = field(default_factory=DistanceRule)
    name: str = ""


@dataclass
class Stop:
    job: str
    arrival: float
    start: float
    end: float
    wait: float
    distance_from_previous: float


@dataclass
class Route:
    engineer: str
    departure: float
    stops: list[Stop]
    return_time: float
    distance: float
    load: float

    @property
    def duration(self) -> float:
        return self.return_time - self.departure if self.stops else 0.0


@dataclass
class Unassigned:
    job: str
    reason: str  # a stable code (REASONS)
    detail: str = ""


# The stable codes an unassigned job carries, with the sentence docs/dispatch.md shows.
REASONS = {
    "no_skilled_engineer": "No engineer has every skill the job requires.",
    "pinned_engineer_unknown": "The job is pinned to an engineer who is not in the input.",
    "pinned_engineer_unskilled": "The job is pinned to an engineer who lacks a required skill.",
    "over_capacity": "The job's demand exceeds the capacity of every engineer who could do it.",
    "unreachable_in_window": (
        "No skilled engineer can reach the job within its time window (or SLA deadline) and be "
        "home by the end of the shift."
    ),
    "deadline_passed": "The SLA deadline is before the start of the job's time window.",
    "pin_infeasible": (
        "The job is pinned to a place in an engineer's sequence that cannot be kept: it would "
        "break a time window, the shift or the van's capacity."
    ),
    "no_room": (
        "Each skilled engineer's day is full: adding the job would break a time window, a shift or the van's capacity."
    ),
}


@dataclass
class Plan:
    routes: list[Route]
    unassigned: list[Unassigned]
    solver: str  # "pyvrp", "greedy" (the fallback) or "greedy-baseline"
    time_limit: float
    elapsed: float
    name: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def distance(self) -> float:
        return sum(r.distance for r in self.routes)

    @property
    def duration(self) -> float:
        return sum(r.duration for r in self.routes)
