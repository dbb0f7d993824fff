"""Regions are stored by their Chinese names and shown in English by their usual names."""

import pytest

from customers.regions import region_label


@pytest.mark.parametrize(
    "region, language, expected",
    [
        ("上海市", "zh-hans", "上海市"),
        ("上海市", "en", "Shanghai"),
        ("广西壮族自治区", "en", "Guangxi"),
        ("Victoria", "en", "Victoria"),  # not a mainland division: as stored
        ("Victoria", "zh-hans", "Victoria"),
        ("", "en", ""),
    ],
)
def test_region_label(region, language, expected):
    assert region_label(region, language) == expected
