"""The KPIs' roll-up equals the live computation (the reference, ``live=True``) for every period
and filter, on fixtures written through the services: several days, departments and lines,
local midnights, re-sent and expired invitations, answers recorded on a call, served customers
who were never invited, a deleted department; and ``rebuild`` writes exactly the rows the write
path wrote."""

import datetime as dt
import itertools
import random
import threading
from io import StringIO

import pytest
from django.core.management import call_command
from django.db import connection, connections
from django.utils import timezone

from complaints.models import Complaint
from core.idempotency import when_unlocked
from feedback import kpi, rollup, services
from feedback.models import SurveyDay, SurveyQuestionDay, SurveyReach, SurveyReachCount
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
FIRST = dt.date(2026, 6, 1)


def local(day: int, hour: int = 10, minute: int = 0, second: int = 0) -> dt.datetime:
    """June ``day`` at ``hour``:``minute`` in Asia/Shanghai (UTC+8), as UTC."""
    return dt.datetime(2026, 6, day, 0, 0, tzinfo=dt.UTC) + dt.timedelta(hours=hour - 8, minutes=minute, seconds=second)


def snapshot() -> dict[str, set]:
    """The roll-up's rows without their ids (a reach count moved down to 0 may stay, as 0)."""

    def rows(qs):
        return {tuple(r) for r in qs.values_list(*[f.name for f in qs.model._meta.concrete_fields][1:])}

    tables = [SurveyDay.objects, SurveyQuestionDay.objects, SurveyReach.objects, SurveyReachCount.objects.exclude(n=0)]
    return {qs.model.__name__: rows(qs) for qs in tables}


def assert_same(analyst, f):
    live, rolled = kpi.report(actor=analyst, f=f, live=True), kpi.report(actor=analyst, f=f)
    assert rolled == live, f


@pytest.fixture
def world():
    """Two departments, two lines, June 2026 (the days in Asia/Shanghai):

    - A: order (d1, l1) closed on the 2nd, invited 23:59:59 on the 2nd, answers 00:00:00 on the
      3rd; invited again (re-sent, no order) on the 3rd and on the 5th, answers the 5th's;
    - B: order (d1, l2) invited 00:00:00 on the 3rd, the link expires unanswered; a second
      invitation the same day is answered on a call the 9th (agent, the order's open invitation);
    - C: order (d2, l1) invited on the 4th, answers low the same day; invited again the 8th, open;
    - D: order (no department, l2) closed on the 6th, never invited (served only); a complaint
      of D's order (d2) closed on the 7th;
    - E: a survey taken on a call on the 6th, no order (no department, no line);
    - F: order (d2, l2) reopened (not closed): invited on the 1st, answers on the 10th;
    - May: G invited and answered (outside the period's first days)."""
    agent, analyst = UserFactory(role="agent"), UserFactory(role="analyst")
    d1, d2 = DepartmentFactory(code="d1"), DepartmentFactory(code="d2")
    l1, l2 = ProductLineFactory(code="l1"), ProductLineFactory(code="l2", name="Line 2")
    m1, m2 = ProductModelFactory(line=l1), ProductModelFactory(line=l2)
    c = {k: CustomerFactory(name=k) for k in "ABCDEFG"}

    def order(customer, dept, model, closed=None, status="closed"):
        return WorkOrderFactory(
            customer=customer, status=status, closed_at=closed, department=dept, product_model=model
        )

    o = {
        "A": order(c["A"], d1, m1, local(2, 9)),
        "B": order(c["B"], d1, m2, local(3, 0)),
        "C": order(c["C"], d2, m1, local(4)),
        "D": order(c["D"], None, m2, local(6)),
        "F": order(c["F"], d2, m2, status="reopened"),
        "G": order(c["G"], d1, m1, local(20, 10) - dt.timedelta(days=31)),
    }
    Complaint.objects.create(
        customer=c["D"], order=o["D"], channel="phone", description="Noisy.", status="closed",
        closed_at=local(7, 23, 59, 59), department=d2,
    )  # fmt: skip
    a1 = invite(c["A"], actor=agent, order=o["A"], now=local(2, 23, 59, 59))[1]
    services.survey_answer(token=a1, answers=answers(quality=7), now=local(3, 0))
    invite(c["A"], actor=agent, now=local(3, 12))
    a3 = invite(c["A"], actor=agent, now=local(5, 8))[1]
    services.survey_answer(token=a3, answers=answers(after_sales=3, comment="太慢了"), now=local(5, 9))
    b1 = invite(c["B"], actor=agent, order=o["B"], now=local(3, 0))[1]
    invite(c["B"], actor=agent, order=o["B"], now=local(3, 18))
    with pytest.raises(services.Expired):
        services.survey_answer(token=b1, answers=answers(), now=local(3, 0) + dt.timedelta(days=15))
    services.survey_record_call(
        actor=agent, customer_id=c["B"].pk, order_id=o["B"].pk, answers=answers(price=2), now=local(9, 16)
    )
    c1 = invite(c["C"], actor=agent, order=o["C"], now=local(4, 7))[1]
    services.survey_answer(
        token=c1, answers=answers(quality=1, price=2, delivery=3, packaging=4, after_sales=5), now=local(4, 22)
    )
    invite(c["C"], actor=agent, order=o["C"], now=local(8, 15, 59))
    services.survey_record_call(actor=agent, customer_id=c["E"].pk, answers=answers(delivery=6), now=local(6, 11))
    f1 = invite(c["F"], actor=agent, order=o["F"], now=local(1, 0, 0, 1))[1]
    services.survey_answer(token=f1, answers=answers(packaging=8), now=local(10, 23, 59, 59))
    g1 = invite(c["G"], actor=agent, order=o["G"], now=local(20) - dt.timedelta(days=31))[1]
    services.survey_answer(token=g1, answers=answers(), now=local(21) - dt.timedelta(days=31))
    return {"analyst": analyst, "d1": d1, "d2": d2, "l1": l1, "l2": l2}


