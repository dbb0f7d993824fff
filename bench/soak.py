"""Soak: a bounded mixed load on a real gunicorn serving a seeded database, on loopback.

    .venv/bin/python bench/soak.py                       # 10 minutes, SQLite, 20,000 seeded orders
    .venv/bin/python bench/soak.py --seconds 180 --db postgres
    .venv/bin/python bench/soak.py --seconds 60 --orders 2000 --clients 4 --json /tmp/soak.json

What it does (all of it torn down at the end, also on Ctrl-C):

1. a fresh database (``tests/reliability/live.py``): a SQLite file in a temporary directory, or a
   uniquely named PostgreSQL database on ``--pg`` (dropped afterwards); ``manage.py migrate``,
   ``manage.py seed_demo --orders N``, and agents with API tokens and console sessions;
2. gunicorn ``config.wsgi`` with 2 sync workers and the production settings on a free
   loopback port;
3. ``--clients`` threads, each sending its next request as soon as the last one is answered
   (closed loop), picked at random with these weights: intake (``POST /api/v1/service-requests``
   with an Idempotency-Key) 15, transitions of the client's own new orders (acknowledge → wait
   for the customer → resume → assess → cancel, with the version) 15, API queue (first page of
   the busiest open status and team, sorted by deadline) 15, console queue (HTML) 10, API
   detail 20, console detail (HTML) 5, search by serial or phone 20;
4. every 10 s the resident memory (RSS) of each worker; per minute the requests, errors and
   latency percentiles;
5. at the end: the invariants of every order written during the soak
   (tests/reliability/invariants.py) and the tracebacks in gunicorn's log.

An error is any answer other than the expected status (201 intake, 200 otherwise) or no answer.
It prints a Markdown report (and ``--json`` writes the raw figures); the exit status is 1 when
there was an error, a broken invariant or a traceback.
"""

from __future__ import annotations

import argparse
import itertools
import json
import os
import platform
import random
import secrets
import statistics
import sys
import tempfile
import threading
import time
from collections import defaultdict
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from tests.reliability.invariants import order_violations  # noqa: E402
from tests.reliability.live import FreshDatabase, Http, Server  # noqa: E402

WEIGHTS = {
    "intake": 15,
    "transition": 15,
    "queue_api": 15,
    "queue_console": 10,
    "detail_api": 20,
    "detail_console": 5,
    "search": 20,
}
PLAN = [
    ("acknowledge", {}),
    ("wait_customer", {}),
    ("resume", {}),
    ("assess", {"cause": "defect"}),
    ("cancel", {"note": "Soak: the customer withdrew the request."}),
]
BODY = "Soak test: the unit stops after a few minutes and shows error E03."


def pct(values: list[float], p: float) -> float | None:
    if not values:
        return None
    s = sorted(values)
    k = (len(s) - 1) * p / 100
    f = int(k)
    c = min(f + 1, len(s) - 1)
    return s[f] + (s[c] - s[f]) * (k - f)


class Recorder:
    def __init__(self):
        self.lock = threading.Lock()
        self.samples: list[tuple[float, str, bool, float]] = []  # (t, kind, ok, seconds)
        self.errors: list[str] = []

    def add(self, t: float, kind: str, ok: bool, seconds: float, detail: str = "") -> None:
        with self.lock:
            self.samples.append((t, kind, ok, seconds))
            if not ok and len(self.errors) < 50:
                self.errors.append(f"{kind}: {detail}")


