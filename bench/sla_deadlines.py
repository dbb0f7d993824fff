"""Benchmark: SLA deadlines for many orders computed in memory, on one core.

    .venv/bin/python bench/sla_deadlines.py [N]        # N orders, default 1,000,000

Start instants are random over 2026 (Asia/Shanghai) on the real China calendar
(``sla.calendar_data.china_calendar``: the same schedule the "cn" calendar is seeded with,
Spring Festival, National Day and every 调休 working day included). For every clock kind and
target of the default policies, ``sla.businesstime.deadlines_bulk`` computes N deadlines;
the script prints deadlines per second (target: ≥ 200,000/s for each kind) and checks a
sample against the single-instant functions. No database is used.
"""

import os
import random
import sys
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from sla.businesstime import compute_due, deadlines_bulk  # noqa: E402
from sla.calendar_data import china_calendar  # noqa: E402

TARGET = 200_000
# (kind, amount, label): the targets of the seeded policies (standard, urgent, industrial, complaint)
CASES = [
    ("calendar", 24 * 3600, "first response 24 h"),
    ("calendar", 30 * 60, "industrial response 30 min"),
    ("business", 60 * 60, "complaint ack. 1 business hour"),
    ("business", 8 * 3600, "urgent on site 8 business hours"),
    ("working_days", 3, "on site 3 working days"),
    ("working_days", 7, "resolution 7 working days"),
    ("working_days", 15, "complaint resolution 15 working days"),
]


def main(n: int) -> int:
    sh = ZoneInfo("Asia/Shanghai")
    lo = int(datetime(2026, 1, 1, tzinfo=sh).timestamp())
    hi = int(datetime(2027, 1, 1, tzinfo=sh).timestamp())
    rng = random.Random(2026)
    starts = [rng.randrange(lo, hi) for _ in range(n)]
    cal = china_calendar()

    t0 = time.perf_counter()
    deadlines_bulk(starts[:10], 3600, cal, "business")
    compile_ms = (time.perf_counter() - t0) * 1e3

    print(f"python {sys.version.split()[0]}, pid {os.getpid()}, one core")
    print(f"{n:,} random starts over 2026, China calendar (compiled once in {compile_ms:.1f} ms)")
    print(f"{'kind':<13} {'target':<38} {'seconds':>8} {'deadlines/s':>14}")
    worst = None
    for kind, amount, label in CASES:
        t0 = time.perf_counter()
        out = deadlines_bulk(starts, amount, cal, kind)
        elapsed = time.perf_counter() - t0
        rate = n / elapsed
        worst = rate if worst is None else min(worst, rate)
        print(f"{kind:<13} {label:<38} {elapsed:8.3f} {rate:14,.0f}")
        for i in rng.sample(range(n), min(n, 200)):  # the bulk path agrees with the datetime API
            start = datetime.fromtimestamp(starts[i], UTC)
            value = amount if kind == "working_days" else timedelta(seconds=amount)
            expected = compute_due(start, kind, value, cal).due
            assert int(expected.timestamp()) == out[i], (kind, amount, start, expected, out[i])
    print(f"slowest kind: {worst:,.0f} deadlines/s (target ≥ {TARGET:,}/s): {'OK' if worst >= TARGET else 'MISSED'}")
    return 0 if worst >= TARGET else 1


if __name__ == "__main__":
    raise SystemExit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000))
