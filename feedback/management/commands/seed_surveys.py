"""``seed_surveys --answers N``: bulk-load N answered surveys (and their invitations and
answers) over the last ``--days`` days, for the KPI benchmark (bench/surveys.py).

Below the services, in their shape: each response's scores are what ``feedback.scoring``
computes for its answers, each answer carries its 0–100 score and time. Rows go in as plain
tuples (``executemany``, ids given here: run it alone), a batch per transaction. Customers are
the existing ones (more are created when there are fewer than N / 2); departments and product
lines are drawn from the existing ones. N / 0.8 invitations are sent, four in five answered.
The KPIs' roll-up is rebuilt at the end (``rebuild_survey_rollup``).
Not for a production database: the rows are made up."""

import datetime as dt
import hashlib
import random
from decimal import Decimal

from django.core.management import call_command
from django.core.management.base import BaseCommand
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone

from accounts.models import Department
from core.policies import get_policy
from customers.models import Customer
from feedback import scoring
from feedback.choices import Channel, QuestionKind, Reason
from feedback.models import Answer, Invitation, Response
from feedback.services import current_version
from products.models import ProductLine

BATCH = 10_000


def _next_id(model) -> int:
    return (model.objects.aggregate(m=Max("id"))["m"] or 0) + 1


def _insert(model, fields: list[str], rows: list[tuple]) -> None:
    table = connection.ops.quote_name(model._meta.db_table)
    columns = ", ".join(connection.ops.quote_name(model._meta.get_field(f).column) for f in fields)
    marks = ", ".join(["%s"] * len(fields))
    with connection.cursor() as cursor:
        cursor.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", rows)


class Command(BaseCommand):
    help = "Bulk-load answered surveys for the KPI benchmark (bench/surveys.py)."

    def add_arguments(self, parser):
        parser.add_argument("--answers", type=int, default=500_000)
        parser.add_argument("--seed", type=int, default=7)
        parser.add_argument("--days", type=int, default=365)

    def handle(self, *args, answers: int, seed: int, days: int, **opts):
        rng = random.Random(seed)
        now = timezone.now()
        version = current_version()
        self.scale = [q for q in version.questions.all() if q.kind == QuestionKind.SCALE]
        self.weight = float(get_policy("feedback.product_weight"))
        self.satisfied_at = Decimal(str(get_policy("feedback.satisfied_score")))
        wanted = max(answers // 2, 1)
        have = Customer.objects.count()
        if have < wanted:
            Customer.objects.bulk_create(
                [Customer(name=f"调查客户{i}", phone=f"17{seed % 10}{i:08d}") for i in range(wanted - have)],
                batch_size=BATCH,
            )
        customers = list(Customer.objects.values_list("pk", flat=True)[:wanted])
        departments = [None, *Department.objects.values_list("pk", flat=True)]
        lines = [None, *ProductLine.objects.values_list("pk", flat=True)]
        total = int(answers / 0.8)
        salt = hashlib.sha256(f"{seed}-{now.isoformat()}".encode()).hexdigest()[:12]
        ids = {m: _next_id(m) for m in (Invitation, Response, Answer)}
        written = 0
        for start in range(0, total, BATCH):
            with transaction.atomic():
                written += self._batch(
                    rng, range(start, min(start + BATCH, total)), now, days, version.pk, customers, departments, lines, salt, ids
                )  # fmt: skip
            self.stdout.write(f"{min(start + BATCH, total):,}/{total:,} invitations, {written:,} answered", ending="\n")
        self.stdout.write(self.style.SUCCESS(f"{written:,} answered surveys loaded."))
        call_command("rebuild_survey_rollup", stdout=self.stdout)  # the rows went in below the services

    def _batch(self, rng, numbers, now, days, version_id, customers, departments, lines, salt, ids) -> int:  # noqa: PLR0913
        invitations, responses, answers = [], [], []
        for i in numbers:
            sent = now - dt.timedelta(seconds=rng.randint(3600, days * 86400))
            answered = sent + dt.timedelta(hours=rng.randint(1, 72)) if i % 5 != 4 else None  # four in five
            customer, department, line = rng.choice(customers), rng.choice(departments), rng.choice(lines)
            inv_id = ids[Invitation]
            ids[Invitation] += 1
            reason = Reason.ORDER_CLOSED if rng.random() < 0.8 else Reason.COMPLAINT_CLOSED
            token = hashlib.sha256(f"{salt}-{i}".encode()).hexdigest()
            invitations.append(
                (inv_id, customer, version_id, reason, department, line, token, "zh-hans", "[]", "", sent, sent + dt.timedelta(days=14), answered)
            )  # fmt: skip
            if answered is None:
                continue
            low = rng.random() < 0.15
            values = [(q, rng.randint(2, 6) if low else rng.choice((7, 8, 9, 9, 10, 10))) for q in self.scale]
            scored = [(q, v, scoring.scale_to_100(v, q.scale_min, q.scale_max)) for q, v in values]
            s = scoring.scores([(sc, q.weight, q.dimension) for q, _v, sc in scored], product_weight=self.weight)
            resp_id = ids[Response]
            ids[Response] += 1
            responses.append(
                (resp_id, inv_id, version_id, customer, department, line, Channel.LINK, s.score, s.product, s.service,
                 s.overall, s.score >= self.satisfied_at, low and rng.random() < 0.3, "", answered)
            )  # fmt: skip
            for q, v, sc in scored:
                answers.append((ids[Answer], resp_id, q.pk, v, sc, "", answered))
                ids[Answer] += 1
        _insert(
            Invitation,
            ["id", "customer", "version", "reason", "department", "product_line", "token_hash", "language", "channels",
             "period", "created_at", "expires_at", "answered_at"],
            invitations,
        )  # fmt: skip
        _insert(
            Response,
            ["id", "invitation", "version", "customer", "department", "product_line", "channel", "score", "product_score",
             "service_score", "overall", "satisfied", "negative", "comment", "answered_at"],
            responses,
        )  # fmt: skip
        _insert(Answer, ["id", "response", "question", "value", "score", "text", "answered_at"], answers)
        return len(responses)
