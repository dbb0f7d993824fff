"""What both planners (the solver and the greedy fallback) need first.

- The distance and travel-time matrices over the engineers' homes and the jobs.
- Who may do each job (skills, pin, van capacity, reachable within the window and the shift),
  and, when nobody may, the reason the job stays unassigned.
- Pinned sequences: the jobs pinned to an engineer with a ``sequence`` open that engineer's day
  in that order; the planners route the rest of the day from the last of them.
- ``schedule``: the times of an ordered route, shared by both planners to write their plans.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from .distance import matrices
from .model import Engineer, Job, Problem, Route, Stop, Unassigned

EPS = 1e-6


@dataclass
class Prefix:
    """The pinned opening of an engineer's day: jobs in order, and where and when it ends."""

    jobs: list[int] = field(default_factory=list)  # job indices
    end_point: int = -1  # point index (the home when empty)
    end_time: float = 0.0
    load: float = 0.0


@dataclass
class Context:
    problem: Problem
    dist: list[list[float]]
    time: list[list[float]]
    eligible: list[set[int]]  # per job: engineer indices that may do it (empty for the unplannable)
    unassigned: list[Unassigned]
    prefixes: list[Prefix]  # per engineer
    open_jobs: list[int]  # jobs left for the planners (not unplannable, not in a prefix)

    @property
    def n_engineers(self) -> int:
        return len(self.problem.engineers)

    def job_point(self, j: int) -> int:
        return self.n_engineers + j


@dataclass
class Schedule:
    feasible: bool
    departure: float
    stops: list[Stop]
    return_time: float
    distance: float
    load: float
    violation: str = ""


def schedule(ctx: Context, e: int, order: list[int], *, latest_departure: bool = True) -> Schedule:
    """Times of engineer e doing the jobs ``order`` (job indices) from home and back.

    The engineer leaves at the start of the shift; with ``latest_departure`` the departure is
    then moved as late as it can go without breaking a window or waiting less usefully, which
    shortens the day and changes no visit's order.
    """
    eng = ctx.problem.engineers[e]
    jobs = ctx.problem.jobs

    def forward(depart: float) -> Schedule:
        t, here, dist, load = depart, e, 0.0, 0.0
        stops, violation = [], ""
        for j in order:
            job, p = jobs[j], ctx.job_point(j)
            arrival = t + ctx.time[here][p]
            start = max(arrival, job.window[0])
            if start > job.latest + EPS and not violation:
                violation = f"job {job.id} starts at {start:g}, after {job.latest:g}"
            stops.append(Stop(job.id, arrival, start, start + job.duration, start - arrival, ctx.dist[here][p]))
            dist += ctx.dist[here][p]
            load += job.demand
            t, here = start + job.duration, p
        back = t + ctx.time[here][e]
        dist += ctx.dist[here][e]
        if back > eng.shift[1] + EPS and not violation:
            violation = f"back home at {back:g}, after the shift ends at {eng.shift[1]:g}"
        if load > eng.capacity + EPS and not violation:
            violation = f"load {load:g} over the capacity {eng.capacity:g}"
        return Schedule(not violation, depart, stops, back, dist, load, violation)

    first = forward(eng.shift[0])
    if not latest_departure or not order or not first.feasible:
        return first
    # Delaying the departure by d shifts each start by max(0, d - waits so far).
    waited, slack = 0.0, math.inf
    for j, stop in zip(order, first.stops, strict=True):
        waited += stop.wait
        slack = min(slack, jobs[j].latest - stop.start + waited)
    slack = min(slack, eng.shift[1] - first.return_time + waited)
    delay = min(max(0.0, slack), waited)  # no point leaving later than the waits absorb
    if delay <= EPS:
        return first
    later = forward(eng.shift[0] + delay)
    return later if later.feasible else first


def to_route(ctx: Context, e: int, s: Schedule) -> Route:
    return Route(
        engineer=ctx.problem.engineers[e].id,
        departure=s.departure,
        stops=s.stops,
        return_time=s.return_time,
        distance=s.distance,
        load=s.load,
    )


def _reachable(ctx: Context, eng: Engineer, e: int, j: int, job: Job) -> bool:
    p = ctx.job_point(j)
    start = max(eng.shift[0] + ctx.time[e][p], job.window[0])
    return start <= job.latest + EPS and start + job.duration + ctx.time[p][e] <= eng.shift[1] + EPS


def prepare(problem: Problem) -> Context:
    engineers, jobs = problem.engineers, problem.jobs
    points = [eng.home for eng in engineers] + [job.location for job in jobs]
    dist, time = matrices(problem.distance, points)
    ctx = Context(problem, dist, time, [set() for _ in jobs], [], [Prefix() for _ in engineers], [])
    index = {eng.id: e for e, eng in enumerate(engineers)}

    for j, job in enumerate(jobs):
        if job.deadline is not None and job.deadline < job.window[0]:
            ctx.unassigned.append(Unassigned(job.id, "deadline_passed"))
            continue
        if job.pin_engineer is not None:
            if job.pin_engineer not in index:
                ctx.unassigned.append(Unassigned(job.id, "pinned_engineer_unknown", f"({job.pin_engineer})"))
                continue
            candidates = [index[job.pin_engineer]]
            if not job.skills <= engineers[candidates[0]].skills:
                ctx.unassigned.append(Unassigned(job.id, "pinned_engineer_unskilled"))
                continue
        else:
            candidates = [e for e, eng in enumerate(engineers) if job.skills <= eng.skills]
            if not candidates:
                ctx.unassigned.append(Unassigned(job.id, "no_skilled_engineer"))
                continue
        candidates = [e for e in candidates if job.demand <= engineers[e].capacity + EPS]
        if not candidates:
            ctx.unassigned.append(Unassigned(job.id, "over_capacity"))
            continue
        candidates = [e for e in candidates if _reachable(ctx, engineers[e], e, j, job)]
        if not candidates:
            ctx.unassigned.append(Unassigned(job.id, "unreachable_in_window"))
            continue
        ctx.eligible[j] = set(candidates)

    # Pinned sequences: kept in order as far as they stay feasible; the rest are reported.
    in_prefix: set[int] = set()
    for e in range(len(engineers)):
        pinned = sorted(
            (jobs[j].pin_sequence, j)
            for j in range(len(jobs))
            if ctx.eligible[j] and jobs[j].pin_engineer == engineers[e].id and jobs[j].pin_sequence is not None
        )
        kept: list[int] = []
        for _, j in pinned:
            trial = schedule(ctx, e, [*kept, j], latest_departure=False)
            if trial.feasible:
                kept.append(j)
            else:
                ctx.eligible[j] = set()
                ctx.unassigned.append(Unassigned(jobs[j].id, "pin_infeasible", f"({trial.violation})"))
        if kept:
            s = schedule(ctx, e, kept, latest_departure=False)
            ctx.prefixes[e] = Prefix(kept, ctx.job_point(kept[-1]), s.stops[-1].end, s.load)
            in_prefix.update(kept)
        else:
            ctx.prefixes[e] = Prefix([], e, engineers[e].shift[0], 0.0)
    ctx.open_jobs = [j for j in range(len(jobs)) if ctx.eligible[j] and j not in in_prefix]
    return ctx
