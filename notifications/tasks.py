"""Background jobs of the notifications app (Django tasks API on huey, see core/taskqueue.py)."""

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import periodic_task

from . import services


@task()
def notifications_send(ids: list[int]) -> dict:
    """Deliver the given notification rows (enqueued after the transaction that created them)."""
    return services.deliver(ids)


@task()
def notifications_retry() -> dict:
    """Deliver again the rows whose earlier attempts failed (at most ``MAX_ATTEMPTS`` in all)."""
    return services.deliver(services.pending_for_retry())


@periodic_task(crontab(minute="*/10"))
def notifications_retry_periodic():
    notifications_retry.enqueue()
