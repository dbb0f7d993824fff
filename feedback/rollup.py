"""The survey KPIs' daily roll-up (docs/feedback.md, "The roll-up"): per local day
(Asia/Shanghai), department and product line, the counts and sums the KPIs need, and per
customer the invited days that give the distinct-customer counts.

Kept by the write path in the transaction that writes the invitation (``invitation_created``,
from ``services._invite``) or the answer (``invitation_answered``, from
``services._record_answer``), so it is exact at every commit; the day figures are upserts with
increments (``INSERT … ON CONFLICT … DO UPDATE SET n = n + excluded.n``: safe under concurrent
writers), the reach rows are written under a lock of the customer's row (their previous-day
links need the customer's other rows to hold still). ``rebuild`` recomputes everything from the
raw rows in SQL (after a bulk load: ``manage.py rebuild_survey_rollup``); it writes exactly the
rows the write path would have written.

A cut's department or line that is missing is 0 (the upserts need non-null keys). Sums are in
hundredths (each score has two decimals), so they add up exactly on every database.
"""

import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from zoneinfo import ZoneInfo

from django.conf import settings
from django.db import connections, transaction
from django.db.models import F, Max, Q
from django.utils import timezone

from customers.models import Customer

from .choices import ReachShape
from .models import Answer, Invitation, Response, SurveyDay, SurveyQuestionDay, SurveyReach, SurveyReachCount

DAY_KEYS = ["day", "department", "line"]
QUESTION_KEYS = ["day", "department", "line", "question"]
LINK_KEYS = ["shape", "department", "line", "day", "prev_day", "kind"]
INVITED, ANSWERED = 0, 1  # SurveyReachCount.kind
NO_DAY = dt.date(1, 1, 1)  # SurveyReachCount.prev_day of a first day


def cents(value) -> int:
    """A score (two decimals) in hundredths."""
    return int((Decimal(str(value)) * 100).to_integral_value())


def local_day(moment: dt.datetime) -> dt.date:
    """The day of ``moment`` in the service's time zone (the KPIs' periods are days there)."""
    return timezone.localdate(moment, ZoneInfo(settings.TIME_ZONE))


def _key(value) -> int:
    return value or 0


def shapes(department_id, line_id) -> list[tuple[int, int, int]]:
    """The reach rows' cuts of one invitation: all customers, its department, its line, both
    (a missing department or line has no row of its own: no filter asks for it)."""
    d, line = _key(department_id), _key(line_id)
    rows = [(ReachShape.ALL, 0, 0)]
    if d:
        rows.append((ReachShape.DEPARTMENT, d, 0))
    if line:
        rows.append((ReachShape.LINE, 0, line))
    if d and line:
        rows.append((ReachShape.BOTH, d, line))
    return rows


def shape_of(department_id, line_id) -> tuple[int, int, int]:
    """The reach rows that answer a filter (department and / or line, or neither)."""
    return shapes(department_id, line_id)[-1] if department_id or line_id else (ReachShape.ALL, 0, 0)


# --- the write path ---------------------------------------------------------------------------


def _add(model, keys: list[str], rows: Iterable[dict], *, using: str = "default") -> None:
    """Add ``rows`` (key fields and increments) to ``model``'s rows: one upsert statement."""
    counters = [f.name for f in model._meta.concrete_fields if not f.primary_key and f.name not in keys]
    merged: dict[tuple, dict] = {}
    for row in rows:
        k = tuple(row[f] for f in keys)
        into = merged.setdefault(k, {f: row[f] for f in keys} | dict.fromkeys(counters, 0))
        for f in counters:
            into[f] += row.get(f, 0)
    if not merged:
        return
    connection = connections[using]
    qn = connection.ops.quote_name
    table = qn(model._meta.db_table)
    fields = keys + counters

    def column(f):
        return qn(model._meta.get_field(f).column)

    def param(f, v):
        return connection.ops.adapt_datefield_value(v) if f == "day" else v

    values = ", ".join("(" + ", ".join(["%s"] * len(fields)) + ")" for _ in merged)
    sets = ", ".join(f"{column(f)} = {table}.{column(f)} + EXCLUDED.{column(f)}" for f in counters)
    sql = (
        f"INSERT INTO {table} ({', '.join(column(f) for f in fields)}) VALUES {values} "
        f"ON CONFLICT ({', '.join(column(f) for f in keys)}) DO UPDATE SET {sets}"
    )
    params = [param(f, row[f]) for row in merged.values() for f in fields]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _lock_customer(customer_id: int) -> None:
    list(Customer.objects.select_for_update().filter(pk=customer_id).values_list("pk", flat=True))


