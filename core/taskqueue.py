"""Background jobs: Django's tasks API (``django_tasks``) running on huey.

Jobs are written as ``@django_tasks.task`` functions and enqueued with ``.enqueue()``.
This backend hands them to huey (``huey.contrib.djhuey``), whose storage is chosen by
settings: SQLite (embedded default), Redis, or immediate mode in tests. The huey
consumer (``manage.py run_huey``) executes them; periodic jobs are huey periodic tasks
that enqueue the Django task.
"""

from django.utils import timezone
from django_tasks.backends.base import BaseTaskBackend
from django_tasks.base import TaskResult, TaskResultStatus
from django_tasks.utils import get_random_id
from huey.contrib.djhuey import HUEY, task


@task()
def run_django_task(module_path: str, args: list, kwargs: dict):
    """The huey job that runs a Django task by its import path."""
    from django.utils.module_loading import import_string

    django_task = import_string(module_path)
    return django_task.call(*args, **kwargs)


class HueyBackend(BaseTaskBackend):
    supports_defer = True
    supports_async_task = False
    supports_get_result = False
    supports_priority = False

    def enqueue(self, task, args, kwargs) -> TaskResult:
        self.validate_task(task)
        result = TaskResult(
            task=task,
            id=get_random_id(),
            status=TaskResultStatus.READY,
            enqueued_at=timezone.now(),
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=list(args),
            kwargs=dict(kwargs),
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        if task.run_after is not None:
            run_django_task.schedule((task.module_path, list(args), dict(kwargs)), eta=task.run_after)
        else:
            run_django_task(task.module_path, list(args), dict(kwargs))
        return result


def huey_instance():
    return HUEY
