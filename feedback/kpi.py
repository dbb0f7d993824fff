"""The survey KPIs and the analysis report (《顾客满意度调查分析报告》), computed in SQL for a
period (days in the service's time zone, both included), a department and a product line.
Definitions (docs/feedback.md):

- **served**: the distinct customers with a work order or a complaint closed in the period, or
  invited in it (a key customer's periodic survey), of the department / product line;
- **invited**: the distinct customers with an invitation sent in the period;
- **responded**: the distinct invited customers whose invitation of the period was answered;
- **coverage** = invited / served; **response rate** = responded / invited;
  **coverage × response** = responded / served, against ``feedback.coverage_target`` (75 %);
- over the responses answered in the period: **satisfaction rate** = satisfied / responses,
  **average weighted score**, and **overall satisfaction** = w × mean product-quality score +
  (1 − w) × mean service score (``feedback.product_weight``);
- per question: the mean answer on 0–100; the weakest are the lowest means.
"""

import datetime as dt
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db.models import BigIntegerField, CharField, Count, Exists, F, Func, OuterRef, Q, Sum
from django.db.models.functions import Cast, Round
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Department
from accounts.roles import can
from complaints.choices import Status as ComplaintStatus
from complaints.models import Complaint
from core.errors import Forbidden, ValidationFailed
from core.plans import custom_plans
from core.policies import get_policy
from products.models import ProductLine
from service.choices import Status as OrderStatus
from service.models import WorkOrder

from . import rollup
from .models import Answer, Invitation, Question, Response, SurveyDay, SurveyQuestionDay, SurveyReach, SurveyReachCount

MAX_DAYS = 731
DEFAULT_DAYS = 90
WEAKEST = 3
CENT = Decimal("0.01")


