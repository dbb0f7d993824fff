"""Background jobs of the core app (Django tasks API on huey, see core/taskqueue.py)."""

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import periodic_task

from .idempotency import purge_expired


@task()
def idempotency_purge() -> dict:
    """Delete the idempotency keys older than ``IDEMPOTENCY_KEY_TTL`` (default 24 hours)."""
    return {"deleted": purge_expired()}


@periodic_task(crontab(minute="17"))
def idempotency_purge_hourly():
    idempotency_purge.enqueue()
