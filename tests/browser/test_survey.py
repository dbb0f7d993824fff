"""A customer answers a satisfaction survey from their link on a 375 × 812 phone, in English
and in Chinese: the page opens without login in the invitation's language, a missing answer is
pointed out, the answers are sent once, and the link then says it was already answered."""

import pytest

from feedback import services
from feedback.models import Invitation, Response
from tests.factories import CustomerFactory, UserFactory

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True, serialized_rollback=True)]

PHONE = {"width": 375, "height": 812}
TEXT = {
    "en": {
        "title": "How satisfied are you?",
        "missing": "Please answer this question.",
        "send": "Send my answers",
        "thanks": "Thank you!",
        "again": "Already answered",
        "switch": "English",
    },
    "zh-hans": {
        "title": "您满意吗?",
        "missing": "请回答此问题。",
        "send": "提交",
        "thanks": "谢谢!",
        "again": "已经提交",
        "switch": "简体中文",
    },
}
CHOICES = {"quality": 9, "price": 7, "delivery": 10, "packaging": 8, "after_sales": 6}


@pytest.mark.parametrize("language", ["en", "zh-hans"])
def test_a_customer_answers_a_survey_on_a_phone(chromium, live_server, shots, language):
    t = TEXT[language]
    customer = CustomerFactory(name="陈晓明")
    invitation, raw = services.survey_invite(actor=UserFactory(role="agent"), customer_id=customer.pk)
    Invitation.objects.filter(pk=invitation.pk).update(language=language)
    other = "en" if language == "zh-hans" else "zh-hans"

    context = chromium.new_context(viewport=PHONE, device_scale_factor=2, is_mobile=True, has_touch=True, locale=other)
    page = context.new_page()
    page.goto(f"{live_server.url}/s/{raw}/")
    # the invitation's language, not the browser's; nothing wider than the phone
    assert page.locator("html").get_attribute("lang") == language
    assert page.get_by_role("heading", name=t["title"]).is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
    shots(page, f"{language}-open")

    # every question but one answered: the missing one is pointed out, the others kept
    for code, value in list(CHOICES.items())[:-1]:
        page.locator(f'[data-question="{code}"] label.point:has(input[value="{value}"])').tap()
    with page.expect_navigation():
        page.get_by_role("button", name=t["send"]).tap()
    assert page.locator('[data-question="after_sales"] .field-error').inner_text() == t["missing"]
    assert page.locator('[data-question="quality"] input[value="9"]').is_checked()
    assert not Response.objects.exists()
    shots(page, f"{language}-missing")

    page.locator('[data-question="after_sales"] label.point:has(input[value="6"])').tap()
    page.locator("textarea").fill("安装师傅很准时。" if language == "zh-hans" else "The engineer was on time.")
    with page.expect_navigation():
        page.get_by_role("button", name=t["send"]).tap()
    assert page.get_by_role("heading", name=t["thanks"]).is_visible()
    shots(page, f"{language}-thanks")
    response = Response.objects.get()
    # (9×30 + 7×15 + 10×15 + 8×10 + 6×30) ×10 / 100 = 78.50: not satisfied (< 85)
    assert float(response.score) == 78.5 and not response.satisfied

    # the link once more: answered, nothing changed
    page.goto(f"{live_server.url}/s/{raw}/")
    assert page.get_by_role("heading", name=t["again"]).is_visible()
    shots(page, f"{language}-again")
    # switching the language on the page
    page.goto(f"{live_server.url}/s/{raw}/?lang={other}")
    assert page.locator("html").get_attribute("lang") == other
    assert Response.objects.count() == 1
    context.close()
