"""Master-data names on the main pages in the reader's language: in Chinese no English name of a
product, colour, team, component class or calendar; in English no Chinese one where an English
one exists. The data is the demo's catalogue, the order written through the services."""

import datetime as dt
import re

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from accounts.models import Department
from demo import catalogue
from products.models import ComponentClass, ProductLine, ProductModel
from service import services
from service.tests.flow import new_order
from tests.factories import CustomerFactory, UnitFactory, UserFactory

# Names of the demo catalogue that the pages below show: (Chinese, English).
DEPARTMENT = next(d for d in catalogue.DEPARTMENTS if d[0] == "field-service")
LINE_NAMES = catalogue.PRODUCT_LINES["camera"][0]
MODEL = next(m for m in catalogue.PRODUCT_LINES["camera"][5] if m[0] == "CAM-C2")
COLOUR = ("黑色", "Black")
SHOWN = [
    (DEPARTMENT[1], DEPARTMENT[2]),
    LINE_NAMES,
    (MODEL[1], MODEL[2]),
    COLOUR,
    ("主机及核心部件", "Main unit and core components"),
    ("中国大陆", "China (mainland)"),
    ("上海市", "Shanghai"),  # a region, by its Chinese name (customers.regions)
]


@pytest.fixture
def world(db):
    team = Department.objects.create(code=DEPARTMENT[0], name=DEPARTMENT[1], name_en=DEPARTMENT[2], kind=DEPARTMENT[3])
    line = ProductLine.objects.create(code="camera", name=LINE_NAMES[0], name_en=LINE_NAMES[1])
    model = ProductModel.objects.create(code=MODEL[0], name=MODEL[1], name_en=MODEL[2], line=line)
    customer_user = UserFactory(role="customer", first_name="陈晓明", last_name="")
    customer = CustomerFactory(user=customer_user, name="陈晓明", phone="13800138000", region="上海市")
    unit = UnitFactory(owner=customer, model=model, colour=COLOUR[0], colour_en=COLOUR[1])
    agent = UserFactory(role="agent", first_name="李娜", last_name="")
    with time_machine.travel(timezone.now() - dt.timedelta(days=12)):  # overdue by now: on the dashboard
        order = new_order(agent=agent, customer=customer, unit=unit)
        services.work_order_assign(order_id=order.pk, actor=agent, department_id=team.pk)
    return {
        "order": order,
        "unit": unit,
        "line": line,
        "agent": agent,
        "customer": customer_user,
        "manager": UserFactory(role="manager"),
    }


def _pages(world) -> list[tuple[str, str]]:
    order, unit = world["order"], world["unit"]
    return [
        ("agent", f"{reverse('service:queue')}?product_line={world['line'].pk}"),
        ("agent", reverse("service:detail", args=[order.pk])),
        ("agent", reverse("service:report_print", args=[order.pk])),
        ("customer", reverse("portal:home")),
        ("customer", reverse("portal:request_detail", args=[order.pk])),
        ("customer", reverse("portal:unit_detail", args=[unit.pk])),
        ("customer", reverse("portal:new_request")),
        ("manager", reverse("analytics:dashboard")),
        ("manager", reverse("sla:calendars")),
    ]


def _render(world, language: str) -> dict[str, str]:
    pages = {}
    for who, path in _pages(world):
        client = Client()
        client.force_login(world[who])
        response = client.get(path, headers={"Accept-Language": language})
        assert response.status_code == 200, path
        # what the reader sees: the text, not the tags (a filter's option value is the stored
        # name), nor the time zone's identifier (Asia/Shanghai)
        text = re.sub(r"<[^>]+>", " ", response.content.decode())
        pages[path] = text.replace("Asia/Shanghai", "")
    return pages


def _shown_names(pages: dict[str, str], index: int) -> set[str]:
    return {names[index] for names in SHOWN for html in pages.values() if names[index] in html}


def test_in_chinese_the_pages_show_no_english_master_data_name(world):
    # when every main page is read in Chinese
    pages = _render(world, "zh-hans")

    # then no English name appears, and every Chinese one is shown somewhere
    for path, html in pages.items():
        leaked = [en for _zh, en in SHOWN if en in html]
        assert not leaked, f"{path} shows {leaked}"
    assert _shown_names(pages, 0) == {zh for zh, _en in SHOWN}


def test_in_english_the_pages_show_no_chinese_name_that_has_an_english_one(world):
    # when every main page is read in English
    pages = _render(world, "en")

    # then no Chinese name appears, and every English one is shown somewhere
    for path, html in pages.items():
        leaked = [zh for zh, _en in SHOWN if zh in html]
        assert not leaked, f"{path} shows {leaked}"
    assert _shown_names(pages, 1) == {en for _zh, en in SHOWN}


@pytest.mark.parametrize(
    "schema, fields",
    [
        ("ComponentOut", ["name", "name_en"]),
        ("WarrantyOut", ["model_name", "model_name_en"]),
        ("SlaPolicyRef", ["name", "name_en"]),
        ("POST /units", ["colour", "colour_en", "channel", "channel_en"]),
        ("ReplacementIn", ["new_colour", "new_colour_en"]),
    ],
)
def test_the_openapi_document_describes_both_names(db, schema, fields):
    # when
    doc = Client().get("/api/v1/openapi.json").json()

    # then each name field says which language it holds
    if schema == "POST /units":  # a multipart form, described inline
        content = doc["paths"]["/api/v1/units"]["post"]["requestBody"]["content"]
        properties = next(iter(content.values()))["schema"]["properties"]
    else:
        properties = doc["components"]["schemas"][schema]["properties"]
    for name in fields:
        description = properties[name].get("description", "")
        assert ("English" in description) == name.endswith("_en") and "Chinese" in description, (schema, name)


def test_the_warranty_api_returns_both_names_and_the_english_falls_back(world, api_as):
    # given a component class without an English name
    software = ComponentClass.objects.get(code="software")
    software.name_en = ""
    software.save()  # as the admin does: the stamp moves, the warranty terms are read again

    # when the customer reads the warranty of the unit, in either language
    for language in ("en", "zh-hans"):
        body = (
            api_as(world["customer"])
            .get(f"/units/{world['unit'].serial}/warranty", headers={"Accept-Language": language})
            .json()
        )

        # then both names come, whatever the language; an English name left empty is the Chinese one
        assert (body["model_name"], body["model_name_en"]) == (MODEL[1], MODEL[2])
        assert {c["component_class"]: (c["name"], c["name_en"]) for c in body["components"]} == {
            "main": ("主机及核心部件", "Main unit and core components"),
            "accessory": ("配件", "Accessories"),
            "software": ("软件", "软件"),
        }