def _reach_of(shape, department, line, customer_id):
    return SurveyReach.objects.filter(shape=shape, department=department, line=line, customer_id=customer_id)


def _links(shape, department, line, changes: list[tuple[dt.date, dt.date | None, int, int]]) -> None:
    """Move reach rows between (day, previous day, kind) counts: ``changes`` of (day, previous
    day, kind, +1 or -1)."""
    _add(
        SurveyReachCount,
        LINK_KEYS,
        [
            {"shape": shape, "department": department, "line": line, "day": day, "prev_day": prev or NO_DAY, "kind": kind, "n": n}
            for day, prev, kind, n in changes
        ],
    )  # fmt: skip


def invitation_created(invitation: Invitation) -> None:
    """An invitation was written: count it on its day and mark its customer invited that day."""
    day = local_day(invitation.created_at)
    cut = {"department": _key(invitation.department_id), "line": _key(invitation.product_line_id)}
    _add(SurveyDay, DAY_KEYS, [{"day": day, **cut, "sent": 1}])
    _lock_customer(invitation.customer_id)
    for shape, d, line in shapes(invitation.department_id, invitation.product_line_id):
        mine = _reach_of(shape, d, line, invitation.customer_id)
        if mine.filter(day=day).update(invitations=F("invitations") + 1):
            continue
        before = mine.filter(day__lt=day).aggregate(prev=Max("day"), answered=Max("day", filter=Q(answered__gt=0)))
        SurveyReach.objects.create(
            shape=shape,
            department=d,
            line=line,
            customer_id=invitation.customer_id,
            day=day,
            invitations=1,
            prev_day=before["prev"],
            prev_answered_day=before["answered"],
        )
        changes = [(day, before["prev"], INVITED, 1)]
        # the customer's next day in this cut now follows this one
        following = mine.filter(day__gt=day).order_by("day").values("pk", "day", "prev_day").first()
        if following is not None:
            SurveyReach.objects.filter(pk=following["pk"]).update(prev_day=day)
            changes += [(following["day"], following["prev_day"], INVITED, -1), (following["day"], day, INVITED, 1)]
        _links(shape, d, line, changes)


