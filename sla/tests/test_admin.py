"""Calendar and policy administration: admin screens, the year view, the import command."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.cache import cache
from django.core.management import CommandError, call_command

from core.models import AuditLog
from sla import engine
from sla.models import BusinessCalendar, CalendarDay, CalendarYear, SlaPolicy
from tests.factories import UserFactory

SH = ZoneInfo("Asia/Shanghai")
TODAY = dt.datetime(2026, 11, 23, 10, 0, tzinfo=SH)  # 2027's schedule is not published yet
CSV_2027 = """date,kind,name
2027-01-01,holiday,元旦
2027-02-06,workday,春节
2027-02-07,holiday,春节
2027-02-08,holiday,春节
"""


@pytest.fixture(autouse=True)
def fresh_calendar_cache():
    """Calendars are compiled once and cached; these tests change them (rolled back after)."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture
def admin_client(client, db):
    client.force_login(UserFactory(role="admin", is_superuser=True, is_staff=True))
    return client


@pytest.fixture
def cn(db):
    return BusinessCalendar.objects.get(code="cn")


def login(client, role):
    client.force_login(UserFactory(role=role))
    return client


def resolution_due(start: dt.datetime):
    policy = SlaPolicy.objects.get(code="complaint")
    return next(r for r in engine.preview(policy, start) if r.clock == "resolution")


# --- admin screens ----------------------------------------------------------------------------


