"""The route planner: PyVRP's iterated local search over the day, greedy as warm start and fallback.

How the rules map onto PyVRP (docs/dispatch.md):

- each engineer is a vehicle that starts at home (or where their pinned sequence ends) no
  earlier than the shift starts and is back home by its end; engineers alike in every respect
  share one vehicle type;
- skills and pins are routing profiles: a profile per set of jobs a vehicle type may do, whose
  matrices make every other job unreachably far, so a route through one is never kept;
- job windows and SLA deadlines are client time windows (the earlier of the two ends);
- van capacity is the vehicle's capacity against the jobs' demand;
- a job is optional with a prize larger than any detour it could cost, so the plan serves every
  job it can fit; a job marked ``required`` (Solomon instances) must be served;
- the objective is the total distance.

Times and distances are scaled to integers (``SCALE`` per unit); travel times, service durations
and window opens are rounded up and window ends down, so a plan feasible in integers is
feasible in the input's units. The plan's times are then recomputed in floats (``schedule``).
"""

from __future__ import annotations

import math
import time as clock
import warnings

from .greedy import greedy_orders, insert_leftovers, plan_from_orders
from .model import Plan, Problem
from .prepare import Context, prepare

SCALE = 1000
FORBIDDEN_FACTOR = 1000  # a forbidden edge costs this many prizes


def _ceil(x: float) -> int:
    return math.ceil(x * SCALE - 1e-6)


def _floor(x: float) -> int:
    return math.floor(x * SCALE + 1e-6)


def _build(ctx: Context):
    import numpy as np
    from pyvrp import Client, Depot, Location, ProblemData, VehicleType

    problem = ctx.problem
    engineers, jobs = problem.engineers, problem.jobs
    n_eng = len(engineers)
    origin = min(eng.shift[0] for eng in engineers)
    horizon = max(eng.shift[1] for eng in engineers)

    # Vehicle types: engineers alike in start, end, times, capacity and what they may do.
    allowed = [frozenset(j for j in ctx.open_jobs if e in ctx.eligible[j]) for e in range(n_eng)]

    def coords(point: int) -> tuple[float, float]:
        return engineers[point].home if point < n_eng else jobs[point - n_eng].location

    groups: dict[tuple, list[int]] = {}
    for e, eng in enumerate(engineers):
        pre = ctx.prefixes[e]
        key = (coords(pre.end_point), eng.home, pre.end_time, eng.shift[1], eng.capacity - pre.load, allowed[e])
        groups.setdefault(key, []).append(e)
    # Depots: one per distinct place a day starts or ends (engineers sharing a home share it).
    depot_points: list[int] = []
    depot_at: dict[tuple[float, float], int] = {}

    def depot(point: int) -> int:
        if coords(point) not in depot_at:
            depot_at[coords(point)] = len(depot_points)
            depot_points.append(point)
        return depot_at[coords(point)]

    vehicle_engineers: list[list[int]] = []
    type_specs = []
    for (_, _, start_time, end_time, cap, jobs_ok), members in groups.items():
        start_depot, end_depot = depot(ctx.prefixes[members[0]].end_point), depot(members[0])
        vehicle_engineers.append(members)
        type_specs.append((len(members), start_depot, end_depot, start_time, end_time, cap, jobs_ok))

    points = depot_points + [ctx.job_point(j) for j in ctx.open_jobs]
    n_dep = len(depot_points)
    client_job = list(ctx.open_jobs)
    max_d = max((ctx.dist[a][b] for a in points for b in points), default=0.0)
    prize = 2 * _ceil(max_d) + 1000
    forbidden = prize * FORBIDDEN_FACTOR

    dist = np.array([[_ceil(ctx.dist[a][b]) if a != b else 0 for b in points] for a in points], dtype=np.int64)
    dur = np.array([[_ceil(ctx.time[a][b]) if a != b else 0 for b in points] for a in points], dtype=np.int64)

    profiles: dict[frozenset, int] = {}
    dist_mats, dur_mats = [], []
    for spec in type_specs:
        jobs_ok = spec[6]
        if jobs_ok in profiles:
            continue
        banned = [n_dep + c for c, j in enumerate(client_job) if j not in jobs_ok]
        d, t = dist.copy(), dur.copy()
        if banned:
            d[banned, :] = forbidden
            d[:, banned] = forbidden
            t[banned, :] = forbidden
            t[:, banned] = forbidden
            d[banned, banned] = 0
            t[banned, banned] = 0
        profiles[jobs_ok] = len(dist_mats)
        dist_mats.append(d)
        dur_mats.append(t)

    has_load = any(math.isfinite(spec[5]) for spec in type_specs) and any(jobs[j].demand for j in client_job)
    total_demand = sum(_ceil(jobs[j].demand) for j in client_job)

    def window(lo: float, hi: float) -> tuple[int, int]:
        lo, hi = max(lo, origin), min(hi, horizon)
        return max(0, _ceil(lo - origin)), max(0, _floor(hi - origin))

    locations = []
    for p in points:
        x, y = coords(p)
        locations.append(Location(x=x, y=y))
    depots = [Depot(location=k, tw_early=0, tw_late=_floor(horizon - origin)) for k in range(n_dep)]
    clients = []
    for c, j in enumerate(client_job):
        job = jobs[j]
        early, late = window(job.window[0], job.latest)
        pinned = job.pin_engineer is not None
        clients.append(
            Client(
                location=n_dep + c,
                delivery=[_ceil(job.demand)] if has_load else [],
                service_duration=_ceil(job.duration),
                tw_early=early,
                tw_late=max(early, late),
                prize=prize * (3 if pinned else 1),
                required=job.required,
                name=job.id,
            )
        )
    vehicle_types = []
    for num, start_depot, end_depot, start_time, end_time, cap, jobs_ok in type_specs:
        early, late = window(start_time, end_time)
        capacity = [] if not has_load else [min(_floor(cap), total_demand) if math.isfinite(cap) else total_demand]
        vehicle_types.append(
            VehicleType(
                num_available=num,
                capacity=capacity,
                start_depot=start_depot,
                end_depot=end_depot,
                tw_early=early,
                tw_late=late,
                start_late=early,
                profile=profiles[jobs_ok],
            )
        )
    data = ProblemData(
        locations=locations,
        clients=clients,
        depots=depots,
        vehicle_types=vehicle_types,
        distance_matrices=dist_mats,
        duration_matrices=dur_mats,
    )
    return data, vehicle_engineers, client_job


