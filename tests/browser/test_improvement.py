"""The improvement loop in a real browser: the quality specialist lands on the improvement
board, opens the quality feedback record to production, then an improvement action from the
complaint, and runs it through PDCA with the effect check's chart (ECharts under the CSP).
Both languages; screenshots in test-artifacts/."""

import datetime as dt

import pytest
from django.utils import timezone

from complaints.models import Complaint
from improvement import services
from improvement.models import ImprovementAction, Promise
from improvement.tests.fixtures import DUE, complaint_of
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory

from .test_journey import DESKTOP, log_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

LANGUAGES = ("en", "zh-hans")
WORDS = {
    "en": {"board": "Improvement board", "improved": "Improved", "closed": "Closed"},
    "zh-hans": {"board": "改进看板", "improved": "已改善", "closed": "已关闭"},
}


@pytest.fixture
def world(db):
    handler = UserFactory(role="complaint_handler")
    quality = UserFactory(username="quality.feng", role="quality", first_name="Xue", last_name="Feng")
    agent, engineer = UserFactory(role="agent"), UserFactory(role="engineer")
    UserFactory(username="supervisor.wu", role="supervisor", first_name="Gang", last_name="Wu")
    records = {}
    for language in LANGUAGES:
        complaint = complaint_of("product_quality", handler=handler, agent=agent, engineer=engineer)
        records[language] = services.corrective_action_create(
            actor=handler,
            complaint_id=complaint.pk,
            title={"en": "Door seal leaks", "zh-hans": "门封条漏水"}[language],
            owner_id=quality.pk,
            due_date=DUE,
        )
        services.promise_request(
            actor=handler,
            complaint_id=complaint.pk,
            kind="compensation",
            description={"en": "Refund of the visit fee", "zh-hans": "退还上门服务费"}[language],
            reason={"en": "The engineer came late twice.", "zh-hans": "工程师两次迟到。"}[language],
            amount="200.00",
        )
    # history for the effect check: more complaints per order in the 20 days before the start
    now = timezone.now()
    customer = CustomerFactory()
    for i in range(10):
        WorkOrderFactory(customer=customer, created_at=now - dt.timedelta(days=21 + i))
        WorkOrderFactory(customer=customer, created_at=now - dt.timedelta(days=1 + i))
    for i in range(4):
        when = now - dt.timedelta(days=22 + i)
        Complaint.objects.create(
            customer=customer, channel="phone", description="漏水", created_at=when, received_at=when
        )
    return records


def test_quality_opens_a_feedback_record_and_runs_an_improvement_action_through_pdca(
    live_server, chromium, shots, world
):
    for language in LANGUAGES:
        journey(live_server, chromium, shots, language, world[language])
        approve(live_server, chromium, shots, language, world[language])


def approve(live_server, chromium, shots, language, record):
    """The supervisor approves the complaint's 200 CNY compensation in writing from the queue."""
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN" if language == "zh-hans" else "en-US")
    context.set_default_timeout(15_000)
    try:
        page = context.new_page()
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        log_in(page, live_server.url, "supervisor.wu")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        page.goto(f"{live_server.url}/improvement/approvals/")
        promise = Promise.objects.get(complaint_id=record.complaint_id)
        row = page.locator(f"tr[data-promise='{promise.number}']")
        shots(page, f"approvals-{language}")
        row.locator("textarea[name=note]").fill(
            {"en": "Approved: refund 200 CNY.", "zh-hans": "同意退还 200 元。"}[language]
        )
        row.locator("button[value=approve]").click()
        page.wait_for_url("**/improvement/approvals/")
        promise.refresh_from_db()
        assert promise.status == "approved"
        page.goto(f"{live_server.url}/improvement/complaints/{record.complaint_id}/")
        assert page.locator(f"tr[data-promise='{promise.number}'] .badge.met").is_visible()
        shots(page, f"approved-{language}")
    finally:
        context.close()


