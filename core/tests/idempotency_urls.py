"""A small API built like ``/api/v1/`` (``core.api.build_api``) with endpoints that the real one
does not have: a public write, one that fails with a 5xx, one that waits for the test.

Used by ``core/tests/test_idempotency.py`` through ``@pytest.mark.urls``."""

import threading

from django.urls import path
from ninja import Router, Status
from ninja.security import django_auth

from accounts.api import TokenAuth
from core.api import ERRORS, build_api
from core.models import Setting

router = Router()

# The "slow" endpoint tells the test it started, then waits for the test to let it finish.
started, proceed = threading.Event(), threading.Event()


def _count(prefix: str) -> int:
    return Setting.objects.filter(key__startswith=prefix).count()


@router.post("/public", auth=None, response={201: dict, **ERRORS})
def public_write(request):
    n = _count("public-") + 1
    Setting.objects.create(key=f"public-{n}", value=n)
    return Status(201, {"n": n})


@router.post("/flaky", response={201: dict, **ERRORS})
def flaky_write(request):
    """Writes a row, then fails with a 500 while a ``fail`` setting exists."""
    n = _count("flaky-") + 1
    Setting.objects.create(key=f"flaky-{n}", value=n)
    if Setting.objects.filter(key="fail").exists():
        raise RuntimeError("the disk is full")
    return Status(201, {"n": n})


@router.post("/slow", response={201: dict, **ERRORS})
def slow_write(request):
    started.set()
    assert proceed.wait(timeout=30)
    n = _count("slow-") + 1
    Setting.objects.create(key=f"slow-{n}", value=n)
    return Status(201, {"n": n})


@router.delete("/settings/{key}", response={204: None, **ERRORS})
def delete_setting(request, key: str):
    Setting.objects.filter(key=key).delete()
    return Status(204, None)


api = build_api(auth=[TokenAuth(), django_auth])
api.add_router("", router)

urlpatterns = [path("api/v1/", api.urls)]
