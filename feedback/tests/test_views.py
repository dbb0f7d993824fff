"""The pages: the customer's survey link (no login, CSRF, refusals), the staff lists by role,
masked names, fixed query counts, the follow-up outcome form, the KPI page, the call form."""

import datetime as dt
import re

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from core.models import AuditLog
from feedback import services
from feedback.choices import FollowUpReason
from feedback.models import FollowUp, Invitation, Response
from tests.factories import CustomerFactory, UserFactory, WorkOrderFactory

from .helpers import GOOD, answers, invite

pytestmark = pytest.mark.django_db
ROLES = [
    "agent",
    "tech_support",
    "engineer",
    "complaint_handler",
    "supervisor",
    "manager",
    "finance",
    "quality",
    "analyst",
    "admin",
    "customer",
]
PAGES = {
    "feedback:surveys": {
        "agent",
        "tech_support",
        "complaint_handler",
        "supervisor",
        "manager",
        "quality",
        "analyst",
        "admin",
    },
    "feedback:followups": {"agent", "complaint_handler", "supervisor", "manager", "admin"},
    "feedback:record": {"agent", "complaint_handler", "supervisor", "manager", "admin"},
    "feedback:kpis": {"supervisor", "manager", "quality", "analyst", "admin"},
}


def client_for(user=None, lang="en", **kw):
    c = Client(HTTP_ACCEPT_LANGUAGE=lang, **kw)
    if user is not None:
        c.force_login(user)
    return c


@pytest.fixture
def link():
    return invite(CustomerFactory(name="王小明"), actor=UserFactory(role="agent"))


# --- the customer's survey page ----------------------------------------------------------------


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_survey_page_opens_without_login_in_the_invitations_language_and_switches(link, lang):
    invitation, raw = link
    Invitation.objects.filter(pk=invitation.pk).update(language=lang)
    page = client_for(lang="en").get(f"/s/{raw}/")
    assert page.status_code == 200
    html = page.content.decode()
    assert f'<html lang="{lang}">' in html
    assert ("How satisfied are you?" in html) == (lang == "en")
    assert ("产品质量" in html) == (lang == "zh-hans")
    other = "zh-hans" if lang == "en" else "en"
    assert f'<html lang="{other}">' in client_for().get(f"/s/{raw}/?lang={other}").content.decode()
    assert page["Cache-Control"].startswith("max-age=0")


def test_answering_on_the_page_needs_the_csrf_token_and_then_thanks(link):
    invitation, raw = link
    c = client_for(enforce_csrf_checks=True)
    page = c.get(f"/s/{raw}/")
    assert c.post(f"/s/{raw}/", GOOD).status_code == 403  # no CSRF token
    assert Invitation.objects.get(pk=invitation.pk).answered_at is None
    csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.content.decode()).group(1)
    done = c.post(f"/s/{raw}/", {**GOOD, "csrfmiddlewaretoken": csrf})
    assert done.status_code == 200 and "Thank you!" in done.content.decode()
    assert Response.objects.get().score == 90
    again = c.get(f"/s/{raw}/")
    assert again.status_code == 409 and "Already answered" in again.content.decode()


def test_a_missing_answer_shows_the_form_again_with_the_error(link):
    invitation, raw = link
    r = client_for().post(f"/s/{raw}/", {**GOOD, "quality": ""})
    assert r.status_code == 422 and "Please answer this question." in r.content.decode()
    assert 'value="8" checked' in r.content.decode()  # the other answers are kept
    assert Invitation.objects.get(pk=invitation.pk).answered_at is None


@pytest.mark.parametrize("case", ["expired", "forged", "guessed"])
def test_expired_forged_and_guessed_links_get_a_clear_page_and_change_nothing(link, case):
    invitation, raw = link
    if case == "expired":
        Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - dt.timedelta(minutes=1))
        token, status, text = raw, 410, "This link has expired"
    elif case == "forged":
        token, status, text = raw[:-3] + "abc", 404, "Link not valid"
    else:
        token, status, text = services.new_token()[0], 404, "Link not valid"
    for r in (client_for().get(f"/s/{token}/"), client_for().post(f"/s/{token}/", GOOD)):
        assert r.status_code == status and text in r.content.decode()
    assert Invitation.objects.get(pk=invitation.pk).answered_at is None and not Response.objects.exists()


