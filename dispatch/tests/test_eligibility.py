"""Every hard rule of ``dispatch.eligibility.evaluate``, one at a time (pure: no database)."""

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from core.geo import Point
from dispatch.availability import ShiftSpec, day_windows
from dispatch.eligibility import (
    Absence,
    CertificateSpec,
    Engineer,
    Job,
    RequirementSpec,
    Rules,
    SkillSpec,
    evaluate,
    ranked,
)
from sla.businesstime import WorkCalendar

SH = ZoneInfo("Asia/Shanghai")
# 2026-10-01..07 are the National Day holidays; Sunday 2026-09-27 is an adjusted working day.
CAL = WorkCalendar(
    windows={d: [("09:00", "12:00"), ("13:00", "18:00")] for d in range(5)},
    holidays=frozenset(dt.date(2026, 10, d) for d in range(1, 8)),
    workdays=frozenset({dt.date(2026, 9, 27)}),
)
NOW = dt.datetime(2026, 9, 21, 8, 0, tzinfo=SH)  # a Monday morning
AC, LOCK = 1, 2  # product-line ids
CERT = RequirementSpec(kind_id=7, label="制冷证", product_line_id=AC, service_type="installation")


def at(day, hour, minute=0):
    return dt.datetime(2026, 9, day, hour, minute, tzinfo=SH)


def engineer(**kw) -> Engineer:
    base = {
        "id": 1,
        "name": "Wang",
        "regions": ("广东省",),
        "skills": (SkillSpec(AC, "Air conditioner", "", 2),),
        "calendar": CAL,
    }
    return Engineer(**(base | kw))


def job(**kw) -> Job:
    return Job(
        **({"region": "广东省", "product_line_id": AC, "product_line_label": "AC", "service_type": "repair"} | kw)
    )


RULES = Rules(max_open_orders=5, daily_visits=2, requirements=(CERT,))


def verdict(e=None, j=None, rules=RULES, now=NOW):
    with translation.override("en"):
        return evaluate(e or engineer(), j or job(), rules, now=now)


def broken(v) -> list[str]:
    return [r.rule for r in v.failed]


@pytest.mark.parametrize(
    ("e", "j", "expected"),
    [
        # areas
        pytest.param({}, {}, [], id="area-covered"),
        pytest.param({"regions": ("北京市",)}, {}, ["area"], id="area-not-covered"),
        pytest.param({"regions": ()}, {}, [], id="area-none-means-every-region"),
        pytest.param({"regions": ("广东",)}, {}, ["area"], id="area-whole-names-only"),
        # skills: product line × service type, with a level
        pytest.param({"skills": (SkillSpec(LOCK, "Lock", "", 3),)}, {}, ["skill"], id="skill-other-line"),
        pytest.param({"skills": (SkillSpec(AC, "AC", "installation", 3),)}, {}, ["skill"], id="skill-other-type"),
        pytest.param({"skills": (SkillSpec(None, "", "repair", 1),)}, {}, [], id="skill-any-line"),
        pytest.param({"skills": ()}, {}, ["skill"], id="skill-none"),
        pytest.param({"skills": (SkillSpec(AC, "AC", "", 1),)}, {"urgent": True}, ["skill"], id="skill-trainee-urgent"),
        pytest.param({"skills": (SkillSpec(AC, "AC", "", 2),)}, {"urgent": True}, [], id="skill-qualified-urgent"),
        # capacity
        pytest.param({"open_orders": 5}, {}, ["capacity"], id="capacity-full"),
        pytest.param({"open_orders": 5, "capacity": 6}, {}, [], id="capacity-own"),
        pytest.param({"open_orders": 5}, {"current_assignee_id": 1}, [], id="capacity-already-theirs"),
        # who
        pytest.param({"active": False}, {}, ["active"], id="inactive"),
        pytest.param({"has_profile": False}, {}, ["active"], id="no-profile"),
        pytest.param({"auto_assign": False}, {"automatic": True}, ["auto"], id="no-automatic"),
        pytest.param({"auto_assign": False}, {}, [], id="manual-ignores-auto-flag"),
    ],
)
def test_one_rule_at_a_time(e, j, expected):
    assert broken(verdict(engineer(**e), job(**j))) == expected


@pytest.mark.parametrize(
    ("certificates", "starts", "expected"),
    [
        pytest.param((), None, ["certificate"], id="missing"),
        pytest.param((CertificateSpec(7, "制冷证", dt.date(2026, 9, 20)),), None, ["certificate"], id="expired"),
        pytest.param((CertificateSpec(7, "制冷证", dt.date(2026, 9, 21)),), None, [], id="last-day"),
        pytest.param((CertificateSpec(7, "制冷证", None),), None, [], id="no-expiry"),
        # valid today, expired on the day of the visit
        pytest.param(
            (CertificateSpec(7, "制冷证", dt.date(2026, 9, 22)),), at(23, 9), ["certificate"], id="expires-first"
        ),
    ],
)
def test_certificates_for_work_that_needs_them(certificates, starts, expected):
    j = job(service_type="installation", starts=starts, ends=starts + dt.timedelta(hours=2) if starts else None)
    assert broken(verdict(engineer(certificates=certificates, skills=(SkillSpec(AC, "AC", "", 2),)), j)) == expected
    # work that needs no certificate is open to them either way
    assert broken(verdict(engineer(certificates=certificates), job(service_type="repair"))) == []


