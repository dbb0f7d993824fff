"""Summarise a benchmark run (``results.jsonl``) as Markdown: every endpoint, then the targets.

Usage: ``python bench/report.py $BENCH_ROOT/results/<stamp>`` (prints to stdout).
"""

import json
import sys
from pathlib import Path


def load(path: Path) -> list[dict]:
    rows = []
    for line in (path / "results.jsonl").read_text().splitlines():
        line = line.strip()
        if line.startswith("{"):
            rows.append(json.loads(line))
    return rows


def fmt(value, digits=1) -> str:
    if value is None:
        return "–"
    if isinstance(value, float):
        return f"{value:,.{digits}f}"
    return f"{value:,}"


def find(rows, system, db, workload, prefix) -> dict | None:
    return next(
        (
            r
            for r in rows
            if r["system"] == system
            and r["db"] == db
            and r["workload"] == workload
            and r.get("name", "").startswith(prefix)
        ),
        None,
    )


def endpoints(rows: list[dict], db: str) -> list[str]:
    out = [
        f"#### {db}: every endpoint",
        "",
        "| system | workload | endpoint | ok / err | req/s | p50 ms | p95 ms | p99 ms | max ms |",
        "| --- | --- | --- | --- | --- | --- | --- | --- | --- |",
    ]
    for r in rows:
        if r["db"] != db or r["workload"] in ("load", "rss"):
            continue
        out.append(
            f"| {r['system']} | {r['workload']} | {r['name']} | {r['ok']} / {r['errors']} | {fmt(r['rps'])} | "
            f"{fmt(r['p50_ms'])} | {fmt(r['p95_ms'])} | {fmt(r['p99_ms'])} | {fmt(r['max_ms'])} |"
        )
    metered = [r for r in rows if r["db"] == db and r.get("cpu_ms_per_req")]
    if metered:
        out += [
            "",
            "CPU per request during the writes (ms; the load generator and PostgreSQL share the cores):",
            "",
            "| system | endpoint | app workers | PostgreSQL | load generator | all |",
            "| --- | --- | --- | --- | --- | --- |",
        ]
        for r in metered:
            c = r["cpu_ms_per_req"]
            total = sum(c.values())
            out.append(
                f"| {r['system']} | {r['name']} | {fmt(c['app_workers'], 2)} | {fmt(c['postgres'], 2)} | "
                f"{fmt(c['load_generator'], 2)} | {fmt(total, 2)} |"
            )
    loads = [r for r in rows if r["db"] == db and r["workload"] == "load"]
    if loads:
        out += ["", "| data | seconds | detail |", "| --- | --- | --- |"]
        for r in loads:
            seconds = r.get("seconds", r.get("total_s"))
            detail = {
                k: v
                for k, v in r.items()
                if k not in ("system", "db", "workload", "name", "seconds", "total_s", "phase")
            }
            out.append(f"| {r['system']} {r['name']} | {fmt(seconds)} | {json.dumps(detail)} |")
    rss = [r for r in rows if r["db"] == db and r["workload"] == "rss"]
    if rss:
        out += [
            "",
            "Worker RSS after the run: "
            + "; ".join(
                f"{s}: " + ", ".join(f"{r['rss_mb']} MB" for r in rss if r["system"] == s)
                for s in dict.fromkeys(r["system"] for r in rss)
            ),
        ]
    return out + [""]


def ratio(a, b) -> str:
    return f"{a / b:,.1f}×" if a and b else "–"


def targets(rows: list[dict], db: str) -> list[str]:
    def p95(system, workload, prefix):
        r = find(rows, system, db, workload, prefix)
        return r["p95_ms"] if r and r["ok"] else None

    def rps(system, prefix):
        r = find(rows, system, db, "intake", prefix)
        return r["rps"] if r else None

    def verdict(ok) -> str:
        return "–" if ok is None else ("met" if ok else "**missed**")

    ours_in, peer_in, floor_in = rps("ours", "POST"), rps("peer", "POST"), rps("floor", "floor")
    q_first, q_deep = p95("ours", "queue", "API first"), p95("ours", "queue", "API page")
    c_first, c_deep = p95("ours", "queue", "console first"), p95("ours", "queue", "console page")
    peer_q = p95("peer", "queue", "list data first")
    peer_deep = p95("peer", "queue", "list data page")
    rss = [r["rss_mb"] for r in rows if r["db"] == db and r["workload"] == "rss" and r["system"] == "ours"]
    lines = [f"#### {db}: targets", "", "| target | measured | verdict |", "| --- | --- | --- |"]

    def row(label, measured, ok):
        lines.append(f"| {label} | {measured} | {verdict(ok)} |")

    row(
        "intake ≥ 5× the peer",
        f"{fmt(ours_in)} vs {fmt(peer_in)} req/s = {ratio(ours_in, peer_in)}",
        None if not (ours_in and peer_in) else ours_in >= 5 * peer_in,
    )
    row(
        "intake ≥ 50 % of the floor",
        f"{fmt(ours_in)} vs {fmt(floor_in)} req/s = {fmt(100 * ours_in / floor_in) if ours_in and floor_in else '–'} %",
        None if not (ours_in and floor_in) else ours_in >= 0.5 * floor_in,
    )
    for label, value in (
        ("queue API first page", q_first),
        ("queue API deep page", q_deep),
        ("queue console first page", c_first),
        ("queue console deep page", c_deep),
    ):
        row(f"{label} p95 ≤ 50 ms", f"{fmt(value)} ms", None if value is None else value <= 50)
    row(
        "queue ≥ 10× faster than the peer (p95, first page)",
        f"peer {fmt(peer_q)} ms / ours {fmt(q_first)} ms = {ratio(peer_q, q_first)}",
        None if not (peer_q and q_first) else peer_q >= 10 * q_first,
    )
    row(
        "queue ≥ 10× faster than the peer (p95, page 51)",
        f"peer {fmt(peer_deep)} ms / ours {fmt(q_deep)} ms = {ratio(peer_deep, q_deep)}",
        None if not (peer_deep and q_deep) else peer_deep >= 10 * q_deep,
    )
    row(
        "deep page as fast as the first (API)",
        f"{fmt(q_deep)} vs {fmt(q_first)} ms",
        None if not (q_first and q_deep) else q_deep <= 1.25 * q_first + 2,
    )
    for prefix in ("console order", "API order"):
        value = p95("ours", "detail", prefix)
        row(f"detail ({prefix}) p95 ≤ 30 ms", f"{fmt(value)} ms", None if value is None else value <= 30)
    for prefix in ("API q=serial", "API q=phone", "console q=phone"):
        value = p95("ours", "search", prefix)
        row(f"search ({prefix}) p95 ≤ 100 ms", f"{fmt(value)} ms", None if value is None else value <= 100)
    value = p95("ours", "dashboard", "API KPIs")
    row("dashboard p95 ≤ 1 s", f"{fmt(value)} ms", None if value is None else value <= 1000)
    row(
        "worker RSS ≤ 200 MB after the run",
        ", ".join(f"{v} MB" for v in rss) or "–",
        None if not rss else max(rss) <= 200,
    )
    return lines + [""]


def main() -> None:
    res = Path(sys.argv[1])
    rows = load(res)
    print(f"### Run {res.name}\n")
    env = res / "env.txt"
    if env.exists():
        print("```\n" + env.read_text().strip() + "\n```\n")
    for db in dict.fromkeys(r["db"] for r in rows):
        print("\n".join(targets(rows, db)))
        print("\n".join(endpoints(rows, db)))


if __name__ == "__main__":
    main()