@dataclass(frozen=True)
class KpiFilter:
    date_from: dt.date
    date_to: dt.date
    department_id: int | None = None
    product_line_id: int | None = None

    def bounds(self) -> tuple[dt.datetime, dt.datetime]:
        zone = ZoneInfo(settings.TIME_ZONE)
        start = dt.datetime.combine(self.date_from, dt.time.min, tzinfo=zone)
        end = dt.datetime.combine(self.date_to + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
        return start, end


def make_filter(*, date_from=None, date_to=None, department_id=None, product_line_id=None, now=None) -> KpiFilter:
    """The filter with its defaults (the last 90 days up to today); a reversed or too long
    period is a 422."""
    today = timezone.localdate(now or timezone.now())
    date_to = date_to or today
    date_from = date_from or date_to - dt.timedelta(days=DEFAULT_DAYS - 1)
    for name, d in (("date_from", date_from), ("date_to", date_to)):
        if not 2000 <= d.year <= 2099:
            msg = _("Choose a date from 2000 to 2099.")
            raise ValidationFailed(msg, fields={name: [msg]})
    if date_from > date_to:
        msg = _("The first day must not be after the last.")
        raise ValidationFailed(msg, fields={"date_from": [msg]})
    if (date_to - date_from).days + 1 > MAX_DAYS:
        msg = _("Choose at most %(n)s days.") % {"n": MAX_DAYS}
        raise ValidationFailed(msg, fields={"date_from": [msg]})
    return KpiFilter(date_from, date_to, department_id, product_line_id)


def _cut(f: KpiFilter, *, department: str = "department_id", line: str = "product_line_id") -> Q:
    q = Q()
    if f.department_id is not None:
        q &= Q(**{department: f.department_id})
    if f.product_line_id is not None:
        q &= Q(**{line: f.product_line_id})
    return q


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def _dec(value) -> float | None:
    return float(Decimal(str(value)).quantize(CENT, ROUND_HALF_UP)) if value is not None else None


def _cents(field: str):
    """The sum of a two-decimal score column in hundredths, exact on every database (SQLite
    stores decimals as floating point: each value is rounded back to its hundredths first)."""
    return Sum(Cast(Round(F(field) * 100), BigIntegerField()))


def _mean(total_cents: int, n: int) -> Decimal | None:
    return Decimal(total_cents) / (n * 100) if n else None


def rollup_serves(f: KpiFilter) -> bool:
    """Whether the roll-up answers ``f``: always, except for a department or line that no longer
    exists (its invitations lost it with it; the roll-up keeps the number)."""
    if f.department_id is not None and not Department.objects.filter(pk=f.department_id).exists():
        return False
    return f.product_line_id is None or ProductLine.objects.filter(pk=f.product_line_id).exists()


def _live(f: KpiFilter, live: bool | None) -> bool:
    """Whether to compute live: asked (``True``), or undecided (``None``) and the roll-up cannot
    answer ``f``; ``False`` reads the roll-up (the caller checked)."""
    return (not rollup_serves(f)) if live is None else live


def _served_elsewhere(f: KpiFilter, start: dt.datetime, end: dt.datetime, *, seen=None):
    """The customers of the work orders and complaints closed in the period (``seen``: not
    among those rows)."""
    orders = WorkOrder.objects.filter(
        _cut(f, line="product_model__line_id"), status=OrderStatus.CLOSED, closed_at__gte=start, closed_at__lt=end
    )
    complaints = Complaint.objects.filter(
        _cut(f, line="order__product_model__line_id"),
        status=ComplaintStatus.CLOSED,
        closed_at__gte=start,
        closed_at__lt=end,
    )
    if seen is not None:
        orders = orders.filter(~Exists(seen))
        complaints = complaints.filter(~Exists(seen))
    return orders.values("customer_id"), complaints.values("customer_id")


def _live_parts(f: KpiFilter) -> dict:
    """The KPIs' counts and sums from the raw rows: the reference the roll-up equals."""
    start, end = f.bounds()
    invitations = Invitation.objects.filter(_cut(f), created_at__gte=start, created_at__lt=end)
    orders, complaints = _served_elsewhere(f, start, end)
    served = orders.union(complaints, invitations.values("customer_id")).count()
    funnel = invitations.aggregate(
        sent=Count("id"),
        answered=Count("id", filter=Q(answered_at__isnull=False)),
        invited=Count("customer_id", distinct=True),
        responded=Count("customer_id", distinct=True, filter=Q(answered_at__isnull=False)),
    )
    responses = Response.objects.filter(_cut(f), answered_at__gte=start, answered_at__lt=end)
    agg = responses.aggregate(
        responses=Count("id"),
        satisfied=Count("id", filter=Q(satisfied=True)),
        negative=Count("id", filter=Q(negative=True)),
        score_cents=_cents("score"),
        product_n=Count("product_score"),
        product_cents=_cents("product_score"),
        service_n=Count("service_score"),
        service_cents=_cents("service_score"),
    )
    return {"served": served, **funnel, **{k: v or 0 for k, v in agg.items()}}


def _rollup_parts(f: KpiFilter) -> dict:
    """The same counts and sums from the roll-up: the day rows of the period, the customers'
    first days in it (the reach counts with a previous day before it), and the customers of
    closed orders and complaints that were not invited in the period."""
    start, end = f.bounds()
    days = SurveyDay.objects.filter(_cut(f, line="line", department="department"), day__range=(f.date_from, f.date_to))
    agg = days.aggregate(
        **{k: Sum(k) for k in ("sent", "answered", "responses", "satisfied", "negative", "score_cents")},
        **{k: Sum(k) for k in ("product_n", "product_cents", "service_n", "service_cents")},
    )
    shape, department, line = rollup.shape_of(f.department_id, f.product_line_id)
    reach = SurveyReach.objects.filter(shape=shape, department=department, line=line)
    firsts = SurveyReachCount.objects.filter(
        shape=shape, department=department, line=line, day__range=(f.date_from, f.date_to), prev_day__lt=f.date_from
    )
    counts = firsts.aggregate(
        invited=Sum("n", filter=Q(kind=rollup.INVITED), default=0),
        responded=Sum("n", filter=Q(kind=rollup.ANSWERED), default=0),
    )
    seen = reach.filter(customer_id=OuterRef("customer_id"), day__range=(f.date_from, f.date_to))
    orders, complaints = _served_elsewhere(f, start, end, seen=seen)
    served = counts["invited"] + orders.union(complaints).count()
    return {"served": served, **counts, **{k: v or 0 for k, v in agg.items()}}


def survey_kpis(*, actor, f: KpiFilter, live: bool | None = None) -> dict:
    """Every KPI of the period, from the roll-up (``live``: from the raw rows; the same figures)."""
    if not can(actor, "survey.kpi"):
        raise Forbidden()
    p = _live_parts(f) if _live(f, live) else _rollup_parts(f)
    w = Decimal(str(get_policy("feedback.product_weight")))
    product, service = _mean(p["product_cents"], p["product_n"]), _mean(p["service_cents"], p["service_n"])
    if product is not None and service is not None:
        overall = product * w + service * (1 - w)
    else:
        overall = product if product is not None else service
    target = float(get_policy("feedback.coverage_target"))
    served = p["served"]
    reach = _ratio(p["responded"], served)
    return {
        "date_from": f.date_from,
        "date_to": f.date_to,
        "served": served,
        "invitations_sent": p["sent"],
        "invitations_answered": p["answered"],
        "invited": p["invited"],
        "responded": p["responded"],
        "coverage": _ratio(p["invited"], served),
        "response_rate": _ratio(p["responded"], p["invited"]),
        "coverage_x_response": reach,
        "coverage_target": target,
        "coverage_met": reach is not None and reach >= target,
        "responses": p["responses"],
        "satisfied": p["satisfied"],
        "negative": p["negative"],
        "satisfaction_rate": _ratio(p["satisfied"], p["responses"]),
        "satisfied_score": float(get_policy("feedback.satisfied_score")),
        "average_score": _dec(_mean(p["score_cents"], p["responses"])),
        "product_score": _dec(product),
        "service_score": _dec(service),
        "product_weight": float(w),
        "overall_satisfaction": _dec(overall),
    }


def question_averages(*, actor, f: KpiFilter, live: bool | None = None) -> list[dict]:
    """The mean answer (0–100) of every scale question in the period, weakest first. Questions of
    several versions with the same code are one item (the versions keep codes comparable). From
    the roll-up's question days, or (``live``) one scan of index ``answer_answered``
    (answered_at, question, score) grouped by question."""
    if not can(actor, "survey.kpi"):
        raise Forbidden()
    if _live(f, live):
        start, end = f.bounds()
        cut = _cut(f, department="response__department_id", line="response__product_line_id")
        rows = list(
            Answer.objects.filter(cut, answered_at__gte=start, answered_at__lt=end, score__isnull=False)
            .values("question_id")
            .annotate(total=_cents("score"), n=Count("id"), low=Count("id", filter=Q(score__lt=60)))
            .order_by()
        )
    else:
        rows = list(
            SurveyQuestionDay.objects.filter(
                _cut(f, department="department", line="line"), day__range=(f.date_from, f.date_to)
            )
            .values("question_id")
            .annotate(total=Sum("score_cents"), n=Sum("answers"), low=Sum("low"))
            .order_by()
        )
    questions = {
        q.pk: q for q in Question.objects.filter(pk__in=[r["question_id"] for r in rows]).select_related("version")
    }
    by_code: dict[str, dict] = {}
    for r in rows:
        q = questions[r["question_id"]]
        item = by_code.setdefault(q.code, {"code": q.code, "q": q, "total": 0, "answers": 0, "low": 0})
        if q.version.number > item["q"].version.number:  # the newest wording names the item
            item["q"] = q
        item["total"] += r["total"]
        item["answers"] += r["n"]
        item["low"] += r["low"]
    items = [
        {
            "code": code,
            "label": i["q"].label,
            "dimension": i["q"].dimension,
            "average": _dec(_mean(i["total"], i["answers"])),
            "answers": i["answers"],
            "low": i["low"],
        }
        for code, i in by_code.items()
        if i["answers"]
    ]
    return sorted(items, key=lambda i: (i["average"], i["code"]))


class LocalMonth(Func):
    """``YYYY-MM`` of a timestamp in the service's time zone. SQLite: the zone's offset now added
    as a plain string function per row (not Django's Python time-zone function; right for a zone
    without daylight saving, as Asia/Shanghai since 1991). PostgreSQL: ``AT TIME ZONE``."""

    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra):
        sql, params = compiler.compile(self.source_expressions[0])
        offset = int(dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset().total_seconds())
        return f"substr(datetime({sql}, '{offset:+d} seconds'), 1, 7)", params

    def as_sql(self, compiler, connection, **extra):  # PostgreSQL
        sql, params = compiler.compile(self.source_expressions[0])
        return f"to_char({sql} AT TIME ZONE %s, 'YYYY-MM')", [*params, settings.TIME_ZONE]


