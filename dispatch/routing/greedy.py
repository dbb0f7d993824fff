"""Greedy nearest-first: the fallback when the solver finds nothing in time, and the baseline.

The engineer who is free first goes to the nearest job they may do and can still reach within
its window (or SLA deadline), with room in the van and time to get home before the shift ends;
a job pinned to them comes before any other. An engineer with no such job left ends the day.

"Nearest" has two readings (``rule``):

- ``ready`` (the fallback's): the nearest job that can start on arrival; when none can, the one
  whose service can start first. Nobody drives across town to wait for a window to open.
- ``distance``: the nearest job, full stop, waiting there if its window opens later.
"""

from __future__ import annotations

import time as clock

from .model import Plan, Problem, Unassigned
from .prepare import EPS, Context, prepare, schedule, to_route

RULES = ("ready", "distance")


def greedy_orders(ctx: Context, rule: str = "ready") -> list[list[int]]:
    """Per engineer, the job indices in visiting order (pinned sequences first)."""
    engineers, jobs = ctx.problem.engineers, ctx.problem.jobs
    n = len(engineers)
    here = [ctx.prefixes[e].end_point for e in range(n)]
    now = [ctx.prefixes[e].end_time for e in range(n)]
    load = [ctx.prefixes[e].load for e in range(n)]
    orders = [list(ctx.prefixes[e].jobs) for e in range(n)]
    left = set(ctx.open_jobs)
    active = set(range(n))
    while active and left:
        e = min(active, key=lambda k: (now[k], k))
        eng, best, best_key = engineers[e], None, None
        for j in left:
            job = jobs[j]
            if e not in ctx.eligible[j] or load[e] + job.demand > eng.capacity + EPS:
                continue
            p = ctx.job_point(j)
            start = max(now[e] + ctx.time[here[e]][p], job.window[0])
            if start > job.latest + EPS or start + job.duration + ctx.time[p][e] > eng.shift[1] + EPS:
                continue
            arrival = now[e] + ctx.time[here[e]][p]
            # Nearest among the jobs that can start on arrival; else the one that opens first.
            waits = start > arrival + EPS
            if rule == "distance":
                key = (job.pin_engineer != eng.id, False, ctx.dist[here[e]][p], j)
            else:
                key = (job.pin_engineer != eng.id, waits, start if waits else ctx.dist[here[e]][p], j)
            if best_key is None or key < best_key:
                best, best_key = j, key
        if best is None:
            active.discard(e)
            continue
        job, p = jobs[best], ctx.job_point(best)
        start = max(now[e] + ctx.time[here[e]][p], job.window[0])
        now[e], here[e] = start + job.duration, p
        load[e] += job.demand
        orders[e].append(best)
        left.discard(best)
    return orders


def insert_leftovers(ctx: Context, orders: list[list[int]]) -> int:
    """Insert each job left out where it adds the least distance and breaks no rule.

    A cheap last pass after the search or the greedy: a job the search had no time to place
    may still fit. Pinned sequences stay first. Returns how many jobs were placed.
    """
    placed = {j for order in orders for j in order}
    added = 0
    for j in ctx.open_jobs:
        if j in placed:
            continue
        best = None
        for e in sorted(ctx.eligible[j]):
            order = orders[e]
            before = schedule(ctx, e, order, latest_departure=False).distance if order else 0.0
            for pos in range(len(ctx.prefixes[e].jobs), len(order) + 1):
                trial = schedule(ctx, e, [*order[:pos], j, *order[pos:]], latest_departure=False)
                if trial.feasible and (best is None or trial.distance - before < best[0]):
                    best = (trial.distance - before, e, pos)
        if best is not None:
            _, e, pos = best
            orders[e].insert(pos, j)
            placed.add(j)
            added += 1
    return added


def plan_from_orders(ctx: Context, orders: list[list[int]], **plan_fields) -> Plan:
    """Schedule every engineer's order; jobs left out are unassigned for want of room."""
    routes, placed = [], set()
    for e, order in enumerate(orders):
        if not order:
            continue
        s = schedule(ctx, e, order)
        if not s.feasible:
            raise AssertionError(f"engineer {ctx.problem.engineers[e].id}: {s.violation}")
        routes.append(to_route(ctx, e, s))
        placed.update(order)
    unassigned = list(ctx.unassigned)
    unassigned += [Unassigned(ctx.problem.jobs[j].id, "no_room") for j in ctx.open_jobs if j not in placed]
    return Plan(routes=routes, unassigned=unassigned, name=ctx.problem.name, **plan_fields)


def plan_greedy(problem: Problem, *, rule: str = "ready") -> Plan:
    if rule not in RULES:
        raise ValueError(f"rule must be one of {RULES}")
    started = clock.perf_counter()
    ctx = prepare(problem)
    orders = greedy_orders(ctx, rule)
    return plan_from_orders(
        ctx, orders, solver=f"greedy-{rule}", time_limit=0.0, elapsed=clock.perf_counter() - started
    )
