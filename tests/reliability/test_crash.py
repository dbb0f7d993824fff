"""Crash consistency: ``kill -9`` the real server in the middle of writes, restart it, and check
that what was answered is stored exactly once and that nothing half-done was left behind.

A fresh database of the engine ``DATABASE_URL`` names (a SQLite file here, a uniquely named
PostgreSQL database in the CI's second pass), migrated by ``manage.py migrate``; gunicorn with 2
workers and the production settings; four client threads filing service requests with an
``Idempotency-Key`` (two of them also move their orders through the workflow with the version
they read). The whole server — master and workers, one process group — is killed with SIGKILL
at least three times under that load, each time while a request for a new order is on its way,
and restarted. The checks read the database directly (sqlite3 / psycopg):

* after each kill, before the restart: the database as the crash left it (SQLite: also
  ``PRAGMA integrity_check`` and ``foreign_key_check``);
* at the end: every request answered 201 is one order (found by its key and by the marker in
  its fault description), every answered move is the event that made its version, no order is
  duplicated, a key is remembered with its order or not at all, and every order's timeline,
  version, audit rows and SLA clocks agree (tests/reliability/invariants.py);
* the requests that got no answer, sent again with the same key and body after the restart,
  give one order each: the one stored before the crash if it was, else a new one. (A request
  killed while it held its key makes the retry wait for ``IDEMPOTENCY_LOCK_TIMEOUT``:
  ``LOCK_TIMEOUT`` here through tests/reliability/server_settings.py, the setting of
  config/settings/base.py in production.)

Run with ``-s`` to see how many requests the kills cut short and how many of those had been
stored before their answer was lost.
"""

import json
import random
import secrets
import sqlite3
import threading
import time
from collections import Counter
from dataclasses import dataclass

from config.settings import base as base_settings

from .invariants import TRANSITION_ACTIONS, order_violations
from .live import FreshDatabase, Http, Server

THREADS = 4
KILLS = 3  # at least; more (up to MAX_KILLS) until a request for a new order went unanswered
MAX_KILLS = 7
PRODUCTION_LOCK_TIMEOUT = base_settings.IDEMPOTENCY_LOCK_TIMEOUT
LOCK_TIMEOUT = 3  # seconds before the key of a killed request may be taken over (shorter than production's)
SERVER_ENV = {
    "DJANGO_SETTINGS_MODULE": "tests.reliability.server_settings",
    "RELIABILITY_IDEMPOTENCY_LOCK_TIMEOUT": str(LOCK_TIMEOUT),
}
PLANS = [
    ["acknowledge"],
    ["acknowledge", "assess"],
    ["acknowledge", "wait_customer"],
    ["acknowledge", "wait_customer", "resume", "assess", "cancel"],
    ["cancel"],
]


@dataclass
class Intake:
    key: str
    body: dict
    status: int | None
    order_id: int | None
    error: str = ""
    seconds: float = 0.0


@dataclass
class Move:
    order_id: int
    action: str
    version: int
    status: int | None
    new_version: int | None
    code: str = ""


class Ledger:
    """What the clients sent and what they were told, in order."""

    def __init__(self):
        self.lock = threading.Lock()
        self.intakes: list[Intake] = []
        self.moves: list[Move] = []
        self.unexpected: list[str] = []
        self.intakes_in_flight = 0

    def sending(self, delta: int) -> None:
        with self.lock:
            self.intakes_in_flight += delta

    def add(self, item) -> None:
        with self.lock:
            (self.intakes if isinstance(item, Intake) else self.moves).append(item)

    def odd(self, line: str) -> None:
        with self.lock:
            self.unexpected.append(line)

    def snapshot(self) -> tuple[list[Intake], list[Move]]:
        with self.lock:
            return list(self.intakes), list(self.moves)


def client(base: str, token: str, serials: list[str], n: int, stop: threading.Event, ledger: Ledger) -> None:
    """File requests; clients 0 and 1 move their orders on, the others only file."""
    rng = random.Random(n)
    plans = PLANS if n < 2 else [[]]
    http = Http(base, token=token, timeout=60)
    i = 0
    while not stop.is_set():
        i += 1
        key = f"crash-{n}-{i}-{secrets.token_hex(4)}"
        body = {
            "serial": rng.choice(serials),
            "fault_description": f"[{key}] The unit stops after a few minutes.",
            "service_type": "repair",
            "channel": "phone",
        }
        ledger.sending(+1)
        answer = http.post("/api/v1/service-requests", body, headers={"Idempotency-Key": key})
        ledger.sending(-1)
        order = answer.json() if answer.status == 201 else None
        ledger.add(Intake(key, body, answer.status, order["id"] if order else None, answer.error, answer.seconds))
        if answer.status not in (201, None):
            ledger.odd(f"intake {key}: {answer.status} {answer.text[:300]}")
        if order is None:
            continue
        version = order["version"]
        for action in rng.choice(plans):
            payload = {"action": action, "version": version, "note": f"{action} by crash test"}
            if action == "assess":
                payload["cause"] = "defect"
            moved = http.post(f"/api/v1/work-orders/{order['id']}/transitions", payload)
            ok = moved.status == 200
            ledger.add(Move(order["id"], action, version, moved.status, moved.json()["version"] if ok else None))
            if ok:
                version = moved.json()["version"]
                continue
            if moved.status is not None:  # one client per order: a refusal is a bug, not a race
                ledger.odd(f"move {action} on {order['id']} v{version}: {moved.status} {moved.text[:300]}")
            break  # no answer: the client does not know where the order is; it leaves it
    http.close()


