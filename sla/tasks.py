"""Background jobs of the SLA engine (Django tasks API on huey, see core/taskqueue.py).

The huey consumer (``manage.py run_huey``, started by ``make run``) runs the periodic task
every minute; it enqueues the Django task ``sla_scan``, which any worker may run. The scan
covers every registered case type, is idempotent and safe to run concurrently (see
``sla.escalation``).
"""

from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import periodic_task

from .escalation import scan_clocks


@task()
def sla_scan() -> dict:
    """Mark at-risk and breached SLA clocks, escalate and notify; returns the counts."""
    result = scan_clocks()
    return {"at_risk": len(result.at_risk), "breached": len(result.breached)}


@periodic_task(crontab(minute="*"))
def sla_scan_every_minute():
    sla_scan.enqueue()
