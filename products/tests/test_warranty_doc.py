"""The worked examples of docs/warranty.md, executed: a row that no longer matches the code fails."""

import datetime as dt
import pathlib
import re

import pytest

from products.guarantees import Policy, Repair, entitlements
from products.periods import period
from sla.calendar_data import china_calendar

DOC = pathlib.Path(__file__).resolve().parents[2] / "docs" / "warranty.md"
CHINA = china_calendar().is_working_day


def table(name: str) -> list[list[str]]:
    """The rows of the table between ``<!-- examples:name -->`` and ``<!-- /examples -->``."""
    text = DOC.read_text(encoding="utf-8")
    block = text.split(f"<!-- examples:{name} -->", 1)[1].split("<!-- /examples -->", 1)[0]
    lines = [line for line in block.strip().splitlines() if line.startswith("|")]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines[2:]]


def day(text: str) -> dt.date | None:
    return None if text in ("—", "") else dt.date.fromisoformat(text)


def repairs(text: str) -> list[Repair]:
    out = []
    for item in filter(None, (p.strip() for p in text.replace("—", "").split(","))):
        m = re.fullmatch(r"(\w+):(\S+)\.\.([\d-]+)(?:\+(\d+))?", item)
        assert m, item
        fault, received, returned, wait = m.groups()
        out.append(Repair(fault, day(received), day(returned), int(wait or 0)))
    return out


PERIODS = table("periods")
ENTITLEMENTS = table("entitlements")


def test_the_doc_has_examples():
    assert len(PERIODS) >= 8 and len(ENTITLEMENTS) >= 10


@pytest.mark.parametrize("row", PERIODS, ids=[r[-1] for r in PERIODS])
def test_period_examples(row):
    start, length, convention, last, _why = row
    amount, unit = length.split()
    result = period(day(start), convention=convention, working_day=CHINA, **{unit: int(amount)})
    assert result.last_day == day(last)


@pytest.mark.parametrize("row", ENTITLEMENTS, ids=[r[-1] for r in ENTITLEMENTS])
def test_entitlement_examples(row):
    sale, on, repair_text, exchange, online, remedies, _why = row
    answer = entitlements(
        policy=Policy(),
        sale_date=day(sale),
        on=day(on),
        repairs=repairs(repair_text),
        exchanges=[day(exchange)] if day(exchange) else [],
        online=day(online) is not None,
        received_date=day(online),
        working_day=CHINA,
    )
    assert [e.remedy for e in answer.remedies] == ([] if remedies == "—" else remedies.split())