def marker_counts(db) -> Counter:
    """Orders per ``[crash-…]`` marker in the fault description."""
    rows = db.rows("SELECT fault_description FROM service_workorder")
    return Counter(text[1 : text.index("]")] for (text,) in rows if text.startswith("[crash-"))


def stored_keys(db) -> dict[str, tuple[int | None, int | None]]:
    """``key → (status_code, order id)`` of the remembered ``crash-…`` keys.

    A row without status is a reservation whose request never finished (core/idempotency.py
    reserves the key in a transaction of its own, then stores the outcome with the work); the
    order id is in ``response``: ``{"order_id": …}``, or the stored 201 body."""
    out = {}
    for key, status, response in db.rows(
        "SELECT key, status_code, response FROM core_idempotencykey WHERE key LIKE %s", ["crash-%"]
    ):
        response = _json(response) or {}
        order_id = response.get("order_id")
        if order_id is None and response.get("text"):
            order_id = json.loads(response["text"]).get("id")
        out[key] = (status, order_id)
    return out


def _json(value):
    return value if value is None or isinstance(value, dict) else json.loads(value)


def check_answers_are_stored(db, intakes: list[Intake], moves: list[Move]) -> list[str]:
    """Every 201 is exactly one order; a key is remembered with its order or not done at all;
    every 200 move is the event that made its version. (Run while no request is running.)"""
    bad = []
    counts = marker_counts(db)
    keys = stored_keys(db)
    by_marker = dict(db.rows("SELECT fault_description, id FROM service_workorder"))
    for intake in intakes:
        n = counts.get(intake.key, 0)
        if n > 1:
            bad.append(f"{intake.key}: {n} orders")
        if intake.status == 201:
            if n != 1:
                bad.append(f"{intake.key}: answered 201 (order {intake.order_id}) but {n} orders stored")
            if keys.get(intake.key) != (201, intake.order_id):
                bad.append(f"{intake.key}: answered order {intake.order_id}, key remembers {keys.get(intake.key)}")
            if by_marker.get(intake.body["fault_description"]) != intake.order_id:
                bad.append(f"{intake.key}: answered order {intake.order_id}, stored as another id")
    for key, (status, order_id) in keys.items():
        if status is None and counts.get(key, 0):
            bad.append(f"key {key}: an unfinished reservation, yet {counts[key]} orders carry it")
        if status is not None and (counts.get(key, 0) != 1 or status != 201 or order_id is None):
            bad.append(f"key {key} remembers {status} order {order_id} but {counts.get(key, 0)} orders carry it")
    for marker in counts:
        if keys.get(marker, (None,))[0] != 201:
            bad.append(f"order {marker} was stored without its idempotency key: {keys.get(marker)}")
    answered = [m for m in moves if m.status == 200]
    if answered:
        ids = sorted({m.order_id for m in answered})
        placeholders = ",".join(str(i) for i in ids)
        timelines: dict[int, list[str]] = {}
        for order_id, action in db.rows(
            f"SELECT order_id, action FROM service_workorderevent WHERE order_id IN ({placeholders}) ORDER BY order_id, id"
        ):
            if action in TRANSITION_ACTIONS:
                timelines.setdefault(order_id, []).append(action)
        for m in answered:
            made = timelines.get(m.order_id, [])
            # version v → v+1 was made by the v-th version-bumping event (no manual assignment here)
            if len(made) < m.version or made[m.version - 1] != m.action or m.new_version != m.version + 1:
                bad.append(f"order {m.order_id}: {m.action} at v{m.version} answered 200 but events are {made}")
    return bad


def check_database_file(db) -> list[str]:
    if db.vendor != "sqlite":
        return []
    conn = sqlite3.connect(db.path)
    try:
        result = conn.execute("PRAGMA integrity_check").fetchall()
        fk = conn.execute("PRAGMA foreign_key_check").fetchall()
    finally:
        conn.close()
    return ([] if result == [("ok",)] else [f"integrity_check: {result}"]) + [f"foreign key: {row}" for row in fk]


