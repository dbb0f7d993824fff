"""The audit log page and its export: filters, Beijing days, pages, masking, the export's own
row, bad input as 400, a fixed number of queries."""

import csv
import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from accounts import views
from core.models import AuditLog
from tests.factories import UserFactory

PAGE_URL = "/audit/"
EXPORT_URL = "/audit/export.csv"
SHANGHAI = ZoneInfo("Asia/Shanghai")


def row(*, actor=None, action="update", object_type="service.workorder", object_id="1", at=None, **kw):
    entry = AuditLog(actor=actor, action=action, object_type=object_type, object_id=object_id, **kw)
    if at is not None:
        entry.at = at
    entry.save()
    return entry


@pytest.fixture
def admin(db):
    return UserFactory(role="admin", username="root.admin")


@pytest.fixture
def browser(admin):
    client = Client()
    client.force_login(admin)
    return client


def shown_ids(response) -> list[int]:
    return [r["row"].pk for r in response.context["rows"]]


def test_newest_first_by_time_not_by_id(browser):
    # given rows written out of time order (as a service given ``now`` writes them)
    late = row(at=dt.datetime(2026, 5, 2, 12, tzinfo=dt.UTC))
    early = row(at=dt.datetime(2026, 5, 1, 12, tzinfo=dt.UTC))

    # when
    ids = shown_ids(browser.get(PAGE_URL))

    # then
    assert ids.index(late.pk) < ids.index(early.pk)


@pytest.mark.parametrize(
    "query, expected",
    [
        ({"actor": "agent.li"}, {"by_agent"}),
        ({"object_type": "customers.customer"}, {"customer"}),
        ({"object_type": "service.workorder", "object_id": "7"}, {"order7"}),
        ({"action": "transition"}, {"order7"}),
    ],
    ids=["actor", "type", "type-and-id", "action"],
)
def test_filters(browser, query, expected):
    agent = UserFactory(role="agent", username="agent.li")
    made = {
        "by_agent": row(actor=agent, object_id="3"),
        "customer": row(object_type="customers.customer", object_id="9", action="create"),
        "order7": row(object_id="7", action="transition"),
    }
    ids = set(shown_ids(browser.get(PAGE_URL, query)))
    assert {k for k, r in made.items() if r.pk in ids} == expected


def test_the_period_is_in_beijing_days(browser):
    # given rows just before and just after midnight of 1 May in Beijing
    before = row(at=dt.datetime(2026, 4, 30, 23, 59, tzinfo=SHANGHAI))
    first = row(at=dt.datetime(2026, 5, 1, 0, 0, tzinfo=SHANGHAI))
    last = row(at=dt.datetime(2026, 5, 1, 23, 59, tzinfo=SHANGHAI))
    after = row(at=dt.datetime(2026, 5, 2, 0, 0, tzinfo=SHANGHAI))

    # when
    ids = set(shown_ids(browser.get(PAGE_URL, {"date_from": "2026-05-01", "date_to": "2026-05-01"})))

    # then
    assert ids == {first.pk, last.pk}
    assert not ids & {before.pk, after.pk}


