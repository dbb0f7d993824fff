"""Background jobs of the service app (Django tasks API on huey, see core/taskqueue.py).

The huey consumer (``manage.py run_huey``, started by ``make run``) runs the periodic task;
it enqueues the Django task, which any worker may run. (The SLA scan is ``sla.tasks``.)
"""

from django.db.models import Count, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import periodic_task

from dispatch.models import EngineerProfile

from .choices import OPEN_STATUSES
from .models import WorkOrder


def engineer_loads_recount() -> int:
    """Set every engineer's ``open_orders`` to the count of their open orders (one UPDATE with
    a correlated count on the ``wo_assignee`` index); repairs any drift, e.g. after a bulk load."""
    open_count = (
        WorkOrder.objects.filter(assignee_id=OuterRef("pk"), status__in=sorted(OPEN_STATUSES))
        .order_by()
        .values("assignee_id")
        .annotate(n=Count("id"))
        .values("n")
    )
    return EngineerProfile.objects.update(open_orders=Coalesce(Subquery(open_count), 0))


@task()
def engineer_loads() -> dict:
    """Recount the engineers' loads (the periodic safety net behind the live counters)."""
    return {"engineers": engineer_loads_recount()}


@periodic_task(crontab(minute="*/10"))
def engineer_loads_every_ten_minutes():
    engineer_loads.enqueue()
