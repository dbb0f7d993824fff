"""``unit_with_owner``: intake's unit lookup, compiled once, gives what the ORM gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from core.audit import snapshot
from products.models import Unit
from products.selectors import unit_with_owner
from tests.factories import UnitFactory


@pytest.mark.parametrize("owned", [True, False], ids=["owned", "unowned"])
def test_the_unit_its_model_line_and_owner_are_the_orms_in_one_query(db, owned):
    unit = UnitFactory() if owned else UnitFactory(owner=None)
    expected = Unit.objects.select_related("model__line", "owner").get(pk=unit.pk)

    with CaptureQueriesContext(connection) as ctx:
        got = unit_with_owner(unit.serial)
        model, line, owner = got.model, got.model.line, got.owner  # all cached

    assert len(ctx.captured_queries) == 1
    assert snapshot(got) == snapshot(expected)
    assert snapshot(model) == snapshot(expected.model)
    assert snapshot(line) == snapshot(expected.model.line)
    if owned:
        assert snapshot(owner) == snapshot(expected.owner)
    else:
        assert owner is None
    assert type(got.sale_date) is type(expected.sale_date)


@pytest.mark.parametrize("serial", ["", "NOPE-1", "bad\x00serial", "' OR 1=1 --"])
def test_no_unit_for_an_unknown_serial(db, serial):
    UnitFactory()

    assert unit_with_owner(serial) is None
