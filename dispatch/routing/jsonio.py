"""The planner's JSON: reading and validating a problem, writing a plan (docs/dispatch.md).

``problem_from_dict`` collects every error it finds, each with its JSON path, and raises one
``InputError`` carrying them all, so a dispatcher fixes a file in one pass.
"""

from __future__ import annotations

import math
from typing import Any

from .model import EUCLIDEAN, HAVERSINE, REASONS, DistanceRule, Engineer, Job, Plan, Problem

FORMAT_VERSION = 1


class InputError(ValueError):
    """A problem file that cannot be planned; ``errors`` lists each fault as "path: message"."""

    def __init__(self, errors: list[str]):
        self.errors = errors
        super().__init__("; ".join(errors))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and math.isfinite(value)


class _Reader:
    def __init__(self):
        self.errors: list[str] = []

    def fail(self, path: str, message: str) -> None:
        self.errors.append(f"{path}: {message}")

    def number(self, obj: dict, key: str, path: str, *, default=None, minimum: float | None = None, optional=False):
        """The number at obj[key]; ``default`` when it is absent (an error when that is None,
        unless ``optional``)."""
        if key not in obj or obj[key] is None:
            if default is None and not optional:
                self.fail(f"{path}.{key}", "required (a number)")
            return default
        value = obj[key]
        if not _is_number(value):
            self.fail(f"{path}.{key}", f"must be a number, not {value!r}")
            return default
        if minimum is not None and value < minimum:
            self.fail(f"{path}.{key}", f"must be at least {minimum:g}, not {value:g}")
            return default
        return float(value)

    def pair(self, obj: dict, key: str, path: str, *, required: bool, ordered: bool):
        if key not in obj or obj[key] is None:
            if required:
                self.fail(f"{path}.{key}", "required (a list of two numbers)")
            return None
        value = obj[key]
        if not (isinstance(value, list) and len(value) == 2 and all(_is_number(v) for v in value)):
            self.fail(f"{path}.{key}", f"must be a list of two numbers, not {value!r}")
            return None
        first, second = float(value[0]), float(value[1])
        if ordered and first > second:
            self.fail(f"{path}.{key}", f"the start {first:g} is after the end {second:g}")
            return None
        return first, second

    def ident(self, obj: dict, path: str, seen: set[str]) -> str | None:
        value = obj.get("id")
        if isinstance(value, int) and not isinstance(value, bool):
            value = str(value)
        if not isinstance(value, str) or not value.strip():
            self.fail(f"{path}.id", "required (a non-empty string or an integer)")
            return None
        if value in seen:
            self.fail(f"{path}.id", f"{value!r} appears twice")
            return None
        seen.add(value)
        return value

    def skills(self, obj: dict, path: str) -> frozenset[str]:
        value = obj.get("skills", [])
        if value is None:
            return frozenset()
        if not (isinstance(value, list) and all(isinstance(s, str) and s.strip() for s in value)):
            self.fail(f"{path}.skills", "must be a list of non-empty strings")
            return frozenset()
        return frozenset(s.strip() for s in value)


def _distance_rule(r: _Reader, raw: Any) -> DistanceRule:
    if raw is None:
        raw = {"kind": EUCLIDEAN}
    if isinstance(raw, str):
        raw = {"kind": raw}
    if not isinstance(raw, dict):
        r.fail("distance", 'must be an object such as {"kind": "euclidean"}')
        return DistanceRule()
    kind = raw.get("kind", EUCLIDEAN)
    unknown = set(raw) - {"kind", "speed_kmh", "detour", "truncate"}
    if unknown:
        r.fail("distance", f"unknown keys {sorted(unknown)}")
    if kind == EUCLIDEAN:
        truncate = raw.get("truncate")
        if truncate is not None and not (
            isinstance(truncate, int) and not isinstance(truncate, bool) and 0 <= truncate <= 6
        ):
            r.fail("distance.truncate", "must be an integer from 0 to 6 (decimals kept)")
            truncate = None
        return DistanceRule(kind=EUCLIDEAN, truncate=truncate)
    if kind == HAVERSINE:
        speed = r.number(raw, "speed_kmh", "distance", default=None, minimum=0.001)
        detour = r.number(raw, "detour", "distance", default=1.0, minimum=1.0)
        return DistanceRule(kind=HAVERSINE, speed_kmh=speed or 30.0, detour=detour or 1.0)
    r.fail("distance.kind", f'must be "euclidean" or "haversine", not {kind!r}')
    return DistanceRule()


