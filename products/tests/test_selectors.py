"""``unit_with_owner``: intake's unit lookup, compiled once, gives what the ORM gives; coverage read
one unit at a time and a page at a time agree."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from core.audit import snapshot
from products.models import ComponentClass, Unit, WarrantyTerm
from products.selectors import unit_coverage, unit_with_owner, units_coverage
from tests.factories import ProductModelFactory, UnitFactory


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


def test_batch_coverage_matches_the_one_unit_read(customer_user):
    # given units with model terms, default terms, proof or only a sale date
    with_terms = ProductModelFactory()
    for cc, months in zip(ComponentClass.objects.order_by("id"), (24, 6, 18), strict=False):
        WarrantyTerm.objects.create(model=with_terms, component_class=cc, months=months)
    units = [
        UnitFactory(owner=customer_user.customer, model=with_terms),
        UnitFactory(owner=customer_user.customer, sale_date=dt.date(2021, 1, 31)),
        UnitFactory(owner=customer_user.customer, sale_date=None),
    ]
    on = timezone.localdate()
    # then the batch read (a page of units) gives what the selector gives one by one
    batch = units_coverage(units, on=on)
    for unit in units:
        assert batch[unit.pk] == unit_coverage(unit, on=on)
