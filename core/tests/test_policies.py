"""Business policies: the specification's defaults, overridden by administrable settings."""

import pytest

from core.models import Setting
from core.policies import DEFAULTS, get_policy, set_policy


@pytest.mark.parametrize(
    "key, value",
    [
        ("warranty.months.main", 36),
        ("warranty.months.core", 36),
        ("warranty.months.accessory", 12),
        ("warranty.months.software", 12),
        ("replacement.prior_repairs", 1),
        ("upload.max_bytes", 5 * 1024 * 1024),
    ],
    ids=lambda v: str(v),
)
def test_defaults_are_the_specifications(db, key, value):
    # when / then
    assert get_policy(key) == value == DEFAULTS[key]


def test_setting_overrides_the_default_at_once(db):
    # given a cached read
    assert get_policy("replacement.prior_repairs") == 1

    # when
    set_policy("replacement.prior_repairs", 3)

    # then
    assert get_policy("replacement.prior_repairs") == 3
    assert Setting.objects.get(key="replacement.prior_repairs").value == 3


def test_a_setting_changed_by_an_earlier_test_does_not_leak(db):
    # then (the previous test set 3 and was rolled back)
    assert get_policy("replacement.prior_repairs") == 1


def test_setting_written_directly_is_read(db):
    # given (e.g. through the admin)
    Setting.objects.create(key="warranty.months.software", value=24)
    from django.core.cache import cache

    cache.delete("policy:warranty.months.software")

    # when / then
    assert get_policy("warranty.months.software") == 24


@pytest.mark.parametrize("call", ["get", "set"], ids=str)
def test_unknown_policy_is_an_error(db, call):
    # when / then
    with pytest.raises(KeyError):
        get_policy("no.such.policy") if call == "get" else set_policy("no.such.policy", 1)


def test_policy_reads_are_cached(db, django_assert_num_queries):
    # given
    get_policy("warranty.months.main")

    # when / then
    with django_assert_num_queries(0):
        assert get_policy("warranty.months.main") == 36
