"""The warranty screens in a real browser, in English and Chinese (docs/warranty.md): the agent
assesses an accessory fault naming the component and sees the decision and the Three Guarantees
on the order page; the customer sees the paid-repair reason on the request and today's remedies
on the product page. Screenshots in test-artifacts/."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from products.models import ComponentClass, WarrantyTerm
from service import services
from tests.factories import CustomerFactory, ProductModelFactory, UnitFactory, UserFactory

from .test_journey import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db):
    """An agent, a customer with two locks: one sold 15 months ago, one sold 4 days ago."""
    agent = UserFactory(username="agent.li", role="agent", first_name="Li", last_name="Na")
    customer_user = UserFactory(username="wang.fang", role="customer", first_name="Wang", last_name="Fang")
    customer = CustomerFactory(user=customer_user, name="王芳")
    model = ProductModelFactory(code="HX-200", name="Smart lock")
    for code, months in (("main", 36), ("accessory", 12)):
        WarrantyTerm.objects.create(model=model, component_class=ComponentClass.objects.get(code=code), months=months)
    today = timezone.localdate()
    old = UnitFactory(serial="HX-OLD-1", owner=customer, model=model, sale_date=today - dt.timedelta(days=460))
    new = UnitFactory(serial="HX-NEW-1", owner=customer, model=model, sale_date=today - dt.timedelta(days=4))
    order = services.request_create(
        actor=agent,
        customer_id=customer.pk,
        serial=old.serial,
        fault_description="遥控器失灵 The remote does not work.",
    )
    services.work_order_transition(order_id=order.pk, action="acknowledge", actor=agent)
    return {"order": order, "old": old, "new": new}


def test_warranty_screens(live_server, chromium, shots, scene):
    for language in ("en", "zh-hans"):
        look(live_server, chromium, shots, scene, language)


def look(live_server, chromium, shots, scene, language):
    zh = language == "zh-hans"
    order = scene["order"]
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN" if zh else "en-US")
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        log_in(page, live_server.url, "agent.li")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])

        page.goto(live_server.url + reverse("service:detail", args=[order.pk]))
        panel = page.locator("#warranty-decision")
        assert ("三包" if zh else "Three Guarantees") in panel.inner_text()
        if not zh:
            # the agent assesses, naming the accessory as the failed component
            form = page.locator("form.action-form", has=page.locator("input[name=action][value=assess]"))
            form.locator("select[name=component]").select_option("accessory")
            form.locator("input[name=part]").fill("Remote control")
            form.get_by_role("button").click()
            page.get_by_text("Done: Assess warranty.").wait_for()
            page.wait_for_load_state("networkidle")
            page.goto(live_server.url + reverse("service:detail", args=[order.pk]))
        text = page.locator("#warranty-decision").inner_text()
        assert ("付费维修" if zh else "Paid repair") in text
        assert ("保修期已过" if zh else "The warranty period has ended.") in text
        shots(page, f"order-panel-{language}")

        context.clear_cookies()
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        log_in(page, live_server.url, "wang.fang")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(live_server.url + reverse("portal:request_detail", args=[order.pk]))
        assert ("保修期已过" if zh else "The warranty period has ended.") in page.locator(
            "#coverage-reason"
        ).inner_text()
        assert page.locator("#failed-component").is_visible()
        shots(page, f"portal-request-{language}")

        page.goto(live_server.url + reverse("portal:unit_detail", args=[scene["new"].pk]))
        remedies = page.locator("#three-guarantees [data-remedy]")
        assert remedies.count() == 3
        assert ("退货" if zh else "Return (refund)") in page.locator("#three-guarantees").inner_text()
        shots(page, f"portal-unit-{language}")
        assert not errors, errors
    finally:
        context.close()
