"""Distances and travel times between points, as the planner uses them.

The feasibility checker (``checker.py``) has its own copy of these formulas on purpose: a plan
is judged by a second code path, not by the one that made it.
"""

from __future__ import annotations

import math

from .model import EUCLIDEAN, DistanceRule

EARTH_RADIUS_KM = 6371.0088  # mean radius (IUGG)


def leg(rule: DistanceRule, a: tuple[float, float], b: tuple[float, float]) -> tuple[float, float]:
    """(distance, travel time) from a to b."""
    if rule.kind == EUCLIDEAN:
        d = math.hypot(a[0] - b[0], a[1] - b[1])
        if rule.truncate is not None:
            factor = 10**rule.truncate
            # The small epsilon keeps 10.0 from reading as 9.9 after a binary rounding error.
            d = math.floor(d * factor + 1e-9) / factor
        return d, d
    lng1, lat1, lng2, lat2 = map(math.radians, (a[0], a[1], b[0], b[1]))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lng2 - lng1) / 2) ** 2
    km = 2 * EARTH_RADIUS_KM * math.asin(min(1.0, math.sqrt(h))) * rule.detour
    return km, km / rule.speed_kmh * 60.0


def matrices(rule: DistanceRule, points: list[tuple[float, float]]) -> tuple[list[list[float]], list[list[float]]]:
    """Full distance and travel-time matrices over the points."""
    n = len(points)
    dist = [[0.0] * n for _ in range(n)]
    time = [[0.0] * n for _ in range(n)]
    for i in range(n):
        for j in range(i + 1, n):
            d, t = leg(rule, points[i], points[j])
            dist[i][j] = dist[j][i] = d
            time[i][j] = time[j][i] = t
    return dist, time
