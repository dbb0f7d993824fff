"""Voice of the customer: tokenizing Chinese and English, stop words, the monthly table, trend."""

import datetime as dt

import pytest

from complaints.models import Complaint
from core.dates import zone
from improvement import selectors, voc
from improvement.models import VocTheme
from tests.factories import CustomerFactory


def test_chinese_is_cut_into_words_and_stop_words_and_punctuation_dropped():
    words = voc.tokenize("我们的洗衣机漏水，售后服务态度很差！")
    assert "洗衣机" in words and "漏水" in words and "售后服务" in words and "态度" in words
    assert not {"我们", "的", "，", "！", "很", "差"} & set(words)  # stop words, punctuation, single characters


def test_english_is_lower_cased_and_stop_words_dropped():
    words = voc.tokenize("The washer LEAKS and the engineer was late, 3 times! It's broken.")
    assert words == ["washer", "leaks", "engineer", "late", "broken"]


def test_mixed_text_and_language_of_terms():
    words = voc.tokenize("空调 noise 噪音大 noise")
    assert words.count("noise") == 2
    assert any(w.startswith("噪音") for w in words)
    assert voc.language_of("噪音") == "zh" and voc.language_of("noise") == "en"


def test_empty_and_huge_texts():
    assert voc.tokenize("") == [] and voc.tokenize(None) == []
    assert len(voc.tokenize("漏水 " * 2000)) == 2000


def at(year, month, day):
    return dt.datetime(year, month, day, 12, tzinfo=zone())


@pytest.mark.django_db
def test_monthly_themes_with_trend_against_the_month_before():
    customer = CustomerFactory()
    for text, when in [
        ("洗衣机漏水", at(2026, 4, 10)),
        ("洗衣机噪音", at(2026, 5, 3)),
        ("洗衣机漏水 leaking", at(2026, 5, 20)),
        ("漏水 leaking again", at(2026, 5, 31)),
        ("漏水", at(2026, 6, 1)),  # next month
    ]:
        Complaint.objects.create(customer=customer, channel="phone", description=text, created_at=when)

    voc.voc_compute(month=dt.date(2026, 4, 1))
    written = voc.voc_compute(month=dt.date(2026, 5, 17))  # any day of the month
    assert written == VocTheme.objects.filter(period=dt.date(2026, 5, 1)).count()

    data = selectors.voc_themes(month=dt.date(2026, 5, 1))
    themes = {t["term"]: t for t in data["themes"]}
    assert themes["洗衣机"]["count"] == 2 and themes["洗衣机"]["previous"] == 1 and themes["洗衣机"]["change"] == 1
    assert themes["漏水"]["count"] == 2 and themes["漏水"]["previous"] == 1
    assert themes["leaking"] == {"term": "leaking", "language": "en", "count": 2, "previous": 0, "change": 2}
    assert [t["term"] for t in selectors.voc_themes(month=dt.date(2026, 5, 1), language="en")["themes"]] == ["leaking"]

    # recomputing replaces, never adds up
    voc.voc_compute(month=dt.date(2026, 5, 1))
    assert selectors.voc_themes(month=dt.date(2026, 5, 1))["themes"] == data["themes"]


@pytest.mark.django_db
def test_another_app_adds_a_text_source_by_registration():
    comments = voc.TextSource("survey_comments", "Survey comments", lambda start, end: ["服务热情 friendly staff"])
    voc.register_text_source(comments)
    try:
        voc.voc_compute(month=dt.date(2026, 5, 1))
    finally:
        voc.unregister_text_source("survey_comments")
    rows = set(VocTheme.objects.filter(source="survey_comments").values_list("term", "count"))
    assert rows == {("服务", 1), ("热情", 1), ("friendly", 1), ("staff", 1)}
