"""Periodic jobs of surveys and follow-ups (Django tasks API on huey, see core/taskqueue.py).
Each is idempotent: re-running it the same day changes nothing."""

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import periodic_task

from . import services


@task()
def feedback_periodic() -> dict:
    """Key customers' surveys (May, Q4) and visit records (twice a year)."""
    return {"surveys": services.periodic_surveys_send(), "visits": services.key_visits_create()}


@task()
def feedback_escalate() -> dict:
    return {"escalated": services.followups_escalate()}


@periodic_task(crontab(hour="9", minute="5"))
def feedback_periodic_daily():
    feedback_periodic.enqueue()


@periodic_task(crontab(minute="*/15"))
def feedback_escalate_periodic():
    feedback_escalate.enqueue()
