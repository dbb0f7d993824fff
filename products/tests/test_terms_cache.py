"""Warranty terms are kept per process (every intake checks a warranty) but never served stale."""

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from products.models import ComponentClass, WarrantyTerm
from products.selectors import main_coverage, terms_for, unit_coverage
from tests.factories import ProductModelFactory, UnitFactory

TODAY = dt.date(2026, 11, 24)


@pytest.fixture
def model(db):
    model = ProductModelFactory()
    WarrantyTerm.objects.create(model=model, component_class=ComponentClass.objects.get(code="main"), months=36)
    WarrantyTerm.objects.create(model=model, component_class=ComponentClass.objects.get(code="accessory"), months=12)
    return model


def _months(model) -> dict[str, int]:
    return {t.component_class.code: t.months for t in terms_for(model)}


def test_a_model_seen_before_costs_one_stamp_query(model):
    terms_for(model)
    with CaptureQueriesContext(connection) as ctx:
        assert _months(model) == {"main": 36, "accessory": 12}
    assert len(ctx.captured_queries) == 1


def test_an_edited_term_is_seen_by_the_next_read(model):
    assert _months(model)["main"] == 36
    term = WarrantyTerm.objects.get(model=model, component_class__code="main")

    term.months = 24
    term.save()

    assert _months(model)["main"] == 24


def test_added_and_deleted_terms_are_seen_by_the_next_read(model):
    assert set(_months(model)) == {"main", "accessory"}
    software = ComponentClass.objects.get(code="software")

    WarrantyTerm.objects.create(model=model, component_class=software, months=6)
    assert _months(model)["software"] == 6

    WarrantyTerm.objects.filter(model=model, component_class=software).delete()
    assert set(_months(model)) == {"main", "accessory"}


def test_a_renamed_component_class_is_seen_by_the_next_read(model):
    terms_for(model)
    main = ComponentClass.objects.get(code="main")

    main.name = "Whole unit"
    main.save()

    assert {t.component_class.code: t.component_class.name for t in terms_for(model)}["main"] == "Whole unit"


def test_a_model_without_terms_gets_the_policy_defaults(db):
    bare = ProductModelFactory()

    assert _months(bare) == {"main": 36, "accessory": 12, "software": 12}
    assert _months(bare) == {"main": 36, "accessory": 12, "software": 12}  # from the cache, the same


def test_the_caller_cannot_corrupt_the_kept_terms(model):
    terms = terms_for(model)
    terms.clear()

    assert _months(model) == {"main": 36, "accessory": 12}


def test_coverage_follows_an_edit(model):
    unit = UnitFactory(model=model, sale_date=dt.date(2024, 1, 10))
    assert main_coverage(unit, on=TODAY, cause="defect").covered  # 36 months: until 2027-01-11 (10th a Sunday)
    term = WarrantyTerm.objects.get(model=model, component_class__code="main")
    term.months = 24
    term.save()

    assert not main_coverage(unit, on=TODAY, cause="defect").covered  # 24 months: ended 2026-01-12 (10th a Saturday)
    assert {c.component_class.code: c.months for c in unit_coverage(unit, on=TODAY)}["main"] == 24
