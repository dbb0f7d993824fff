"""``core.pii``: the registry of the apps' personal-data handlers."""

import pytest
from django.core.exceptions import ImproperlyConfigured

from core import pii
from core.models import AuditLog, Document


@pytest.fixture
def scratch():
    """Keys registered by a test are removed afterwards."""
    keys = []
    yield keys
    for key in keys:
        pii.unregister(key)


def _export(customer, ctx):
    return {}


def _other_export(customer, ctx):
    return []


def test_a_second_handler_under_the_same_key_is_refused(scratch):
    # given
    scratch.append("test_section")
    first = pii.register(pii.Handler(key="test_section", order=1, export=_export))

    # when / then
    with pytest.raises(ImproperlyConfigured, match="test_section"):
        pii.register(pii.Handler(key="test_section", order=1, export=_other_export))
    assert [h for h in pii.handlers() if h.key == "test_section"] == [first]


def test_an_app_made_ready_again_registers_the_same_handler_once(scratch):
    # given
    scratch.append("test_section")
    handler = pii.Handler(key="test_section", order=1, export=_export, skip_edges=[(Document, "uploaded_by")])
    pii.register(handler)

    # when
    pii.register(pii.Handler(key="test_section", order=1, export=_export, skip_edges=[(Document, "uploaded_by")]))

    # then
    assert [h.key for h in pii.handlers()].count("test_section") == 1


@pytest.mark.parametrize("field", ["no_such_field", "original_name"], ids=["missing", "not-a-relation"])
def test_a_skip_edge_must_name_a_foreign_key(scratch, field):
    scratch.append("test_section")
    with pytest.raises(ImproperlyConfigured, match=field):
        pii.register(pii.Handler(key="test_section", order=1, skip_edges=[(Document, field)]))
    assert "test_section" not in {h.key for h in pii.handlers()}


def test_handlers_run_by_order_then_registration_and_declarations_are_merged(scratch):
    # given
    scratch.extend(["test_late", "test_early", "test_tie"])
    pii.register(pii.Handler(key="test_late", order=10_001, skip_models=[AuditLog]))
    pii.register(pii.Handler(key="test_early", order=10_000, skip_edges=[(Document, "uploaded_by")]))
    pii.register(pii.Handler(key="test_tie", order=10_001))

    # when
    keys = [h.key for h in pii.handlers() if h.key.startswith("test_")]

    # then
    assert keys == ["test_early", "test_late", "test_tie"]
    assert AuditLog in pii.skip_models() and (Document, "uploaded_by") in pii.skip_edges()
    pii.unregister("test_late")
    assert AuditLog not in pii.skip_models()
