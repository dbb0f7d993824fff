"""The manager's dashboard in a real browser: the charts are drawn (ECharts from our own static
files, under the Content-Security-Policy), in English and in Chinese, and a click on a bar opens
the queue filtered to the orders behind it. Screenshots in test-artifacts/."""

import datetime as dt

import pytest
import time_machine
from django.utils import timezone

from service import services
from service.tests.flow import PATHS, advance
from tests.factories import (
    CustomerFactory,
    DepartmentFactory,
    ProductLineFactory,
    ProductModelFactory,
    UnitFactory,
    UserFactory,
)

from .test_journey import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

CHARTS = ("chart-status", "chart-intake", "chart-sla", "chart-times", "chart-backlog")


@pytest.fixture
def orders(db):
    """Twenty orders over the last four weeks, in two regions, moved to various states."""
    agent, engineer = UserFactory(role="agent"), UserFactory(role="engineer")
    UserFactory(username="manager.zhou", role="manager", first_name="Zhou", last_name="Min")
    lines = [ProductLineFactory(code="home", name="Smart home"), ProductLineFactory(code="office", name="Office")]
    DepartmentFactory(code="field", name="Field service")
    customers = [CustomerFactory(region="Guangdong"), CustomerFactory(region="Beijing")]
    now = timezone.now()
    made = []
    for i in range(20):
        at = now - dt.timedelta(days=(i * 37) % 27, hours=i % 5 + 1)
        with time_machine.travel(at, tick=False):
            unit = UnitFactory(owner=customers[i % 2], model=ProductModelFactory(line=lines[i % 2]))
            order = services.request_create(
                actor=agent,
                customer_id=unit.owner_id,
                serial=unit.serial,
                fault_description="Does not start.",
                priority="urgent" if i % 7 == 0 else "normal",
            )
        later = at + dt.timedelta(hours=(i % 4) * 9 + 1)
        state = ["new", "acknowledged", "closed", "resolved", "cancelled"][i % 5]
        if later < now and state != "new":
            with time_machine.travel(later, tick=False):
                advance(order, PATHS[state], agent=agent, engineer=engineer)
        made.append(order)
    return made


def charts_drawn(page):
    for chart_id in CHARTS:
        page.locator(f"#{chart_id}[data-rendered='1']").wait_for()
        canvas = page.locator(f"#{chart_id} canvas").first
        box = canvas.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100, (chart_id, box)


# One test for both languages: with the live server, a second transactional test of the module
# starts without the migrations' data (the SLA policies), so its orders would get no clocks.
def test_the_dashboard_draws_its_charts_and_drills_down(live_server, chromium, shots, orders):
    for language in ("en", "zh-hans"):
        look_at_the_dashboard(live_server, chromium, shots, language)


def look_at_the_dashboard(live_server, chromium, shots, language):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN" if language == "zh-hans" else "en-US")
    errors = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text} {m.location}"))
        page.on("pageerror", lambda e: errors.append(str(e)))
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        log_in(page, live_server.url, "manager.zhou")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

        # the navigation leads to the dashboard
        page.goto(f"{live_server.url}/console/")
        link = page.locator("nav a[href='/dashboard/']")
        link.locator("xpath=ancestor::details[1]/summary").click()  # the manager's menu: the Analysis drop-down
        link.click()
        page.wait_for_url("**/dashboard/")
        assert page.locator("html").get_attribute("lang") == language
        charts_drawn(page)
        heading = {"en": "Dashboard", "zh-hans": "仪表盘"}[language]
        assert page.get_by_role("heading", name=heading, exact=True).is_visible()
        assert page.get_by_text({"en": "Orders by state", "zh-hans": "各状态工单"}[language]).first.is_visible()
        shots(page, f"dashboard-{language}")

        # a filter narrows it: one region
        page.locator("select[name=region]").select_option("Guangdong")
        page.get_by_role("button", name={"en": "Apply", "zh-hans": "应用"}[language]).click()
        page.wait_for_url("**region=Guangdong**")
        charts_drawn(page)
        shots(page, f"dashboard-region-{language}")

        # a click on the tallest "orders by state" bar opens the queue filtered to those orders
        chart = page.locator("#chart-status")
        box = chart.bounding_box()
        counts = page.evaluate("JSON.parse(document.getElementById('dashboard-data').textContent).status.counts")
        tallest = max(range(len(counts)), key=lambda i: counts[i])
        width = page.evaluate(
            "(i) => echarts.getInstanceByDom(document.getElementById('chart-status'))"
            ".convertToPixel({seriesIndex: 0}, [i, 0])",
            tallest,
        )
        bar_top = page.evaluate(
            "(a) => echarts.getInstanceByDom(document.getElementById('chart-status'))"
            ".convertToPixel({seriesIndex: 0}, [a[0], a[1] / 2])",
            [tallest, counts[tallest]],
        )
        page.mouse.click(box["x"] + width[0], box["y"] + bar_top[1])
        page.wait_for_url("**/console/?**")
        assert "region=Guangdong" in page.url and "status=" in page.url
        rows = page.locator("#queue-table tbody tr")
        assert rows.count() == counts[tallest]
        shots(page, f"dashboard-drilldown-{language}")
        assert not errors, errors
    finally:
        context.close()