def _check_point(r: _Reader, rule: DistanceRule, point, path: str) -> None:
    if point is None or rule.kind != HAVERSINE:
        return
    lng, lat = point
    if not (-180 <= lng <= 180 and -90 <= lat <= 90):
        r.fail(path, f"[{lng:g}, {lat:g}] is not [longitude, latitude] in degrees")


def problem_from_dict(data: Any) -> Problem:
    """Read a problem from parsed JSON; raise ``InputError`` listing every fault."""
    r = _Reader()
    if not isinstance(data, dict):
        raise InputError(['(top level): must be a JSON object with "engineers" and "jobs"'])
    unknown = set(data) - {"name", "version", "distance", "engineers", "jobs"}
    if unknown:
        r.fail("(top level)", f"unknown keys {sorted(unknown)}")
    version = data.get("version", FORMAT_VERSION)
    if version != FORMAT_VERSION:
        r.fail("version", f"this planner reads version {FORMAT_VERSION}, not {version!r}")
    rule = _distance_rule(r, data.get("distance"))

    engineers: list[Engineer] = []
    raw_engineers = data.get("engineers")
    if not isinstance(raw_engineers, list) or not raw_engineers:
        r.fail("engineers", "required (a non-empty list)")
        raw_engineers = []
    seen: set[str] = set()
    for i, raw in enumerate(raw_engineers):
        path = f"engineers[{i}]"
        if not isinstance(raw, dict):
            r.fail(path, "must be an object")
            continue
        extra = set(raw) - {"id", "home", "shift", "skills", "capacity", "name"}
        if extra:
            r.fail(path, f"unknown keys {sorted(extra)}")
        eid = r.ident(raw, path, seen)
        home = r.pair(raw, "home", path, required=True, ordered=False)
        _check_point(r, rule, home, f"{path}.home")
        shift = r.pair(raw, "shift", path, required=True, ordered=True)
        skills = r.skills(raw, path)
        capacity = r.number(raw, "capacity", path, default=math.inf, minimum=0)
        if eid is not None and home is not None and shift is not None:
            engineers.append(Engineer(id=eid, home=home, shift=shift, skills=skills, capacity=capacity))

    jobs: list[Job] = []
    raw_jobs = data.get("jobs")
    if not isinstance(raw_jobs, list):
        r.fail("jobs", "required (a list)")
        raw_jobs = []
    seen = set()
    for i, raw in enumerate(raw_jobs):
        path = f"jobs[{i}]"
        if not isinstance(raw, dict):
            r.fail(path, "must be an object")
            continue
        extra = set(raw) - {
            "id",
            "location",
            "time_window",
            "duration",
            "skills",
            "demand",
            "deadline",
            "required",
            "pin",
            "name",
        }
        if extra:
            r.fail(path, f"unknown keys {sorted(extra)}")
        jid = r.ident(raw, path, seen)
        location = r.pair(raw, "location", path, required=True, ordered=False)
        _check_point(r, rule, location, f"{path}.location")
        window = r.pair(raw, "time_window", path, required=False, ordered=True) or (-math.inf, math.inf)
        duration = r.number(raw, "duration", path, default=0.0, minimum=0)
        demand = r.number(raw, "demand", path, default=0.0, minimum=0)
        deadline = r.number(raw, "deadline", path, optional=True)
        required = raw.get("required", False)
        if not isinstance(required, bool):
            r.fail(f"{path}.required", "must be true or false")
            required = False
        pin_engineer = pin_sequence = None
        pin = raw.get("pin")
        if pin is not None:
            if isinstance(pin, str | int) and not isinstance(pin, bool):
                pin = {"engineer": pin}
            if not isinstance(pin, dict) or "engineer" not in pin or set(pin) - {"engineer", "sequence"}:
                r.fail(f"{path}.pin", 'must be {"engineer": ID} or {"engineer": ID, "sequence": N}')
            else:
                pin_engineer = str(pin["engineer"])
                seq = pin.get("sequence")
                if seq is not None and not (isinstance(seq, int) and not isinstance(seq, bool) and seq >= 1):
                    r.fail(f"{path}.pin.sequence", "must be a whole number from 1")
                else:
                    pin_sequence = seq
        if jid is not None and location is not None:
            jobs.append(
                Job(
                    id=jid,
                    location=location,
                    window=window,
                    duration=duration or 0.0,
                    skills=r.skills(raw, path),
                    demand=demand or 0.0,
                    deadline=deadline,
                    required=required,
                    pin_engineer=pin_engineer,
                    pin_sequence=pin_sequence,
                )
            )
    # Two jobs pinned to one engineer at one place in the sequence cannot both be there.
    slots: dict[tuple[str, int], str] = {}
    for job in jobs:
        if job.pin_sequence is not None:
            key = (job.pin_engineer, job.pin_sequence)
            if key in slots:
                r.fail("jobs", f"{slots[key]!r} and {job.id!r} are both pinned to {key[0]!r} at sequence {key[1]}")
            slots[key] = job.id
    if r.errors:
        raise InputError(r.errors)
    name = data.get("name")
    return Problem(
        engineers=tuple(engineers), jobs=tuple(jobs), distance=rule, name=name if isinstance(name, str) else ""
    )


