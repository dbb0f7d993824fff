"""Two people act on the same order at the same moment, against the real server.

gunicorn with 2 workers on a fresh database (the engine of ``DATABASE_URL``); two agents, each
with their own token or console session, released together by a ``threading.Barrier`` so that
both requests are in the two workers at once. Whatever the interleaving, exactly one of them
wins: the other gets a 409 in the error shape ``{code, message, fields}`` (the API) or the
"someone else changed this work order" message (the console's forms), and the database holds
the winner's change once — one event, one version step, one audit row
(tests/reliability/invariants.py).
"""

import threading
from functools import partial

import pytest

from .invariants import order_violations
from .live import FreshDatabase, Http, Server, forms_in

PAIRS = 6  # orders raced per case: the barrier makes every pair overlap, more pairs vary the interleaving
STALE = "Someone else changed this work order meanwhile"


@pytest.fixture(scope="module")
def live(tmp_path_factory):
    with FreshDatabase("concurrency", tmp_path_factory.mktemp("concurrency")) as db:
        db.migrate()
        world = db.world(agents=2, engineers=2, units=10)
        with Server(db, label="concurrency") as server:
            server.start()
            yield db, world, server
            errors = server.log_errors()
        assert not errors, "\n".join(errors[:20])


def at_once(*calls):
    """Run the calls (``partial``s) in threads released by one barrier; their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        results[i] = call()

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def apis(live):
    _db, world, server = live
    return [Http(server.base, token=a["token"]) for a in world["agents"]]


def new_orders(live, n: int) -> list[dict]:
    _db, world, server = live
    http = Http(server.base, token=world["agents"][0]["token"])
    orders = []
    for i in range(n):
        answer = http.post(
            "/api/v1/service-requests",
            {"serial": world["serials"][i % len(world["serials"])], "fault_description": "Race test: no power."},
        )
        assert answer.status == 201, answer.text
        orders.append(answer.json())
    http.close()
    return orders


def events_of(db, order_id: int) -> list[tuple]:
    return db.rows(
        "SELECT action, from_status, to_status FROM service_workorderevent WHERE order_id = %s ORDER BY id", [order_id]
    )


def order_row(db, order_id: int) -> tuple:
    return db.rows("SELECT status, version, assignee_id FROM service_workorder WHERE id = %s", [order_id])[0]


def assert_error_shape(answer, code: str) -> None:
    body = answer.json()
    assert answer.status == 409, answer.text
    assert set(body) == {"code", "message", "fields"}, body
    assert body["code"] == code and body["message"].strip() and isinstance(body["fields"], dict), body


@pytest.mark.parametrize(
    "first, second, code",
    [
        ({"action": "acknowledge", "version": 1}, {"action": "acknowledge", "version": 1}, "stale_version"),
        (
            {"action": "acknowledge", "version": 1},
            {"action": "cancel", "note": "Duplicate", "version": 1},
            "stale_version",
        ),
        ({"action": "acknowledge"}, {"action": "acknowledge"}, "invalid_transition"),
    ],
    ids=["same-move-same-version", "two-moves-same-version", "same-move-no-version"],
)
def test_two_agents_move_the_same_order_at_once_and_exactly_one_wins(live, first, second, code):
    db, _world, _server = live
    a, b = apis(live)
    orders = new_orders(live, PAIRS)
    for order in orders:
        # when both agents send their move at the same moment
        url = f"/api/v1/work-orders/{order['id']}/transitions"
        answers = at_once(partial(a.post, url, first), partial(b.post, url, second))
        # then one is taken and the other refused with a clear 409
        assert sorted(x.status for x in answers) == [200, 409], [(x.status, x.text[:200]) for x in answers]
        won, lost = (answers[0], answers[1]) if answers[0].status == 200 else (answers[1], answers[0])
        winner = first if won is answers[0] else second
        assert_error_shape(lost, code)
        # and the database holds the winner's move once
        status, version, _assignee = order_row(db, order["id"])
        moves = [e for e in events_of(db, order["id"]) if e[0] not in ("create", "assign")]
        assert moves == [(winner["action"], "new", status)]
        assert (version, won.json()["version"], won.json()["status"]) == (2, 2, status)
    assert order_violations(db, ids=[o["id"] for o in orders]) == []


def test_two_assignments_with_the_same_version_one_wins(live):
    db, world, _server = live
    a, b = apis(live)
    orders = new_orders(live, PAIRS)
    first, second = world["engineers"]
    for order in orders:
        url = f"/api/v1/work-orders/{order['id']}/assignment"
        v = order["version"]
        answers = at_once(
            partial(a.post, url, {"assignee_id": first, "version": v}),
            partial(b.post, url, {"assignee_id": second, "version": v}),
        )
        assert sorted(x.status for x in answers) == [200, 409], [(x.status, x.text[:200]) for x in answers]
        won = answers[0] if answers[0].status == 200 else answers[1]
        assert_error_shape(answers[1] if won is answers[0] else answers[0], "stale_version")
        _status, version, assignee = order_row(db, order["id"])
        assert assignee == won.json()["assignee"]["id"] and version == v + 1
        manual = [e for e in events_of(db, order["id"]) if e[0] == "assign"]
        assert len(manual) == 1 + sum(1 for e in order["events"] if e["action"] == "assign")
    assert order_violations(db, ids=[o["id"] for o in orders]) == []


def test_the_same_request_sent_twice_at_once_files_one_order(live):
    db, world, server = live
    token = world["agents"][0]["token"]
    for i in range(PAIRS):
        key = f"race-same-{i}"
        body = {"serial": world["serials"][0], "fault_description": f"[{key}] Sent twice at once."}
        one, two = Http(server.base, token=token), Http(server.base, token=token)
        answers = at_once(
            partial(one.post, "/api/v1/service-requests", body, headers={"Idempotency-Key": key}),
            partial(two.post, "/api/v1/service-requests", body, headers={"Idempotency-Key": key}),
        )
        # both get the order, or the later one is told the first is still running
        created = [x for x in answers if x.status == 201]
        assert created, [(x.status, x.text[:200]) for x in answers]
        assert len({x.json()["id"] for x in created}) == 1
        for x in answers:
            if x.status != 201:
                assert_error_shape(x, "idempotency_in_progress")
        # and a retry afterwards gets that order back
        again = one.post("/api/v1/service-requests", body, headers={"Idempotency-Key": key})
        assert again.status == 201 and again.json()["id"] == created[0].json()["id"]
        rows = db.rows("SELECT id FROM service_workorder WHERE fault_description = %s", [body["fault_description"]])
        assert rows == [(created[0].json()["id"],)]


def test_one_key_with_two_bodies_at_once_files_one_order(live):
    db, world, server = live
    token = world["agents"][0]["token"]
    for i in range(PAIRS):
        key = f"race-diff-{i}"
        bodies = [
            {"serial": world["serials"][0], "fault_description": f"[{key}] first body"},
            {"serial": world["serials"][0], "fault_description": f"[{key}] second body"},
        ]
        one, two = Http(server.base, token=token), Http(server.base, token=token)
        answers = at_once(
            partial(one.post, "/api/v1/service-requests", bodies[0], headers={"Idempotency-Key": key}),
            partial(two.post, "/api/v1/service-requests", bodies[1], headers={"Idempotency-Key": key}),
        )
        assert sorted(x.status for x in answers) == [201, 409], [(x.status, x.text[:200]) for x in answers]
        lost = answers[0] if answers[0].status == 409 else answers[1]
        assert lost.json()["code"] in ("idempotency_mismatch", "idempotency_in_progress")
        assert_error_shape(lost, lost.json()["code"])
        stored = db.rows("SELECT COUNT(*) FROM service_workorder WHERE fault_description LIKE %s", [f"[{key}]%"])
        assert stored == [(1,)]


# --- the console's forms ---------------------------------------------------------------------------


def console(live, n: int) -> Http:
    _db, world, server = live
    return Http(server.base, cookies={world["session_cookie"]: world["agents"][n]["session"]})


def form_on_page(browser: Http, order_id: int, action_path: str, **match) -> dict:
    page = browser.get(f"/console/orders/{order_id}/")
    assert page.status == 200, page.text[:500]
    for form in forms_in(page.text):
        if form["action"] == action_path and all(form["fields"].get(k) == v for k, v in match.items()):
            return form["fields"]
    raise AssertionError(f"no form {action_path} {match} on the page")


def follow(browser: Http, answer) -> str:
    assert answer.status == 302, (answer.status, answer.text[:300])
    return browser.get(answer.headers["location"]).text


@pytest.mark.parametrize("htmx", [False, True], ids=["form", "htmx"])
def test_two_agents_submit_the_same_order_page_at_once_one_is_told_it_changed(live, htmx):
    db, _world, _server = live
    headers = {"HX-Request": "true"} if htmx else {}
    for order in new_orders(live, 3):
        path = f"/console/orders/{order['id']}/transition/"
        # given both agents have the order's page open (the same version in their forms)
        first, second = console(live, 0), console(live, 1)
        ack = form_on_page(first, order["id"], path, action="acknowledge")
        cancel = form_on_page(second, order["id"], path, action="cancel") | {"note": "Customer called twice"}
        assert ack["version"] == cancel["version"] == str(order["version"])
        # when both submit at the same moment
        answers = at_once(
            partial(first.request, "POST", path, form=ack, headers=headers),
            partial(second.request, "POST", path, form=cancel, headers=headers),
        )
        # then exactly one change is kept, and the other agent is told why theirs was not
        status, version, _ = order_row(db, order["id"])
        moves = [e[0] for e in events_of(db, order["id"]) if e[0] not in ("create", "assign")]
        assert len(moves) == 1 and version == order["version"] + 1
        loser = 1 if moves[0] == "acknowledge" else 0
        browser = (first, second)[loser]
        if htmx:
            assert answers[1 - loser].status == 200 and "hx-redirect" in answers[1 - loser].headers
            assert answers[loser].status == 409 and STALE in answers[loser].text
        else:
            assert "Done:" in follow((first, second)[1 - loser], answers[1 - loser])
            assert STALE in follow(browser, answers[loser])
        assert status == ("acknowledged" if moves[0] == "acknowledge" else "cancelled")
        assert order_violations(db, ids=[order["id"]]) == []


def test_a_stale_assignment_form_is_refused_not_saved_over(live):
    db, world, _server = live
    order = new_orders(live, 1)[0]
    path = f"/console/orders/{order['id']}/assign/"
    first, second = console(live, 0), console(live, 1)
    mine = form_on_page(first, order["id"], path) | {"assignee": str(world["engineers"][0])}
    theirs = form_on_page(second, order["id"], path) | {"assignee": str(world["engineers"][1])}
    answers = at_once(
        partial(first.request, "POST", path, form=mine), partial(second.request, "POST", path, form=theirs)
    )
    _status, version, assignee = order_row(db, order["id"])
    winner = 0 if assignee == world["engineers"][0] else 1
    assert assignee == world["engineers"][winner] and version == order["version"] + 1
    assert "Assignment saved." in follow((first, second)[winner], answers[winner])
    assert STALE in follow((first, second)[1 - winner], answers[1 - winner])
    assert order_violations(db, ids=[order["id"]]) == []