def periods():
    days = [FIRST + dt.timedelta(days=i) for i in range(11)]
    yield from ((d, d) for d in days)  # every single day
    yield from ((FIRST, d) for d in days[1:])
    yield from ((d, days[-1]) for d in days[1:])
    yield dt.date(2026, 5, 1), dt.date(2026, 6, 30)
    yield dt.date(2026, 5, 21), dt.date(2026, 6, 3)


def cuts(w):
    return [
        (None, None),
        (w["d1"].pk, None),
        (w["d2"].pk, None),
        (None, w["l1"].pk),
        (None, w["l2"].pk),
        (w["d1"].pk, w["l1"].pk),
        (w["d1"].pk, w["l2"].pk),
        (w["d2"].pk, w["l2"].pk),
        (999_999, None),
    ]


def test_the_rollup_equals_the_live_computation_for_every_period_and_cut(world):
    for (first, last), (department, line) in itertools.product(periods(), cuts(world)):
        f = kpi.make_filter(date_from=first, date_to=last, department_id=department, product_line_id=line)
        assert_same(world["analyst"], f)


def test_the_fixture_is_what_its_story_says(world):
    """A few figures by hand, so that the equality above is not between two empty reports."""
    june = kpi.report(actor=world["analyst"], f=kpi.make_filter(date_from=FIRST, date_to=dt.date(2026, 6, 30)))
    k = june["kpis"]
    # served A B C D (closed orders, D's complaint) + E F (invited); invited A B C E F; answered A B C E F
    assert (k["served"], k["invited"], k["responded"]) == (6, 5, 5)
    # sent: A×3, B×2 + B's call answers its open one, C×2, E×1 (call), F×1 = 9; answered A×2, B, C, E, F
    assert (k["invitations_sent"], k["invitations_answered"], k["responses"]) == (9, 6, 6)
    # A's first answer is at 00:00:00 on the 3rd: a 3rd-only report has it, the 2nd's has the invitation only
    third = kpi.survey_kpis(
        actor=world["analyst"], f=kpi.make_filter(date_from=dt.date(2026, 6, 3), date_to=dt.date(2026, 6, 3))
    )
    second = kpi.survey_kpis(
        actor=world["analyst"], f=kpi.make_filter(date_from=dt.date(2026, 6, 2), date_to=dt.date(2026, 6, 2))
    )
    assert (second["invitations_sent"], second["invitations_answered"], second["responses"]) == (1, 1, 0)
    # the 3rd: A re-sent (12:00), B twice (00:00:00 and 18:00), B's order closed; A's answer
    assert (third["invitations_sent"], third["invited"], third["served"], third["responses"]) == (3, 2, 2, 1)  # fmt: skip
    # department d2 in the period: C's order and invitations, D's complaint, F's invitation
    d2 = kpi.survey_kpis(actor=world["analyst"], f=kpi.make_filter(date_from=FIRST, date_to=dt.date(2026, 6, 30), department_id=world["d2"].pk))  # fmt: skip
    assert (d2["served"], d2["invited"], d2["responded"]) == (3, 2, 2)


