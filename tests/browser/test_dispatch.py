"""Dispatch in a real browser, in English and Chinese (docs/dispatch.md): the agent opens an
order and reads who can take it and why under the assignment form; an assignment that breaks
a rule is refused with the reason; the supervisor's list of engineers. Screenshots in
test-artifacts/."""

import pytest
from django.urls import reverse

from service import services
from tests.factories import CustomerFactory, UnitFactory, UserFactory

from .test_journey import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]


@pytest.fixture
def scene(db):
    agent = UserFactory(username="agent.li", role="agent", first_name="Li", last_name="Na")
    UserFactory(username="lead.zhao", role="supervisor", first_name="Zhao", last_name="Lei")
    south = UserFactory(
        username="eng.chen", role="engineer", first_name="Chen", last_name="Jie", dispatch={"regions": ["广东省"]}
    )
    north = UserFactory(
        username="eng.wang", role="engineer", first_name="Wang", last_name="Wei", dispatch={"regions": ["北京市"]}
    )
    customer = CustomerFactory(region="广东省")
    order = services.request_create(
        actor=agent, customer_id=customer.pk, serial=UnitFactory(owner=customer).serial, fault_description="不制冷。"
    )
    return {"order": order, "south": south, "north": north}


def test_who_can_take_an_order(live_server, chromium, shots, scene):
    for language in ("en", "zh-hans"):
        zh = language == "zh-hans"
        context = chromium.new_context(viewport=DESKTOP, locale="zh-CN" if zh else "en-US")
        errors = []
        try:
            page = context.new_page()
            page.on("pageerror", lambda e, errors=errors: errors.append(str(e)))
            context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
            log_in(page, live_server.url, "agent.li")
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            page.goto(live_server.url + reverse("service:detail", args=[scene["order"].pk]))
            verdicts = page.locator("#eligible-engineers")
            verdicts.locator("summary").click()
            text = verdicts.inner_text()
            assert ("不负责广东省" if zh else "Does not cover 广东省") in text
            assert ("负责广东省" if zh else "Covers 广东省") in text
            # an assignment against the rules is refused with the reason
            page.locator("select[name=assignee]").select_option(str(scene["north"].pk))
            page.get_by_role("button", name="保存派工" if zh else "Save the assignment").click()
            page.wait_for_load_state("networkidle")
            assert ("不负责广东省" if zh else "Does not cover 广东省") in page.content()
            shots(page, f"dispatch-assignment-{language}")

            context.clear_cookies()
            context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
            log_in(page, live_server.url, "lead.zhao")
            context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
            page.goto(live_server.url + reverse("dispatch:engineers"))
            assert "Chen Jie" in page.content() and "北京市" in page.content()
            shots(page, f"dispatch-engineers-{language}")
        finally:
            context.close()
        assert errors == []