@pytest.mark.parametrize(
    "query, message",
    [
        ({"date_from": "2026-13-01"}, "有效的日期"),
        ({"date_from": "1900-01-01"}, "2000-01-01"),
        ({"date_from": "2026-05-02", "date_to": "2026-05-01"}, "早于"),
        ({"cursor": "!!"}, "游标"),
        ({"cursor": "WyJ4Il0"}, "游标"),
    ],
    ids=["impossible-day", "far-past", "reversed", "bad-alphabet", "forged"],
)
def test_bad_input_is_a_400_in_chinese(browser, query, message):
    response = browser.get(PAGE_URL, query, HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert message in response.content.decode()
    if "cursor" not in query:  # the export takes every row, whatever page the page was on
        assert browser.get(EXPORT_URL, query).status_code == 400


def test_pages_follow_each_other(browser, monkeypatch):
    monkeypatch.setattr(views, "PAGE", 2)
    base = dt.datetime(2026, 5, 1, tzinfo=dt.UTC)
    made = [row(object_id=str(i), at=base + dt.timedelta(minutes=i % 3)) for i in range(5)]
    seen, url = [], PAGE_URL
    while url:
        response = browser.get(url)
        seen += shown_ids(response)
        url = f"{PAGE_URL}?{response.context['next_qs']}" if response.context["next_qs"] else None
    expected = sorted(made, key=lambda r: (r.at, r.pk), reverse=True)
    assert seen == [r.pk for r in expected]


def test_the_page_costs_the_same_for_3_and_30_rows(browser):
    actors = [UserFactory(role="agent") for _ in range(3)]
    for i in range(3):
        row(actor=actors[i % 3], object_id=str(i))
    browser.get(PAGE_URL)
    with CaptureQueriesContext(connection) as few:
        browser.get(PAGE_URL)
    for i in range(27):
        row(actor=UserFactory(role="agent"), object_id=str(i))
    with CaptureQueriesContext(connection) as many:
        browser.get(PAGE_URL)
    # session, user, page, figures, the bell's unread count
    assert len(many.captured_queries) == len(few.captured_queries) <= 5


def test_personal_data_is_masked(db):
    # given a change to an order's contact details and a customer's row
    row(
        before={"contact_phone": "13812345678"},
        after={"contact_phone": "13900001111", "address": "广东省深圳市南山区科技园1号"},
    )
    row(object_type="customers.customer", object_repr="张三丰", after={"name": "张三丰", "email": "zhang@example.com"})

    # when a manager (names in full) and an auditor without names read it
    def page(user):
        client = Client()
        client.force_login(user)
        return client.get(PAGE_URL).content.decode()

    html = page(UserFactory(role="manager"))

    # then phones, addresses and e-mails are masked, names only for those without them
    for secret in ("13812345678", "13900001111", "科技园1号", "zhang@example.com"):
        assert secret not in html
    assert "138****5678" in html and "z***@example.com" in html
    assert "张三丰" in html


def test_masking_of_names_follows_the_capability():
    from accounts.auditlog import masked

    assert masked({"contact_name": "张三丰", "username": "li"}, names_clear=False) == {
        "contact_name": "张**",
        "username": "li",
    }
    assert masked({"contact_name": "张三丰"}, names_clear=True) == {"contact_name": "张三丰"}


def test_the_export_is_the_filtered_rows_and_is_itself_logged(browser, admin):
    # given
    agent = UserFactory(role="agent", username="agent.li")
    mine = row(actor=agent, object_id="1", after={"contact_phone": "13812345678"})
    row(object_id="2")

    # when
    response = browser.get(EXPORT_URL, {"actor": "agent.li"})
    body = b"".join(response.streaming_content).decode("utf-8-sig")

    # then
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    lines = list(csv.reader(io.StringIO(body)))
    assert lines[0][:4] == ["id", "at", "actor", "action"]
    assert [int(r[0]) for r in lines[1:]] == [mine.pk]
    assert "13812345678" not in body and "138****5678" in body
    logged = AuditLog.objects.get(action="export", actor=admin)
    assert logged.after == {"filters": {"actor": "agent.li"}, "rows": 1}


def test_a_cell_a_spreadsheet_would_run_is_quoted(browser):
    row(object_repr="=HYPERLINK(1)")
    body = b"".join(browser.get(EXPORT_URL).streaming_content).decode("utf-8-sig")
    assert "'=HYPERLINK(1)" in body


def test_too_wide_an_export_is_refused(browser, monkeypatch):
    from accounts import auditlog

    monkeypatch.setattr(auditlog, "EXPORT_MAX", 1)
    row(object_id="1")
    row(object_id="2")
    response = browser.get(EXPORT_URL, HTTP_ACCEPT_LANGUAGE="en")
    assert response.status_code == 400
    assert "narrow the filter" in response.content.decode()
    assert not AuditLog.objects.filter(action="export").exists()


@pytest.mark.parametrize("role", ["agent", "finance", "analyst", "engineer", "customer"], ids=str)
def test_the_export_is_for_admins_and_auditors_only(db, role):
    client = Client()
    client.force_login(UserFactory(role=role))
    assert client.get(EXPORT_URL).status_code == 403
    assert not AuditLog.objects.filter(action="export").exists()


def test_the_figures_count_the_last_24_hours(browser):
    from django.utils import timezone

    row(action="denied")
    row(action="reveal_pii")
    row(action="update", at=timezone.now() - dt.timedelta(days=2))
    counts = browser.get(PAGE_URL).context["counts"]
    assert counts == {"total": 2, "denied": 1, "reveals": 1}


@pytest.mark.parametrize(
    "action, object_type, english, chinese",
    [
        ("transition:schedule", "service.workorder", "Schedule", "预约排期"),
        ("transition:classify", "complaints.complaint", "Classify and name the owner", "分类并指定负责人"),
        ("create", "service.quote", "Created", "创建"),
        ("denied", "http", "Request refused", "请求被拒绝"),
        ("check_in", "service.workorderevent", "Checked in on site", "已上门签到"),
        ("made_up_code", "service.workorder", "made_up_code", "made_up_code"),
    ],
)
def test_actions_and_object_types_are_shown_by_name_in_both_languages(browser, action, object_type, english, chinese):
    # given one row of each kind (the page keeps the codes for the filter links)
    row(action=action, object_type=object_type)

    # when
    en = browser.get(PAGE_URL, headers={"accept-language": "en"})
    zh = browser.get(PAGE_URL, headers={"accept-language": "zh-hans"})

    # then the action is named, in the reader's language, the code kept as the link's filter
    link = f'<a href="?action={action.replace(":", "%3A")}" title="{action}">'
    assert f"{link}{english}</a>" in en.content.decode()
    assert f"{link}{chinese}</a>" in zh.content.decode()


def test_object_types_are_named_by_their_model():
    from core.audit import object_type_label

    with translation.override("en"):
        assert str(object_type_label("service.workorder")) == "work order"
        assert str(object_type_label("http")) == "HTTP request"
    with translation.override("zh-hans"):
        assert str(object_type_label("service.workorder")) == "工单"
    assert object_type_label("gone.model") == "gone.model"
