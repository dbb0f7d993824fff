"""The demo's satisfaction surveys and follow-ups (docs/demo.md, docs/feedback.md), written
through the feedback services with ``now=`` each step's historic moment.

The closed orders already have their invitations, their after-service follow-ups, the answers
given on calls and the follow-ups done (``demo.surveys``: through the services on the service
path, the same rows on the bulk path). Here, on both paths and reproducibly from the seed: the
key customers get their visit records of the last visit month, most of those that came due are
done with an outcome; the scan escalates the follow-ups left overdue; and the demo customer has a
survey link waiting in the portal."""

import datetime as dt
import random

from django.utils import timezone

from feedback import services
from feedback.choices import FollowUpStatus, Outcome
from feedback.models import FollowUp

from .surveys import LEFT_OVERDUE, NOTES


def feedback_showcase(*, users: dict, now: dt.datetime, seed: int) -> int:
    """Visit records, their outcomes, the escalation and the waiting survey; returns how many
    rows of feedback it wrote."""
    rng = random.Random(seed * 31 + 7)
    agent, lead = users["agent"], users["supervisor"]
    # the key customers' visit records of the last half year
    rows = services.key_visits_create(now=_last_visit_month(now))
    # those that came due: most done, some left overdue (the orders' follow-ups: demo.surveys)
    due = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=now, order__isnull=True).order_by("id")
    for f in due.values("id", "start_at", "due_at"):
        if rng.random() < LEFT_OVERDUE:
            continue
        outcome = rng.choice(
            (Outcome.REACHED, Outcome.REACHED, Outcome.REACHED, Outcome.ISSUE_FOUND, Outcome.NOT_REACHED)
        )
        at = f["start_at"] + (f["due_at"] - f["start_at"]) * rng.random()
        note = NOTES[outcome][rng.randint(0, 1)]
        services.followup_complete(
            actor=rng.choice((agent, lead)), followup_id=f["id"], outcome=outcome, note=note, now=at
        )
        rows += 1
    rows += services.followups_escalate(now=now)
    customer = users["customer"].customer
    services.survey_invite(actor=agent, customer_id=customer.pk, now=now)  # waiting in the portal
    return rows + 1


def _last_visit_month(now: dt.datetime) -> dt.datetime:
    """The most recent visit month (``feedback.visit_months``) up to ``now``, on its first day."""
    from core.policies import get_policy

    local = timezone.localtime(now)
    months = sorted(int(m) for m in get_policy("feedback.visit_months"))
    for year in (local.year, local.year - 1):
        for month in reversed(months):
            first = local.replace(year=year, month=month, day=1, hour=10, minute=0, second=0, microsecond=0)
            if first <= local:
                return first
    return local
