"""The main journey, in a real browser, across the three roles.

A customer signs up, registers a unit with its purchase proof and asks for service; an agent
acknowledges, assesses, assigns an engineer and schedules; the engineer, on a phone, starts the
work, writes the report and resolves; the customer signs on the canvas and accepts; the agent
closes the order. The printable report then carries the signature.
"""

import datetime as dt
import re

import pytest
from django.utils import timezone

from core.models import AuditLog
from portal.tests.files import pdf_bytes
from products.models import ComponentClass
from service.models import Acceptance, WorkOrder
from tests.factories import ProductModelFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PASSWORD = "pass-Word-123"
DESKTOP = {"width": 1280, "height": 900}
PHONE = {"width": 375, "height": 812}
CUSTOMER_PHONE = {"width": 390, "height": 844}


def field(text: str) -> re.Pattern:
    """A form label, whether or not it carries the "required" asterisk."""
    return re.compile(rf"^\s*{re.escape(text)}\s*\*?\s*$")


def log_in(page, base: str, username: str, password: str = PASSWORD):
    page.goto(f"{base}/login/")
    page.get_by_label("Username").fill(username)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Log in").click()
    page.wait_for_load_state()


def take(page, button: str, done: str):
    """Click a console action button and wait for the page to say it is done."""
    page.get_by_role("button", name=button, exact=True).click()
    page.get_by_text(done).wait_for()


def sign(page, canvas_selector: str):
    """Draw a signature on the canvas with the mouse, like a finger would."""
    canvas = page.locator(canvas_selector)
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    x, y, w, h = box["x"], box["y"], box["width"], box["height"]
    page.mouse.move(x + w * 0.1, y + h * 0.7)
    page.mouse.down()
    for i in range(1, 13):
        page.mouse.move(x + w * (0.1 + 0.065 * i), y + h * (0.3 if i % 2 else 0.7), steps=3)
    page.mouse.up()


