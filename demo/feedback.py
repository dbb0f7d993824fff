"""The demo's satisfaction surveys and follow-ups (docs/demo.md, docs/feedback.md), written
through the feedback services with ``now=`` each step's historic moment.

The closed orders of the replay already have their invitations and their after-service
follow-ups (the feedback app subscribes to ``service.order_closed``). Here, reproducibly from
the seed: about two thirds of the invitations are answered on a call a few hours to four days
after they went out (mostly satisfied; about one in eight low, some with a negative comment,
which opens a follow-up); the follow-ups that came due are mostly done with an outcome, some
are left overdue and escalated by the scan; the key customers get their visit records; and the
demo customer has a survey link waiting in the portal."""

import datetime as dt
import random

from django.utils import timezone

from feedback import services
from feedback.choices import FollowUpStatus, Outcome, Reason
from feedback.models import FollowUp, Invitation

ANSWERED_SHARE = 0.65
LOW_SHARE = 0.12
LEFT_OVERDUE = 0.12
GOOD = ("工程师很专业,响应快。", "Quick and friendly, thank you.", "", "", "上门准时,问题解决了。", "")
BAD = ("等了太久,服务太慢。", "The engineer was rude and it is not fixed.", "维修后还是有问题,很失望。", "")
NOTES = {
    Outcome.REACHED: ("客户表示设备运行正常。", "Customer says it works fine."),
    Outcome.ISSUE_FOUND: ("客户反映仍有异响,已安排复查。", "Still noisy; a second visit is booked."),
    Outcome.NOT_REACHED: ("电话无人接听,已发短信。", "No answer; sent a text message."),
}


def _answers(rng: random.Random) -> dict:
    if rng.random() < LOW_SHARE:
        scale = {k: rng.randint(2, 6) for k in ("quality", "price", "delivery", "packaging", "after_sales")}
        return {**scale, "comment": rng.choice(BAD)}
    scale = {k: rng.choice((7, 8, 9, 9, 10, 10)) for k in ("quality", "price", "delivery", "packaging", "after_sales")}
    return {**scale, "comment": rng.choice(GOOD)}


def feedback_showcase(*, users: dict, now: dt.datetime, seed: int) -> int:
    """Answer, follow up and escalate as above; returns how many rows of feedback it wrote."""
    rng = random.Random(seed * 31 + 7)
    agent, lead = users["agent"], users["supervisor"]
    rows = 0
    invitations = Invitation.objects.filter(reason=Reason.ORDER_CLOSED, answered_at__isnull=True).order_by("id")
    for inv in invitations.values("customer_id", "order_id", "created_at", "expires_at"):
        if rng.random() >= ANSWERED_SHARE:
            continue
        at = inv["created_at"] + dt.timedelta(hours=rng.randint(2, 96))
        if at >= min(now, inv["expires_at"]):
            continue
        services.survey_record_call(
            actor=agent, customer_id=inv["customer_id"], order_id=inv["order_id"], answers=_answers(rng), now=at
        )
        rows += 1
    # the key customers' visit records of the last half year
    rows += services.key_visits_create(now=_last_visit_month(now))
    # follow-ups that came due: most done, some left overdue
    due = FollowUp.objects.filter(status=FollowUpStatus.OPEN, due_at__lt=now).order_by("id")
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
