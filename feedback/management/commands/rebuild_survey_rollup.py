"""``rebuild_survey_rollup``: recompute the survey KPIs' roll-up from the invitations, responses
and answers (docs/feedback.md, "The roll-up"). The write path keeps the roll-up exact; run this
after rows were written below the services (a bulk load such as ``seed_surveys``, which runs it
itself, or a restore of those tables alone). One transaction: the KPIs read the old roll-up
until it commits, and the answering service waits for it."""

import time

from django.core.management.base import BaseCommand

from feedback import rollup


class Command(BaseCommand):
    help = "Recompute the survey KPIs' daily roll-up from the raw survey rows."

    def add_arguments(self, parser):
        parser.add_argument("--database", default="default")

    def handle(self, *args, database: str, **opts):
        start = time.monotonic()
        counts = rollup.rebuild(using=database)
        took = time.monotonic() - start
        self.stdout.write(
            self.style.SUCCESS(
                f"Survey roll-up rebuilt in {took:.1f} s: {counts['days']:,} day rows, "
                f"{counts['question_days']:,} question-day rows, {counts['reach']:,} reach rows, "
                f"{counts['reach_counts']:,} reach counts."
            )
        )