def aim_at_an_intake(ledger: Ledger, intakes: list[Intake], rng: random.Random) -> None:
    """Wait for an intake to be on its way, then a random part of an intake's usual time: the
    kill lands in the middle of one (sometimes after its commit, before its answer)."""
    took = sorted(x.seconds for x in intakes if x.status == 201)
    typical = took[len(took) // 2] if took else 0.05
    deadline = time.monotonic() + 5
    while ledger.intakes_in_flight == 0 and time.monotonic() < deadline:
        time.sleep(0.001)
    time.sleep(rng.uniform(0, 1.5 * typical))


def test_kill_9_under_load_keeps_every_answer_once_and_leaves_nothing_half_done(tmp_path):
    rng = random.Random()
    with FreshDatabase("crash", tmp_path) as db:
        db.migrate()
        world = db.world(agents=THREADS, units=30)
        ledger = Ledger()
        stop = threading.Event()
        with Server(db, label="crash", env=SERVER_ENV) as server:
            server.start()
            threads = [
                threading.Thread(
                    target=client, args=(server.base, world["agents"][n]["token"], world["serials"], n, stop, ledger)
                )
                for n in range(THREADS)
            ]
            for t in threads:
                t.start()
            try:
                answered_before = 0
                abandoned: set[str] = set()  # keys reserved by a request the kill cut short
                kill = 0
                while kill < KILLS or (kill < MAX_KILLS and not any(x.status is None for x in ledger.snapshot()[0])):
                    kill += 1
                    time.sleep(rng.uniform(0.5, 1.5))
                    waited = time.monotonic()
                    while (answered := sum(1 for x in ledger.snapshot()[0] if x.status == 201)) <= answered_before:
                        assert time.monotonic() - waited < 60, f"no request answered before kill {kill}"
                        time.sleep(0.05)
                    answered_before = answered
                    intakes = ledger.snapshot()[0]
                    aim_at_an_intake(ledger, intakes, rng)
                    server.kill()  # master and workers at once, mid-request
                    # the database as the crash left it, before anything recovers it
                    intakes, moves = ledger.snapshot()
                    crashed = check_database_file(db) + check_answers_are_stored(db, intakes, moves)
                    crashed += order_violations(db)
                    abandoned |= {k for k, (status, _id) in stored_keys(db).items() if status is None}
                    assert not crashed, f"after kill {kill}:\n" + "\n".join(crashed[:30])
                    server.start()
                time.sleep(1.0)
            except BaseException:
                server.close()  # clients waiting on the dead server's socket fail now, not at their timeout
                raise
            finally:
                stop.set()
                for t in threads:
                    t.join(timeout=120)
            assert not any(t.is_alive() for t in threads)

            # the unanswered requests, sent again with the same key and body after the restart
            intakes, moves = ledger.snapshot()
            lost = [x for x in intakes if x.status is None]
            before = marker_counts(db)
            tokens = {n: a["token"] for n, a in enumerate(world["agents"])}
            retried, held = [], set()
            for x in lost:
                http = Http(server.base, token=tokens[int(x.key.split("-")[1])], timeout=60)
                deadline = time.monotonic() + LOCK_TIMEOUT + 30
                while True:
                    answer = http.post("/api/v1/service-requests", x.body, headers={"Idempotency-Key": x.key})
                    if answer.status != 409 or answer.json().get("code") != "idempotency_in_progress":
                        break
                    # the killed request had reserved the key: nothing of it is stored, and the key
                    # is given to a retry once IDEMPOTENCY_LOCK_TIMEOUT has passed
                    assert stored_keys(db).get(x.key, (0,))[0] is None and not before.get(x.key)
                    assert time.monotonic() < deadline, f"{x.key} stays in progress"
                    held.add(x.key)
                    time.sleep(0.5)
                http.close()
                assert answer.status == 201, f"retry of {x.key}: {answer.status} {answer.text[:300]}"
                retried.append(Intake(x.key, x.body, 201, answer.json()["id"]))
                if before.get(x.key):  # stored before the crash: the retry must give that order back
                    assert answer.json()["id"] == stored_keys(db)[x.key][1], f"retry of {x.key} gave a new order"
            server.stop()
            log_errors = server.log_errors()

        final = check_database_file(db) + check_answers_are_stored(db, intakes + retried, moves)
        final += order_violations(db)
        counts = marker_counts(db)
        total = db.rows("SELECT COUNT(*) FROM service_workorder")[0][0]
        print(
            f"\n[{db.vendor}] {len(intakes)} intakes ({sum(1 for x in intakes if x.status == 201)} answered, "
            f"{len(lost)} unanswered of which {sum(1 for x in lost if before.get(x.key))} had been stored, "
            f"{len(abandoned)} reserved, {len(held)} held back by it), "
            f"{len(moves)} moves ({sum(1 for m in moves if m.status == 200)} answered), {total} orders, "
            f"{kill} kills"
        )
    assert not ledger.unexpected, "\n".join(ledger.unexpected[:20])
    assert not final, "\n".join(final[:30])
    assert total == len(counts) == sum(counts.values()), "an order without its marker, or a duplicate"
    assert all(counts[x.key] == 1 for x in retried)
    assert not log_errors, "\n".join(log_errors[:20])
