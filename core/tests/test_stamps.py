"""Stamps of kept tables: one query each, or one query for all of them inside ``together()``."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core import stamps
from products.models import ComponentClass, WarrantyTerm
from products.selectors import terms_for
from sla import engine
from sla.models import SlaPolicy
from tests.factories import ProductModelFactory

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


def test_together_reads_every_stamp_in_one_query():
    # given the caches of the SLA policies and of a model's terms filled
    model = ProductModelFactory()
    engine.config(), terms_for(model)

    # when intake-like code asks both inside one block
    def both():
        with stamps.together():
            engine.config()
            terms_for(model)

    # then the two stamps cost one query between them (both caches still valid)
    assert _queries(both) == 1


def test_together_is_one_snapshot_and_the_next_block_sees_the_edit():
    model = ProductModelFactory()
    main = ComponentClass.objects.get(code="main")
    WarrantyTerm.objects.create(model=model, component_class=main, months=36)
    with stamps.together():
        first = stamps.read("default", "warranty_terms")
        WarrantyTerm.objects.filter(model=model).update(months=24, updated_at="2031-01-01T00:00:00Z")
        # within the block: the snapshot taken by the first read
        assert stamps.read("default", "warranty_terms") == first
        with stamps.together():  # a nested block keeps the outer snapshot
            assert stamps.read("default", "warranty_terms") == first
    # after it: the edit
    assert stamps.read("default", "warranty_terms") != first
    assert dict((cc.code, m) for cc, m in terms_for(model))["main"] == 24