def test_a_deleted_department_reads_like_the_live_computation(world):
    june = {"date_from": FIRST, "date_to": dt.date(2026, 6, 30)}
    before = kpi.survey_kpis(actor=world["analyst"], f=kpi.make_filter(**june, department_id=world["d1"].pk))
    assert before["invited"] == 2
    department = world["d1"].pk
    world["d1"].delete()  # the invitations and responses lose it (SET NULL); the roll-up keeps the number
    f = kpi.make_filter(**june, department_id=department)
    assert not kpi.rollup_serves(f)
    after = kpi.survey_kpis(actor=world["analyst"], f=f)
    assert (after["invited"], after["served"]) == (0, 0)
    for department_id, line in ((department, None), (None, None), (None, world["l1"].pk)):
        assert_same(world["analyst"], kpi.make_filter(**june, department_id=department_id, product_line_id=line))


def test_rebuild_writes_exactly_the_rows_of_the_write_path(world):
    written = snapshot()
    assert all(written.values())
    counts = rollup.rebuild()
    assert snapshot() == written
    assert counts == {
        "days": len(written["SurveyDay"]),
        "question_days": len(written["SurveyQuestionDay"]),
        "reach": len(written["SurveyReach"]),
        "reach_counts": len(written["SurveyReachCount"]),
    }


def test_random_invitations_and_answers_keep_the_rollup_exact():
    """Twenty customers, three departments (and none), three lines (and none), sixty invitations
    at random minutes of ten days, two in three answered up to two days later, some twice to one
    customer the same day; every period of those days and every cut."""
    rng = random.Random(17)
    agent, analyst = UserFactory(role="agent"), UserFactory(role="analyst")
    departments = [None, *(DepartmentFactory(code=f"r{i}") for i in range(3))]
    models = [None, *(ProductModelFactory(line=ProductLineFactory(code=f"rl{i}", name=f"L{i}")) for i in range(3))]
    customers = [CustomerFactory() for _ in range(20)]
    opened = []
    for _ in range(60):
        customer = rng.choice(customers)
        sent = local(1) + dt.timedelta(minutes=rng.randrange(10 * 24 * 60))
        order = None
        if rng.random() < 0.8:
            order = WorkOrderFactory(
                customer=customer, status="closed", closed_at=sent, department=rng.choice(departments),
                product_model=rng.choice(models),
            )  # fmt: skip
        opened.append((sent, invite(customer, actor=agent, order=order, now=sent)[1]))
    for sent, token in sorted(opened):
        if rng.random() < 0.67:
            at = sent + dt.timedelta(minutes=rng.randrange(2 * 24 * 60))
            scale = {k: rng.randint(0, 10) for k in ("quality", "price", "delivery", "packaging", "after_sales")}
            services.survey_answer(token=token, answers=answers(**scale), now=at)
    days = [FIRST + dt.timedelta(days=i) for i in range(12)]
    filters = [(None, None)] + [(d.pk if d else None, m.line_id if m else None) for d in departments for m in models][
        1:
    ]
    for (first, last), (department, line) in itertools.product(
        itertools.combinations_with_replacement(days, 2), filters
    ):
        f = kpi.make_filter(date_from=first, date_to=last, department_id=department, product_line_id=line)
        assert_same(analyst, f)
    written = snapshot()
    rollup.rebuild()
    assert snapshot() == written


