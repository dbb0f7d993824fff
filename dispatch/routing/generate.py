"""Generated field-service days for the benchmark and the tests (seeded, reproducible).

A region of about 50 × 55 km around Guangzhou (WGS-84 longitude/latitude, haversine at
30 km/h with a 1.3 road detour), engineers with two to four of five product-line skills,
staggered shifts and vans of 12–20 units, jobs with one skill (a few with two), a service of
20–90 minutes, a demand of 1–3 units, and an appointment window: a third any time in the day,
the rest a 2- or 4-hour slot; one job in ten has an SLA deadline inside its window.
"""

from __future__ import annotations

import random

from .model import HAVERSINE, DistanceRule, Engineer, Job, Problem

SKILLS = ("air-conditioner", "washer", "fridge", "tv", "water-heater")
REGION = ((113.15, 113.40), (23.02, 23.24))  # (longitude range, latitude range)
SHIFTS = ((480, 1020), (510, 1050), (540, 1080), (600, 1140))  # minutes after midnight


def generate_day(n_jobs: int = 200, n_engineers: int = 30, *, seed: int = 18) -> Problem:
    rng = random.Random(seed)

    def point() -> tuple[float, float]:
        return (round(rng.uniform(*REGION[0]), 5), round(rng.uniform(*REGION[1]), 5))

    engineers = []
    for k in range(n_engineers):
        skills = frozenset(rng.sample(SKILLS, rng.randint(2, 4)))
        engineers.append(
            Engineer(
                id=f"E{k + 1:02d}",
                home=point(),
                shift=rng.choice(SHIFTS),
                skills=skills,
                capacity=float(rng.randint(12, 20)),
            )
        )
    jobs = []
    for k in range(n_jobs):
        skills = {rng.choice(SKILLS)}
        if rng.random() < 0.1:
            skills.add(rng.choice(SKILLS))
        kind = rng.random()
        if kind < 1 / 3:
            window = (480.0, 1080.0)
        else:
            length = 120 if kind < 2 / 3 else 240
            start = rng.choice(range(480, 1080 - length + 1, 60))
            window = (float(start), float(start + length))
        deadline = None
        if rng.random() < 0.1:
            deadline = float(rng.randint(int(window[0]) + 30, int(window[1])))
        jobs.append(
            Job(
                id=f"J{k + 1:03d}",
                location=point(),
                window=window,
                duration=float(rng.choice((20, 30, 45, 60, 90))),
                skills=frozenset(skills),
                demand=float(rng.randint(1, 3)),
                deadline=deadline,
            )
        )
    return Problem(
        engineers=tuple(engineers),
        jobs=tuple(jobs),
        distance=DistanceRule(kind=HAVERSINE, speed_kmh=30.0, detour=1.3),
        name=f"generated-{n_jobs}x{n_engineers}-seed{seed}",
    )


def problem_to_dict(problem: Problem) -> dict:
    """The input document of a problem (the inverse of ``jsonio.problem_from_dict``)."""
    rule = problem.distance
    distance = {"kind": rule.kind}
    if rule.kind == HAVERSINE:
        distance.update(speed_kmh=rule.speed_kmh, detour=rule.detour)
    elif rule.truncate is not None:
        distance["truncate"] = rule.truncate

    def job(j: Job) -> dict:
        out = {"id": j.id, "location": list(j.location), "duration": j.duration, "demand": j.demand}
        if j.window != (float("-inf"), float("inf")):
            out["time_window"] = list(j.window)
        out["skills"] = sorted(j.skills)
        if j.deadline is not None:
            out["deadline"] = j.deadline
        if j.required:
            out["required"] = True
        if j.pin_engineer is not None:
            out["pin"] = {"engineer": j.pin_engineer}
            if j.pin_sequence is not None:
                out["pin"]["sequence"] = j.pin_sequence
        return out

    return {
        "version": 1,
        "name": problem.name,
        "distance": distance,
        "engineers": [
            {
                "id": e.id,
                "home": list(e.home),
                "shift": list(e.shift),
                "skills": sorted(e.skills),
                **({"capacity": e.capacity} if e.capacity != float("inf") else {}),
            }
            for e in problem.engineers
        ],
        "jobs": [job(j) for j in problem.jobs],
    }