@pytest.mark.parametrize(
    ("starts", "minutes", "shifts", "expected"),
    [
        pytest.param(at(21, 9), 120, (), [], id="calendar-morning"),
        pytest.param(at(21, 11), 120, (), ["shift"], id="runs-into-lunch"),
        pytest.param(at(21, 17), 120, (), ["shift"], id="after-hours"),
        pytest.param(at(26, 10), 60, (), ["shift"], id="saturday"),
        pytest.param(at(27, 10), 60, (), [], id="adjusted-working-sunday"),
        pytest.param(dt.datetime(2026, 10, 2, 10, tzinfo=SH), 60, (), ["shift"], id="public-holiday"),
        pytest.param(at(21, 19), 60, (ShiftSpec(0, dt.time(14), dt.time(22)),), [], id="late-shift"),
        pytest.param(at(21, 9), 60, (ShiftSpec(0, dt.time(14), dt.time(22)),), ["shift"], id="before-late-shift"),
        pytest.param(at(26, 10), 60, (ShiftSpec(5, dt.time(9), dt.time(16), True),), [], id="weekend-duty"),
        pytest.param(
            dt.datetime(2026, 10, 3, 10, tzinfo=SH),
            60,
            (ShiftSpec(5, dt.time(9), dt.time(16)),),
            ["shift"],
            id="saturday-shift-not-on-holiday",
        ),
        pytest.param(at(27, 10), 60, (ShiftSpec(0, dt.time(8), dt.time(12)),), [], id="adjusted-day-takes-monday"),
        pytest.param(
            at(21, 23), 120, tuple(ShiftSpec(d, dt.time(0), dt.time(0), True) for d in range(7)), [], id="past-midnight"
        ),
    ],
)
def test_shifts_and_the_calendar(starts, minutes, shifts, expected):
    j = job(starts=starts, ends=starts + dt.timedelta(minutes=minutes))
    assert broken(verdict(engineer(shifts=shifts), j)) == expected


def test_leave_blocks_a_visit_it_overlaps_and_says_until_when():
    away = (Absence(at(22, 0), at(24, 0), "annual leave"),)
    on_leave = verdict(engineer(absences=away), job(starts=at(23, 9), ends=at(23, 11)))
    assert broken(on_leave) == ["leave"]
    assert "annual leave" in on_leave.failed[0].message
    assert broken(verdict(engineer(absences=away), job(starts=at(24, 9), ends=at(24, 11)))) == []


def test_without_a_time_the_engineer_must_be_on_duty_before_the_deadline():
    # on leave Monday to Wednesday; the on-site deadline is Tuesday evening
    away = (Absence(at(21, 0), at(24, 0)),)
    late = verdict(engineer(absences=away), job(deadline=at(22, 18)))
    assert broken(late) == ["leave"]
    # a deadline on Thursday: back on Thursday morning, in time
    ok = verdict(engineer(absences=away), job(deadline=at(24, 18)))
    assert ok.eligible and any(r.rule == "shift" and r.ok for r in ok.reasons)
    # no working hours at all before a deadline on a holiday
    holiday = verdict(
        engineer(), job(deadline=dt.datetime(2026, 10, 3, 18, tzinfo=SH)), now=dt.datetime(2026, 10, 1, 8, tzinfo=SH)
    )
    assert broken(holiday) == ["shift"]


def test_daily_capacity_counts_the_visits_of_that_day():
    j = job(starts=at(22, 9), ends=at(22, 10))
    assert broken(verdict(engineer(visits={dt.date(2026, 9, 22): 2}), j)) == ["daily"]
    assert broken(verdict(engineer(visits={dt.date(2026, 9, 22): 2}, daily_capacity=3), j)) == []
    assert broken(verdict(engineer(visits={dt.date(2026, 9, 21): 9}), j)) == []


def test_a_visit_after_the_deadline_is_a_warning_not_a_broken_rule():
    v = verdict(engineer(), job(starts=at(22, 9), ends=at(22, 11), deadline=at(22, 10)))
    assert v.eligible and [r.rule for r in v.warnings] == ["deadline"]
    assert "on-site deadline" in v.warnings[0].message


def test_reasons_say_why_and_why_not_in_the_users_language():
    v = evaluate(engineer(regions=("北京市",)), job(), RULES, now=NOW)
    with translation.override("zh-hans"):
        zh = evaluate(engineer(regions=("北京市",)), job(), RULES, now=NOW)
    assert v.failed[0].message != zh.failed[0].message
    ok = verdict()
    assert [r.rule for r in ok.reasons if r.ok] == ["area", "skill", "shift", "capacity"]


def test_ranking_is_load_then_distance_then_turns():
    home = Point(23.13, 113.26)
    near = engineer(id=2, home=Point(23.14, 113.27), open_orders=1)
    far = engineer(id=3, home=Point(23.50, 113.90), open_orders=1)
    busy_near = engineer(id=4, home=home, open_orders=3)
    out = engineer(id=5, regions=("北京市",))
    order = [v.engineer.id for v in ranked([verdict(e, job(location=home)) for e in (out, far, busy_near, near)])]
    assert order == [2, 3, 4, 5]


def test_day_windows_follow_holidays_and_adjusted_days():
    assert day_windows(CAL, (), dt.date(2026, 10, 1)) == []
    assert len(day_windows(CAL, (), dt.date(2026, 9, 27))) == 2
