"""Latency of the survey KPIs on a loaded database: p50 / p95 / max of the KPI API
(``GET /api/v1/surveys/kpis``) and of the report page (``/feedback/kpis/``), in-process through
Django's test client as an analyst, per case, in wall-clock milliseconds.

Cases: the default period (the last 90 days), one department over 90 days, one product line over
90 days, and a whole year. Each is run ``--n`` times after one unmeasured warm-up.

Usage (see docs/benchmarks.md)::

    export AFTERSALES_VAR_DIR=/tmp/aftersales-bench-surveys
    python manage.py migrate && python manage.py seed_surveys --answers 500000
    python bench/surveys.py --n 30
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_fb python bench/surveys.py --n 30
    python bench/surveys.py --n 3 --fresh   # a new connection per request (see docs/benchmarks.md)

Prints one JSON line per case and measure.
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

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count  # noqa: E402
from django.test import Client  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import User  # noqa: E402
from feedback.models import Response  # noqa: E402


def busiest(field: str):
    row = (
        Response.objects.exclude(**{f"{field}__isnull": True})
        .values(field)
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    return row[field] if row else None


def cases() -> dict[str, dict]:
    today = timezone.localdate()
    year = {"date_from": (today - timezone.timedelta(days=364)).isoformat(), "date_to": today.isoformat()}
    return {
        "default-90-days": {},
        "department-90-days": {"department": busiest("department")},
        "product-line-90-days": {"product_line": busiest("product_line")},
        "whole-year": year,
    }


def measure(client, url, params, n, fresh=False) -> dict:
    client.get(url, params)  # warm-up
    times = []
    for _ in range(n):
        if fresh:
            connection.close()  # a new connection: no prepared statement reaches its generic plan
        start = time.perf_counter()
        r = client.get(url, params)
        times.append((time.perf_counter() - start) * 1000)
        assert r.status_code == 200, r.content[:300]
    times.sort()
    return {
        "p50_ms": round(statistics.median(times), 1),
        "p95_ms": round(times[max(0, int(len(times) * 0.95) - 1)], 1),
        "max_ms": round(times[-1], 1),
    }


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--n", type=int, default=30)
    parser.add_argument("--fresh", action="store_true", help="a new database connection per request")
    args = parser.parse_args()
    settings.ALLOWED_HOSTS = ["*"]
    user, _ = User.objects.get_or_create(username="bench-analyst", defaults={"role": "analyst"})
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    client.force_login(user)
    engine = settings.DATABASES["default"]["ENGINE"].rsplit(".", 1)[-1]
    total = Response.objects.count()
    for name, params in cases().items():
        clean = {k: v for k, v in params.items() if v is not None}
        for measure_name, url in (("api", "/api/v1/surveys/kpis"), ("page", "/feedback/kpis/")):
            row = {"case": name, "measure": measure_name, "db": engine, "responses": total, "n": args.n}
            row.update(measure(client, url, clean, args.n, args.fresh))
            print(json.dumps(row), flush=True)


if __name__ == "__main__":
    main()
