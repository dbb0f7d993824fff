"""A complaint handler works a complaint end to end in the browser, in English and Chinese: the
home (mine by deadline, at risk, unassigned), the complaint page, classification with automatic
routing, a progress message, the result notice at resolution, closing. Screenshots in
test-artifacts/ (complaint_handling-NN-*.png)."""

import pytest

from complaints.models import Complaint, ComplaintEvent
from complaints.tests.flow import complaint_in
from notifications.models import Notification
from service.tests.flow import order_in
from tests.factories import CustomerFactory, DepartmentFactory, UserFactory

from .test_journey import log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

WIDE = {"width": 1440, "height": 900}


@pytest.fixture
def desk(db):
    dept = DepartmentFactory(code="problem-handling", name="问题处理中心", name_en="Problem-handling centre")
    handler = UserFactory(
        username="cp.zhou", first_name="婷", last_name="周", role="complaint_handler", department=dept
    )
    agent = UserFactory(username="agent.li", role="agent")
    customer_user = UserFactory(username="cust.wang", role="customer")
    customer = CustomerFactory(user=customer_user, name="王小明", phone="13812345678")
    order = order_in("closed", agent=agent, customer=customer)
    return {"handler": handler, "customer": customer, "customer_user": customer_user, "order": order, "agent": agent}


def test_a_handler_works_a_complaint_end_to_end(live_server, chromium, shots, desk):
    for language in ("en", "zh-hans"):
        c = complaint_in("acknowledged", handler=desk["handler"], customer=desk["customer"], order=desk["order"])
        complaint_in("new", handler=desk["handler"], customer=desk["customer"])  # for the unassigned list
        work(live_server, chromium, shots, desk, c, language)


def work(live_server, chromium, shots, desk, c, language):
    context = chromium.new_context(viewport=WIDE, locale="zh-CN" if language == "zh-hans" else "en-US")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    errors = []
    try:
        page = context.new_page()
        page.on("pageerror", lambda e: errors.append(str(e)))
        log_in(page, live_server.url, "cp.zhou")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        # the home: the figures link to the three lists
        page.goto(f"{live_server.url}/complaints/?view=unassigned")
        assert page.locator('a[data-view="unassigned"]').count() == 1
        shots(page, f"home-{language}")
        page.goto(f"{live_server.url}/complaints/{c.pk}/")
        # classify: route automatically, a major complaint
        form = page.locator('form[data-action="classify"]')
        form.locator('select[name="category"]').select_option("service")
        form.locator('select[name="service_aspect"]').select_option("efficiency")
        form.locator('input[name="major"]').check()
        assert form.locator('select[name="owner"]').input_value() == ""
        shots(page, f"classify-{language}")
        form.locator('button[type="submit"]').click()
        page.wait_for_load_state()
        c.refresh_from_db()
        assert (c.status, c.owner_id, c.major) == ("classified", desk["handler"].pk, True)
        page.locator('form[data-action="investigate"] button[type="submit"]').click()
        page.wait_for_load_state()
        # a progress message to the customer
        progress = page.locator('form[data-form="progress"]')
        progress.locator("textarea").fill("已安排质检人员复核维修记录。")
        progress.locator('button[type="submit"]').click()
        page.wait_for_load_state()
        # resolve with the result notice; resolve is refused without it (the browser requires it)
        resolve = page.locator('form[data-action="resolve"]')
        resolve.locator('textarea[name="measures"]').fill("更换主板并对工程师进行服务规范培训。")
        resolve.locator('textarea[name="result"]').fill("设备运行正常，客户接受道歉。")
        resolve.locator('textarea[name="follow_up"]').fill("一周后电话回访。")
        resolve.locator('button[type="submit"]').click()
        page.wait_for_load_state()
        page.locator('form[data-action="close"] button[type="submit"]').click()
        page.wait_for_load_state()
        c.refresh_from_db()
        assert c.status == "closed" and c.result == "设备运行正常，客户接受道歉。"
        timeline = page.locator("ol.timeline").inner_text()
        expected = (
            ("Progress message sent", "Result notice") if language == "en" else ("已发送进度消息", "处理结果通知")
        )
        for label in expected:
            assert label in timeline, timeline
        assert "customer_notified" not in timeline and "progress" not in timeline.split()
        assert page.locator('tr[data-clock="resolution"] .badge.met').count() == 1
        shots(page, f"closed-{language}")
        kinds = set(
            ComplaintEvent.objects.filter(complaint=c, action="customer_notified").values_list(
                "payload__kind", flat=True
            )
        )
        assert {"acknowledgement", "progress", "result", "closure"} <= kinds
        assert Notification.objects.filter(recipient=desk["customer_user"], kind="complaint_result").exists()
        assert Complaint.objects.filter(pk=c.pk, events__action="progress").exists()
        assert not errors, errors
    finally:
        context.close()
    customer_view(live_server, chromium, shots, c, language)


def customer_view(live_server, chromium, shots, c, language):
    """The customer follows it in the portal: the result notice and the steps, on a phone."""
    context = chromium.new_context(viewport={"width": 390, "height": 844}, is_mobile=True, device_scale_factor=2)
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    try:
        page = context.new_page()
        log_in(page, live_server.url, "cust.wang")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/portal/complaints/{c.pk}/")
        text = page.locator("main").inner_text() if page.locator("main").count() else page.content()
        assert "一周后电话回访。" in text
        assert "已安排质检人员复核维修记录。" in text  # the progress message, not the internal notes
        assert "Called the customer." not in text
        shots(page, f"portal-{language}")
    finally:
        context.close()


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_an_agent_finds_the_caller_by_phone_and_records_the_complaint(live_server, chromium, shots, desk, language):
    context = chromium.new_context(viewport=WIDE, locale="zh-CN" if language == "zh-hans" else "en-US")
    context.set_default_timeout(15_000)
    context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
    try:
        page = context.new_page()
        log_in(page, live_server.url, "agent.li")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/complaints/new/")
        # the caller's number as people say it: the customer is suggested, masked, and chosen
        page.locator("#id_lookup").fill("138 1234 5678")
        suggestion = page.locator(f'[data-customer="{desk["customer"].pk}"]')
        suggestion.wait_for()
        text = page.locator("#customer-matches").inner_text()
        assert "王**" in text and "138****5678" in text and "王小明" not in text
        assert suggestion.locator("input[type=radio]").is_checked()
        page.locator('textarea[name="description"]').fill("电话投诉：维修后仍漏水。")
        shots(page, f"new-by-phone-{language}")
        with page.expect_navigation():
            page.locator('form[action$="/complaints/new/"] button[type="submit"]').click()
        complaint = Complaint.objects.get(description="电话投诉：维修后仍漏水。")
        assert complaint.customer_id == desk["customer"].pk and complaint.channel == "phone"
        assert page.url.endswith(f"/complaints/{complaint.pk}/")
    finally:
        context.close()