def journey(live_server, chromium, shots, language, record):
    context = chromium.new_context(viewport=DESKTOP, locale="zh-CN" if language == "zh-hans" else "en-US")
    context.set_default_timeout(15_000)
    errors: list[str] = []
    try:
        page = context.new_page()
        page.on("console", lambda m: m.type == "error" and errors.append(f"{page.url}: {m.text}"))
        page.on("pageerror", lambda e: errors.append(str(e)))
        context.add_cookies([{"name": "django_language", "value": "en", "url": live_server.url}])
        log_in(page, live_server.url, "quality.feng")
        context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
        w = WORDS[language]

        # the quality home: the board with the open quality feedback records
        page.goto(live_server.url + "/")
        page.wait_for_url("**/improvement/")
        assert page.get_by_role("heading", name=w["board"], exact=True).is_visible()
        shots(page, f"board-{language}")
        page.get_by_role("link", name=record.number).click()
        page.wait_for_url(f"**/improvement/corrective/{record.pk}/")
        assert page.get_by_text("B2026-07").is_visible()
        page.locator("form[data-action=start] button").click()
        page.wait_for_url(f"**/improvement/corrective/{record.pk}/")
        shots(page, f"feedback-record-{language}")

        # an improvement action from the complaint
        page.goto(f"{live_server.url}/improvement/complaints/{record.complaint_id}/")
        shots(page, f"complaint-panel-{language}")
        page.locator(f"a[href='/improvement/actions/new/?complaint={record.complaint_id}']").click()
        page.locator("#id_title").fill({"en": "Better door seals", "zh-hans": "改进门封条"}[language])
        page.locator("#id_plan").fill(
            {"en": "New seal supplier; check every batch.", "zh-hans": "更换密封条供应商，逐批检验。"}[language]
        )
        page.locator("#id_due_date").fill("2026-12-31")
        page.locator("form.stacked button[type=submit]").click()
        page.wait_for_url("**/improvement/actions/*/")
        action = ImprovementAction.objects.get(complaint_id=record.complaint_id)

        page.locator("form[data-action=start] button").click()
        page.wait_for_url(f"**/improvement/actions/{action.pk}/")
        # as if it started 20 days ago (a browser test cannot wait 20 days for the "after" window)
        ImprovementAction.objects.filter(pk=action.pk).update(done_from=timezone.now() - dt.timedelta(days=20))
        page.locator("form[data-action=to_check] button").click()
        page.wait_for_url(f"**/improvement/actions/{action.pk}/")
        assert page.locator("[data-action=to_act] button").is_disabled()  # the effect is not measured yet
        page.locator("button[data-effect-measure]").click()
        page.wait_for_url(f"**/improvement/actions/{action.pk}/")
        page.locator("#effect-chart canvas").first.wait_for()
        box = page.locator("#effect-chart canvas").first.bounding_box()
        assert box and box["width"] > 100 and box["height"] > 100
        assert page.get_by_text(w["improved"], exact=True).is_visible()
        shots(page, f"effect-check-{language}")

        page.locator("form[data-action=to_act] button").click()
        page.wait_for_url(f"**/improvement/actions/{action.pk}/")
        page.locator("form[data-action=close] input[name=note]").fill(
            {"en": "Made the standard.", "zh-hans": "纳入标准。"}[language]
        )
        page.locator("form[data-action=close] button").click()
        page.wait_for_url(f"**/improvement/actions/{action.pk}/")
        action.refresh_from_db()
        assert action.status == "closed"
        assert page.locator(".page-head .badge").inner_text() == w["closed"]
        shots(page, f"closed-{language}")

        # the voice of the customer, computed on demand, drawn as a chart
        page.goto(f"{live_server.url}/improvement/voc/")
        page.locator("form[action='/improvement/voc/recompute/'] button").click()
        page.wait_for_url("**/improvement/voc/?month=*")
        assert page.locator("tr[data-term='漏水']").is_visible()
        page.locator("#voc-chart canvas").first.wait_for()
        shots(page, f"voc-{language}")
        assert not errors, errors
    finally:
        context.close()
