"""The bell and the inbox, in a real browser, in English and in Chinese.

A customer files a request in the portal; an agent acknowledges it; the customer sees the
bell's count, reads the acknowledgement (with the expected handling time and who pays) in
the inbox, opens it (which marks it read and leads to the request); a manager reads the
SLA escalation in the staff inbox. The customer's Chinese run switches the language in the
top bar, which also makes their messages Chinese.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from customers.services import customer_signup
from notifications.models import Notification
from products.models import ComponentClass
from service.models import WorkOrder
from sla.escalation import scan_clocks
from tests.factories import ProductModelFactory, UnitFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pass-Word-123"
DESKTOP = {"width": 1280, "height": 860}
PHONE = {"width": 390, "height": 844}
TEXT = {
    "en": {
        "ack": "received",
        "due": "Expected handling time",
        "pays": "Who pays",
        "inbox": "Notifications",
        "told": "Customer notified: acknowledgement (In-app, Email, SMS)",
    },
    "zh-hans": {
        "ack": "已受理",
        "due": "预计处理时间",
        "pays": "费用承担",
        "inbox": "通知",
        "told": "已通知客户：受理（站内消息, 电子邮件, 短信）",
    },
}


def log_in(context, page, base: str, username: str, password: str = PASSWORD):
    context.add_cookies([{"name": "django_language", "value": "en", "url": base}])
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def switch_language(page, language: str):
    """The top bar's language switch (it submits itself and remembers the choice for messages)."""
    with page.expect_navigation():
        page.locator("form.lang select").select_option(language)


def test_the_customer_reads_the_acknowledgement_and_the_manager_the_breach(live_server, chromium, shots):
    base = live_server.url
    for code, name, kind in (
        ("main", "Main unit and core components", "main"),
        ("accessory", "Accessories", "accessory"),
        ("software", "Software", "software"),
    ):
        ComponentClass.objects.get_or_create(kind=kind, defaults={"code": code, "name": name})
    heater = ProductModelFactory(code="HX-200", name="Smart heater")
    UserFactory(username="agent.li", first_name="Li", last_name="Na", role="agent")
    UserFactory(username="mgr.chen", first_name="Chen", last_name="Jie", role="manager")
    for language in ("en", "zh-hans"):
        user = customer_signup(
            username=f"zhang.{language}",
            password="Sturdy-Kettle-42",
            name="张伟",
            phone="13812345678",
            email=f"zhang.{language}@example.com",
        )
        UnitFactory(owner=user.customer, model=heater, sale_date=timezone.localdate() - dt.timedelta(days=40))
        inbox_journey(base, chromium, shots, language, user)


def inbox_journey(base, chromium, shots, language, user):
    text = TEXT[language]
    customer = chromium.new_context(viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True)
    staff = chromium.new_context(viewport=DESKTOP, locale="en-US")
    for ctx in (customer, staff):
        ctx.set_default_timeout(15_000)
    try:
        # --- the customer files a request in the portal ---
        c = customer.new_page()
        log_in(customer, c, base, user.username, "Sturdy-Kettle-42")
        if language != "en":
            switch_language(c, language)
        c.goto(f"{base}/portal/requests/new/")
        c.locator("select[name=unit]").select_option(index=1)
        c.locator("textarea[name=fault_description]").fill("The heater switches off after five minutes.")
        c.locator("input[name=address]").fill("上海市浦东新区世纪大道100号 12楼")
        c.locator("main form button[type=submit]").click()
        c.wait_for_url(re.compile(r"/portal/requests/\d+/$"))
        order = WorkOrder.objects.filter(customer__user=user).get()
        assert c.locator("[data-testid=bell-count]").count() == 0  # nothing yet

        # --- the agent acknowledges it ---
        a = staff.new_page()
        log_in(staff, a, base, "agent.li")
        a.goto(f"{base}/console/orders/{order.pk}/")
        if language != "en":
            switch_language(a, language)
        a.locator("form.action-form:has(input[name=action][value=acknowledge]) button").click()
        a.get_by_text(text["told"]).wait_for()  # on the order's timeline
        shots(a, f"{language}-staff-order-timeline")

        # --- the customer sees the bell and reads the message ---
        c.goto(f"{base}/portal/")
        assert c.locator("[data-testid=bell-count]").inner_text() == "1"
        shots(c, f"{language}-customer-bell")
        c.locator("[data-testid=bell]").click()
        c.wait_for_url("**/inbox/")
        assert c.locator("html").get_attribute("lang") == language
        c.get_by_role("heading", name=text["inbox"]).wait_for()
        note = c.locator("[data-testid=notification]").first
        assert "unread" in note.get_attribute("class")
        body = note.inner_text()
        assert order.number in body and text["ack"] in body
        assert text["due"] in body and text["pays"] in body
        shots(c, f"{language}-customer-inbox")

        # --- opening it marks it read and leads to the request ---
        note.locator("button").click()
        c.wait_for_url(f"**/portal/requests/{order.pk}/")
        assert c.locator("[data-testid=bell-count]").count() == 0
        assert Notification.objects.get(recipient=user, channel="inapp", kind="acknowledgement").read_at is not None
        c.goto(f"{base}/inbox/")
        assert "unread" not in c.locator("[data-testid=notification]").first.get_attribute("class")

        # --- the manager reads the SLA breach in the staff inbox ---
        s = staff.new_page()
        staff.clear_cookies()
        log_in(staff, s, base, "mgr.chen")
        if language != "en":
            switch_language(s, language)  # (before the scan: a message is written in the language of its time)
        scan_clocks(now=timezone.now() + dt.timedelta(days=60))
        s.reload()
        unread = Notification.objects.filter(recipient__username="mgr.chen", channel="inapp", read_at__isnull=True)
        assert s.locator("[data-testid=bell-count]").inner_text() == str(unread.count())
        s.locator("[data-testid=bell]").click()
        s.wait_for_url("**/inbox/")
        assert order.number in s.locator("[data-testid=notification]").first.inner_text()
        shots(s, f"{language}-staff-inbox")
        s.locator("[data-testid=read-all]").click()
        s.wait_for_url("**/inbox/")
        assert s.locator("[data-testid=bell-count]").count() == 0
        assert not unread.exists()
    finally:
        customer.close()
        staff.close()
