"""Latency of the manager's dashboard on a loaded database: p50 / p95 / max of its figures'
computation (``analytics.dashboard.dashboard``, the six statements) and of the whole page
rendered in-process (form choices, figures, template), per case, as wall-clock milliseconds.

Cases: the default period (the last 30 days), the same narrowed to one region and product line
(the busiest ones), one team over 90 days, and a whole year. Each is run ``--n`` times after one
unmeasured warm-up. As a manager (an unsaved user: nothing is written to the database).

Usage (the benchmark's settings, e.g. the data of ``BENCH_KEEP=1 bash bench/run.sh``)::

    AFTERSALES_VAR_DIR=/tmp/aftersales-bench/sqlite/ours python bench/dashboard.py --n 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench python bench/dashboard.py --explain

Prints one JSON line per case and measure; ``--explain`` prints each statement's plan first.
"""

import argparse
import json
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import RequestFactory  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from analytics import dashboard as D  # noqa: E402
from analytics.views import dashboard as dashboard_page  # noqa: E402
from service.models import WorkOrder  # noqa: E402


def busiest(field: str):
    """The value of ``field`` with the most orders in the last 30 days."""
    since = timezone.now() - timezone.timedelta(days=30)
    row = (
        WorkOrder.objects.filter(created_at__gte=since)
        .exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(n=Count("*"))
        .order_by("-n")
        .first()
    )
    return row[field] if row else None


def cases() -> dict[str, dict]:
    region, line, team = busiest("customer__region"), busiest("product_model__line"), busiest("department")
    return {
        "default (30 days)": {},
        "region + product line (30 days)": {"region": region, "product_line": line},
        "team (90 days)": {"days": 90, "department": team},
        "a year": {"days": 365},
    }


def timed(fn, n: int) -> list[float]:
    fn()  # warm-up: caches, compiled statements, the database's pages
    out = []
    for _ in range(n):
        t0 = time.perf_counter()
        fn()
        out.append((time.perf_counter() - t0) * 1000)
    return out


def summary(ms: list[float]) -> dict:
    ms = sorted(ms)
    p95 = ms[min(len(ms) - 1, max(0, round(0.95 * len(ms)) - 1))]
    return {
        "n": len(ms),
        "p50_ms": round(statistics.median(ms), 1),
        "p95_ms": round(p95, 1),
        "max_ms": round(ms[-1], 1),
    }


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--n", type=int, default=30)
    ap.add_argument("--explain", action="store_true")
    ap.add_argument("--only", default="", help="run the cases whose name contains this")
    args = ap.parse_args()
    # a manager of the data (the page's bell counts their notifications: a saved user); else an
    # unsaved one (the figures only need the role)
    manager = User.objects.filter(role="manager", is_active=True).order_by("pk").first() or User(
        username="bench.manager", role="manager", is_active=True
    )
    factory = RequestFactory()
    orders = WorkOrder.objects.count()
    for name, kw in cases().items():
        if args.only and args.only not in name:
            continue
        filters = D.parse_filters(**kw)

        def figures(filters=filters):
            return D.dashboard(actor=manager, filters=filters)

        def page(kw=kw):
            request = factory.get("/dashboard/", {k: v for k, v in kw.items() if v is not None})
            request.user = manager
            response = dashboard_page(request)
            assert response.status_code == 200, response.status_code
            return response

        with CaptureQueriesContext(connection) as q:
            result = figures()
        if args.explain:
            for query in q.captured_queries:
                with connection.cursor() as cursor:
                    plan = "EXPLAIN QUERY PLAN " if connection.vendor == "sqlite" else "EXPLAIN "
                    cursor.execute(plan + query["sql"])
                    print(query["sql"][:200], "\n   ", "\n    ".join(str(r) for r in cursor.fetchall()))
        common = {
            "db": connection.vendor,
            "orders": orders,
            "case": name,
            "filters": {k: v for k, v in kw.items() if v is not None},
            "received": result["received"],
            "queries": len(q.captured_queries),
        }
        print(json.dumps({**common, "measure": "figures", **summary(timed(figures, args.n))}), flush=True)
        print(json.dumps({**common, "measure": "page", **summary(timed(page, args.n))}), flush=True)


if __name__ == "__main__":
    main()