def test_the_survey_page_costs_few_queries(link, django_assert_max_num_queries):
    _inv, raw = link
    with django_assert_max_num_queries(4):  # invitation (+ version, customer), questions, session-less
        assert client_for().get(f"/s/{raw}/").status_code == 200


# --- staff pages by role ------------------------------------------------------------------------


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_opens_for_its_roles_only(role, page):
    user = UserFactory(role=role)
    if role == "customer":
        CustomerFactory(user=user)
    r = client_for(user).get(reverse(page))
    assert r.status_code == (200 if role in PAGES[page] else 403)


def test_anonymous_staff_pages_go_to_login():
    for page in PAGES:
        r = client_for().get(reverse(page))
        assert r.status_code == 302 and "login" in r.url


def _answered(n, *, agent):
    for i in range(n):
        _inv, raw = invite(CustomerFactory(name=f"李四{i}"), actor=agent)
        services.survey_answer(token=raw, answers=answers(quality=i % 11))


def queries_for(client, url) -> int:
    with CaptureQueriesContext(connection) as ctx:
        r = client.get(url)
    assert r.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize("role", ["analyst", "supervisor"])
def test_the_survey_list_masks_names_for_roles_without_the_right_and_keeps_its_query_count(role):
    agent = UserFactory(role="agent")
    _answered(3, agent=agent)
    c = client_for(UserFactory(role=role))
    url = reverse("feedback:surveys")
    html = c.get(url).content.decode()
    if role == "analyst":
        assert "李四0" not in html and "李*" in html
    else:
        assert "李四0" in html
    few = queries_for(c, url)
    _answered(30, agent=agent)
    many = queries_for(c, url)
    cursor = re.search(r"cursor=([^\"&]+)", c.get(url).content.decode()).group(1)
    deep = queries_for(c, f"{url}?cursor={cursor}")
    assert few == many == deep <= 9


def test_the_follow_up_list_is_keyset_with_a_fixed_query_count():
    agent = UserFactory(role="agent")
    now = timezone.now()
    for _ in range(3):
        services._followup(customer_id=CustomerFactory().pk, reason=FollowUpReason.KEY_VISIT, now=now)
    c = client_for(agent)
    url = reverse("feedback:followups")
    few = queries_for(c, url)
    for _ in range(30):
        services._followup(
            customer_id=CustomerFactory().pk, reason=FollowUpReason.KEY_VISIT, now=now - dt.timedelta(days=5)
        )
    many = queries_for(c, url)
    html = c.get(url).content.decode()
    assert "Overdue" in html
    cursor = re.search(r"cursor=([^\"&]+)", html).group(1)
    assert few == many == queries_for(c, f"{url}?cursor={cursor}") <= 9
    assert client_for(agent).get(url, {"cursor": "!!"}).status_code == 400


def test_the_follow_up_page_records_the_outcome():
    agent = UserFactory(role="agent")
    f = services._followup(customer_id=CustomerFactory().pk, reason=FollowUpReason.LOW_SCORE, now=timezone.now())
    c = client_for(agent)
    url = reverse("feedback:followup", args=[f.pk])
    assert c.get(url).status_code == 200
    bad = c.post(url, {"action": "outcome", "outcome": "issue_found", "note": ""})
    assert bad.status_code == 422 and "Describe what happened." in bad.content.decode()
    assert FollowUp.objects.get(pk=f.pk).status == "open"
    ok = c.post(url, {"action": "outcome", "outcome": "issue_found", "note": "Needs a new seal."})
    assert ok.status_code == 302
    assert FollowUp.objects.get(pk=f.pk).outcome == "issue_found"
    assert client_for(UserFactory(role="engineer")).get(url).status_code == 403
    assert c.get(reverse("feedback:followup", args=[999999])).status_code == 404


def test_the_kpi_page_shows_the_figures_and_the_chart_data():
    _answered(2, agent=UserFactory(role="agent"))
    c = client_for(UserFactory(role="quality"))
    r = c.get(reverse("feedback:kpis"))
    html = r.content.decode()
    assert r.status_code == 200 and 'id="survey-data"' in html and "Weakest items" in html
    assert c.get(reverse("feedback:kpis"), {"date_from": "2026-07-01", "date_to": "2026-06-01"}).status_code == 400