def test_the_kpi_reads_of_the_rollup_cost_a_fixed_number_of_queries(world, django_assert_max_num_queries):
    year = kpi.make_filter(date_from=dt.date(2026, 1, 1), date_to=dt.date(2026, 12, 31), department_id=world["d1"].pk)
    # the department's existence, the days, the reach counts, the served union, the questions and
    # their names, the months, the product weight (and on PostgreSQL the savepoint, its release and
    # the SET LOCAL of custom plans)
    postgres = connection.vendor == "postgresql"
    with django_assert_max_num_queries(8 + 3 * postgres) as captured:
        kpi.report(actor=world["analyst"], f=year)

    # then on PostgreSQL the statements are planned for their values (a generic plan took > 20 s)
    custom = [q["sql"] for q in captured.captured_queries if "plan_cache_mode" in q["sql"]]
    assert custom == (["SET LOCAL plan_cache_mode = force_custom_plan"] if postgres else [])


THREADS = 4


@pytest.mark.django_db(transaction=True)
def test_concurrent_invitations_and_answers_of_one_customer_and_day_keep_the_rollup_exact():
    """Four writers at once invite one customer on one day in one cut and answer (the same day
    rows and reach rows): the roll-up equals its rebuild from the raw rows afterwards."""
    agent, customer = UserFactory(role="agent"), CustomerFactory()
    model, department = ProductModelFactory(line=ProductLineFactory(code="cl")), DepartmentFactory(code="cd")
    order = WorkOrderFactory(customer=customer, status="closed", closed_at=timezone.now(), department=department, product_model=model)  # fmt: skip
    barrier, outcomes = threading.Barrier(THREADS), [None] * THREADS

    def write(i):
        try:
            barrier.wait(timeout=10)
            _inv, raw = when_unlocked(lambda: invite(customer, actor=agent, order=order))
            when_unlocked(lambda: services.survey_answer(token=raw, answers=answers(quality=i)))
            outcomes[i] = "ok"
        except Exception as exc:  # noqa: BLE001 (reported by the assertion below)
            outcomes[i] = repr(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(i,)) for i in range(THREADS)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=60)

    assert outcomes == ["ok"] * THREADS, outcomes
    written = snapshot()
    today = timezone.localdate()
    assert sum(r.sent for r in SurveyDay.objects.filter(day=today)) == THREADS
    assert SurveyReach.objects.get(shape=3, day=today).invitations == THREADS
    rollup.rebuild()
    assert snapshot() == written


def test_the_bulk_loader_rebuilds_the_rollup():
    """``seed_surveys`` writes below the services and runs ``rebuild_survey_rollup``: the
    roll-up then reads like the raw rows."""
    analyst = UserFactory(role="analyst")
    DepartmentFactory(code="s1")
    ProductModelFactory(line=ProductLineFactory(code="s1"))
    call_command("seed_surveys", answers=40, days=20, stdout=StringIO())
    assert SurveyReach.objects.exists()
    today = timezone.localdate()
    for days in (1, 7, 21):
        assert_same(analyst, kpi.make_filter(date_from=today - dt.timedelta(days=days - 1), date_to=today))
    out = StringIO()
    call_command("rebuild_survey_rollup", stdout=out)
    assert "Survey roll-up rebuilt" in out.getvalue()