def invitation_answered(invitation: Invitation, response: Response, answers: list[Answer]) -> None:
    """``invitation`` was answered (``response``, its ``answers``): count the answer on the
    invitation's day, the response and its scale answers on the answer's day, and mark the
    customer as having answered on the invitation's day."""
    sent_on = local_day(invitation.created_at)
    day = local_day(response.answered_at)
    cut = {"department": _key(response.department_id), "line": _key(response.product_line_id)}
    product, service = response.product_score, response.service_score
    _add(
        SurveyDay,
        DAY_KEYS,
        [
            {"day": sent_on, **cut, "answered": 1},
            {
                "day": day,
                **cut,
                "responses": 1,
                "satisfied": int(response.satisfied),
                "negative": int(response.negative),
                "score_cents": cents(response.score),
                "product_n": int(product is not None),
                "product_cents": cents(product) if product is not None else 0,
                "service_n": int(service is not None),
                "service_cents": cents(service) if service is not None else 0,
            },
        ],
    )
    _add(
        SurveyQuestionDay,
        QUESTION_KEYS,
        [
            {"day": day, **cut, "question": a.question_id, "answers": 1, "score_cents": cents(a.score), "low": int(a.score < 60)}
            for a in answers
            if a.score is not None
        ],
    )  # fmt: skip
    _lock_customer(invitation.customer_id)
    for shape, d, line in shapes(invitation.department_id, invitation.product_line_id):
        mine = _reach_of(shape, d, line, invitation.customer_id)
        first = mine.filter(day=sent_on, answered=0).update(answered=1)
        if not first:
            mine.filter(day=sent_on).update(answered=F("answered") + 1)
            continue
        prev = mine.filter(day=sent_on).values_list("prev_answered_day", flat=True).get()
        changes = [(sent_on, prev, ANSWERED, 1)]
        following = mine.filter(day__gt=sent_on, answered__gt=0).order_by("day").values("day").first()
        if following is not None:  # the next answered day now follows this one
            changes += [(following["day"], prev, ANSWERED, -1), (following["day"], sent_on, ANSWERED, 1)]
        # the customer's later days now have an answered day before them
        mine.filter(Q(prev_answered_day__isnull=True) | Q(prev_answered_day__lt=sent_on), day__gt=sent_on).update(
            prev_answered_day=sent_on
        )
        _links(shape, d, line, changes)


# --- the rebuild --------------------------------------------------------------------------------


def _local_day(column: str, vendor: str) -> tuple[str, list]:
    """SQL for the local day (``settings.TIME_ZONE``) of a UTC timestamp column. SQLite has no
    time zones: the zone's offset now, right for a zone without daylight saving (Asia/Shanghai
    since 1991)."""
    if vendor == "postgresql":
        return f"(({column}) AT TIME ZONE %s)::date", [settings.TIME_ZONE]
    offset = int(dt.datetime.now(ZoneInfo(settings.TIME_ZONE)).utcoffset().total_seconds())
    return f"date({column}, '{offset:+d} seconds')", []


def _cents_sql(column: str) -> str:
    return f"CAST(ROUND({column} * 100) AS BIGINT)"


