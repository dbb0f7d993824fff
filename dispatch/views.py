"""The supervisor's list of field engineers: skills, certificates, areas, hours, capacity, load,
leave, home base and van (docs/dispatch.md). Read-only: the profiles are edited in the admin
(``dispatch.admin``) or through ``services.engineer_profile_save``."""

import datetime as dt

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from accounts.models import Absence
from accounts.roles import can
from core.errors import ValidationFailed
from core.masking import mask_address
from core.pagination import keyset_page
from core.policies import get_policy

from .models import EngineerProfile, Weekday
from .selectors import board_queryset

PAGE = 25


@login_required
def engineers(request):
    if not can(request.user, "dispatch.engineers"):
        raise PermissionDenied
    now, today = timezone.now(), timezone.localdate()
    status, error = 200, None
    try:
        rows, next_cursor = keyset_page(
            board_queryset(), order=["user_id"], cursor=request.GET.get("cursor") or None, size=PAGE
        )
    except ValidationFailed as exc:
        rows, next_cursor, status, error = [], None, 400, exc.message
    away = {
        a.user_id: a
        for a in Absence.objects.filter(user_id__in=[p.user_id for p in rows], ends__gt=now).order_by("-starts")
    }
    default_capacity = int(get_policy("dispatch.max_open_orders"))
    default_daily = int(get_policy("dispatch.daily_visits"))
    cards = [_card(p, away.get(p.user_id), today, default_capacity, default_daily) for p in rows]
    params = request.GET.copy()
    params.pop("cursor", None)
    if next_cursor:
        params["cursor"] = next_cursor
    context = {
        "cards": cards,
        "next_qs": params.urlencode() if next_cursor else None,
        "is_first": not request.GET.get("cursor"),
        "error": error,
    }
    return render(request, "dispatch/engineers.html", context, status=status)


def shift_lines(shifts, days: dict) -> list[str]:
    """An engineer's shifts, the days with the same hours on one line: "Every day 00:00–24:00",
    "Monday–Friday 08:30–17:30", "Saturday, Sunday 09:00–12:00"."""
    by_hours: dict[tuple, list[int]] = {}
    for s in shifts:
        by_hours.setdefault((s.starts, s.ends), []).append(s.weekday)
    lines = []
    for (starts, ends), weekdays in by_hours.items():
        weekdays = sorted(set(weekdays))
        if len(weekdays) == len(days):
            when = _("Every day")
        elif len(weekdays) > 2 and weekdays == list(range(weekdays[0], weekdays[-1] + 1)):
            when = f"{days[weekdays[0]]}–{days[weekdays[-1]]}"
        else:
            when = ", ".join(str(days[d]) for d in weekdays)
        lines.append(f"{when} {starts:%H:%M}–{'24:00' if ends == dt.time(0) else f'{ends:%H:%M}'}")
    return lines


def _card(p: EngineerProfile, absence, today, default_capacity: int, default_daily: int) -> dict:
    days = dict(Weekday.choices)
    return {
        "profile": p,
        "name": p.user.display_name(),
        "team": p.team.label if p.team_id else (p.user.department.label if p.user.department_id else ""),
        "skills": list(p.skills.all()),
        "certificates": [
            {"c": c, "expired": c.valid_until is not None and c.valid_until < today} for c in p.certificates.all()
        ],
        "areas": [a.region for a in p.areas.all()],
        "shifts": shift_lines(p.shifts.all(), days),
        "calendar": p.calendar.label if p.calendar_id else "",
        "capacity": p.capacity if p.capacity is not None else default_capacity,
        "daily": p.daily_capacity or default_daily,
        "absence": absence,
        "home": mask_address(p.home_address) if p.home_address else "",
        "has_home": p.home_lat is not None,
    }
