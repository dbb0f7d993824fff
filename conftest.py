"""Shared fixtures: factories for every role, API clients with tokens."""

import json

import pytest
from django.conf import settings
from django.test import Client

from tests.factories import (
    CustomerFactory,
    ProductModelFactory,
    UnitFactory,
    UserFactory,
)


class ApiClient:
    """A test client that speaks JSON to ``/api/v1/`` with a bearer token."""

    def __init__(self, user):
        from accounts.models import ApiToken

        self.user = user
        _, self.token = ApiToken.issue(user)
        self.client = Client()

    def _headers(self, headers):
        h = {"HTTP_AUTHORIZATION": f"Bearer {self.token}", "HTTP_ACCEPT_LANGUAGE": "en"}
        for k, v in (headers or {}).items():
            h["HTTP_" + k.upper().replace("-", "_")] = v
        return h

    def get(self, path, data=None, headers=None):
        return self.client.get("/api/v1" + path, data or {}, **self._headers(headers))

    def post(self, path, body=None, headers=None, raw=None):
        data = raw if raw is not None else json.dumps(body or {})
        return self.client.post("/api/v1" + path, data, content_type="application/json", **self._headers(headers))

    def put(self, path, body=None, headers=None):
        return self.client.put(
            "/api/v1" + path, json.dumps(body or {}), content_type="application/json", **self._headers(headers)
        )


def pytest_collection_modifyitems(items):
    """Every transactional test (marked, or asking for ``transactional_db`` / ``live_server``)
    restores the rows the migrations wrote (SLA policies, calendars, component classes, content
    types) when it starts and keeps its flush from re-creating some of them with other ids.
    Without it, a transactional test that flushes leaves the next live-server test with no
    policies (its orders get no clocks) or failing to restore the content types."""
    for item in items:
        marker = item.get_closest_marker("django_db")
        kwargs = dict(marker.kwargs) if marker is not None else {}
        asks = {"transactional_db", "live_server"} & set(getattr(item, "fixturenames", ()))
        if not (kwargs.get("transaction") or asks) or kwargs.get("serialized_rollback"):
            continue
        kwargs.update(transaction=True, serialized_rollback=True)
        item.add_marker(pytest.mark.django_db(*(marker.args if marker else ()), **kwargs), append=False)


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Test isolation for process-wide state: cached policies (a value set in one test and rolled
    back must not leak into the next) and the active language (a request with ``Accept-Language``
    leaves it activated in the thread)."""
    from django.core.cache import cache
    from django.utils import translation

    cache.clear()
    yield
    cache.clear()
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _default_language():
    """A request activates its language for the whole thread: the next test must start in the default one."""
    from django.utils import translation

    translation.deactivate()
    yield
    translation.deactivate()


@pytest.fixture
def make_user(db):
    def make(role="agent", **kw):
        return UserFactory(role=role, **kw)

    return make


@pytest.fixture
def customer_user(db):
    user = UserFactory(role="customer")
    CustomerFactory(user=user, name=user.get_full_name() or user.username, phone="13812345678")
    return user


@pytest.fixture
def agent(db):
    return UserFactory(role="agent")


@pytest.fixture
def engineer(db):
    return UserFactory(role="engineer")


@pytest.fixture
def api_as():
    return ApiClient


@pytest.fixture
def unit_of(db):
    """A unit owned by the given customer user, sold ``sale_date`` (default: a year ago)."""

    def make(user, **kw):
        return UnitFactory(owner=user.customer, **kw)

    return make


@pytest.fixture
def product_model(db):
    return ProductModelFactory()


def pytest_report_header(config):
    """The API fuzzing run's seeds (tests/fuzz/seeds.py), so that the random run can be replayed."""
    from tests.fuzz import seeds

    return seeds.describe()


def pytest_terminal_summary(terminalreporter, exitstatus, config):
    # The fuzz tests ran (here, or in a pytest-xdist worker): say the seeds again at the end.
    reports = (report for reports in terminalreporter.stats.values() for report in reports)
    if any(getattr(report, "nodeid", "").startswith("tests/fuzz/") for report in reports):
        from tests.fuzz import seeds

        for line in seeds.describe():
            terminalreporter.write_line(line)