def test_request_to_closed_order_across_customer_agent_and_engineer(live_server, chromium, shots):
    base = live_server.url
    # given the staff and the product model in the archive (the default component classes too)
    for code, name, name_en, kind in (
        ("main", "主机及核心部件", "Main unit and core components", "main"),
        ("accessory", "配件", "Accessories", "accessory"),
        ("software", "软件", "Software", "software"),
    ):
        ComponentClass.objects.get_or_create(kind=kind, defaults={"code": code, "name": name, "name_en": name_en})
    ProductModelFactory(code="HX-200", name="Smart heater")
    UserFactory(username="agent.li", first_name="Li", last_name="Na", role="agent")
    UserFactory(username="eng.wang", first_name="Wang", last_name="Gong", role="engineer")

    customer = chromium.new_context(viewport=CUSTOMER_PHONE, locale="en-US", is_mobile=True, has_touch=True)
    agent = chromium.new_context(viewport=DESKTOP, locale="en-US")
    engineer = chromium.new_context(
        viewport=PHONE, locale="en-US", is_mobile=True, has_touch=True, device_scale_factor=2
    )
    for ctx in (customer, agent, engineer):
        ctx.set_default_timeout(15_000)
    # the portal's pages must run without a script error or a Content-Security-Policy violation
    portal_errors: list[str] = []
    customer.on("weberror", lambda err: portal_errors.append(str(err.error)))
    customer.on(
        "console",
        lambda msg: (
            msg.type == "error"
            and msg.page
            and "/portal/" in msg.page.url
            and portal_errors.append(f"{msg.page.url}: {msg.text}")
        ),
    )
    try:
        # --- the customer signs up from the login page ---
        c = customer.new_page()
        c.goto(f"{base}/login/")
        c.get_by_role("link", name="Create an account").click()
        c.get_by_label(field("Username")).fill("zhang.wei")
        c.get_by_label(field("Your name")).fill("Zhang Wei")
        c.get_by_label(field("Mobile phone")).fill("13812345678")
        c.get_by_label(field("Email")).fill("zhang.wei@example.com")
        c.get_by_label(field("Password")).fill("Sturdy-Kettle-42")
        c.get_by_label(field("Password (again)")).fill("Sturdy-Kettle-42")
        shots(c, "customer-signup")
        c.get_by_role("button", name="Sign up").click()
        c.get_by_role("heading", name="My products").wait_for()

        # --- registers the heater with its PDF invoice ---
        c.get_by_role("link", name="Register a product").first.click()
        c.get_by_label(field("Serial number")).fill("HX200-000123")
        c.get_by_label(field("Product model")).select_option("HX-200")
        bought = timezone.localdate() - dt.timedelta(days=40)
        c.get_by_label(field("Purchase date (on the invoice or receipt)")).fill(bought.isoformat())
        c.get_by_label(field("Purchase proof (PDF, JPEG or PNG)")).set_input_files(
            {"name": "invoice.pdf", "mimeType": "application/pdf", "buffer": pdf_bytes()}
        )
        shots(c, "customer-register-unit")
        c.get_by_role("button", name="Register").click()
        c.get_by_text("is registered to you").wait_for()
        assert c.get_by_text("In warranty").count() >= 1
        shots(c, "customer-unit-warranty")

        # --- and asks for service ---
        c.get_by_role("link", name="Ask for service").first.click()
        assert "HX200-000123" in c.get_by_label(field("Product")).locator("option:checked").inner_text()
        c.get_by_label(field("What is the problem?")).fill("The heater switches off after five minutes.")
        c.get_by_label(field("Address")).fill("上海市浦东新区世纪大道100号 12楼")
        c.get_by_label(field("Preferred time")).fill("Weekday mornings")
        shots(c, "customer-new-request")
        c.get_by_role("button", name="Send request").click()
        c.get_by_text("has been received").wait_for()
        order_id = int(re.search(r"/portal/requests/(\d+)/", c.url).group(1))
        order = WorkOrder.objects.get(pk=order_id)
        assert (order.channel, order.status, order.serial) == ("portal", "new", "HX200-000123")
        # the migrations' default policies are there: the order runs its clocks
        assert sorted(order.clocks.values_list("clock", flat=True)), "the order has no SLA clocks"
        shots(c, "customer-request-received")

        # --- the agent picks it up from the queue ---
        a = agent.new_page()
        log_in(a, base, "agent.li")
        a.get_by_role("link", name=order.number).first.click()
        a.wait_for_url(f"**/console/orders/{order_id}/")
        shots(a, "agent-order-new")
        # the phone and address are masked until the agent reveals them (each reveal logged)
        assert a.get_by_text("138****5678").count() == 1 and a.get_by_text("13812345678").count() == 0
        a.get_by_role("button", name="Show phone and address").click()
        a.get_by_role("link", name="13812345678").wait_for()
        assert a.get_by_text("上海市浦东新区世纪大道100号 12楼").count() == 1
        assert AuditLog.objects.filter(action="reveal_pii", actor__username="agent.li").count() == 1
        shots(a, "agent-contact-revealed")
        take(a, "Acknowledge", "Done: Acknowledge.")
        take(a, "Assess warranty", "Done: Assess warranty.")
        a.get_by_label(field("Engineer")).select_option(label="Wang Gong")
        appointment = timezone.localtime() + dt.timedelta(days=1)
        a.get_by_label(field("Appointment")).fill(appointment.strftime("%Y-%m-%dT10:00"))
        a.get_by_role("button", name="Save the assignment").click()
        a.get_by_text("Assignment saved.").wait_for()
        take(a, "Schedule", "Done: Schedule.")
        shots(a, "agent-order-scheduled")
        order.refresh_from_db()
        assert (order.status, order.coverage, order.assignee.username) == ("scheduled", "warranty", "eng.wang")

        # --- the engineer works on a phone ---
        e = engineer.new_page()
        log_in(e, base, "eng.wang")
        e.get_by_role("link", name=order.number).first.click()
        e.wait_for_url(f"**/console/engineer/orders/{order_id}/")
        shots(e, "engineer-order-phone")
        e.get_by_role("button", name="Show phone and address").click()
        e.get_by_role("link", name="13812345678").wait_for()  # one tap to call
        take(e, "Start work", "Done: Start work.")
        report = e.locator("#repair-report form")
        report.get_by_label(field("Cause")).fill("Thermal fuse worn out.")
        report.get_by_label(field("Process")).fill("Replaced the thermal fuse and tested for 30 minutes.")
        report.get_by_label(field("Time spent (minutes)")).fill("50")
        shots(e, "engineer-report-phone")
        report.get_by_role("button", name="Save the report").click()
        e.get_by_text("Repair report saved.").wait_for()
        take(e, "Mark resolved", "Done: Mark resolved.")
        shots(e, "engineer-resolved-phone")

        # --- the customer checks the work, signs on the canvas and accepts ---
        c.goto(f"{base}/portal/requests/{order_id}/")
        c.get_by_text("Thermal fuse worn out.").wait_for()
        c.get_by_label(field("Your name")).fill("Zhang Wei")
        sign(c, "canvas#sig")
        assert c.locator("#id_signature").input_value().startswith("data:image/png;base64,")
        shots(c, "customer-signed")
        c.get_by_role("button", name="Accept and sign").click()
        c.get_by_text("Thank you for signing").wait_for()
        shots(c, "customer-accepted")
        assert Acceptance.objects.get(order_id=order_id).accepted

        # --- the agent closes the order ---
        a.goto(f"{base}/console/orders/{order_id}/")
        take(a, "Close", "Done: Close.")
        shots(a, "agent-closed")
        order.refresh_from_db()
        assert order.status == "closed" and order.closed_at is not None

        # then the printable report, opened from the portal, shows the drawn signature
        c.reload()
        with c.expect_popup() as popup:
            c.get_by_role("link", name="Printable report").click()
        printable = popup.value
        printable.wait_for_load_state()
        signature = printable.get_by_role("img", name="Signature")
        signature.wait_for()
        assert signature.evaluate("img => img.complete && img.naturalWidth > 0")
        assert printable.get_by_text("Thermal fuse worn out.").count() == 1
        shots(printable, "printable-report")
        assert portal_errors == []
    finally:
        for ctx in (customer, agent, engineer):
            ctx.close()
