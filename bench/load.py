"""Bounded asyncio + aiohttp load generator for the side-by-side benchmark (ours, the peer, the floor).

Only talks to loopback base URLs (enforced). Every phase is bounded by a request count *and* a
wall-clock cap; every request by a client timeout. Results: one JSON object per endpoint,
appended to ``--out`` (and a line on stdout).

    load.py ours  --base http://127.0.0.1:8801 --manifest STATE/manifest.json --out R.jsonl
    load.py peer  --base http://127.0.0.1:8802 --manifest STATE/manifest.json --peer PEER.json --out R.jsonl
    load.py floor --base http://127.0.0.1:8803 --out R.jsonl

Workloads (``--only`` picks some): intake (writes at concurrency ``-c``), queue (first page and
a page ~50 pages deep), detail, search, dashboard; the floor has insert and select.
Reads run one request at a time (latency) after three unmeasured warm-up requests; the
intake's clients send three unmeasured writes each before the measured ones. A warm-up
slower than 10 s is kept as a sample, ends the warm-up, and the endpoint gets one more sample
only: a pathological endpoint costs two requests (each bounded by gunicorn's 120 s timeout).

The client is aiohttp (its HTTP parser is compiled): the generator shares the machine's two
cores with the servers it measures, so its own CPU per request is taken from every system's
throughput, and its time is in every latency. httpx cost 1.7–3.5 ms of CPU per request here,
aiohttp 0.5–1.4 ms (the A/B runs in docs/benchmarks.md).
"""

import argparse
import asyncio
import base64
import contextlib
import itertools
import json
import os
import random
import re
import statistics
import sys
import time
from urllib.parse import urlencode, urlsplit

import aiohttp
from yarl import URL

CSRF_RE = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PEER_USER, PEER_PASSWORD = "admin", "bench-Pa33w0rd"
DEEP_PAGES = 50
PAGE = 25
BODY = "The unit stops after a few minutes and shows error E03. " * 3


def check_loopback(base: str) -> None:
    host = urlsplit(base).hostname or ""
    if not (host == "localhost" or host.startswith("127.") or host == "::1"):
        sys.exit(f"refusing non-loopback target {base!r}")


def pct(values: list[float], p: float) -> float:
    if not values:
        return float("nan")
    k = (len(values) - 1) * p / 100.0
    f = int(k)
    c = min(f + 1, len(values) - 1)
    return values[f] + (values[c] - values[f]) * (k - f)


class Recorder:
    def __init__(self, args):
        self.args = args

    def emit(self, workload: str, name: str, lat: list[float], errors: int, wall: float, **extra) -> dict:
        s = sorted(lat)
        res = {
            "system": self.args.system,
            "db": self.args.db,
            "orders": self.args.orders,
            "workload": workload,
            "name": name,
            "ok": len(s),
            "errors": errors,
            "wall_s": round(wall, 3),
            "rps": round(len(s) / wall, 2) if wall > 0 and s else 0.0,
            "p50_ms": round(pct(s, 50) * 1000, 1) if s else None,
            "p95_ms": round(pct(s, 95) * 1000, 1) if s else None,
            "p99_ms": round(pct(s, 99) * 1000, 1) if s else None,
            "mean_ms": round(statistics.fmean(s) * 1000, 1) if s else None,
            "max_ms": round(s[-1] * 1000, 1) if s else None,
            **extra,
        }
        p = lambda v: "-" if v is None else f"{v:.1f}"  # noqa: E731
        print(
            f"[{res['system']}/{res['db']}] {workload:<9} {name:<34} ok={res['ok']:<5} err={errors:<3} "
            f"rps={res['rps']:<8} p50={p(res['p50_ms'])} p95={p(res['p95_ms'])} p99={p(res['p99_ms'])} ms",
            flush=True,
        )
        if self.args.out:
            with open(self.args.out, "a") as fh:
                fh.write(json.dumps(res) + "\n")
        return res