def test_an_agent_records_a_survey_on_a_call():
    agent = UserFactory(role="agent")
    order = WorkOrderFactory(status="closed")
    c = client_for(agent)
    url = reverse("feedback:record")
    assert c.get(url, {"order": "WO99999999"}).status_code == 400
    page = c.get(url, {"order": order.number})
    assert page.status_code == 200 and "Save the survey" in page.content.decode()
    r = c.post(f"{url}?order={order.number}", GOOD)
    assert r.status_code == 302
    response = Response.objects.get()
    assert response.channel == "phone" and response.invitation.order == order and response.recorded_by == agent


def test_a_customers_pending_survey_shows_in_the_portal_and_is_answered_there(customer_user):
    agent = UserFactory(role="agent")
    invitation, _raw = invite(customer_user.customer, actor=agent)
    other_user = UserFactory(role="customer")
    other, _ = invite(CustomerFactory(user=other_user), actor=agent)
    c = client_for(customer_user)
    home = c.get(reverse("portal:home")).content.decode()
    assert reverse("feedback:own_survey", args=[invitation.pk]) in home
    assert reverse("feedback:own_survey", args=[other.pk]) not in home
    assert c.get(reverse("feedback:own_survey", args=[other.pk])).status_code == 404
    r = c.post(reverse("feedback:own_survey", args=[invitation.pk]), GOOD)
    assert r.status_code == 200 and Response.objects.get().invitation_id == invitation.pk
    assert reverse("feedback:own_survey", args=[invitation.pk]) not in c.get(reverse("portal:home")).content.decode()


# --- one answered survey -----------------------------------------------------------------------


def _low_answer_on_an_order():
    agent = UserFactory(role="agent")
    customer = CustomerFactory(name="王小明")
    order = WorkOrderFactory(customer=customer)
    response = services.survey_record_call(
        actor=agent,
        customer_id=customer.pk,
        order_id=order.pk,
        answers=answers(quality=2, after_sales=3, comment="太慢了，很失望。"),
    )
    return response, order


@pytest.mark.parametrize("role", ROLES)
def test_the_survey_answer_page_opens_for_the_roles_that_see_surveys(role):
    response, _order = _low_answer_on_an_order()
    user = UserFactory(role=role)
    if role == "customer":
        CustomerFactory(user=user)
    r = client_for(user).get(reverse("feedback:response", args=[response.pk]))
    assert r.status_code == (200 if role in PAGES["feedback:surveys"] else 403)


@pytest.mark.parametrize("lang", ["en", "zh-hans"])
def test_the_survey_answer_page_shows_each_answer_in_the_readers_language(lang, django_assert_max_num_queries):
    # given a low answer recorded on a call about an order (it opened a follow-up)
    response, order = _low_answer_on_an_order()
    supervisor = UserFactory(role="supervisor")
    c = client_for(supervisor, lang=lang)
    url = reverse("feedback:response", args=[response.pk])
    # when a supervisor opens it
    with django_assert_max_num_queries(12):
        html = c.get(url).content.decode()
    # then each question is labelled in the reader's language with the answer and its score
    q = dict(response.version.questions.values_list("code", "text" if lang == "zh-hans" else "text_en"))
    for code in ("quality", "after_sales", "comment"):
        assert f'data-question="{code}"' in html and q[code] in html
    assert f"{response.score} / 100" in html and "太慢了，很失望。" in html
    assert (("Not satisfied" if lang == "en" else "不满意") in html) and order.number in html
    followup = FollowUp.objects.get(response=response)
    assert f'data-followup="{followup.pk}"' in html and reverse("feedback:followup", args=[followup.pk]) in html
    # and the name is shown in full to a supervisor, the view logged (field names only)
    assert "王小明" in html
    logged = AuditLog.objects.filter(action="view_pii", actor=supervisor).latest("id")
    assert logged.after["fields"] == ["name"] and "王小明" not in str(logged.after)
    # and masked to an analyst, who may read surveys but not names; the lists and the follow-up link here
    html = client_for(UserFactory(role="analyst"), lang=lang).get(url).content.decode()
    assert "王小明" not in html and "王**" in html
    assert url in c.get(reverse("feedback:surveys")).content.decode()
    assert url in c.get(reverse("feedback:followup", args=[followup.pk])).content.decode()


def test_a_missing_survey_answer_reads_as_not_found():
    c = client_for(UserFactory(role="supervisor"))
    assert c.get(reverse("feedback:response", args=[999999])).status_code == 404
    assert c.get("/feedback/surveys/abc/").status_code == 404
