"""OR-Tools on the planner's problems, for the solver comparison of docs/benchmarks.md (issue 18).

Not part of the product: ``ortools`` is not in requirements/ (the comparison chose PyVRP).
Install it to rerun the comparison:

    .venv/bin/pip install 'ortools>=9.15,<10'
    .venv/bin/python bench/routing.py --solver ortools ...

The same rules as ``dispatch.routing.solver``: one vehicle per engineer from home (or the end of
their pinned sequence) back home within the shift, allowed vehicles per job (skills, pins), job
windows (the earlier of window end and SLA deadline), van capacity, optional jobs with a
penalty larger than any detour (required jobs have none), total distance as the objective.
Guided local search from a parallel-cheapest-insertion start (PATH_CHEAPEST_ARC, OR-Tools'
usual example, found nothing on Solomon's R1 instances), stopped at the time limit.
"""

from __future__ import annotations

import math
import time as clock

from dispatch.routing.greedy import greedy_orders, plan_from_orders
from dispatch.routing.model import Plan, Problem
from dispatch.routing.prepare import prepare

SCALE = 1000


FIRST_SOLUTION = "PARALLEL_CHEAPEST_INSERTION"


def plan_routes_ortools(problem: Problem, *, time_limit: float = 10.0, first: str = FIRST_SOLUTION) -> Plan:
    from ortools.constraint_solver import pywrapcp, routing_enums_pb2

    started = clock.perf_counter()
    ctx = prepare(problem)
    engineers, jobs = problem.engineers, problem.jobs
    n_eng = len(engineers)
    origin = min(e.shift[0] for e in engineers)
    # Nodes: a start and an end node per engineer, then one per open job.
    starts = [ctx.prefixes[e].end_point for e in range(n_eng)]
    node_point = starts + list(range(n_eng)) + [ctx.job_point(j) for j in ctx.open_jobs]
    n_nodes = len(node_point)
    first_job = 2 * n_eng

    def up(x):
        return math.ceil(x * SCALE - 1e-6)

    dist = [[up(ctx.dist[a][b]) for b in node_point] for a in node_point]
    service = [0] * first_job + [up(jobs[j].duration) for j in ctx.open_jobs]
    travel = [[up(ctx.time[a][b]) + service[i] for b in node_point] for i, a in enumerate(node_point)]

    manager = pywrapcp.RoutingIndexManager(n_nodes, n_eng, list(range(n_eng)), list(range(n_eng, 2 * n_eng)))
    routing = pywrapcp.RoutingModel(manager)
    dist_cb = routing.RegisterTransitCallback(lambda i, k: dist[manager.IndexToNode(i)][manager.IndexToNode(k)])
    routing.SetArcCostEvaluatorOfAllVehicles(dist_cb)
    time_cb = routing.RegisterTransitCallback(lambda i, k: travel[manager.IndexToNode(i)][manager.IndexToNode(k)])
    horizon = up(max(e.shift[1] for e in engineers) - origin)
    routing.AddDimension(time_cb, horizon, horizon, False, "time")
    tdim = routing.GetDimensionOrDie("time")
    for v, eng in enumerate(engineers):
        start_at = up(ctx.prefixes[v].end_time - origin)
        tdim.CumulVar(routing.Start(v)).SetRange(start_at, up(eng.shift[1] - origin))
        tdim.CumulVar(routing.End(v)).SetRange(0, math.floor((eng.shift[1] - origin) * SCALE + 1e-6))
    demands = [0] * first_job + [up(jobs[j].demand) for j in ctx.open_jobs]
    if any(demands):
        dem_cb = routing.RegisterUnaryTransitCallback(lambda i: demands[manager.IndexToNode(i)])
        caps = []
        for v, eng in enumerate(engineers):
            room = eng.capacity - ctx.prefixes[v].load
            caps.append(int(math.floor(room * SCALE + 1e-6)) if math.isfinite(room) else sum(demands))
        routing.AddDimensionWithVehicleCapacity(dem_cb, 0, caps, True, "load")
    max_d = max(max(row) for row in dist) if dist else 0
    penalty = 2 * max_d + 1000
    for n, j in enumerate(ctx.open_jobs, start=first_job):
        job = jobs[j]
        idx = manager.NodeToIndex(n)
        lo = max(0, math.ceil((max(job.window[0], origin) - origin) * SCALE - 1e-6))
        hi = max(lo, math.floor((min(job.latest, origin + horizon / SCALE) - origin) * SCALE + 1e-6))
        tdim.CumulVar(idx).SetRange(lo, hi)
        if len(ctx.eligible[j]) < n_eng:
            # -1: not performed (SetAllowedVehiclesForIndex's Python binding rejects lists in 9.15).
            routing.VehicleVar(idx).SetValues([-1, *sorted(ctx.eligible[j])])
        # A required job gets a prohibitive penalty rather than none: without a disjunction the
        # first-solution heuristics find nothing on tight instances (Solomon R1), and a plan
        # that drops one fails the checker all the same.
        weight = 1000 if job.required else 3 if job.pin_engineer else 1
        routing.AddDisjunction([idx], penalty * weight)
    for v in range(n_eng):
        routing.AddVariableMinimizedByFinalizer(tdim.CumulVar(routing.Start(v)))
    params = pywrapcp.DefaultRoutingSearchParameters()
    params.first_solution_strategy = getattr(routing_enums_pb2.FirstSolutionStrategy, first)
    params.local_search_metaheuristic = routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    left = max(0.01, time_limit - (clock.perf_counter() - started) - min(0.25, 0.1 * time_limit))
    params.time_limit.FromMilliseconds(int(left * 1000))
    solution = routing.SolveWithParameters(params)
    notes = []
    if solution is None:
        orders, solver = greedy_orders(ctx), "greedy"
        notes.append("OR-Tools found no solution in the time limit; this is the greedy plan.")
    else:
        orders, solver = [list(p.jobs) for p in ctx.prefixes], "ortools"
        for v in range(n_eng):
            idx = solution.Value(routing.NextVar(routing.Start(v)))
            while not routing.IsEnd(idx):
                orders[v].append(ctx.open_jobs[manager.IndexToNode(idx) - first_job])
                idx = solution.Value(routing.NextVar(idx))
    return plan_from_orders(
        ctx, orders, solver=solver, time_limit=time_limit, elapsed=clock.perf_counter() - started, notes=notes
    )
