"""Set up the people and units a reliability test needs, in the database of ``DATABASE_URL``.

Run by ``FreshDatabase.world()`` as ``python -m tests.reliability.world --agents 2 --units 40``
(a subprocess with the fresh database's environment); prints one JSON line: API tokens and
console session keys of the agents, the engineers' ids, the customer's id and the units'
serials. ``--samples N`` adds inputs for reads of an already seeded database (order ids,
serials and phones on orders, the busiest queue filter).
"""

import argparse
import datetime as dt
import json
import os
import random
import sys

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.contrib.auth import BACKEND_SESSION_KEY, HASH_SESSION_KEY, SESSION_KEY  # noqa: E402
from django.contrib.sessions.backends.db import SessionStore  # noqa: E402
from django.db import transaction  # noqa: E402
from django.db.models import Count, Max  # noqa: E402
from django.utils import timezone  # noqa: E402

from accounts.models import ApiToken, User  # noqa: E402
from customers.models import Customer  # noqa: E402
from products.models import ProductLine, ProductModel, Unit  # noqa: E402
from service.choices import OPEN_STATUSES  # noqa: E402
from service.models import WorkOrder  # noqa: E402
from tests.factories import engineer_profile  # noqa: E402


def session_for(user: User) -> str:
    """A logged-in console session, as ``django.contrib.auth.login`` stores it."""
    store = SessionStore()
    store[SESSION_KEY] = str(user.pk)
    store[BACKEND_SESSION_KEY] = "django.contrib.auth.backends.ModelBackend"
    store[HASH_SESSION_KEY] = user.get_session_auth_hash()
    store.create()
    return store.session_key


def person(username: str, role: str) -> User:
    user, _ = User.objects.get_or_create(
        username=username, defaults={"role": role, "first_name": "Rel", "last_name": username.title()}
    )
    user.set_unusable_password()
    user.save()
    return user


def samples(n: int, rng: random.Random) -> dict:
    max_id = WorkOrder.objects.aggregate(m=Max("id"))["m"] or 0
    ids = list(WorkOrder.objects.filter(pk__in={rng.randint(1, max_id) for _ in range(n)}).values_list("pk", flat=True))
    found = list(WorkOrder.objects.filter(pk__in=ids[: n // 2]).values_list("serial", "contact_phone"))
    queue = (
        WorkOrder.objects.filter(status__in=OPEN_STATUSES, department__isnull=False)
        .values("status", "department")
        .annotate(n=Count("id"))
        .order_by("-n")
        .first()
    )
    owned = list(Unit.objects.filter(owner__isnull=False).values_list("serial", flat=True)[: n * 4])
    rng.shuffle(owned)
    return {
        "order_ids": ids,
        "search_serials": [s for s, _p in found if s],
        "search_phones": [p for _s, p in found if p],
        "queue": {"status": queue["status"], "department": queue["department"]} if queue else {},
        "intake_serials": owned[:n],
        "orders": WorkOrder.objects.count(),
    }


def main() -> int:
    ap = argparse.ArgumentParser()
    ap.add_argument("--agents", type=int, default=2)
    ap.add_argument("--engineers", type=int, default=1)
    ap.add_argument("--units", type=int, default=20)
    ap.add_argument("--samples", type=int, default=0)
    ap.add_argument("--seed", type=int, default=5)
    args = ap.parse_args()
    rng = random.Random(args.seed)
    tag = f"{os.getpid()}"
    with transaction.atomic():
        agents = []
        for i in range(args.agents):
            user = person(f"rel-agent-{tag}-{i}", "agent")
            _row, token = ApiToken.issue(user, name="reliability")
            agents.append({"id": user.pk, "username": user.username, "token": token, "session": session_for(user)})
        # engineers who may take any order at any time (the assignment checks the dispatch rules)
        engineers = [
            engineer_profile(person(f"rel-engineer-{tag}-{i}", "engineer")).user_id for i in range(args.engineers)
        ]
        customer = Customer.objects.create(name="Reliability Test Customer", phone="13900000000", region="")
        line, _ = ProductLine.objects.get_or_create(code="rel-home", defaults={"name": "Reliability home"})
        model, _ = ProductModel.objects.get_or_create(code=f"REL-{tag}", defaults={"name": "Reliability", "line": line})
        sold = timezone.localdate() - dt.timedelta(days=200)
        serials = [f"REL{tag}-{i:05d}" for i in range(args.units)]
        Unit.objects.bulk_create([Unit(serial=s, model=model, sale_date=sold, owner=customer) for s in serials])
    out = {
        "agents": agents,
        "engineers": engineers,
        "customer_id": customer.pk,
        "serials": serials,
        "session_cookie": settings.SESSION_COOKIE_NAME,
    }
    if args.samples:
        out.update(samples(args.samples, rng))
    print(json.dumps(out))
    return 0


if __name__ == "__main__":
    sys.exit(main())
