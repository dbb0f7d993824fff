"""Where the CPU goes when app servers share one PostgreSQL (for docs/scaling.md).

Starts ``--servers`` gunicorn instances of ours (``-w`` sync workers each, on consecutive
ports) against the benchmark's PostgreSQL database, drives them with a mixed load split
evenly across the instances (intake at concurrency ``-c`` and the queue's first page), and
reports throughput together with the CPU seconds spent by the app processes and by the
PostgreSQL backends of that database (from /proc and pg_stat_activity). The per-request
database CPU is the figure that says how far one database server carries more app servers.

Run with the benchmark's virtualenv (httpx, psycopg), after ``BENCH_KEEP=1 bash bench/run.sh``:

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/aftersales_bench \\
      $BENCH_ROOT/peer-venv/bin/python bench/scaling.py --manifest $BENCH_ROOT/postgres/manifest.json

Loopback only; bounded by request count and time; the servers it starts are stopped by pid.
"""

import argparse
import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
import psycopg

REPO = Path(__file__).resolve().parent.parent
TICK = os.sysconf("SC_CLK_TCK")


def cpu_seconds(pid: int) -> float:
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (FileNotFoundError, ProcessLookupError):
        return 0.0
    return (int(fields[11]) + int(fields[12])) / TICK  # utime + stime


def children(pid: int) -> list[int]:
    out = subprocess.run(["pgrep", "-P", str(pid)], capture_output=True, text=True).stdout.split()
    return [int(p) for p in out]


def backends(dsn: str, dbname: str) -> list[int]:
    with psycopg.connect(dsn, autocommit=True) as conn:
        rows = conn.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = %s AND pid <> pg_backend_pid()", [dbname]
        ).fetchall()
    return [r[0] for r in rows]


async def drive(ports: list[int], manifest: dict, *, n: int, c: int, cap: float) -> dict:
    q = manifest["queue"]
    queue_url = "/api/v1/work-orders?" + urlencode(
        {"status": q["status"], "department": q["department"], "sort": "due"}
    )
    serials = manifest["intake_serials"]
    headers = {"Authorization": f"Bearer {manifest['token']}"}
    counter = iter(range(n))
    done = {"intake": 0, "queue": 0, "errors": 0}
    deadline = time.perf_counter() + cap

    async def worker(k: int):
        port = ports[k % len(ports)]
        async with httpx.AsyncClient(base_url=f"http://127.0.0.1:{port}", headers=headers, timeout=60) as client:
            for i in counter:
                if time.perf_counter() > deadline:
                    return
                if i % 2:
                    r = await client.get(queue_url)
                    kind, ok = "queue", r.status_code == 200
                else:
                    r = await client.post(
                        "/api/v1/service-requests",
                        json={
                            "serial": serials[i % len(serials)],
                            "fault_description": "Stops after a few minutes.",
                            "service_type": "repair",
                            "priority": "normal",
                            "channel": "phone",
                        },
                    )
                    kind, ok = "intake", r.status_code == 201
                done[kind if ok else "errors"] += 1

    start = time.perf_counter()
    await asyncio.gather(*(worker(k) for k in range(c)))
    done["wall_s"] = round(time.perf_counter() - start, 2)
    return done


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--servers", type=int, nargs="+", default=[1, 2])
    ap.add_argument("-w", type=int, default=2)
    ap.add_argument("-c", type=int, default=8)
    ap.add_argument("-n", type=int, default=1200)
    ap.add_argument("--cap", type=float, default=120)
    ap.add_argument("--port", type=int, default=8811)
    ap.add_argument("--out", default="")
    args = ap.parse_args()
    dsn = os.environ["DATABASE_URL"]
    dbname = dsn.rsplit("/", 1)[1]
    manifest = json.loads(Path(args.manifest).read_text())
    for servers in args.servers:
        ports = [args.port + i for i in range(servers)]
        masters = [
            subprocess.Popen(
                [
                    str(REPO / ".venv/bin/gunicorn"),
                    "config.wsgi",
                    "-w",
                    str(args.w),
                    "-b",
                    f"127.0.0.1:{p}",
                    "--timeout",
                    "120",
                    "--access-logfile",
                    "/dev/null",
                ],
                cwd=REPO,
            )
            for p in ports
        ]
        try:
            for p in ports:
                for _ in range(150):
                    try:
                        httpx.get(f"http://127.0.0.1:{p}/healthz", timeout=2)
                        break
                    except httpx.HTTPError:
                        time.sleep(0.2)
            asyncio.run(drive(ports, manifest, n=40, c=args.c, cap=30))  # warm-up: connections, caches
            app = [w for m in masters for w in children(m.pid)]
            db = backends(dsn, dbname)
            app0, db0 = sum(map(cpu_seconds, app)), sum(map(cpu_seconds, db))
            done = asyncio.run(drive(ports, manifest, n=args.n, c=args.c, cap=args.cap))
            db = sorted(set(db) | set(backends(dsn, dbname)))
            app_cpu, db_cpu = sum(map(cpu_seconds, app)) - app0, sum(map(cpu_seconds, db)) - db0
            requests = done["intake"] + done["queue"]
            res = {
                "servers": servers,
                "workers_each": args.w,
                "concurrency": args.c,
                **done,
                "req_per_s": round(requests / done["wall_s"], 1),
                "app_cpu_s": round(app_cpu, 2),
                "db_cpu_s": round(db_cpu, 2),
                "app_cpu_ms_per_req": round(1000 * app_cpu / max(requests, 1), 2),
                "db_cpu_ms_per_req": round(1000 * db_cpu / max(requests, 1), 2),
                "loadavg": os.getloadavg()[0],
            }
            print(json.dumps(res), flush=True)
            if args.out:
                with open(args.out, "a") as fh:
                    fh.write(json.dumps(res) + "\n")
        finally:
            for m in masters:
                m.send_signal(signal.SIGTERM)
            for m in masters:
                m.wait(timeout=30)


if __name__ == "__main__":
    sys.exit(main())
