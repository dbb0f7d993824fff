"""Load the peer with the same tickets as ours: one ticket (+ its "Ticket Opened" follow-up) per order.

Reads ``orders.tsv`` written by ``bench/setup_ours.py`` (id, status, team, created, due, serial,
phone, priority) and writes through the ORM's ``bulk_create`` (as ../shared/bench/peer did),
in transactions of ``--chunk`` tickets so memory stays flat at a million. Mapping:

- status: our open states -> Open (1), reopened -> Reopened (2), resolved/accepted -> Resolved (3),
  closed/cancelled -> Closed (4);
- queue: the team's queue (``team-<id>``), else ``support``;
- created/modified: our ``created_at``; ``due_date``: our ``due_at`` (next deadline);
- title carries the serial number, description and submitter e-mail the phone number, so the
  peer's search (``icontains`` over those fields) can find a ticket by either;
- priority: urgent -> 1 (critical), normal -> 3; every other ticket assigned to the admin.

Prints one JSON line (timings, id range) and appends it to --out.
"""

import argparse
import datetime as dt
import json
import os
import sys
import time
import uuid

import django

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdesk.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from helpdesk.models import FollowUp, Queue, Ticket  # noqa: E402

OPEN = {"new", "acknowledged", "assessed", "scheduled", "in_service", "awaiting_parts", "awaiting_customer"}
STATUS = {**{s: 1 for s in OPEN}, "reopened": 2, "resolved": 3, "accepted": 3, "closed": 4, "cancelled": 4}
BODY = "Customer reports the device stops working after the update. Contact phone {phone}."


def parse(value):
    return dt.datetime.fromisoformat(value) if value else None


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--orders", required=True, help="orders.tsv from bench/setup_ours.py")
    ap.add_argument("--limit", type=int, default=0, help="load at most this many tickets (0: all)")
    ap.add_argument("--chunk", type=int, default=20000)
    ap.add_argument("--batch", type=int, default=2000)
    ap.add_argument("--out", default="")
    ap.add_argument("--peer-json", default="", help="peer.json from peer_setup.py: the id range is added to it")
    args = ap.parse_args()

    admin = get_user_model().objects.get(username="admin")
    queues = {q.slug: q for q in Queue.objects.all()}
    default_queue = queues["support"]
    created_f = Ticket._meta.get_field("created")
    modified_f = Ticket._meta.get_field("modified")
    created_f.auto_now_add = False  # keep the historic dates through bulk_create's pre_save
    modified_f.auto_now = False
    before = Ticket.objects.count()
    timings = {"build_s": 0.0, "tickets_s": 0.0, "followups_s": 0.0}
    loaded, min_id, max_id = 0, None, None
    t_all = time.perf_counter()

    def flush(rows):
        nonlocal min_id, max_id
        t0 = time.perf_counter()
        tickets = []
        for i, (_pk, status, team, created, due, serial, phone, priority) in enumerate(rows):
            c = parse(created)
            tickets.append(
                Ticket(
                    title=f"{serial or 'No serial'}: device fault report",
                    queue=queues.get(f"team-{team}", default_queue),
                    created=c,
                    modified=c,
                    due_date=parse(due),
                    submitter_email=f"c{phone}@example.com",
                    assigned_to=admin if (loaded + i) % 2 == 0 else None,
                    status=STATUS.get(status, 1),
                    description=BODY.format(phone=phone),
                    priority=1 if priority == "urgent" else 3,
                    secret_key=str(uuid.uuid4()),
                )
            )
        timings["build_s"] += time.perf_counter() - t0
        with transaction.atomic():
            t1 = time.perf_counter()
            created_rows = Ticket.objects.bulk_create(tickets, batch_size=args.batch)
            timings["tickets_s"] += time.perf_counter() - t1
            t2 = time.perf_counter()
            FollowUp.objects.bulk_create(
                [
                    FollowUp(
                        ticket_id=t.id,
                        date=t.created,
                        title="Ticket Opened",
                        comment=t.description,
                        public=True,
                        user=None,
                        new_status=None,
                    )
                    for t in created_rows
                ],
                batch_size=args.batch,
            )
            timings["followups_s"] += time.perf_counter() - t2
        ids = [t.id for t in created_rows]
        min_id = min(ids) if min_id is None else min(min_id, min(ids))
        max_id = max(ids) if max_id is None else max(max_id, max(ids))

    try:
        rows = []
        with open(args.orders) as fh:
            for line in fh:
                if args.limit and loaded + len(rows) >= args.limit:
                    break
                rows.append(line.rstrip("\n").split("\t"))
                if len(rows) >= args.chunk:
                    flush(rows)
                    loaded += len(rows)
                    rows = []
            if rows:
                flush(rows)
                loaded += len(rows)
        t3 = time.perf_counter()
        with connection.cursor() as cur:  # PostgreSQL: VACUUM too, as ours after its load
            cur.execute("VACUUM (ANALYZE)" if connection.vendor == "postgresql" else "ANALYZE")
        analyze_s = time.perf_counter() - t3
    finally:
        created_f.auto_now_add = True
        modified_f.auto_now = True
    res = {
        "phase": "peer_bulk_load",
        "vendor": connection.vendor,
        "n": loaded,
        "tickets_before": before,
        "tickets_after": Ticket.objects.count(),
        **{k: round(v, 1) for k, v in timings.items()},
        "analyze_s": round(analyze_s, 1),
        "total_s": round(time.perf_counter() - t_all, 1),
        "min_id": min_id,
        "max_id": max_id,
    }
    print(json.dumps(res))
    if args.peer_json:
        with open(args.peer_json) as fh:
            peer = json.load(fh)
        peer.update(min_id=min_id, max_id=max_id, tickets=res["tickets_after"])
        with open(args.peer_json, "w") as fh:
            json.dump(peer, fh)
    if args.out:
        with open(args.out, "a") as fh:
            fh.write(json.dumps(res) + "\n")


if __name__ == "__main__":
    sys.exit(main())
