"""What must hold for every work order in a database, checked with plain SQL from outside.

Used after a ``kill -9`` (tests/reliability/test_crash.py), after concurrent writes
(test_concurrency.py) and after a soak (bench/soak.py). ``order_violations`` returns readable
lines, empty when all holds:

* the timeline: the first event is ``create`` (→ ``new``); each status-changing event starts
  where the previous one ended; the last event ends in the order's status (service/workflow.py,
  services/transitions.py append the event in the same transaction as the move);
* the optimistic version: ``version == 1 + transitions + manual assignments + report saves`` (each bumps it
  once; intake's automatic assignment does not);
* ``paused_from`` is set exactly while the order waits for parts or the customer;
* the audit trail: one ``create`` row and one ``transition:<action>`` row per transition event;
* the SLA: one policy record, the clocks its snapshot asks for (``fix`` only once work
  started, no ``onsite`` for mail-in) and their states agree with the order's status.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

# service.workflow.ACTIONS (kept equal by test_invariants.py); a plain copy, so that bench/soak.py
# can check a database without setting Django up.
TRANSITION_ACTIONS = frozenset(
    "acknowledge assess schedule start wait_parts wait_customer resume resolve accept refuse close cancel reopen".split()
)
WAITING = frozenset({"awaiting_parts", "awaiting_customer"})
# service.clocks.WORK_ORDER.waits (kept equal by test_invariants.py): the wait each state is
WAIT_MILESTONES = {"awaiting_customer": "customer", "awaiting_parts": "parts"}
RUNNING_STATES = frozenset({"running", "paused"})
MET_WHEN_LEAVING_NEW = ("response", "acknowledge")


def _json(value):
    if value is None or isinstance(value, (dict, list)):
        return value
    return json.loads(value)


def _in(ids) -> str:
    return ",".join(str(int(i)) for i in ids) or "NULL"


def order_violations(db, *, min_id: int = 0, ids=None) -> list[str]:
    """Broken invariants of the orders with ``id > min_id`` (or exactly ``ids``)."""
    where = f"id IN ({_in(ids)})" if ids is not None else f"id > {int(min_id)}"
    orders = {
        r[0]: r
        for r in db.rows(
            f"SELECT id, status, version, paused_from, closed_at, mode FROM service_workorder WHERE {where}"
        )
    }
    if not orders:
        return []
    scope = _in(orders)
    events = defaultdict(list)
    for oid, action, frm, to, payload in db.rows(
        f"SELECT order_id, action, from_status, to_status, payload FROM service_workorderevent "
        f"WHERE order_id IN ({scope}) ORDER BY order_id, id"
    ):
        events[oid].append((action, frm, to, _json(payload) or {}))
    audits = defaultdict(Counter)
    for object_id, action, n in db.rows(
        f"SELECT object_id, action, COUNT(*) FROM core_auditlog WHERE object_type = 'service.workorder' "
        f"AND object_id IN ({','.join(repr(str(i)) for i in orders)}) GROUP BY object_id, action"
    ):
        audits[int(object_id)][action] = n
    slas = defaultdict(list)
    for oid, snapshot in db.rows(f"SELECT order_id, snapshot FROM service_ordersla WHERE order_id IN ({scope})"):
        slas[oid].append(_json(snapshot))
    clocks = defaultdict(dict)
    for oid, name, state, stopped_at in db.rows(
        f"SELECT order_id, clock, state, stopped_at FROM service_workorderclock WHERE order_id IN ({scope})"
    ):
        clocks[oid][name] = (state, stopped_at)

    bad: list[str] = []
    for oid, (_id, status, version, paused_from, closed_at, mode) in sorted(orders.items()):
        tag = f"order {oid} ({status}, v{version})"
        timeline = events[oid]
        if not timeline or timeline[0][:3] != ("create", "", "new"):
            bad.append(f"{tag}: the first event is {timeline[0][:3] if timeline else None}, not create → new")
            continue
        moves = [e for e in timeline if e[0] in TRANSITION_ACTIONS]
        current = "new"
        for action, frm, to, _payload in timeline[1:]:
            if frm != current:
                bad.append(f"{tag}: event {action} starts from {frm!r} but the order was {current!r}")
            current = to
        if current != status:
            bad.append(f"{tag}: the last event ends in {current!r}, the order is {status!r}")
        manual_assigns = [e for e in timeline if e[0] == "assign" and not e[3].get("auto")]
        reports = [e for e in timeline if e[0] == "report"]
        if version != 1 + len(moves) + len(manual_assigns) + len(reports):
            bad.append(
                f"{tag}: version {version} but {len(moves)} moves, {len(manual_assigns)} assignments"
                f" and {len(reports)} report saves"
            )
        if (status in WAITING) != bool(paused_from):
            bad.append(f"{tag}: paused_from={paused_from!r} while {status}")
        if (status == "closed") != (closed_at is not None):
            bad.append(f"{tag}: closed_at={closed_at} while {status}")
        audit = audits[oid]
        if audit["create"] != 1:
            bad.append(f"{tag}: {audit['create']} audit rows for its creation")
        wanted = Counter(f"transition:{e[0]}" for e in moves)
        got = Counter({k: v for k, v in audit.items() if k.startswith("transition:")})
        if wanted != got:
            bad.append(f"{tag}: audit transitions {dict(got)} but events {dict(wanted)}")
        bad.extend(_clock_violations(tag, status, mode, timeline, slas[oid], clocks[oid]))
    return bad


def _clock_violations(tag, status, mode, timeline, slas, clocks) -> list[str]:
    if len(slas) != 1:
        return [f"{tag}: {len(slas)} SLA policy records"]
    snap = slas[0]
    started_work = any(e[2] == "in_service" for e in timeline)
    wanted = {
        t["clock"]
        for t in snap.get("targets", [])
        if not (t["clock"] == "onsite" and mode == "mail_in") and (t["clock"] != "fix" or started_work)
    }
    bad = []
    if set(clocks) != wanted:
        bad.append(f"{tag}: clocks {sorted(clocks)} but the policy asks for {sorted(wanted)}")
    left_new = any(e[1] == "new" and e[2] != "new" for e in timeline)
    if "pause_on" in snap:
        pause = {state for state, milestone in WAIT_MILESTONES.items() if milestone in snap["pause_on"]}
    else:  # a snapshot from before policies paused on milestones
        pause = set(snap.get("pause_statuses", []))
    for name, (state, stopped_at) in clocks.items():
        if (state in RUNNING_STATES) == (stopped_at is not None) and state != "breached":
            bad.append(f"{tag}: clock {name} is {state} with stopped_at={stopped_at}")
        if status == "cancelled" and state in RUNNING_STATES:
            bad.append(f"{tag}: clock {name} still {state} on a cancelled order")
        if name in MET_WHEN_LEAVING_NEW and left_new and state in RUNNING_STATES:
            bad.append(f"{tag}: clock {name} still {state} after the order left new")
        if state == "paused" and status not in pause:
            bad.append(f"{tag}: clock {name} paused while {status}")
        if state == "running" and status in pause:
            bad.append(f"{tag}: clock {name} running while {status}")
    return bad
