"""Compiled integer-epoch form of a :class:`sla.businesstime.WorkCalendar`.

Internal module: the public API is in :mod:`sla.businesstime`.

A calendar is "compiled" for a contiguous range of local years ``[lo, hi]``
into flat, sorted lists of UTC epoch seconds:

* ``starts[k]`` / ``ends[k]``: the k-th working window ``[start, end)``.
  Index 0 is a zero-length sentinel placed at local midnight of 1 January of
  ``lo``, so that for every covered instant ``t`` the lookup
  ``bisect_right(starts, t) - 1`` is ``>= 0``.
* ``cumend[k]``: working seconds from the coverage origin to ``ends[k]``.
* ``base[k] = cum[k] - starts[k]`` where ``cum[k]`` is the working seconds
  before window k.  The cumulative working time of an instant ``t`` (the
  "work coordinate") is then ``W(t) = min(t, ends[i]) + base[i]`` with
  ``i = bisect_right(starts, t) - 1``, and the earliest instant whose work
  coordinate is ``T > 0`` is ``T - base[j]`` with ``j = bisect_left(cumend, T)``.
* ``wd_start[n]`` / ``wd_close[n]``: local-midnight epoch and closing epoch
  (end of the last window) of the n-th working day.

So a business-time deadline is two C-level bisections and a few integer
operations, with no datetime objects involved.

Wall-clock window bounds are resolved to UTC with ``fold=0`` (PEP 495): an
ambiguous time means its first occurrence and a non-existent time (DST gap) is
shifted forward by the gap.  Should that make a window overlap the previous
one, its start is clipped to the previous end; windows that become empty are
dropped (and a day left without windows is not a working day).
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from datetime import UTC, date, datetime, timedelta

MIN_YEAR = 1900
MAX_YEAR = 2500
DAY = 86400
US = 1_000_000

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_SECOND = timedelta(seconds=1)
_ONE_DAY = timedelta(days=1)


def local_epoch(d: date, sec: int, zone) -> int:
    """UTC epoch seconds of the wall time ``sec`` seconds after midnight of ``d``.

    ``sec`` may be ``86400`` (24:00, i.e. the next midnight).
    """
    if sec >= DAY:
        d += timedelta(days=sec // DAY)
        sec %= DAY
    h, rem = divmod(sec, 3600)
    m, s = divmod(rem, 60)
    return (datetime(d.year, d.month, d.day, h, m, s, tzinfo=zone) - _EPOCH) // _SECOND


def compile_year(calendar, zone, year: int) -> tuple[int, list]:
    """Return ``(year_start_epoch, days)`` for one local year.

    ``days`` lists ``(midnight_epoch, [(start, end), ...])`` for each date that
    has windows by the calendar's rule, in date order.
    """
    d = date(year, 1, 1)
    stop = date(year + 1, 1, 1)
    day_seconds = calendar.day_seconds
    days = []
    while d < stop:
        secs = day_seconds(d)
        if secs:
            days.append(
                (local_epoch(d, 0, zone), [(local_epoch(d, a, zone), local_epoch(d, b, zone)) for a, b in secs])
            )
        d += _ONE_DAY
    return local_epoch(date(year, 1, 1), 0, zone), days


class Timeline:
    """Flat epoch-second arrays for the local years ``lo..hi`` (see module doc)."""

    __slots__ = ("base", "cumend", "ends", "hi", "lo", "starts", "wd_close", "wd_start", "year_starts")

    def __init__(self, lo: int, hi: int, chunks: list, end_epoch: int):
        self.lo = lo
        self.hi = hi
        self.year_starts = [c[0] for c in chunks] + [end_epoch]
        origin = chunks[0][0]
        starts = [origin]
        ends = [origin]
        base = [-origin]
        cumend = [0]
        wd_start: list[int] = []
        wd_close: list[int] = []
        total = 0
        prev_end = origin
        for _, days in chunks:
            for midnight, wins in days:
                last = None
                for s, e in wins:
                    s = max(s, prev_end)
                    if e <= s:
                        continue
                    starts.append(s)
                    ends.append(e)
                    base.append(total - s)
                    total += e - s
                    cumend.append(total)
                    prev_end = last = e
                if last is not None:
                    wd_start.append(midnight)
                    wd_close.append(last)
        self.starts = starts
        self.ends = ends
        self.base = base
        self.cumend = cumend
        self.wd_start = wd_start
        self.wd_close = wd_close

    # --- microsecond-precision primitives (None = beyond the compiled range) ---

    def work_us(self, t: int) -> int:
        """Work coordinate (microseconds) of the instant ``t`` (epoch microseconds)."""
        i = bisect_right(self.starts, t // US) - 1
        e = self.ends[i] * US
        return self.base[i] * US + min(t, e)

    def instant_of_work_us(self, target: int) -> int | None:
        """Earliest instant whose work coordinate is ``target`` (> 0)."""
        j = bisect_left(self.cumend, -(-target // US))
        if j == len(self.cumend):
            return None
        return target - self.base[j] * US

    def locate_us(self, t: int) -> tuple[bool, bool, int | None]:
        """``(is_working, at_window_end, next_window_start_us)`` for instant ``t``."""
        i = bisect_right(self.starts, t // US) - 1
        e = self.ends[i] * US
        if t < e:
            return True, False, t
        nxt = self.starts[i + 1] * US if i + 1 < len(self.starts) else None
        return False, t == e and i > 0, nxt

    def working_day_close_us(self, t: int, n: int) -> int | None:
        """Close of the n-th working day after the day of ``t`` (n=0: see API)."""
        if n == 0:
            j = bisect_left(self.wd_close, -(-t // US))
        else:
            j = bisect_right(self.wd_start, t // US) + n - 1
        if j >= len(self.wd_close):
            return None
        return self.wd_close[j] * US


def timeline_for(calendar, zone, cache: dict, lo: int, hi: int) -> Timeline:
    """Return a (cached) timeline covering at least local years ``lo..hi``."""
    tl = cache.get("timeline")
    if tl is not None and tl.lo <= lo and tl.hi >= hi:
        return tl
    if tl is not None:
        lo = min(lo, tl.lo)
        hi = max(hi, tl.hi)
    if lo < MIN_YEAR or hi > MAX_YEAR:
        raise ValueError(f"business-time maths supports years {MIN_YEAR}..{MAX_YEAR} only (asked {lo}..{hi})")
    years = cache.setdefault("years", {})
    chunks = []
    for y in range(lo, hi + 1):
        chunk = years.get(y)
        if chunk is None:
            chunk = years[y] = compile_year(calendar, zone, y)
        chunks.append(chunk)
    tl = Timeline(lo, hi, chunks, local_epoch(date(hi + 1, 1, 1), 0, zone))
    cache["timeline"] = tl
    return tl
