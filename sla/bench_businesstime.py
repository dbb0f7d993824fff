"""Benchmark of the bulk deadline API: ``python -m sla.bench_businesstime``.

Computes deadlines for 1,000,000 random start instants spread over 2026
(Asia/Shanghai) on the real China calendar, for the three clock kinds, and
prints deadlines/second.  The one-off calendar compilation is timed separately
(it is cached on the calendar object).  Optional argument: number of starts.
"""

from __future__ import annotations

import random
import sys
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

from sla.businesstime import add_business_time, deadlines_bulk
from sla.calendar_data import china_calendar

CASES = [
    ("calendar", 72 * 3600, "72 h elapsed"),
    ("business", 8 * 3600, "8 business hours"),
    ("business", 24 * 3600, "24 business hours"),
    ("working_days", 5, "5 working days"),
    ("working_days", 15, "15 working days"),
]


def main(n: int = 1_000_000) -> dict[str, float]:
    sh = ZoneInfo("Asia/Shanghai")
    lo = int(datetime(2026, 1, 1, tzinfo=sh).timestamp())
    hi = int(datetime(2027, 1, 1, tzinfo=sh).timestamp())
    rng = random.Random(2026)
    starts = [rng.randrange(lo, hi) for _ in range(n)]

    cal = china_calendar()
    t0 = time.perf_counter()
    deadlines_bulk(starts[:10], 3600, cal, "business")  # compiles 2026-2027
    print(f"calendar compilation (first use): {(time.perf_counter() - t0) * 1e3:.1f} ms")

    rates = {}
    print(f"{n:,} random starts over 2026, China calendar, one core:")
    for kind, amount, label in CASES:
        t0 = time.perf_counter()
        out = deadlines_bulk(starts, amount, cal, kind)
        dt = time.perf_counter() - t0
        assert len(out) == n
        rates[label] = n / dt
        print(f"  {kind:<13} {label:<18} {dt:6.3f} s  {n / dt:>12,.0f} deadlines/s")

    # For reference: the datetime API, one call at a time.
    m = min(n, 50_000)
    dts = [datetime.fromtimestamp(s, sh) for s in starts[:m]]
    d = timedelta(hours=8)
    t0 = time.perf_counter()
    for s in dts:
        add_business_time(s, d, cal)
    dt = time.perf_counter() - t0
    print(f"  add_business_time() per call (datetime API, {m:,} calls): {m / dt:,.0f} /s")
    return rates


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