def _num(value: float | None, digits: int = 4):
    if value is None:
        return None
    return round(value, digits)


def units(rule: DistanceRule) -> dict[str, str]:
    if rule.kind == HAVERSINE:
        return {"distance": "km", "time": "minutes"}
    return {"distance": "input unit", "time": "input unit (travel time = distance)"}


def plan_to_dict(plan: Plan, problem: Problem) -> dict[str, Any]:
    """The output document (docs/dispatch.md): routes per engineer in input order, then the rest."""
    by_engineer = {r.engineer: r for r in plan.routes}
    routes = []
    for engineer in problem.engineers:
        route = by_engineer.get(engineer.id)
        if route is None or not route.stops:
            routes.append(
                {
                    "engineer": engineer.id,
                    "departure": None,
                    "return": None,
                    "distance": 0,
                    "duration": 0,
                    "load": 0,
                    "stops": [],
                }
            )
            continue
        routes.append(
            {
                "engineer": engineer.id,
                "departure": _num(route.departure),
                "return": _num(route.return_time),
                "distance": _num(route.distance),
                "duration": _num(route.duration),
                "load": _num(route.load),
                "stops": [
                    {
                        "job": s.job,
                        "arrival": _num(s.arrival),
                        "start": _num(s.start),
                        "end": _num(s.end),
                        "wait": _num(s.wait),
                        "distance": _num(s.distance_from_previous),
                    }
                    for s in route.stops
                ],
            }
        )
    return {
        "version": FORMAT_VERSION,
        "name": plan.name or problem.name,
        "solver": plan.solver,
        "time_limit": plan.time_limit,
        "elapsed": round(plan.elapsed, 3),
        "units": units(problem.distance),
        "total_distance": _num(plan.distance),
        "total_duration": _num(plan.duration),
        "jobs_assigned": sum(len(r.stops) for r in plan.routes),
        "jobs_unassigned": len(plan.unassigned),
        "routes": routes,
        "unassigned": [
            {"job": u.job, "reason": u.reason, "message": REASONS[u.reason] + (f" {u.detail}" if u.detail else "")}
            for u in plan.unassigned
        ],
        "notes": plan.notes,
    }
