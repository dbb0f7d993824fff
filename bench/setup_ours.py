"""Prepare our side of the benchmark after ``seed_demo``: a bench agent, its credentials, the inputs.

Writes ``<state>/manifest.json`` (what ``load.py`` needs: token, session cookie, the queue's
filter, sample order ids, serials, phones, the dashboard month) and ``<state>/orders.tsv``
(one line per order: what the peer is loaded with, so that both hold the same tickets).

Usage (our virtualenv, the benchmark's settings): ``python bench/setup_ours.py --state DIR``.
"""

import argparse
import datetime as dt
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import connection  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import ApiToken, Department, User  # noqa: E402
from products.models import Unit  # noqa: E402
from service.choices import OPEN_STATUSES  # noqa: E402
from service.models import WorkOrder  # noqa: E402

SAMPLES = 2000


def bench_agent() -> User:
    user, _ = User.objects.get_or_create(
        username="bench-agent", defaults={"role": "agent", "first_name": "Bench", "last_name": "Agent"}
    )
    user.set_unusable_password()
    user.save()
    return user


def session_for(user: User) -> str:
    """A logged-in session, as ``django.contrib.auth.login`` would store it (no password round)."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def queue_filter() -> dict:
    """The busiest (open status, team) pair with a deadline: the agent queue the benchmark reads."""
    row = (
        WorkOrder.objects.filter(status__in=OPEN_STATUSES, department__isnull=False, due_at__isnull=False)
        .values("status", "department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    if row is None:
        return {}
    return {"status": row["status"], "department": row["department"], "matching": row["n"]}


def busiest_month() -> str:
    """The last complete month (in the service's time zone): the dashboard's month."""
    local = timezone.localtime(timezone.now())
    first = local.replace(day=1)
    previous = first - dt.timedelta(days=1)
    return f"{previous.year:04d}-{previous.month:02d}"


def export_orders(path: Path) -> int:
    """id, status, department, created_at, due_at, serial, phone, priority — for the peer's loader."""
    table = WorkOrder._meta.db_table
    count = 0
    with connection.cursor() as cursor, path.open("w") as out:
        cursor.execute(
            f"SELECT id, status, department_id, created_at, due_at, serial, contact_phone, priority FROM {table} ORDER BY id"
        )
        while True:
            rows = cursor.fetchmany(20000)
            if not rows:
                break
            for pk, status, dept, created, due, serial, phone, priority in rows:
                out.write(
                    f"{pk}\t{status}\t{dept or ''}\t{_iso(created)}\t{_iso(due)}\t{serial}\t{phone}\t{priority}\n"
                )
            count += len(rows)
    return count


def _iso(value) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value.replace(" ", "T") + ("" if "+" in value else "+00:00")
    if value.tzinfo is None:
        value = value.replace(tzinfo=dt.UTC)
    return value.isoformat()


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", required=True, type=Path)
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    args.state.mkdir(parents=True, exist_ok=True)
    rng = random.Random(args.seed)

    agent = bench_agent()
    _, token = ApiToken.issue(agent, name="bench")
    max_id = WorkOrder.objects.aggregate(m=Max("id"))["m"] or 0
    ids = sorted(rng.randint(1, max_id) for _ in range(SAMPLES)) if max_id else []
    ids = list(WorkOrder.objects.filter(pk__in=ids).values_list("pk", flat=True))
    rng.shuffle(ids)
    searched = list(WorkOrder.objects.filter(pk__in=ids[: SAMPLES // 4]).values_list("serial", "contact_phone"))
    max_unit = Unit.objects.aggregate(m=Max("id"))["m"] or 0
    picked = {rng.randint(1, max_unit) for _ in range(SAMPLES)} if max_unit else set()
    intake_serials = list(Unit.objects.filter(pk__in=picked, owner__isnull=False).values_list("serial", flat=True))
    manifest = {
        "system": "ours",
        "database": connection.vendor,
        "orders": WorkOrder.objects.count(),
        "token": token,
        "session_cookie": {settings.SESSION_COOKIE_NAME: session_for(agent)},
        "queue": queue_filter(),
        "teams": dict(Department.objects.values_list("pk", "name")),
        "order_ids": ids,
        "serials": [s for s, _p in searched if s],
        "phones": [p for _s, p in searched if p],
        "intake_serials": intake_serials,
        "month": busiest_month(),
    }
    (args.state / "manifest.json").write_text(json.dumps(manifest, indent=1, default=str))
    exported = export_orders(args.state / "orders.tsv")
    print(
        json.dumps(
            {
                "phase": "setup_ours",
                "orders": manifest["orders"],
                "exported": exported,
                "queue": manifest["queue"],
                "month": manifest["month"],
            }
        )
    )
    return 0


if __name__ == "__main__":
    sys.exit(main())