def monthly(*, actor, f: KpiFilter, live: bool | None = None) -> list[dict]:
    """Responses per month of the period: count, mean score, satisfaction rate (the chart). From
    the roll-up's days, or (``live``) one scan of index ``response_kpi`` grouped by the local
    month."""
    if not can(actor, "survey.kpi"):
        raise Forbidden()
    months: dict[str, dict] = {}
    if _live(f, live):
        start, end = f.bounds()
        rows = (
            Response.objects.filter(_cut(f), answered_at__gte=start, answered_at__lt=end)
            .annotate(month=LocalMonth("answered_at"))
            .values("month")
            .annotate(n=Count("id"), total=_cents("score"), ok=Count("id", filter=Q(satisfied=True)))
            .order_by("month")
        )
        months = {r["month"]: r for r in rows}
    else:
        days = (
            SurveyDay.objects.filter(
                _cut(f, department="department", line="line"), day__range=(f.date_from, f.date_to), responses__gt=0
            )
            .values("day")
            .annotate(n=Sum("responses"), total=Sum("score_cents"), ok=Sum("satisfied"))
            .order_by("day")
        )
        for r in days:
            m = months.setdefault(r["day"].strftime("%Y-%m"), {"n": 0, "total": 0, "ok": 0})
            m["n"], m["total"], m["ok"] = m["n"] + r["n"], m["total"] + r["total"], m["ok"] + r["ok"]
    return [
        {
            "month": month,
            "responses": r["n"],
            "average_score": _dec(_mean(r["total"], r["n"])),
            "satisfaction_rate": _ratio(r["ok"], r["n"]),
        }
        for month, r in sorted(months.items())
    ]


def report(*, actor, f: KpiFilter, live: bool | None = None) -> dict:
    """The analysis report: the KPIs, every question's mean (weakest first), the weakest items
    and the months (``live``: from the raw rows instead of the roll-up; the same figures)."""
    live = _live(f, live)
    # plans made for the period's values: the generic plan of the served customers' statement
    # took over 20 s at 1,000,000 orders on a connection's eighth run (core/plans.py)
    with custom_plans(WorkOrder):
        questions = question_averages(actor=actor, f=f, live=live)
        return {
            "kpis": survey_kpis(actor=actor, f=f, live=live),
            "questions": questions,
            "weakest": questions[:WEAKEST],
            "months": monthly(actor=actor, f=f, live=live),
        }