def rebuild(*, using: str = "default") -> dict[str, int]:
    """Recompute the whole roll-up from the invitations, responses and answers (one transaction;
    the write path waits for it). Returns the rows written per table."""
    connection = connections[using]
    vendor = connection.vendor
    qn = connection.ops.quote_name

    def t(model):
        return qn(model._meta.db_table)

    inv, resp, ans = t(Invitation), t(Response), t(Answer)
    inv_day, p1 = _local_day("created_at", vendor)
    resp_day, p2 = _local_day("answered_at", vendor)
    ans_day, p3 = _local_day("a.answered_at", vendor)
    days_sql = f"""
        INSERT INTO {t(SurveyDay)} (day, department, line, sent, answered, responses, satisfied, negative,
            score_cents, product_n, product_cents, service_n, service_cents)
        SELECT day, department, line, SUM(sent), SUM(answered), SUM(responses), SUM(satisfied), SUM(negative),
            SUM(score_cents), SUM(product_n), SUM(product_cents), SUM(service_n), SUM(service_cents)
        FROM (
            SELECT {inv_day} AS day, COALESCE(department_id, 0) AS department, COALESCE(product_line_id, 0) AS line,
                1 AS sent, CASE WHEN answered_at IS NULL THEN 0 ELSE 1 END AS answered, 0 AS responses,
                0 AS satisfied, 0 AS negative, 0 AS score_cents, 0 AS product_n, 0 AS product_cents,
                0 AS service_n, 0 AS service_cents
            FROM {inv}
            UNION ALL
            SELECT {resp_day}, COALESCE(department_id, 0), COALESCE(product_line_id, 0), 0, 0, 1,
                CASE WHEN satisfied THEN 1 ELSE 0 END, CASE WHEN negative THEN 1 ELSE 0 END, {_cents_sql("score")},
                CASE WHEN product_score IS NULL THEN 0 ELSE 1 END, COALESCE({_cents_sql("product_score")}, 0),
                CASE WHEN service_score IS NULL THEN 0 ELSE 1 END, COALESCE({_cents_sql("service_score")}, 0)
            FROM {resp}
        ) x
        GROUP BY day, department, line"""
    questions_sql = f"""
        INSERT INTO {t(SurveyQuestionDay)} (day, department, line, question_id, answers, score_cents, low)
        SELECT {ans_day}, COALESCE(r.department_id, 0), COALESCE(r.product_line_id, 0), a.question_id, COUNT(*),
            SUM({_cents_sql("a.score")}), SUM(CASE WHEN a.score < 60 THEN 1 ELSE 0 END)
        FROM {ans} a JOIN {resp} r ON r.id = a.response_id
        WHERE a.score IS NOT NULL
        GROUP BY 1, 2, 3, 4"""
    cut = "COALESCE(department_id, 0) AS d, COALESCE(product_line_id, 0) AS l"
    reach_sql = f"""
        INSERT INTO {t(SurveyReach)} (shape, department, line, customer_id, day, invitations, answered, prev_day,
            prev_answered_day)
        SELECT shape, d, l, customer_id, day, n, a,
            LAG(day) OVER w,
            MAX(CASE WHEN a > 0 THEN day END) OVER (w ROWS BETWEEN UNBOUNDED PRECEDING AND 1 PRECEDING)
        FROM (
            SELECT CASE WHEN g.d = 0 AND g.l = 0 THEN 0 WHEN g.l = 0 THEN 1 WHEN g.d = 0 THEN 2 ELSE 3 END AS shape,
                g.d, g.l, g.customer_id, g.day, SUM(g.n) AS n, SUM(g.a) AS a
            FROM (
                SELECT s.d * k.keep_d AS d, s.l * k.keep_l AS l, s.customer_id, s.day, s.n, s.a
                FROM (
                    SELECT {cut}, customer_id, {inv_day} AS day, COUNT(*) AS n, COUNT(answered_at) AS a
                    FROM {inv} GROUP BY 1, 2, 3, 4
                ) s
                JOIN (SELECT 0 AS keep_d, 0 AS keep_l UNION ALL SELECT 1, 0 UNION ALL SELECT 0, 1
                      UNION ALL SELECT 1, 1) k
                  ON (k.keep_d = 0 OR s.d <> 0) AND (k.keep_l = 0 OR s.l <> 0)
            ) g
            GROUP BY 1, 2, 3, 4, 5
        ) x
        WINDOW w AS (PARTITION BY shape, d, l, customer_id ORDER BY day)"""
    reach = t(SurveyReach)
    counts_sql = f"""
        INSERT INTO {t(SurveyReachCount)} (shape, department, line, day, prev_day, kind, n)
        SELECT shape, department, line, day, COALESCE(prev_day, %s), {INVITED}, COUNT(*)
        FROM {reach} GROUP BY 1, 2, 3, 4, 5
        UNION ALL
        SELECT shape, department, line, day, COALESCE(prev_answered_day, %s), {ANSWERED}, COUNT(*)
        FROM {reach} WHERE answered > 0 GROUP BY 1, 2, 3, 4, 5"""
    no_day = connection.ops.adapt_datefield_value(NO_DAY)
    with transaction.atomic(using=using), connection.cursor() as cursor:
        for model in (SurveyDay, SurveyQuestionDay, SurveyReach, SurveyReachCount):
            cursor.execute(f"DELETE FROM {t(model)}")
        cursor.execute(days_sql, p1 + p2)
        cursor.execute(questions_sql, p3)
        cursor.execute(reach_sql, p1)
        cursor.execute(counts_sql, [no_day, no_day])
    return {
        "days": SurveyDay.objects.using(using).count(),
        "question_days": SurveyQuestionDay.objects.using(using).count(),
        "reach": SurveyReach.objects.using(using).count(),
        "reach_counts": SurveyReachCount.objects.using(using).count(),
    }
