from decimal import Decimal as D

import pytest

from feedback import scoring


@pytest.mark.parametrize(
    ("value", "low", "high", "expected"),
    [
        (0, 0, 10, "0.00"),
        (10, 0, 10, "100.00"),
        (7, 0, 10, "70.00"),
        (1, 1, 5, "0.00"),
        (4, 1, 5, "75.00"),
        (5, 1, 5, "100.00"),
    ],
)
def test_a_scale_maps_linearly_to_0_100(value, low, high, expected):
    assert scoring.scale_to_100(value, low, high) == D(expected)


def test_weighted_score_product_service_and_overall_by_hand():
    # quality 90 ×30, price 80 ×15, packaging 100 ×10 → product = (2700+1200+1000)/55 = 89.09
    # delivery 60 ×15, after-sales 70 ×30 → service = (900+2100)/45 = 66.67
    # all: (2700+1200+1000+900+2100)/100 = 79.00; overall = 89.09×0.8 + 66.67×0.2 = 71.272+13.334 = 84.61
    items = [
        (D(90), D(30), "product"),
        (D(80), D(15), "product"),
        (D(100), D(10), "product"),
        (D(60), D(15), "service"),
        (D(70), D(30), "service"),
    ]
    s = scoring.scores(items, product_weight=0.8)
    assert (s.score, s.product, s.service, s.overall) == (D("79.00"), D("89.09"), D("66.67"), D("84.61"))


def test_overall_falls_back_to_the_dimension_present():
    s = scoring.scores([(D(50), D(1), "service")], product_weight=0.8)
    assert s.product is None and s.overall == D("50.00")


@pytest.mark.parametrize(
    ("text", "negative"),
    [("服务态度恶劣", True), ("The engineer was RUDE", True), ("很好,谢谢", False), ("", False), ("Great job", False)],
)
def test_negative_words(text, negative):
    words = ["态度恶劣", "rude"]
    assert scoring.is_negative(text, words) is negative
