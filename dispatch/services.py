"""Automatic assignment at intake and the engineers' load counters (SPEC §4).

Rule (docs/dispatch.md): among active field engineers who take automatic assignments, cover
the customer's region, are trained for the product line, hold a valid certificate and are
below their capacity, the one with the fewest open orders wins; ties go to the one assigned
longest ago, then the lowest id. The pick and the load increment are one conditional UPDATE,
so two intakes at once never push an engineer over capacity.
"""

import datetime as dt
from dataclasses import dataclass

from django.db import connection
from django.db.models import F
from django.utils import timezone

from accounts.choices import Role
from accounts.models import User
from core.policies import get_policy

from .models import EngineerProfile


@dataclass(frozen=True)
class Pick:
    engineer: User  # loaded with its names only (enough to show who it is)
    department_id: int | None


# Who may take a new order (parameters: role, today, region twice, line twice, default capacity).
_ELIGIBLE = """
    FROM {profile} p JOIN {user} u ON u.id = p.user_id
    WHERE p.auto_assign AND u.is_active AND u.role = %s
      AND (p.certificate_valid_until IS NULL OR p.certificate_valid_until >= %s)
      AND (p.regions = '' OR %s = '' OR p.regions LIKE %s)
      AND (p.product_lines = '' OR %s = '' OR p.product_lines LIKE %s)
      AND p.open_orders < COALESCE(p.capacity, %s)
"""
# The pick and the booking in one statement: the subquery ranks the eligible engineers and the
# outer UPDATE books the first one only if it still has room (re-checked under the row lock, so
# two intakes at once never overfill an engineer: the loser's UPDATE matches no row and it
# tries again). ``RETURNING`` (SQLite ≥ 3.35, PostgreSQL) hands back who was booked.
_PICK = (
    """
UPDATE {profile} SET open_orders = open_orders + 1, last_assigned_at = %s
WHERE user_id = (
    SELECT p.user_id """
    + _ELIGIBLE
    + """
    ORDER BY p.open_orders, p.last_assigned_at IS NOT NULL, p.last_assigned_at, p.user_id
    LIMIT 1
) AND open_orders < COALESCE(capacity, %s)
RETURNING user_id, COALESCE(team_id, (SELECT department_id FROM {user} WHERE id = {profile}.user_id)),
    (SELECT username FROM {user} WHERE id = {profile}.user_id),
    (SELECT first_name FROM {user} WHERE id = {profile}.user_id),
    (SELECT last_name FROM {user} WHERE id = {profile}.user_id)
"""
)


def _sql(template: str) -> str:
    return template.format(profile=EngineerProfile._meta.db_table, user=User._meta.db_table)


def _like(value: str) -> str:
    """``LIKE`` pattern for one item of a ``,a,b,`` list, with the wildcards escaped away."""
    return "%," + value.replace("%", "").replace("_", "").replace(",", "") + ",%" if value else ""


def engineer_pick(*, region: str, product_line: str, now: dt.datetime | None = None) -> Pick | None:
    """Choose and book an engineer for a new order (call inside the intake's transaction)."""
    if not get_policy("dispatch.auto_assign"):
        return None
    now = now or timezone.now()
    capacity = int(get_policy("dispatch.max_open_orders"))
    eligible = [
        Role.ENGINEER,
        timezone.localdate(now),
        region,
        _like(region),
        product_line,
        _like(product_line),
        capacity,
    ]
    with connection.cursor() as cur:
        for _attempt in range(3):  # a lost race re-ranks; an empty field ends it at once
            cur.execute(_sql(_PICK), [now, *eligible, capacity])
            row = cur.fetchone()
            if row is not None:
                user_id, department_id, username, first_name, last_name = row
                engineer = User.from_db(
                    connection.alias,
                    ["id", "username", "first_name", "last_name"],
                    [user_id, username, first_name, last_name],
                )
                return Pick(engineer=engineer, department_id=department_id)
            cur.execute(_sql("SELECT 1 " + _ELIGIBLE + " LIMIT 1"), eligible)
            if cur.fetchone() is None:
                return None
    return None


def load_moved(*, old_engineer_id: int | None, new_engineer_id: int | None) -> None:
    """An open order changed hands (or was assigned, or left the open states): move one unit
    of load. Engineers without a profile are ignored."""
    if old_engineer_id == new_engineer_id:
        return
    if old_engineer_id is not None:
        EngineerProfile.objects.filter(pk=old_engineer_id, open_orders__gt=0).update(open_orders=F("open_orders") - 1)
    if new_engineer_id is not None:
        EngineerProfile.objects.filter(pk=new_engineer_id).update(open_orders=F("open_orders") + 1)