class Client(threading.Thread):
    """One user of the system: an agent with a token (API) and a session (console)."""

    def __init__(self, n, base, agent, world, rec, t0, deadline, seed):
        super().__init__(name=f"soak-client-{n}", daemon=True)
        self.api = Http(base, token=agent["token"], timeout=120)
        self.web = Http(base, cookies={world["session_cookie"]: agent["session"]}, timeout=120)
        self.world, self.rec, self.t0, self.deadline = world, rec, t0, deadline
        self.rng = random.Random(seed)
        self.mine: list[list] = []  # [order id, version, next step]
        self.kinds = list(WEIGHTS)
        self.weights = [WEIGHTS[k] for k in self.kinds]
        self.counter = itertools.count()

    def run(self) -> None:
        while time.monotonic() < self.deadline:
            kind = self.rng.choices(self.kinds, self.weights)[0]
            if kind == "transition" and not self.mine:
                kind = "intake"
            started = time.monotonic()
            ok, detail = getattr(self, kind)()
            self.rec.add(started - self.t0, kind, ok, time.monotonic() - started, detail)
        self.api.close()
        self.web.close()

    def _check(self, answer, expected: int) -> tuple[bool, str]:
        if answer.status == expected:
            return True, ""
        return False, f"{answer.status} {answer.error or answer.text[:300]}"

    def intake(self):
        w = self.world
        key = f"soak-{self.name}-{next(self.counter)}-{secrets.token_hex(4)}"
        body = {
            "serial": self.rng.choice(w["intake_serials"]),
            "fault_description": BODY,
            "service_type": "repair",
            "channel": "phone",
        }
        answer = self.api.post("/api/v1/service-requests", body, headers={"Idempotency-Key": key})
        ok, detail = self._check(answer, 201)
        if ok:
            order = answer.json()
            self.mine.append([order["id"], order["version"], 0])
        return ok, detail

    def transition(self):
        item = self.mine[0]
        action, extra = PLAN[item[2]]
        answer = self.api.post(
            f"/api/v1/work-orders/{item[0]}/transitions", {"action": action, "version": item[1], **extra}
        )
        ok, detail = self._check(answer, 200)
        if ok:
            item[1], item[2] = answer.json()["version"], item[2] + 1
            if item[2] == len(PLAN):
                self.mine.pop(0)
        else:
            self.mine.pop(0)
        return ok, detail

    def queue_api(self):
        params = {"sort": "due", "limit": 25, **self.world["queue"]}
        return self._check(self.api.get("/api/v1/work-orders", params=params), 200)

    def queue_console(self):
        params = {"sort": "due", **self.world["queue"]}
        return self._check(self.web.get("/console/", params=params), 200)

    def _some_order(self) -> int:
        if self.mine and self.rng.random() < 0.3:
            return self.rng.choice(self.mine)[0]
        return self.rng.choice(self.world["order_ids"])

    def detail_api(self):
        return self._check(self.api.get(f"/api/v1/work-orders/{self._some_order()}"), 200)

    def detail_console(self):
        return self._check(self.web.get(f"/console/orders/{self._some_order()}/"), 200)

    def search(self):
        w = self.world
        q = self.rng.choice(w["search_serials"] if self.rng.random() < 0.5 else w["search_phones"])
        return self._check(self.api.get("/api/v1/work-orders", params={"q": q}), 200)


def sample_memory(server: Server, t0: float, stop: threading.Event, every: float, out: list) -> None:
    while True:
        out.append({"t": round(time.monotonic() - t0, 1), "rss_kb": server.worker_rss_kb(), "load": os.getloadavg()})
        if stop.wait(every):
            return


def slope_mb_per_min(points: list[tuple[float, float]]) -> float | None:
    """Least-squares slope of (seconds, MB) points, in MB per minute."""
    if len(points) < 2:
        return None
    xs, ys = [p[0] for p in points], [p[1] for p in points]
    mx, my = statistics.fmean(xs), statistics.fmean(ys)
    den = sum((x - mx) ** 2 for x in xs)
    return 60 * sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / den if den else None


