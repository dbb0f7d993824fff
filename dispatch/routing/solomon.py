"""Solomon's VRPTW text format (1987; also the Gehring & Homberger instances).

    R101

    VEHICLE
    NUMBER     CAPACITY
      25         200

    CUSTOMER
    CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE TIME
        0      35         35          0          0        230          0
        1      41         49         10        161        171         10

Customer 0 is the depot: every vehicle leaves it no earlier than its ready time and is back by
its due date. A customer's service starts within [ready, due] and lasts its service time. The
published exact results count each leg as the Euclidean distance truncated to one decimal, and
travel time equals distance; ``truncate=1`` (the default) reads the instance that way.
"""

from __future__ import annotations

import re
from pathlib import Path

from .jsonio import InputError
from .model import EUCLIDEAN, DistanceRule, Engineer, Job, Problem

_NUMBER_ROW = re.compile(r"^\s*\d+(\s+-?\d+(\.\d+)?){6}\s*$")


def parse_solomon(text: str, *, name: str = "", truncate: int | None = 1) -> Problem:
    lines = [line.rstrip() for line in text.splitlines()]
    title = next((line.strip() for line in lines if line.strip()), "")
    vehicles = capacity = None
    rows: list[list[float]] = []
    for i, line in enumerate(lines):
        if line.strip().upper() == "VEHICLE":
            # The next line of numbers after the header holds NUMBER and CAPACITY.
            for follow in lines[i + 1 : i + 4]:
                parts = follow.split()
                if len(parts) == 2 and all(p.isdigit() for p in parts):
                    vehicles, capacity = int(parts[0]), int(parts[1])
                    break
        elif _NUMBER_ROW.match(line):
            rows.append([float(x) for x in line.split()])
    errors = []
    if vehicles is None:
        errors.append("VEHICLE: no line with the number of vehicles and their capacity")
    if not rows or rows[0][0] != 0:
        errors.append("CUSTOMER: no depot row (customer number 0)")
    elif len(rows) < 2:
        errors.append("CUSTOMER: no customer rows after the depot")
    numbers = [int(r[0]) for r in rows]
    if len(set(numbers)) != len(numbers):
        errors.append("CUSTOMER: a customer number appears twice")
    for r in rows:
        if r[4] > r[5]:
            errors.append(f"customer {int(r[0])}: ready time {r[4]:g} is after due date {r[5]:g}")
    if errors:
        raise InputError(errors)
    depot, customers = rows[0], rows[1:]
    home = (depot[1], depot[2])
    shift = (depot[4], depot[5])
    engineers = tuple(
        Engineer(id=f"V{k + 1}", home=home, shift=shift, capacity=float(capacity)) for k in range(vehicles)
    )
    jobs = tuple(
        Job(
            id=str(int(c[0])),
            location=(c[1], c[2]),
            window=(c[4], c[5]),
            duration=c[6],
            demand=c[3],
            required=True,
        )
        for c in customers
    )
    return Problem(
        engineers=engineers,
        jobs=jobs,
        distance=DistanceRule(kind=EUCLIDEAN, truncate=truncate),
        name=name or title,
    )


def read_solomon(path: str | Path, *, truncate: int | None = 1) -> Problem:
    path = Path(path)
    return parse_solomon(path.read_text(encoding="utf-8", errors="replace"), name=path.stem.upper(), truncate=truncate)
