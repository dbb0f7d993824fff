"""An independent feasibility checker for a written plan (the output JSON, docs/dispatch.md).

A second code path on purpose: it imports nothing from the planner but the problem's
dataclasses, computes every leg with its own formulas, and replays each route from the numbers
the plan states — so a planner bug shows as a violation rather than being repeated here.

It checks that every job is routed at most once or reported unassigned, required jobs are
routed, each engineer has at most one route, the engineer has the job's skills (and is the one
it is pinned to, pinned sequences first and in order), the departure is within the shift, every
arrival allows for the travel from the previous place, service starts within the window and
before the SLA deadline and lasts the job's duration, the engineer is home by the end of the
shift, the load fits the van, and the stated distances, durations and totals are the ones
recomputed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from .model import Problem

TOLERANCE = 1e-3  # the plan's numbers are written with 4 decimals


@dataclass
class CheckResult:
    violations: list[str] = field(default_factory=list)
    distance: float = 0.0  # recomputed total distance
    routed: int = 0

    @property
    def ok(self) -> bool:
        return not self.violations


def _leg(problem: Problem, a, b) -> tuple[float, float]:
    rule = problem.distance
    if rule.kind == "haversine":
        # atan2 form of the great-circle distance (the planner uses the asin form).
        phi1, phi2 = math.radians(a[1]), math.radians(b[1])
        dphi, dlmb = phi2 - phi1, math.radians(b[0] - a[0])
        h = math.sin(dphi / 2) ** 2 + math.cos(phi1) * math.cos(phi2) * math.sin(dlmb / 2) ** 2
        km = 6371.0088 * 2 * math.atan2(math.sqrt(h), math.sqrt(max(0.0, 1 - h))) * rule.detour
        return km, 60.0 * km / rule.speed_kmh
    d = math.sqrt((b[0] - a[0]) ** 2 + (b[1] - a[1]) ** 2)
    if rule.truncate is not None:
        scale = 10**rule.truncate
        d = int(d * scale + 1e-9) / scale
    return d, d


def check_plan(problem: Problem, plan: dict[str, Any]) -> CheckResult:
    out = CheckResult()
    bad = out.violations.append
    tol = TOLERANCE
    engineers = {e.id: e for e in problem.engineers}
    jobs = {j.id: j for j in problem.jobs}
    seen_jobs: dict[str, str] = {}
    seen_engineers: set[str] = set()
    total_distance = total_duration = 0.0

    for route in plan.get("routes", []):
        eid = route.get("engineer")
        eng = engineers.get(eid)
        if eng is None:
            bad(f"route of unknown engineer {eid!r}")
            continue
        if eid in seen_engineers:
            bad(f"engineer {eid}: two routes")
        seen_engineers.add(eid)
        stops = route.get("stops", [])
        if not stops:
            continue
        here, clock, dist, load = eng.home, route["departure"], 0.0, 0.0
        if clock < eng.shift[0] - tol:
            bad(f"engineer {eid}: leaves at {clock}, before the shift starts at {eng.shift[0]:g}")
        sequenced = []
        for pos, stop in enumerate(stops):
            jid = stop["job"]
            job = jobs.get(jid)
            where = f"engineer {eid}, stop {pos + 1} ({jid})"
            if job is None:
                bad(f"{where}: no such job")
                continue
            if jid in seen_jobs:
                bad(f"{where}: job already routed to {seen_jobs[jid]}")
            seen_jobs[jid] = eid
            if not job.skills <= eng.skills:
                bad(f"{where}: lacks skills {sorted(job.skills - eng.skills)}")
            if job.pin_engineer is not None and job.pin_engineer != eid:
                bad(f"{where}: pinned to {job.pin_engineer}")
            if job.pin_sequence is not None:
                sequenced.append((pos, job.pin_sequence))
            d, t = _leg(problem, here, job.location)
            if abs(stop["distance"] - d) > tol:
                bad(f"{where}: states a leg of {stop['distance']}, recomputed {d:.4f}")
            if stop["arrival"] < clock + t - tol:
                bad(f"{where}: arrives at {stop['arrival']}, but the travel takes until {clock + t:.4f}")
            if stop["start"] < max(stop["arrival"], job.window[0]) - tol:
                bad(f"{where}: starts at {stop['start']}, before arrival or the window opens ({job.window[0]:g})")
            if stop["start"] > job.window[1] + tol:
                bad(f"{where}: starts at {stop['start']}, after the window closes ({job.window[1]:g})")
            if job.deadline is not None and stop["start"] > job.deadline + tol:
                bad(f"{where}: starts at {stop['start']}, after the SLA deadline ({job.deadline:g})")
            if abs(stop["end"] - (stop["start"] + job.duration)) > tol:
                bad(f"{where}: ends at {stop['end']}, not start + duration {job.duration:g}")
            dist += d
            load += job.demand
            here, clock = job.location, stop["end"]
        d, t = _leg(problem, here, eng.home)
        dist += d
        if route["return"] < clock + t - tol:
            bad(f"engineer {eid}: home at {route['return']}, but the travel takes until {clock + t:.4f}")
        if route["return"] > eng.shift[1] + tol:
            bad(f"engineer {eid}: home at {route['return']}, after the shift ends at {eng.shift[1]:g}")
        if load > eng.capacity + tol:
            bad(f"engineer {eid}: load {load:g} over the capacity {eng.capacity:g}")
        if abs(route["load"] - load) > tol:
            bad(f"engineer {eid}: states a load of {route['load']}, recomputed {load:g}")
        if abs(route["distance"] - dist) > tol * (len(stops) + 1):
            bad(f"engineer {eid}: states a distance of {route['distance']}, recomputed {dist:.4f}")
        if abs(route["duration"] - (route["return"] - route["departure"])) > tol:
            bad(f"engineer {eid}: states a duration of {route['duration']}, not return − departure")
        # Pinned sequences open the day, in ascending order.
        if sequenced:
            positions = [p for p, _ in sequenced]
            if positions != list(range(len(sequenced))) or [s for _, s in sequenced] != sorted(s for _, s in sequenced):
                bad(f"engineer {eid}: pinned sequence not kept at the start of the day")
        total_distance += dist
        total_duration += route["duration"]

    unassigned = [u.get("job") for u in plan.get("unassigned", [])]
    for jid in unassigned:
        if jid in seen_jobs:
            bad(f"job {jid}: both routed and unassigned")
        if jid not in jobs:
            bad(f"unassigned job {jid!r} is not in the input")
    if len(set(unassigned)) != len(unassigned):
        bad("a job is listed twice as unassigned")
    for jid, job in jobs.items():
        if jid not in seen_jobs and jid not in unassigned:
            bad(f"job {jid}: neither routed nor reported unassigned")
        if job.required and jid not in seen_jobs:
            bad(f"job {jid}: required but not routed")
    n_stops = len(seen_jobs)
    if abs(plan.get("total_distance", 0) - total_distance) > tol * (n_stops + len(seen_engineers) + 1):
        bad(f"total distance stated {plan.get('total_distance')}, recomputed {total_distance:.4f}")
    if abs(plan.get("total_duration", 0) - total_duration) > tol * (len(seen_engineers) + 1):
        bad(f"total duration stated {plan.get('total_duration')}, recomputed {total_duration:.4f}")
    out.distance = total_distance
    out.routed = n_stops
    return out