def summarise(rec: Recorder, memory: list[dict], seconds: float) -> dict:
    minutes = defaultdict(list)
    for t, kind, ok, took in rec.samples:
        minutes[int(t // 60)].append((kind, ok, took))
    per_minute = []
    for m in sorted(minutes):
        rows = minutes[m]
        lat = [took for _k, ok, took in rows if ok]
        mem = [s for s in memory if m * 60 <= s["t"] < (m + 1) * 60]
        rss = [sum(s["rss_kb"].values()) / 1024 for s in mem]
        per_minute.append(
            {
                "minute": m + 1,
                "requests": len(rows),
                "errors": sum(1 for _k, ok, _t in rows if not ok),
                "p50_ms": _ms(pct(lat, 50)),
                "p95_ms": _ms(pct(lat, 95)),
                "p99_ms": _ms(pct(lat, 99)),
                "workers_rss_mb": round(statistics.fmean(rss), 1) if rss else None,
            }
        )
    kinds = {}
    for kind in WEIGHTS:
        rows = [(ok, took) for _t, k, ok, took in rec.samples if k == kind]
        lat = [took for ok, took in rows if ok]
        kinds[kind] = {
            "requests": len(rows),
            "errors": sum(1 for ok, _t in rows if not ok),
            "p50_ms": _ms(pct(lat, 50)),
            "p95_ms": _ms(pct(lat, 95)),
            "p99_ms": _ms(pct(lat, 99)),
        }
    all_lat = [took for _t, _k, ok, took in rec.samples if ok]
    total_rss = [(s["t"], sum(s["rss_kb"].values()) / 1024) for s in memory if s["rss_kb"]]
    per_worker = defaultdict(list)
    for s in memory:
        for pid, kb in s["rss_kb"].items():
            per_worker[pid].append((s["t"], kb / 1024))
    # the sample at 0 s is the idle workers just after boot; the first minute is the warm-up
    first = [mb for t, mb in total_rss if 0 < t <= 60]
    last = [mb for t, mb in total_rss if t > max(seconds - 60, 0)]
    return {
        "requests": len(rec.samples),
        "errors": sum(1 for s in rec.samples if not s[2]),
        "rps": round(len(rec.samples) / seconds, 1),
        "p50_ms": _ms(pct(all_lat, 50)),
        "p95_ms": _ms(pct(all_lat, 95)),
        "p99_ms": _ms(pct(all_lat, 99)),
        "max_ms": _ms(max(all_lat) if all_lat else None),
        "per_kind": kinds,
        "per_minute": per_minute,
        "rss_at_start_mb": round(total_rss[0][1], 1) if total_rss else None,
        "rss_first_minute_mb": round(statistics.fmean(first), 1) if first else None,
        "rss_last_minute_mb": round(statistics.fmean(last), 1) if last else None,
        # the slope after the first minute (imports, caches and connections warm up in it)
        "rss_slope_mb_per_min": _round(slope_mb_per_min([p for p in total_rss if p[0] >= min(60, seconds / 3)])),
        "rss_per_worker_mb": {
            str(pid): {
                "first": round(pts[0][1], 1),
                "last": round(pts[-1][1], 1),
                "max": round(max(p[1] for p in pts), 1),
            }
            for pid, pts in per_worker.items()
        },
        "worker_pids_seen": sorted(per_worker),
        "error_samples": rec.errors[:20],
    }


def _ms(seconds: float | None) -> float | None:
    return None if seconds is None else round(seconds * 1000, 1)


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 2)


def soak(*, seconds: float, orders: int, clients: int, db_kind: str, pg: str, workers: int = 2, seed: int = 42,
         sample_every: float = 10, workdir: Path | None = None, log=print) -> dict:  # fmt: skip
    """Set up, load for ``seconds``, check, tear down; the report as a dict."""
    own_dir = workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="aftersales-soak-")) if own_dir else workdir
    db = FreshDatabase("soak", workdir, postgres_url=pg if db_kind == "postgres" else None)
    report: dict = {
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]]) if __name__ == "__main__" else "soak()",
        "database": db.vendor,
        "seeded_orders": orders,
        "clients": clients,
        "workers": workers,
        "seconds": seconds,
        "machine": machine(),
    }
    with db:
        t = time.monotonic()
        db.migrate()
        db.manage("seed_demo", "--orders", str(orders), "--seed", str(seed), "-v0", timeout=3600)
        world = db.world(agents=clients, units=1, samples=2000)
        report["setup_seconds"] = round(time.monotonic() - t, 1)
        max_before = db.rows("SELECT COALESCE(MAX(id), 0) FROM service_workorder")[0][0]
        log(f"[soak] {db.vendor}: migrated and seeded {world['orders']:,} orders in {report['setup_seconds']} s")
        with Server(db, workers=workers, timeout=120, label="soak") as server:
            server.start()
            rec, memory, stop = Recorder(), [], threading.Event()
            t0 = time.monotonic()
            sampler = threading.Thread(target=sample_memory, args=(server, t0, stop, sample_every, memory), daemon=True)
            sampler.start()
            threads = [
                Client(n, server.base, world["agents"][n], world, rec, t0, t0 + seconds, seed + n)
                for n in range(clients)
            ]
            log(f"[soak] load: {clients} clients on {server.base} for {seconds} s (workers {server.worker_pids()})")
            for c in threads:
                c.start()
            try:
                next_report = 60
                while any(c.is_alive() for c in threads):
                    time.sleep(1)
                    if time.monotonic() - t0 >= next_report:
                        with rec.lock:
                            done, bad = len(rec.samples), sum(1 for s in rec.samples if not s[2])
                        rss = memory[-1]["rss_kb"] if memory else {}
                        log(f"[soak] {next_report // 60} min: {done:,} requests, {bad} errors, RSS {rss_mb(rss)}")
                        next_report += 60
            finally:
                stop.set()
                sampler.join()
                for c in threads:
                    c.join(timeout=150)
            elapsed = time.monotonic() - t0
            report["log_errors"] = server.log_errors()[:20]
            server.stop()
        report.update(summarise(rec, memory, elapsed))
        report["elapsed_seconds"] = round(elapsed, 1)
        report["orders_written"] = db.rows("SELECT COUNT(*) FROM service_workorder WHERE id > %s", [max_before])[0][0]
        report["invariant_violations"] = order_violations(db, min_id=max_before)[:20]
        report["memory_samples"] = memory
    if own_dir:
        for p in sorted(workdir.rglob("*"), reverse=True):
            p.unlink() if p.is_file() or p.is_symlink() else p.rmdir()
        workdir.rmdir()
    return report


