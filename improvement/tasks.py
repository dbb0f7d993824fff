"""Background jobs of the improvement app (Django tasks API on huey, see core/taskqueue.py)."""

from django.utils import timezone
from django_tasks import task
from huey import crontab
from huey.contrib.djhuey import periodic_task

from core.dates import zone

from . import voc


@task()
def voc_refresh() -> dict:
    """Recompute the voice-of-the-customer themes of this month and the month before."""
    this = timezone.now().astimezone(zone()).date().replace(day=1)
    rows = voc.voc_compute(month=this) + voc.voc_compute(month=voc.previous_month(this))
    return {"rows": rows}


@periodic_task(crontab(minute="41", hour="2"))
def voc_refresh_nightly():
    voc_refresh.enqueue()