def test_calendar_changelist_warns_that_next_year_is_missing(admin_client, cn):
    with time_machine.travel(TODAY, tick=False):
        response = admin_client.get("/admin/sla/businesscalendar/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "2027" in body and "provisional" in body
    assert "/sla/calendars/cn/2026/" in body


def test_no_warning_once_next_year_is_confirmed(admin_client, cn):
    CalendarYear.objects.create(calendar=cn, year=2027, source="test")
    with time_machine.travel(TODAY, tick=False):
        body = admin_client.get("/admin/sla/businesscalendar/").content.decode()
    assert "provisional" not in body


@pytest.mark.parametrize(
    "path",
    [
        "/admin/sla/businesscalendar/{cn}/change/",
        "/admin/sla/slapolicy/",
        "/admin/sla/slapolicy/{policy}/change/",
        "/admin/sla/calendarday/?date__year=2026",
        "/admin/sla/slapolicy/add/",
    ],
    ids=["calendar", "policies", "policy", "days", "new-policy"],
)
def test_admin_pages_render(admin_client, cn, path):
    policy = SlaPolicy.objects.get(code="standard")
    response = admin_client.get(path.format(cn=cn.pk, policy=policy.pk))
    assert response.status_code == 200


def test_a_day_added_in_the_admin_is_used_for_new_deadlines(admin_client, cn):
    # given a complaint resolution due on 5 January 2027 (provisional weekday rule)
    start = dt.datetime(2026, 12, 15, 10, 0, tzinfo=SH)
    assert resolution_due(start).due_at == dt.datetime(2027, 1, 5, 18, 0, tzinfo=SH)

    # when an admin adds 31 December 2026 as a holiday
    response = admin_client.post(
        "/admin/sla/calendarday/add/", {"calendar": cn.pk, "date": "2026-12-31", "kind": "holiday", "name": "test"}
    )

    # then the engine recompiles the calendar at once
    assert response.status_code == 302
    assert resolution_due(start).due_at == dt.datetime(2027, 1, 6, 18, 0, tzinfo=SH)


def test_calendar_with_bad_windows_is_refused(admin_client, cn):
    data = {
        "code": cn.code,
        "name": cn.name,
        "region": "",
        "is_default": "on",
        "tz": "Asia/Shanghai",
        "windows": '{"0": [["18:00", "09:00"]]}',
        "adjusted_day_windows": "null",
        "years-TOTAL_FORMS": "0",
        "years-INITIAL_FORMS": "0",
        "days-TOTAL_FORMS": "0",
        "days-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/sla/businesscalendar/{cn.pk}/change/", data)
    assert response.status_code == 200
    assert "Working windows are not valid" in response.content.decode()
    cn.refresh_from_db()
    assert cn.windows["0"] == [["09:00", "12:00"], ["13:00", "18:00"]]


def test_policy_with_bad_filters_is_refused(admin_client):
    policy = SlaPolicy.objects.get(code="standard")
    data = {
        "code": policy.code,
        "name": policy.name,
        "rank": 100,
        "active": "on",
        "calendar": "",
        "service_types": '"repair"',
        "priorities": "[]",
        "customer_tiers": "[]",
        "industrial": "unknown",
        "regions": "[]",
        "pause_on": ["customer"],
        "at_risk_ratio": "1.50",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)
    assert response.status_code == 200
    body = response.content.decode()
    assert "Enter a list of codes" in body and "between 0 and 1" in body


# --- year view --------------------------------------------------------------------------------


@pytest.mark.parametrize("role", ["manager", "admin"], ids=["manager", "admin"])
def test_year_view_shows_holidays_and_adjusted_working_days(client, cn, role):
    # when
    with time_machine.travel(TODAY, tick=False):
        response = login(client, role).get("/sla/calendars/cn/2026/")

    # then National Day is red, Saturday 10 October (调休) is blue, and 2027 is flagged missing
    assert response.status_code == 200
    body = response.content.decode()
    assert '<td class="holiday" title="National Day">1</td>' in body
    assert '<td class="workday" title="National Day">10</td>' in body
    assert '<td class="holiday" title="Spring Festival">17</td>' in body
    assert "China (mainland) · 2026" in body and "中国大陆" not in body
    assert "2026-10-10" in body
    assert "The official holiday schedule for 2027 is not entered" in body
    assert "Official schedule confirmed (source: chinesecalendar)" in body
    assert len(response.context["months"]) == 12


def test_year_view_names_the_calendar_and_holidays_in_chinese_in_chinese(client, cn):
    # when the manager reads the year in Chinese
    with time_machine.travel(TODAY, tick=False):
        response = login(client, "manager").get("/sla/calendars/cn/2026/", headers={"accept-language": "zh-hans"})

    # then the calendar and the holidays carry their Chinese names
    body = response.content.decode()
    assert "中国大陆 · 2026" in body and "China (mainland)" not in body
    assert '<td class="holiday" title="国庆节">1</td>' in body and "National Day" not in body


def test_year_view_of_an_unconfirmed_year_says_so(client, cn):
    response = login(client, "manager").get("/sla/calendars/cn/2027/")
    assert response.status_code == 200
    assert "This year is not confirmed on this calendar" in response.content.decode()


@pytest.mark.parametrize(
    "role, path, status",
    [
        ("agent", "/sla/calendars/cn/2026/", 403),
        ("customer", "/sla/calendars/cn/2026/", 403),
        ("engineer", "/sla/calendars/", 403),
        ("manager", "/sla/calendars/nope/2026/", 404),
        ("manager", "/sla/calendars/cn/1800/", 404),
        ("manager", "/sla/calendars/", 200),
    ],
    ids=["agent", "customer", "engineer-list", "unknown-calendar", "absurd-year", "manager-list"],
)
def test_year_view_access(client, cn, role, path, status):
    assert login(client, role).get(path).status_code == status


def test_calendar_list_shows_the_confirmed_years(client, cn):
    with time_machine.travel(TODAY, tick=False):
        body = login(client, "manager").get("/sla/calendars/").content.decode()
    assert "2004–2026 (23)" in body
    assert "/sla/calendars/cn/2027/" in body
    assert "The official holiday schedule for 2027 is not entered" in body


def test_year_view_needs_a_login(client, db):
    response = client.get("/sla/calendars/cn/2026/")
    assert response.status_code == 302
    assert "/login/" in response["Location"]


# --- import command ---------------------------------------------------------------------------


def test_import_from_the_package_is_idempotent(cn):
    # given
    days = list(CalendarDay.objects.filter(calendar=cn, date__year=2026).values_list("date", "kind", "name"))

    # when
    call_command("sla_calendar_import", "--year", "2026")

    # then the same days, and an audit row
    after = list(CalendarDay.objects.filter(calendar=cn, date__year=2026).values_list("date", "kind", "name"))
    assert sorted(after) == sorted(days)
    assert CalendarYear.objects.get(calendar=cn, year=2026).source == "chinesecalendar"
    assert AuditLog.objects.filter(action="calendar_import", object_id=str(cn.pk)).exists()


def test_import_of_a_year_the_package_lacks_is_refused_clearly(cn):
    with pytest.raises(CommandError, match="no schedule for 2099"):
        call_command("sla_calendar_import", "--year", "2099")
    assert not CalendarYear.objects.filter(year=2099).exists()


def test_import_from_csv_confirms_the_year_and_ends_provisional_deadlines(cn, tmp_path):
    # given a complaint from 15 December 2026, due 5 January 2027 by the weekday rule
    start = dt.datetime(2026, 12, 15, 10, 0, tzinfo=SH)
    assert resolution_due(start).provisional is True
    path = tmp_path / "2027.csv"
    path.write_text(CSV_2027, encoding="utf-8")

    # when an admin imports the published 2027 schedule
    call_command("sla_calendar_import", "--year", "2027", "--csv", str(path), "--calendar", "cn")

    # then 1 January 2027 is a holiday and the deadline is confirmed
    assert CalendarYear.objects.get(calendar=cn, year=2027).source == "csv:2027.csv"
    assert CalendarDay.objects.get(calendar=cn, date="2027-02-06").kind == "workday"
    due = resolution_due(start)
    assert due.due_at == dt.datetime(2027, 1, 6, 18, 0, tzinfo=SH)
    assert due.provisional is False


@pytest.mark.parametrize(
    "text, message",
    [
        ("2027-13-01,holiday,x\n", "not a date"),
        ("2027-01-01,vacation,x\n", "holiday or workday"),
        ("2028-01-01,holiday,x\n", "not in 2027"),
        ("date,kind,name\n", "no holiday or working-day rows"),
        ("2027-01-01,holiday,x\n2027-01-01,workday,y\n", "both holiday and working day"),
    ],
    ids=["bad-date", "bad-kind", "other-year", "empty", "conflict"],
)
def test_bad_csv_is_refused_and_changes_nothing(cn, tmp_path, text, message):
    path = tmp_path / "bad.csv"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(CommandError, match=message):
        call_command("sla_calendar_import", "--year", "2027", "--csv", str(path))
    assert not CalendarYear.objects.filter(calendar=cn, year=2027).exists()
    assert not CalendarDay.objects.filter(calendar=cn, date__year=2027).exists()


@pytest.mark.parametrize(
    "args, message",
    [
        (["--year", "2027", "--calendar", "nope"], "no calendar"),
        (["--year", "2027", "--csv", "/no/such.csv"], "no such file"),
        (["--year", "99999"], "between"),
    ],
    ids=["unknown-calendar", "missing-file", "absurd-year"],
)
def test_import_argument_errors(cn, args, message):
    with pytest.raises(CommandError, match=message):
        call_command("sla_calendar_import", *args)


def test_policy_pauses_on_the_waits_ticked_in_the_admin(admin_client):
    # given the standard policy's form, in Chinese: the waits are offered by their translated names
    policy = SlaPolicy.objects.get(code="standard")
    page = admin_client.get(f"/admin/sla/slapolicy/{policy.pk}/change/", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert page.status_code == 200
    body = page.content.decode()
    assert 'name="pause_on" value="customer"' in body and 'name="pause_on" value="parts"' in body
    assert "等待客户" in body and "等待配件" in body

    # when an admin ticks both waits and saves
    data = {
        "code": policy.code,
        "name": policy.name,
        "rank": 100,
        "active": "on",
        "case_type": "work_order",
        "calendar": "",
        "service_types": "[]",
        "priorities": "[]",
        "customer_tiers": "[]",
        "industrial": "unknown",
        "regions": "[]",
        "pause_on": ["customer", "parts"],
        "at_risk_ratio": "0.80",
        "targets-TOTAL_FORMS": "0",
        "targets-INITIAL_FORMS": "0",
    }
    response = admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)

    # then the policy pauses on both, and an unknown wait is refused
    assert response.status_code == 302
    policy.refresh_from_db()
    assert policy.pause_on == ["customer", "parts"]
    response = admin_client.post(
        f"/admin/sla/slapolicy/{policy.pk}/change/", data | {"pause_on": ["awaiting_customer"]}
    )
    assert response.status_code == 200
    policy.refresh_from_db()
    assert policy.pause_on == ["customer", "parts"]


@pytest.mark.parametrize(
    "clock, amount, message",
    [("response", 525_601, "525600"), ("resolution", 366, "At most 365 working days")],
    ids=["minutes", "working-days"],
)
def test_a_policy_target_beyond_what_the_engine_computes_is_refused(admin_client, clock, amount, message):
    # given the standard policy and its targets as the admin shows them
    policy = SlaPolicy.objects.get(code="standard")
    targets = list(policy.targets.order_by("id"))
    before = [(t.clock, t.clock_type, t.amount) for t in targets]
    data = {
        "code": policy.code,
        "name": policy.name,
        "rank": policy.rank,
        "active": "on",
        "case_type": "work_order",
        "calendar": "",
        "service_types": "[]",
        "priorities": "[]",
        "customer_tiers": "[]",
        "industrial": "unknown",
        "regions": "[]",
        "at_risk_ratio": "0.80",
        "targets-TOTAL_FORMS": str(len(targets)),
        "targets-INITIAL_FORMS": str(len(targets)),
    }
    for i, t in enumerate(targets):
        data |= {
            f"targets-{i}-id": t.pk,
            f"targets-{i}-policy": policy.pk,
            f"targets-{i}-clock": t.clock,
            f"targets-{i}-clock_type": t.clock_type,
            f"targets-{i}-amount": amount if t.clock == clock else t.amount,
        }

    # when a target is set beyond the largest amount
    response = admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", data)

    # then the form is shown again with the bound, and nothing changed
    assert response.status_code == 200
    assert message in response.content.decode()
    assert [(t.clock, t.clock_type, t.amount) for t in policy.targets.order_by("id")] == before
    # and at the bound itself it is saved
    bound = 525_600 if amount > 366 else 365
    ok = {k: (bound if k.endswith("-amount") and v == amount else v) for k, v in data.items()}
    assert admin_client.post(f"/admin/sla/slapolicy/{policy.pk}/change/", ok).status_code == 302
    assert policy.targets.get(clock=clock).amount == bound