def rss_mb(rss: dict) -> str:
    return ", ".join(f"{kb / 1024:.0f} MB" for kb in rss.values()) or "-"


def machine() -> dict:
    return {
        "nproc": os.cpu_count(),
        "cpu": next((ln.split(":", 1)[1].strip() for ln in open("/proc/cpuinfo") if ln.startswith("model name")), ""),
        "mem_gb": round(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES") / 2**30, 1),
        "loadavg_before": os.getloadavg(),
        "python": platform.python_version(),
        "kernel": platform.release(),
    }


def markdown(r: dict) -> str:
    m = r["machine"]
    lines = [
        f"## Soak: {r['database']}, {r['elapsed_seconds']:.0f} s, {r['clients']} clients, {r['workers']} workers",
        "",
        f"Machine: {m['nproc']} vCPU ({m['cpu']}), {m['mem_gb']} GB; load average before "
        f"{' / '.join(f'{x:.2f}' for x in m['loadavg_before'])}. Seeded orders: {r['seeded_orders']:,}.",
        "",
        f"**{r['requests']:,} requests ({r['rps']}/s), {r['errors']} errors**; p50 {r['p50_ms']} ms, "
        f"p95 {r['p95_ms']} ms, p99 {r['p99_ms']} ms, max {r['max_ms']} ms. Orders written: "
        f"{r['orders_written']:,}; broken invariants: {len(r['invariant_violations'])}; tracebacks in the "
        f"server log: {len(r['log_errors'])}.",
        "",
        f"Workers' RSS (sum): at start {r['rss_at_start_mb']} MB, first minute {r['rss_first_minute_mb']} MB, last minute {r['rss_last_minute_mb']} MB, "
        f"slope after the first minute {r['rss_slope_mb_per_min']} MB/min; per worker (first → last, max): "
        + "; ".join(f"{v['first']} → {v['last']} ({v['max']}) MB" for v in r["rss_per_worker_mb"].values())
        + ".",
        "",
        "| minute | requests | errors | p50 ms | p95 ms | p99 ms | workers' RSS MB |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for row in r["per_minute"]:
        lines.append(
            f"| {row['minute']} | {row['requests']:,} | {row['errors']} | {row['p50_ms']} | {row['p95_ms']} | "
            f"{row['p99_ms']} | {row['workers_rss_mb']} |"
        )
    lines += [
        "",
        "| request | count | errors | p50 ms | p95 ms | p99 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for kind, row in r["per_kind"].items():
        lines.append(
            f"| {kind} | {row['requests']:,} | {row['errors']} | {row['p50_ms']} | {row['p95_ms']} | {row['p99_ms']} |"
        )
    if r["error_samples"] or r["invariant_violations"] or r["log_errors"]:
        lines += [
            "",
            "Problems:",
            *(f"- {x}" for x in r["error_samples"] + r["invariant_violations"] + r["log_errors"]),
        ]
    return "\n".join(lines)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seconds", type=float, default=600, help="length of the load (default 600 = 10 minutes)")
    ap.add_argument("--orders", type=int, default=20000, help="orders seeded before the load (default 20,000)")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients (default 4: two per worker)")
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--pg", default="postgres://postgres@127.0.0.1:5432/postgres", help="PostgreSQL server URL")
    ap.add_argument("--json", type=Path, help="write the full report (with the memory samples) here")
    args = ap.parse_args()
    report = soak(
        seconds=args.seconds, orders=args.orders, clients=args.clients, db_kind=args.db, pg=args.pg,
        workers=args.workers,
    )  # fmt: skip
    report["machine"]["loadavg_after"] = os.getloadavg()
    if args.json:
        args.json.write_text(json.dumps(report, indent=1, default=str))
    print(markdown(report))
    return 1 if report["errors"] or report["invariant_violations"] or report["log_errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