async def read_phase(
    rec: Recorder, client: "Client", workload: str, name: str, url, *, n: int, cap: float, expect=(200,)
) -> dict:
    """``n`` sequential GETs of ``url(i)`` after up to 3 warm-ups, within ``cap`` seconds."""
    lat, errors, samples = [], 0, []
    response = None
    for w in range(3):
        t0 = time.perf_counter()
        try:
            response = await client.get(url(w))
        except ERRORS as exc:
            samples.append(f"warm-up: {exc!r}")
            break
        took = time.perf_counter() - t0
        if took > 10:
            if response.status_code in expect:
                lat.append(took)
            else:
                errors += 1
            break
    start = time.perf_counter()
    deadline = start + cap
    for i in range(n):
        if time.perf_counter() > deadline or (lat and lat[0] > 10 and len(lat) + errors >= 2):
            break
        t0 = time.perf_counter()
        try:
            response = await client.get(url(i))
            ok = response.status_code in expect
        except ERRORS as exc:
            ok, response = False, None
            if len(samples) < 3:
                samples.append(repr(exc))
        took = time.perf_counter() - t0
        if ok:
            lat.append(took)
        else:
            errors += 1
            if response is not None and len(samples) < 3:
                samples.append(f"{response.status_code}: {response.text[:200]}")
    return rec.emit(
        workload,
        name,
        lat,
        errors,
        time.perf_counter() - start,
        concurrency=1,
        cap_s=cap,
        example=url(0),
        err_samples=samples,
        bytes_last=len(response.content) if response is not None else None,
    )


