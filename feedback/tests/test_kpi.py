"""The survey KPIs on a fixture checked by hand (the arithmetic is in the comments)."""

import datetime as dt

import pytest

from core.errors import Forbidden, ValidationFailed
from feedback import kpi, services
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    ProductLineFactory,
    ProductModelFactory,
    UserFactory,
    WorkOrderFactory,
)

from .helpers import answers, invite

pytestmark = pytest.mark.django_db
JUNE = dt.date(2026, 6, 1), dt.date(2026, 6, 30)


def at(day, hour=10, month=6):
    return dt.datetime(2026, month, day, hour - 8, 0, tzinfo=dt.UTC)  # hour in Asia/Shanghai


@pytest.fixture
def world():
    """June 2026: orders of A, B, C (team D1) and D (no team) closed; A, B, C invited on the 5th;
    A answers all 10, B answers quality 4, price 6, packaging 5, delivery 8, after-sales 2; C
    does not answer. E was served, invited and answered in May (outside the period)."""
    agent, analyst = UserFactory(role="agent"), UserFactory(role="analyst")
    d1 = DepartmentFactory(code="d1")
    l1, l2 = ProductLineFactory(code="l1"), ProductLineFactory(code="l2", name="Line 2")
    m1, m2 = ProductModelFactory(line=l1), ProductModelFactory(line=l2)
    c = {k: CustomerFactory(name=k) for k in "ABCDE"}

    def closed(customer, when, dept, model):
        return WorkOrderFactory(
            customer=customer, status="closed", closed_at=when, department=dept, product_model=model
        )

    o = {
        "A": closed(c["A"], at(2), d1, m1),
        "B": closed(c["B"], at(3), d1, m1),
        "C": closed(c["C"], at(4), d1, m2),
        "D": closed(c["D"], at(4), None, m1),
        "E": closed(c["E"], at(10, month=5), None, m1),
    }
    tokens = {k: invite(c[k], actor=agent, order=o[k], now=at(5))[1] for k in "ABC"}
    e_token = invite(c["E"], actor=agent, order=o["E"], now=at(20, month=5))[1]
    services.survey_answer(
        token=e_token, answers=answers(quality=0, price=0, delivery=0, packaging=0, after_sales=0), now=at(21, month=5)
    )
    services.survey_answer(
        token=tokens["A"], answers=answers(quality=10, price=10, delivery=10, packaging=10, after_sales=10), now=at(6)
    )
    services.survey_answer(
        token=tokens["B"], answers=answers(quality=4, price=6, delivery=8, packaging=5, after_sales=2), now=at(7)
    )
    return {"analyst": analyst, "d1": d1, "l1": l1, "l2": l2}


def test_kpis_of_the_whole_period(world):
    k = kpi.survey_kpis(actor=world["analyst"], f=kpi.make_filter(date_from=JUNE[0], date_to=JUNE[1]))
    # served A, B, C, D = 4; invited A, B, C = 3; answered A, B = 2
    assert (k["served"], k["invited"], k["responded"]) == (4, 3, 2)
    assert (k["coverage"], k["response_rate"], k["coverage_x_response"]) == (0.75, 0.6667, 0.5)
    assert k["coverage_target"] == 0.75 and k["coverage_met"] is False
    # A: 100 (satisfied); B: (40×30 + 60×15 + 80×15 + 50×10 + 20×30) / 100 = 44.00 → mean 72.00
    assert (k["responses"], k["satisfied"], k["satisfaction_rate"], k["average_score"]) == (2, 1, 0.5, 72.0)
    # product: A 100, B (1200+900+500)/55 = 47.27 → 73.635 → 73.64; service: A 100, B (1200+600)/45 = 40 → 70
    assert (k["product_score"], k["service_score"]) == (73.64, 70.0)
    # overall = 73.635 × 0.8 + 70 × 0.2 = 58.908 + 14 = 72.908 → 72.91
    assert k["overall_satisfaction"] == 72.91


def test_kpis_of_a_department_and_of_a_product_line(world):
    team = kpi.survey_kpis(
        actor=world["analyst"], f=kpi.make_filter(date_from=JUNE[0], date_to=JUNE[1], department_id=world["d1"].pk)
    )
    # D's order has no team: served A, B, C
    assert (team["served"], team["invited"], team["responded"], team["coverage"]) == (3, 3, 2, 1.0)
    assert team["coverage_x_response"] == 0.6667
    line2 = kpi.survey_kpis(
        actor=world["analyst"], f=kpi.make_filter(date_from=JUNE[0], date_to=JUNE[1], product_line_id=world["l2"].pk)
    )
    # only C's order is of line 2: served 1, invited 1, no answer
    assert (line2["served"], line2["invited"], line2["responded"], line2["coverage_x_response"]) == (1, 1, 0, 0.0)
    assert (line2["responses"], line2["satisfaction_rate"], line2["average_score"], line2["overall_satisfaction"]) == (
        0,
        None,
        None,
        None,
    )


def test_question_averages_weakest_first_and_months(world):
    r = kpi.report(actor=world["analyst"], f=kpi.make_filter(date_from=JUNE[0], date_to=JUNE[1]))
    # (100 + B's) / 2: quality 70, price 80, delivery 90, packaging 75, after-sales 60
    assert [(q["code"], q["average"], q["answers"], q["low"]) for q in r["questions"]] == [
        ("after_sales", 60.0, 2, 1),
        ("quality", 70.0, 2, 1),
        ("packaging", 75.0, 2, 1),
        ("price", 80.0, 2, 0),
        ("delivery", 90.0, 2, 0),
    ]
    assert [q["code"] for q in r["weakest"]] == ["after_sales", "quality", "packaging"]
    assert r["months"] == [{"month": "2026-06", "responses": 2, "average_score": 72.0, "satisfaction_rate": 0.5}]
    may = kpi.survey_kpis(
        actor=world["analyst"], f=kpi.make_filter(date_from=dt.date(2026, 5, 1), date_to=dt.date(2026, 5, 31))
    )
    assert (may["served"], may["responses"], may["average_score"], may["coverage_x_response"]) == (1, 1, 0.0, 1.0)


def test_kpis_need_the_capability_and_a_sane_period(world):
    with pytest.raises(Forbidden):
        kpi.survey_kpis(actor=UserFactory(role="engineer"), f=kpi.make_filter())
    for bad in (
        {"date_from": dt.date(2026, 7, 1), "date_to": dt.date(2026, 6, 1)},
        {"date_from": dt.date(1999, 1, 1), "date_to": dt.date(2026, 6, 1)},
        {"date_from": dt.date(2020, 1, 1), "date_to": dt.date(2026, 6, 1)},
    ):
        with pytest.raises(ValidationFailed):
            kpi.make_filter(**bad)