def _warm_start(data, vehicle_engineers, client_job, ctx: Context, orders: list[list[int]]):
    from pyvrp import Route, Solution

    client_of = {j: c for c, j in enumerate(client_job)}
    routes = []
    for k, members in enumerate(vehicle_engineers):
        for e in members:
            visits = [client_of[j] for j in orders[e] if j in client_of]
            if visits:
                routes.append(Route(data, visits, k))
    return Solution(data, routes)


def plan_routes(problem: Problem, *, time_limit: float = 10.0, seed: int = 1) -> Plan:
    """The day's plan within ``time_limit`` seconds (wall clock, preparation included)."""
    started = clock.perf_counter()
    ctx = prepare(problem)
    greedy = greedy_orders(ctx)
    insert_leftovers(ctx, greedy)
    notes: list[str] = []
    orders = greedy
    solver = "greedy"
    if ctx.open_jobs:
        from pyvrp import solve
        from pyvrp.exceptions import PenaltyBoundWarning
        from pyvrp.stop import MaxRuntime

        data, vehicle_engineers, client_job = _build(ctx)
        init = _warm_start(data, vehicle_engineers, client_job, ctx, greedy)
        # Leave room for writing the plan: the whole call stays within the limit.
        margin = min(0.25, 0.1 * time_limit)
        budget = max(0.01, time_limit - (clock.perf_counter() - started) - margin)
        with warnings.catch_warnings():
            # PyVRP warns when no feasible plan exists; the greedy fallback below handles that.
            warnings.simplefilter("ignore", PenaltyBoundWarning)
            result = solve(data, stop=MaxRuntime(budget), seed=seed, collect_stats=False, initial_solution=init)
        best = result.best
        if best.is_feasible():
            orders = [list(p.jobs) for p in ctx.prefixes]
            for route in best.routes():
                members = vehicle_engineers[route.vehicle_type()]
                e = next(m for m in members if len(orders[m]) == len(ctx.prefixes[m].jobs))
                # Members of one type are interchangeable; hand the route to the first still free.
                orders[e].extend(client_job[a.idx] for a in route if a.is_client())
            solver = "pyvrp"
        else:
            notes.append("The solver found no feasible plan in the time limit; this is the greedy plan.")
    insert_leftovers(ctx, orders)
    return plan_from_orders(
        ctx, orders, solver=solver, time_limit=time_limit, elapsed=clock.perf_counter() - started, notes=notes
    )
