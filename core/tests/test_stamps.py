"""Stamps of kept tables: one query each, seeing every edit at the next read."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import stamps
from sla.models import SlaPolicy

pytestmark = pytest.mark.django_db


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        fn()
    return len(ctx.captured_queries)


def test_alone_each_stamp_is_one_query_and_sees_every_edit():
    # given both stamps read once
    before = stamps.read("default", "sla"), stamps.read("default", "warranty_terms")
    assert _queries(lambda: stamps.read("default", "sla")) == 1

    # when a policy is edited
    policy = SlaPolicy.objects.first()
    policy.name += " (edited)"
    policy.save()

    # then only the SLA stamp moves, at the very next read
    assert stamps.read("default", "sla") != before[0]
    assert stamps.read("default", "warranty_terms") == before[1]
