"""SLA figures of a case type over a period, from indexed aggregates (the dashboard's KPIs).

The clocks *started* in the period (at intake, or later for the clocks a transition starts)
by (clock, state), with the ones still running past their deadline counted apart and the
time the stopped ones took — one grouped query, an index-only range scan of the clock
table's ``<prefix>_kpi`` index (clock, state, started_at, due_at, stopped_at). The filter
names every clock and state explicitly so that PostgreSQL (no skip scan before version 18)
walks one index range per value, like SQLite does.
"""

import datetime as dt

from django.db.models import Count, F, FloatField, Func, Q, QuerySet, Sum

from .cases import CaseType
from .models import Clock, ClockName

State = Clock.State


class Seconds(Func):
    """``end - start`` in seconds, computed by the database itself.

    Django's own datetime subtraction runs a Python function per row on SQLite; ``julianday`` /
    ``EXTRACT(EPOCH …)`` do not (docs/benchmarks.md)."""

    arg_joiner = " - "
    template = "EXTRACT(EPOCH FROM (%(expressions)s))"
    output_field = FloatField()

    def as_sqlite(self, compiler, connection, **extra):
        return self.as_sql(
            compiler,
            connection,
            template="((julianday(%(expressions)s)) * 86400.0)",
            arg_joiner=") - julianday(",
            **extra,
        )


def clock_groups(
    case: CaseType,
    *,
    start: dt.datetime,
    end: dt.datetime,
    now: dt.datetime,
    subjects: QuerySet | None = None,
    timed: str = ClockName.RESPONSE,
) -> list[dict]:
    """The clocks started in ``[start, end)`` by (clock, state): ``n``, ``late`` (running past the
    deadline at ``now``), ``stopped`` and ``took`` (the seconds the ``timed`` clocks ran to their
    stop). ``subjects``: only these cases' clocks (an actor with a narrower scope)."""
    clocks = case.clock_model.objects.filter(
        clock__in=ClockName.values, state__in=State.values, started_at__gte=start, started_at__lt=end
    )
    if subjects is not None:
        clocks = clocks.filter(**{f"{case.subject_field}__in": subjects})
    return list(
        clocks.order_by()
        .values("clock", "state")
        .annotate(
            n=Count("*"),
            late=Count("due_at", filter=Q(state=State.RUNNING, due_at__lt=now)),
            stopped=Count("stopped_at"),
            took=Sum(Seconds(F("stopped_at"), F("started_at")), filter=Q(clock=timed)),
        )
    )


def compliance(groups: list[dict]) -> dict:
    """Met on time / (met + breached), where a clock still running past its deadline is breached
    already; clocks still within their deadline, paused or cancelled are not counted yet."""
    by_clock: dict[str, dict] = {}
    for g in groups:
        row = by_clock.setdefault(g["clock"], {"clock": g["clock"], "met": 0, "breached": 0, "pending": 0})
        if g["state"] == State.MET:
            row["met"] += g["n"]
        elif g["state"] == State.BREACHED:
            row["breached"] += g["n"]
        elif g["state"] in (State.RUNNING, State.PAUSED):
            row["breached"] += g["late"]
            row["pending"] += g["n"] - g["late"]
    rows = sorted(by_clock.values(), key=lambda r: r["clock"])
    for row in rows:
        row["compliance"] = _ratio(row["met"], row["met"] + row["breached"])
    met, breached = sum(r["met"] for r in rows), sum(r["breached"] for r in rows)
    return {"met": met, "breached": breached, "compliance": _ratio(met, met + breached), "by_clock": rows}


def response_time(groups: list[dict], *, timed: str = ClockName.RESPONSE) -> dict:
    """The average time the ``timed`` clock ran to its stop (e.g. request to first response),
    over the cases where it stopped."""
    answered = [g for g in groups if g["clock"] == timed and g["stopped"]]
    count = sum(g["stopped"] for g in answered)
    total = sum(_seconds(g["took"]) for g in answered)
    return {"count": count, "average_minutes": round(total / count / 60, 1) if count else None}


def _seconds(value) -> float:
    return 0.0 if value is None else float(value)


def _ratio(part: int, whole: int) -> float | None:
    return round(part / whole, 4) if whole else None
