"""Master-data names in both languages (``core.i18n``): the split of stored strings, the pick
of a language, and the ``label`` of every model named that way."""

import datetime as dt

import pytest
from django.utils import translation

from accounts.models import Department
from core.i18n import pick, split_bilingual
from products.models import ComponentClass, ProductLine, ProductModel, Unit
from service.models import Replacement
from sla.models import BusinessCalendar, CalendarDay, SlaPolicy


@pytest.mark.parametrize(
    "text, expected",
    [
        ("黑色 Black", ("黑色", "Black")),
        ("摄像头 Cameras", ("摄像头", "Cameras")),
        ("指纹智能锁 X1 / Fingerprint smart lock X1", ("指纹智能锁 X1", "Fingerprint smart lock X1")),
        ("壁挂式空调 1匹 / Wall-mounted AC 1 HP", ("壁挂式空调 1匹", "Wall-mounted AC 1 HP")),
        ("扫拖一体机器人 S9 Max / Robot vacuum & mop S9 Max", ("扫拖一体机器人 S9 Max", "Robot vacuum & mop S9 Max")),
        ("生产质量部 Production / quality", ("生产质量部", "Production / quality")),
        ("PLC CPU模块 PLC CPU module", ("PLC CPU模块", "PLC CPU module")),
        ("京东自营旗舰店", ("京东自营旗舰店", "")),
        ("室外PoE摄像机 400万", ("室外PoE摄像机 400万", "")),
        ("Software", ("Software", "Software")),
        ("", ("", "")),
    ],
    ids=[
        "space",
        "line",
        "slash-with-designation",
        "slash",
        "slash-two-word-designation",
        "slash-inside-english",
        "latin-inside-chinese",
        "chinese-only",
        "chinese-with-latin-only-in-words",
        "english-only",
        "empty",
    ],
)
def test_split_bilingual(text, expected):
    assert split_bilingual(text) == expected


@pytest.mark.parametrize(
    "zh, en, language, expected",
    [
        ("黑色", "Black", "zh-hans", "黑色"),
        ("黑色", "Black", "en", "Black"),
        ("黑色", "", "en", "黑色"),  # no English name: the Chinese one
        ("", "Black", "zh-hans", "Black"),  # no Chinese name (a colour typed in English only)
    ],
    ids=["zh", "en", "en-falls-back", "zh-falls-back"],
)
def test_pick(zh, en, language, expected):
    assert pick(zh, en, language) == expected


def _rows():
    line = ProductLine.objects.create(code="cam", name="摄像头", name_en="Cameras")
    return [
        Department.objects.create(code="cs", name="客服中心", name_en="Customer service", kind="customer_service"),
        line,
        ProductModel.objects.create(code="CAM-C2", name="室内云台摄像机 2K", name_en="Indoor camera 2K", line=line),
        ComponentClass.objects.get(code="main"),
        BusinessCalendar.objects.get(code="cn"),
        SlaPolicy.objects.get(code="standard"),
    ]


EXPECTED = {
    "zh-hans": ["客服中心", "摄像头", "室内云台摄像机 2K", "主机及核心部件", "中国大陆", "标准服务"],
    "en": [
        "Customer service",
        "Cameras",
        "Indoor camera 2K",
        "Main unit and core components",
        "China (mainland)",
        "Standard service",
    ],
}


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_every_named_model_has_its_label_in_the_active_language(db, language):
    rows = _rows()
    with translation.override(language):
        assert [r.label for r in rows] == EXPECTED[language]
        assert [str(r) for r in rows if not isinstance(r, ProductModel)] == [
            e for r, e in zip(rows, EXPECTED[language], strict=True) if not isinstance(r, ProductModel)
        ]
    assert [r.label_in(language) for r in rows] == EXPECTED[language]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_a_blank_english_name_falls_back_to_the_chinese(db, language):
    dept = Department.objects.create(code="hq", name="总部", kind="customer_service")
    with translation.override(language):
        assert dept.label == "总部"


@pytest.mark.parametrize(
    "language, expected",
    [("zh-hans", ("黑色", "官方商城", "红色", "国庆节")), ("en", ("Black", "Official store", "Red", "National Day"))],
)
def test_attribute_values_and_holidays_follow_the_language(db, language, expected):
    unit = Unit(serial="U", colour="黑色", colour_en="Black", channel="官方商城", channel_en="Official store")
    replacement = Replacement(new_colour="红色", new_colour_en="Red")
    day = CalendarDay(date=dt.date(2026, 10, 1), kind="holiday", name="国庆节")
    with translation.override(language):
        assert (unit.colour_label, unit.channel_label, replacement.new_colour_label, day.label) == expected


def test_a_holiday_name_typed_by_an_admin_shows_as_typed(db):
    with translation.override("en"):
        assert CalendarDay(date=dt.date(2026, 5, 20), kind="holiday", name="公司庆典").label == "公司庆典"
