"""The engineer's day on a phone (390×844) and the order page on a wide screen (1440×900), in
English and Chinese: the compact header, the sections, deadlines, map links, the reveal and a
check-in; the two columns and an action disabled with its reason. Screenshots in test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone

from service import services
from service.choices import Status
from service.models import WorkOrder
from service.tests.flow import order_in
from tests.factories import CustomerFactory, UserFactory

from .test_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 390, "height": 844}
WIDE = {"width": 1440, "height": 900}
ADDRESSES = ("上海市浦东新区世纪大道100号", "上海市徐汇区漕溪北路88号", "广东省深圳市南山区科技园1号")


@pytest.fixture
def day(db):
    """The engineer's orders: one missed yesterday, two today, one tomorrow, one to schedule;
    and a paid repair waiting for its quote's approval (for the order page)."""
    agent = UserFactory(username="agent.li", first_name="Li", last_name="Na", role="agent")
    engineer = UserFactory(username="eng.wang", first_name="Wang", last_name="Gong", role="engineer")
    customer = CustomerFactory(name="王小明", phone="13812345678")
    today = timezone.localdate()
    tz = timezone.get_current_timezone()
    made = {}
    for key, days, hour in (("overdue", -1, 10), ("today-1", 0, 9), ("today-2", 0, 15), ("upcoming", 1, 10)):
        order = order_in(Status.SCHEDULED, agent=agent, customer=customer, engineer=engineer)
        at = timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=days), dt.time(hour, 30)), tz)
        services.work_order_assign(order_id=order.pk, actor=agent, appointment_at=at)
        made[key] = order
    made["to-schedule"] = order_in(Status.ASSESSED, agent=agent, customer=customer)
    services.work_order_assign(order_id=made["to-schedule"].pk, actor=agent, assignee_id=engineer.pk)
    made["paid"] = order_in(Status.ASSESSED, agent=agent, customer=customer, paid=True)
    for i, order in enumerate(made.values()):
        WorkOrder.objects.filter(pk=order.pk).update(address=ADDRESSES[i % len(ADDRESSES)])
    return made


# One test for everything: with the live server, a second transactional test of the module
# starts without the migrations' data (the SLA policies), so its orders would get no clocks.
def test_the_engineers_day_on_a_phone_and_the_order_page_on_a_wide_screen(live_server, chromium, shots, day):
    for language in ("en", "zh-hans"):
        engineer_day(live_server, chromium, shots, day, language)
        order_page(live_server, chromium, shots, day, language)


def new_context(chromium, live_server, viewport, language, **kw):
    context = chromium.new_context(viewport=viewport, locale="zh-CN" if language == "zh-hans" else "en-US", **kw)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    return context


def engineer_day(live_server, chromium, shots, day, language):
    context = new_context(chromium, live_server, PHONE, language, is_mobile=True, has_touch=True, device_scale_factor=2)
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, live_server.url, "eng.wang")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/console/engineer/")
        # the header is compact: well under a fifth of the screen
        header = page.locator("header.topbar").bounding_box()
        assert header["height"] < 844 / 5, header
        # the sections in order, each with its orders
        ids = page.locator("section.day-section").evaluate_all("els => els.map(e => e.id)")
        assert ids == ["section-overdue", "section-today", "section-upcoming", "section-to_schedule"]
        today = page.locator("#section-today article.job")
        assert today.count() == 2
        assert page.locator("#section-overdue article.job").count() == 1
        assert page.locator("#section-to_schedule article.job").count() == 1
        first = page.locator(f"#job-{day['today-1'].pk}")
        assert first.locator("a[data-map=geo]").get_attribute("href").startswith("geo:0,0?q=")
        assert first.locator("a[data-map=web]").get_attribute("href").startswith("https://uri.amap.com/search?")
        assert first.locator(".job-deadline time").count() == 1
        assert first.locator("a[href^='tel:']").count() == 0
        # nothing is wider than the phone
        assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        shots(page, f"day-{language}")

        # the reveal's note sits under its button, on its own line
        button = first.locator(".contact form button")
        note = first.locator(".contact .reveal-note")
        assert note.bounding_box()["y"] >= button.bounding_box()["y"] + button.bounding_box()["height"] - 1
        button.click()
        first.locator("a[href^='tel:']").wait_for()
        shots(page, f"day-revealed-{language}")

        # checking in (no position given by the browser) starts the visit
        if language == "en":
            first.get_by_role("button", name="Check in").click()
            page.get_by_text("Checked in. The visit has started.").wait_for()
            page.locator(f"#job-{day['today-1'].pk} .badge.on-site").wait_for()
            assert WorkOrder.objects.get(pk=day["today-1"].pk).status == Status.IN_SERVICE
            shots(page, "day-checked-in-en")
        assert not errors, errors
    finally:
        context.close()


def order_page(live_server, chromium, shots, day, language):
    context = new_context(chromium, live_server, WIDE, language)
    try:
        page = context.new_page()
        log_in(page, live_server.url, "agent.li")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/console/orders/{day['paid'].pk}/")
        # two columns: the case on the left, the actions on the right, side by side
        case, side = page.locator(".order-case").bounding_box(), page.locator(".order-side").bounding_box()
        assert case["x"] < side["x"] and abs(case["y"] - side["y"]) < 2, (case, side)
        # "Schedule" waits for the quote's approval: disabled, with the reason in words
        schedule = page.locator(".action-form.disabled[data-action=schedule]")
        assert schedule.locator("button").is_disabled()
        reason = {"en": "Waiting for the customer to approve the quote.", "zh-hans": "等待客户确认报价。"}[language]
        assert reason in schedule.inner_text()
        height = page.evaluate("document.documentElement.scrollHeight")
        assert height < 2500, height
        shots(page, f"order-wide-{language}")
    finally:
        context.close()
