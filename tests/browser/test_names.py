"""Master-data names in a real browser: the order page and the customer's unit page show the
product, colour, team and component classes in the reader's language. Screenshots in
test-artifacts/."""

import pytest

from accounts.models import Department
from demo import catalogue
from products.models import ProductLine, ProductModel
from service import services
from service.tests.flow import new_order
from tests.factories import CustomerFactory, UnitFactory, UserFactory

from .test_journey import DESKTOP, PHONE, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LINE = catalogue.PRODUCT_LINES["smart-lock"][0]
MODEL = next(m for m in catalogue.PRODUCT_LINES["smart-lock"][5] if m[0] == "SL-X3PRO")
TEAM = next(d for d in catalogue.DEPARTMENTS if d[0] == "field-service")
COLOUR = ("曜石黑", "Obsidian")
# what each language shows, and what it must not
EXPECTED = {
    "en": ([MODEL[2], COLOUR[1], "Main unit and core components"], [MODEL[1], COLOUR[0], "主机及核心部件"]),
    "zh-hans": ([MODEL[1], COLOUR[0], "主机及核心部件"], [MODEL[2], COLOUR[1], "Main unit and core components"]),
}


@pytest.fixture
def order(db):
    team = Department.objects.create(code=TEAM[0], name=TEAM[1], name_en=TEAM[2], kind=TEAM[3])
    line = ProductLine.objects.create(code="smart-lock", name=LINE[0], name_en=LINE[1])
    model = ProductModel.objects.create(code=MODEL[0], name=MODEL[1], name_en=MODEL[2], line=line)
    user = UserFactory(username="customer.chen", role="customer", first_name="陈晓明", last_name="")
    customer = CustomerFactory(user=user, name="陈晓明", region="上海市")
    unit = UnitFactory(owner=customer, model=model, colour=COLOUR[0], colour_en=COLOUR[1])
    agent = UserFactory(username="agent.li", role="agent", first_name="李娜", last_name="")
    made = new_order(agent=agent, customer=customer, unit=unit, fault_description="指纹识别经常失败。")
    services.work_order_assign(order_id=made.pk, actor=agent, department_id=team.pk)
    return made


def test_the_order_and_unit_pages_name_things_in_the_readers_language(live_server, chromium, shots, order):
    base = live_server.url
    for language in ("en", "zh-hans"):
        shown, hidden = EXPECTED[language]
        for username, viewport, path in (
            ("agent.li", DESKTOP, f"/console/orders/{order.pk}/"),
            ("customer.chen", PHONE, f"/portal/units/{order.unit_id}/"),
        ):
            context = chromium.new_context(viewport=viewport, locale="en-US")
            try:
                page = context.new_page()
                log_in(page, base, username)
                context.add_cookies([{"name": "django_language", "value": language, "url": base}])
                page.goto(base + path)
                text = page.locator("main").inner_text()
                assert all(s in text for s in shown), (language, path, [s for s in shown if s not in text], text)
                assert not any(h in text for h in hidden), (language, path, hidden)
                shots(page, f"{username.split('.')[0]}-{language}")
            finally:
                context.close()