def _cpu_seconds(pids) -> dict[int, float]:
    """User + system CPU seconds of each of these processes so far (Linux ``/proc``)."""
    out = {}
    for pid in pids:
        try:
            with open(f"/proc/{pid}/stat") as fh:
                fields = fh.read().rpartition(")")[2].split()
            out[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")  # utime, stime
        except (OSError, IndexError, ValueError):
            pass
    return out


def _processes() -> list[tuple[int, int, str]]:
    """(pid, parent pid, command name) of every process."""
    out = []
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            try:
                with open(f"/proc/{entry}/stat") as fh:
                    head, _, rest = fh.read().rpartition(")")
                out.append((int(entry), int(rest.split()[1]), head.partition("(")[2]))
            except (OSError, IndexError, ValueError):
                pass
    return out


class CpuMeter:
    """CPU spent during a phase by the server's workers (children of ``--server-pid``), by the
    PostgreSQL server processes, and by this load generator itself: the accounting behind
    the throughput figures (all of them share the machine's cores). A process that ends
    during the phase is not counted; one that starts counts from zero."""

    def __init__(self, server_pid: int):
        self.server_pid = server_pid

    def _sample(self) -> tuple[dict, dict, float]:
        procs = _processes()
        workers = _cpu_seconds(pid for pid, ppid, _ in procs if ppid == self.server_pid)
        postgres = _cpu_seconds(pid for pid, _, name in procs if name == "postgres")
        return workers, postgres, time.process_time()

    def __enter__(self):
        self.start = self._sample() if self.server_pid else None
        return self

    def __exit__(self, *exc):
        self.end = self._sample() if self.server_pid else None

    def per_request(self, ok: int) -> dict:
        if self.start is None or not ok:
            return {}

        def spent(i):
            return sum(v - self.start[i].get(pid, 0.0) for pid, v in self.end[i].items())

        return {
            "cpu_ms_per_req": {
                "app_workers": round(spent(0) * 1000 / ok, 2),
                "postgres": round(spent(1) * 1000 / ok, 2),
                "load_generator": round((self.end[2] - self.start[2]) * 1000 / ok, 2),
            }
        }


async def write_phase(
    rec: Recorder, make_client, workload: str, name: str, post, *, n: int, c: int, cap: float
) -> dict:
    """``n`` writes by ``c`` concurrent clients within ``cap`` seconds; ``post(client, i)`` -> ok.

    Each client first sends ``--warmup-writes`` unmeasured writes (every server worker has
    served a few before the clock and the CPU meter start), then the measured ones."""
    counter = itertools.count()
    lat, errors, samples = [], [0], []
    warm = rec.args.warmup_writes

    async def warm_up(client):
        await client.prepare()
        for j in range(warm):
            try:
                await post(client, -1 - j)
            except ERRORS:
                pass

    async def worker(client):
        while True:
            i = next(counter)
            if i >= n or time.perf_counter() > deadline:
                return
            t0 = time.perf_counter()
            try:
                ok, detail = await post(client, i)
            except ERRORS as exc:
                ok, detail = False, repr(exc)
            took = time.perf_counter() - t0
            if ok:
                lat.append(took)
            else:
                errors[0] += 1
                if len(samples) < 3:
                    samples.append(detail)

    async with contextlib.AsyncExitStack() as stack:
        clients = [await stack.enter_async_context(make_client()) for _ in range(c)]
        await asyncio.gather(*(warm_up(client) for client in clients))
        start = time.perf_counter()
        deadline = start + cap
        with CpuMeter(rec.args.server_pid) as cpu:
            await asyncio.gather(*(worker(client) for client in clients))
    return rec.emit(
        workload,
        name,
        lat,
        errors[0],
        time.perf_counter() - start,
        concurrency=c,
        cap_s=cap,
        n_requested=n,
        err_samples=samples,
        **cpu.per_request(len(lat)),
    )


# --- clients -------------------------------------------------------------------------------


ERRORS = (aiohttp.ClientError, asyncio.TimeoutError)


class Response:
    """What the phases read of a response: the status and the whole body."""

    __slots__ = ("status_code", "content")

    def __init__(self, status_code: int, content: bytes):
        self.status_code, self.content = status_code, content

    @property
    def text(self) -> str:
        return self.content.decode("utf-8", "replace")

    def json(self):
        return json.loads(self.content)


class Client:
    """One aiohttp session (up to 4 connections, redirects not followed, cookies kept even for
    the loopback address) with a ``prepare()`` step (log in, fetch CSRF) run once before its
    requests."""

    def __init__(self, args, *, headers: dict | None = None, cookies: dict | None = None):
        self.args, self.headers, self.initial_cookies = args, headers or {}, cookies or {}

    async def __aenter__(self):
        self.session = aiohttp.ClientSession(
            base_url=self.args.base,
            headers=self.headers,
            cookies=self.initial_cookies,
            cookie_jar=aiohttp.CookieJar(unsafe=True),
            connector=aiohttp.TCPConnector(limit=4),
            timeout=aiohttp.ClientTimeout(total=self.args.timeout),
        )
        return self

    async def __aexit__(self, *exc):
        await self.session.close()

    async def request(self, method: str, url: str, **kw) -> Response:
        async with self.session.request(method, url, allow_redirects=False, **kw) as r:
            return Response(r.status, await r.read())

    async def get(self, url: str, **kw) -> Response:
        return await self.request("GET", url, **kw)

    async def post(self, url: str, **kw) -> Response:
        return await self.request("POST", url, **kw)

    def cookie(self, name: str) -> str | None:
        morsel = self.session.cookie_jar.filter_cookies(URL(self.args.base)).get(name)
        return morsel.value if morsel is not None else None

    async def prepare(self):
        return None


class OursApi(Client):
    def __init__(self, args, manifest):
        super().__init__(args, headers={"Authorization": f"Bearer {manifest['token']}", "Accept-Language": "en"})


class OursUi(Client):
    def __init__(self, args, manifest):
        super().__init__(args, cookies=manifest["session_cookie"], headers={"Accept-Language": "en"})


class Peer(Client):
    async def prepare(self):
        r = await self.get("/helpdesk/login/")
        token = CSRF_RE.search(r.text).group(1)
        r = await self.post(
            "/helpdesk/login/",
            data={"username": PEER_USER, "password": PEER_PASSWORD, "csrfmiddlewaretoken": token},
            headers={"Referer": self.args.base + "/helpdesk/login/"},
        )
        if r.status_code != 302 or self.cookie("sessionid") is None:
            raise RuntimeError(f"peer login failed: {r.status_code}")
        self.csrf = self.cookie("csrftoken")


# --- ours ----------------------------------------------------------------------------------


async def run_ours(args, rec: Recorder, m: dict) -> None:
    only = args.only
    rng = random.Random(11)
    q = m["queue"]
    queue_params = {"status": q["status"], "department": q["department"], "sort": "due"} if q else {}
    ids, serials, phones = m["order_ids"], m["serials"], m["phones"]
    pick = lambda seq: lambda i: seq[i % len(seq)]  # noqa: E731

    if "intake" in only:
        intake_serials = m["intake_serials"]

        async def post(client, i):
            r = await client.post(
                "/api/v1/service-requests",
                json={
                    "serial": intake_serials[rng.randrange(len(intake_serials))],
                    "fault_description": BODY,
                    "service_type": "repair",
                    "priority": "normal",
                    "channel": "phone",
                },
            )
            return r.status_code == 201, f"{r.status_code}: {r.text[:200]}"

        await write_phase(
            rec,
            lambda: OursApi(args, m),
            "intake",
            "POST /api/v1/service-requests",
            post,
            n=args.n_intake,
            c=args.c,
            cap=args.intake_cap,
        )

    async with OursApi(args, m) as api, OursUi(args, m) as ui:
        if "queue" in only and q:
            first = "/api/v1/work-orders?" + urlencode(queue_params)
            await read_phase(rec, api, "queue", "API first page", lambda i: first, n=args.n_read, cap=args.read_cap)
            cursor, depth = None, 0
            for _ in range(DEEP_PAGES):  # follow the cursors (not measured)
                r = await api.get(
                    "/api/v1/work-orders?" + urlencode({**queue_params, **({"cursor": cursor} if cursor else {})})
                )
                nxt = r.json().get("next_cursor")
                if not nxt:
                    break
                cursor, depth = nxt, depth + 1
            deep = "/api/v1/work-orders?" + urlencode({**queue_params, "cursor": cursor or ""})
            await read_phase(
                rec, api, "queue", f"API page {depth + 1}", lambda i: deep, n=args.n_read, cap=args.read_cap
            )
            ui_first = "/console/?" + urlencode(queue_params)
            await read_phase(
                rec, ui, "queue", "console first page", lambda i: ui_first, n=args.n_read, cap=args.read_cap
            )
            ui_deep = "/console/?" + urlencode({**queue_params, "cursor": cursor or ""})
            await read_phase(
                rec, ui, "queue", f"console page {depth + 1}", lambda i: ui_deep, n=args.n_read, cap=args.read_cap
            )
        if "detail" in only:
            order = pick(ids)
            await read_phase(
                rec,
                ui,
                "detail",
                "console order page",
                lambda i: f"/console/orders/{order(i)}/",
                n=args.n_read,
                cap=args.read_cap,
            )
            await read_phase(
                rec,
                api,
                "detail",
                "API order",
                lambda i: f"/api/v1/work-orders/{order(i)}",
                n=args.n_read,
                cap=args.read_cap,
            )
        if "search" in only:
            serial, phone = pick(serials), pick(phones)
            await read_phase(
                rec,
                api,
                "search",
                "API q=serial",
                lambda i: "/api/v1/work-orders?" + urlencode({"q": serial(i)}),
                n=args.n_read,
                cap=args.read_cap,
            )
            await read_phase(
                rec,
                api,
                "search",
                "API q=phone",
                lambda i: "/api/v1/work-orders?" + urlencode({"q": phone(i)}),
                n=args.n_read,
                cap=args.read_cap,
            )
            await read_phase(
                rec,
                ui,
                "search",
                "console q=phone",
                lambda i: "/console/?" + urlencode({"q": phone(i)}),
                n=args.n_read,
                cap=args.read_cap,
            )
        if "dashboard" in only:
            url = "/api/v1/analytics/kpis?" + urlencode({"month": m["month"]})
            await read_phase(
                rec, api, "dashboard", f"API KPIs {m['month']}", lambda i: url, n=args.n_dashboard, cap=args.read_cap
            )


# --- the peer ------------------------------------------------------------------------------


def datatables(filtering: dict, sorting: str, search: str = "") -> str:
    q = {
        "filtering": filtering,
        "filtering_null": {},
        "sorting": sorting,
        "sortreverse": False,
        "search_string": search,
    }
    return base64.b64encode(json.dumps(q).encode()).decode("ascii")  # helpdesk.query.query_to_base64


async def run_peer(args, rec: Recorder, m: dict, peer: dict) -> None:
    only = args.only
    queue_id = peer["queues"].get(f"team-{m['queue'].get('department')}", peer["queues"]["support"])
    lo, hi = peer["min_id"], peer["max_id"]
    rng = random.Random(42)
    ids = [rng.randint(lo, hi) for _ in range(max(args.n_read, 1))]
    serials, phones = m["serials"], m["phones"]

    if "intake" in only:

        async def post(client, i):
            r = await client.post(
                "/helpdesk/api/tickets/",
                json={
                    "queue": peer["queues"]["support"],
                    "title": f"Bench request #{i}",
                    "description": BODY,
                    "submitter_email": f"bench{i}@example.com",
                    "priority": 3,
                },
                headers={"X-CSRFToken": client.csrf, "Referer": args.base + "/"},
            )
            return r.status_code == 201, f"{r.status_code}: {r.text[:200]}"

        await write_phase(
            rec,
            lambda: Peer(args),
            "intake",
            "POST /helpdesk/api/tickets/",
            post,
            n=args.n_intake,
            c=args.c,
            cap=args.intake_cap,
        )

    async with Peer(args) as c:
        await c.prepare()
        dt_url = lambda b64, start: f"/helpdesk/datatables_ticket_list/{b64}?draw=1&start={start}&length={PAGE}"  # noqa: E731
        if "queue" in only:
            b64 = datatables({"status__in": [1], "queue__id__in": [queue_id]}, "due_date")
            shell = f"/helpdesk/tickets/?status=1&queue={queue_id}&sort=due_date"
            await read_phase(
                rec, c, "queue", "list page (HTML shell)", lambda i: shell, n=args.n_read, cap=args.read_cap
            )
            await read_phase(
                rec, c, "queue", "list data first page", lambda i: dt_url(b64, 0), n=args.n_read, cap=args.read_cap
            )
            await read_phase(
                rec,
                c,
                "queue",
                f"list data page {DEEP_PAGES + 1}",
                lambda i: dt_url(b64, DEEP_PAGES * PAGE),
                n=args.n_read,
                cap=args.read_cap,
            )
            await read_phase(
                rec,
                c,
                "queue",
                "API list ?status=1",
                lambda i: "/helpdesk/api/tickets/?status=1",
                n=args.n_read,
                cap=args.api_cap,
            )
        if "detail" in only:
            await read_phase(
                rec,
                c,
                "detail",
                "ticket page",
                lambda i: f"/helpdesk/tickets/{ids[i % len(ids)]}/",
                n=args.n_read,
                cap=args.read_cap,
            )
            await read_phase(
                rec,
                c,
                "detail",
                "API ticket",
                lambda i: f"/helpdesk/api/tickets/{ids[i % len(ids)]}/",
                n=args.n_read,
                cap=args.api_cap,
            )
        if "search" in only:
            await read_phase(
                rec,
                c,
                "search",
                "list data search=serial",
                lambda i: dt_url(datatables({}, "created", serials[i % len(serials)]), 0),
                n=args.n_read,
                cap=args.read_cap,
            )
            await read_phase(
                rec,
                c,
                "search",
                "list data search=phone",
                lambda i: dt_url(datatables({}, "created", phones[i % len(phones)]), 0),
                n=args.n_read,
                cap=args.read_cap,
            )
        if "dashboard" in only:
            await read_phase(
                rec,
                c,
                "dashboard",
                "reports index",
                lambda i: "/helpdesk/reports/",
                n=args.n_dashboard,
                cap=args.api_cap,
            )
            await read_phase(
                rec,
                c,
                "dashboard",
                "staff dashboard",
                lambda i: "/helpdesk/dashboard/",
                n=args.n_dashboard,
                cap=args.api_cap,
            )


# --- the floor -----------------------------------------------------------------------------


async def run_floor(args, rec: Recorder) -> None:
    keys: list[str] = []

    async def post(client, i):
        r = await client.post("/insert", data=BODY.encode())
        if r.status_code == 201:
            keys.append(r.json()["key"])
        return r.status_code == 201, f"{r.status_code}: {r.text[:200]}"

    if "intake" in args.only:
        await write_phase(
            rec,
            lambda: Client(args),
            "intake",
            "floor: one INSERT",
            post,
            n=args.n_intake,
            c=args.c,
            cap=args.intake_cap,
        )
    if keys and {"queue", "detail", "search"} & set(args.only):
        async with Client(args) as c:
            await read_phase(
                rec,
                c,
                "read",
                "floor: one indexed SELECT",
                lambda i: f"/select?key={keys[i % len(keys)]}",
                n=args.n_read,
                cap=args.read_cap,
            )


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("system", choices=["ours", "peer", "floor"])
    ap.add_argument("--base", required=True)
    ap.add_argument("--manifest", default="")
    ap.add_argument("--peer", default="", help="JSON with the peer's queue ids and ticket id range")
    ap.add_argument("--db", default="")
    ap.add_argument("--orders", type=int, default=0)
    ap.add_argument("--only", default="intake,queue,detail,search,dashboard")
    ap.add_argument("-c", type=int, default=8, help="concurrency of the intake")
    ap.add_argument("--n-intake", type=int, default=1000)
    ap.add_argument("--warmup-writes", type=int, default=3, help="unmeasured writes per client before the intake")
    ap.add_argument("--intake-cap", type=float, default=120.0)
    ap.add_argument("--n-read", type=int, default=200)
    ap.add_argument("--n-dashboard", type=int, default=20)
    ap.add_argument("--read-cap", type=float, default=60.0)
    ap.add_argument("--api-cap", type=float, default=60.0)
    ap.add_argument("--timeout", type=float, default=150.0)
    ap.add_argument("--out", default="")
    ap.add_argument("--server-pid", type=int, default=0, help="gunicorn master: report its workers' CPU per write")
    args = ap.parse_args()
    check_loopback(args.base)
    args.only = set(args.only.split(","))
    rec = Recorder(args)
    if args.system == "floor":
        asyncio.run(run_floor(args, rec))
        return
    with open(args.manifest) as fh:
        manifest = json.load(fh)
    if args.system == "ours":
        asyncio.run(run_ours(args, rec, manifest))
    else:
        with open(args.peer) as fh:
            peer = json.load(fh)
        asyncio.run(run_peer(args, rec, manifest, peer))


if __name__ == "__main__":
    main()
