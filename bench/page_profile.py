"""CPU and queries of one page or API read, in-process through the whole WSGI stack.

Reads ``--path`` (``{id}`` is replaced by the manifest's sample order ids in turn) ``--n``
times as the benchmark's agent (session cookie for pages, bearer token for ``/api/``) and
prints the best of ``--rounds`` rounds of CPU milliseconds per request and the queries of
one request; ``--profile`` adds a pyinstrument profile.

Usage: ``DATABASE_URL=... python bench/page_profile.py --state DIR --path /console/orders/{id}/``
"""

import argparse
import json
import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", type=Path, required=True)
    ap.add_argument("--path", required=True)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    m = json.loads((args.state / "manifest.json").read_text())
    if args.path.startswith("/api/"):
        client = Client(HTTP_AUTHORIZATION=f"Bearer {m['token']}", HTTP_ACCEPT_LANGUAGE="en")
    else:
        client = Client(HTTP_ACCEPT_LANGUAGE="en")
        for name, value in m["session_cookie"].items():
            client.cookies[name] = value
    ids = m["order_ids"]
    state = {"i": 0}

    def one() -> None:
        state["i"] += 1
        r = client.get(args.path.replace("{id}", str(ids[state["i"] % len(ids)])))
        assert r.status_code == 200, (r.status_code, r.content[:300])

    report(one, args, label={"path": args.path})


def report(one, args, *, label: dict) -> None:
    """Warm up, count one request's queries, print the best round's CPU ms per request (and
    the SQL with ``SHOW_SQL=1``, a pyinstrument profile with ``--profile``). Shared with
    ``intake_profile.py``."""
    for _ in range(5):
        one()
    sql: list[str] = []

    def record(execute, query, params, many, context):
        sql.append(query)
        return execute(query, params, many, context)

    with connection.execute_wrapper(record):  # survives the connection being closed and reopened
        one()
    best = None
    for _ in range(args.rounds):
        t0 = time.process_time()
        for _ in range(args.n):
            one()
        ms = (time.process_time() - t0) * 1000 / args.n
        best = ms if best is None else min(best, ms)
    print(json.dumps({**label, "cpu_ms": round(best, 2), "queries": len(sql)}))
    if os.environ.get("SHOW_SQL"):
        for q in sql:
            print("  ", q[:200])
    if args.profile:
        from pyinstrument import Profiler

        p = Profiler(interval=0.0005)
        p.start()
        for _ in range(args.n):
            one()
        p.stop()
        print(p.output_text(unicode=True, color=False, show_all=False))


if __name__ == "__main__":
    main()
