"""The survey analysis report and a follow-up, in a real browser, in English and in Chinese: an
analyst reads the KPIs and the charts (drawn by ECharts), an agent records a follow-up's outcome."""

import pytest

from feedback import services
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

DESKTOP = {"width": 1280, "height": 900}
SCORES = [(10, 9, 9, 10, 9), (8, 7, 9, 8, 6), (4, 6, 5, 5, 2), (9, 9, 10, 9, 10)]
TEXT = {
    "en": {
        "report": "Customer satisfaction survey analysis report",
        "weakest": "Weakest items",
        "saved": "The outcome is recorded.",
        "answer": "Survey answer",
    },
    "zh-hans": {
        "report": "顾客满意度调查分析报告",
        "weakest": "最弱项目",
        "saved": "结果已记录。",
        "answer": "调查答卷",
    },
}


def answered(agent):
    for q, p, d, k, a in SCORES:
        _inv, raw = services.survey_invite(actor=agent, customer_id=CustomerFactory().pk)
        services.survey_answer(
            token=raw,
            answers={
                "quality": q,
                "price": p,
                "delivery": d,
                "packaging": k,
                "after_sales": a,
                "comment": "服务态度差" if a < 5 else "",
            },
        )


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_the_report_and_a_follow_up(chromium, live_server, shots, language):
    t = TEXT[language]
    agent, analyst = UserFactory(role="agent"), UserFactory(role="analyst")
    answered(agent)
    context = chromium.new_context(viewport=DESKTOP, locale=language)
    context.add_cookies([{"name": "django_language", "value": language, "url": live_server.url}])
    page = context.new_page()

    from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY
    from django.contrib.sessions.backends.db import SessionStore

    def sign_in(user):
        session = SessionStore()
        session[SESSION_KEY], session[BACKEND_SESSION_KEY] = str(user.pk), "django.contrib.auth.backends.ModelBackend"
        session[HASH_SESSION_KEY] = user.get_session_auth_hash()
        session.save()
        context.add_cookies([{"name": "sessionid", "value": session.session_key, "url": live_server.url}])

    sign_in(analyst)
    page.goto(f"{live_server.url}/feedback/kpis/")
    assert page.get_by_role("heading", name=t["report"]).is_visible()
    page.wait_for_selector("#chart-questions[data-rendered='1']")
    page.wait_for_selector("#chart-months[data-rendered='1']")
    assert page.locator("[data-weak]").first.get_attribute("data-weak") == "after_sales"
    shots(page, f"{language}-report")

    sign_in(agent)
    page.goto(f"{live_server.url}/feedback/followups/")
    shots(page, f"{language}-followups")
    page.locator("[data-followup] a").first.click()
    page.locator("input[value='issue_found']").check()
    page.locator("textarea[name='note']").fill("客户反映工程师迟到。")
    with page.expect_navigation():
        page.locator("button[value='outcome']").click()
    assert t["saved"] in page.content()
    shots(page, f"{language}-followup-done")
    # from the follow-up to the survey answer it came from: each question in the reader's language
    with page.expect_navigation():
        page.locator("dl.kv a[href*='/feedback/surveys/']").click()
    assert page.get_by_role("heading", name=t["answer"]).is_visible()
    question = page.locator("tr[data-question='after_sales'] td").first.inner_text()
    assert ("售后服务" if language == "zh-hans" else "after-sales service") in question, question
    assert page.locator("[data-followup]").count() == 1
    shots(page, f"{language}-survey-answer")
    context.close()
