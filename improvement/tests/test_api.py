"""``/api/v1/improvement/``: the round trip, and bad input answered with a clear 4xx."""

import pytest

from improvement.models import CorrectiveAction, ImprovementAction

from .fixtures import DUE, complaint_of


def error(response, status, code=None):
    assert response.status_code == status, response.content[:400]
    body = response.json()
    assert set(body) == {"code", "message", "fields"} and body["message"].strip()
    if code:
        assert body["code"] == code, body
    return body


@pytest.fixture
def complaint(people):
    return complaint_of(
        "product_quality", handler=people["handler"], agent=people["agent"], engineer=people["engineer"]
    )


def test_corrective_actions_round_trip(people, api_as, complaint):
    api = api_as(people["handler"])
    r = api.post(
        "/improvement/corrective-actions",
        {
            "complaint_id": complaint.pk,
            "title": "Seal leaks",
            "owner_id": people["quality"].pk,
            "due_date": "2026-12-31",
        },
    )
    assert r.status_code == 201, r.content
    body = r.json()
    assert body["kind"] == "quality_feedback" and body["batch"] == "B2026-07"
    r = api.post(f"/improvement/corrective-actions/{body['id']}/transitions", {"action": "start", "version": 1})
    assert r.status_code == 200 and r.json()["status"] == "in_progress"
    page = api.get("/improvement/corrective-actions", {"kind": "quality_feedback"}).json()
    assert [i["id"] for i in page["items"]] == [body["id"]] and page["next_cursor"] is None


def test_promises_and_improvement_actions_round_trip(people, api_as, complaint):
    r = api_as(people["handler"]).post(
        "/improvement/promises",
        {
            "complaint_id": complaint.pk,
            "kind": "compensation",
            "description": "Refund",
            "reason": "Late",
            "amount": "1500.00",
        },
    )
    assert r.status_code == 201 and r.json()["required_role"] == "manager" and r.json()["communicable"] is False
    pid = r.json()["id"]
    error(
        api_as(people["supervisor"]).post(
            f"/improvement/promises/{pid}/decision", {"decision": "approve", "note": "ok"}
        ),
        403,
        "level_too_low",
    )
    r = api_as(people["manager"]).post(f"/improvement/promises/{pid}/decision", {"decision": "approve", "note": "ok"})
    assert r.status_code == 200 and r.json()["communicable"] is True

    q = api_as(people["quality"])
    r = q.post(
        "/improvement/actions",
        {"source_kind": "complaint", "source_id": complaint.pk, "title": "Seals", "metric": "reopen_rate"},
    )
    assert r.status_code == 201, r.content
    aid = r.json()["id"]
    for action in ("start", "to_check"):
        assert q.post(f"/improvement/actions/{aid}/transitions", {"action": action}).status_code == 200
    error(q.post(f"/improvement/actions/{aid}/transitions", {"action": "to_act"}), 409, "guard_effect_measured")
    r = q.post(f"/improvement/actions/{aid}/effect-check", {})
    assert r.status_code == 200 and r.json()["effect_checked_at"]
    assert [i["id"] for i in q.get("/improvement/actions").json()["items"]] == [aid]


def test_voc_themes(people, api_as):
    r = api_as(people["analyst"]).get("/improvement/voc", {"month": "2026-05", "language": "zh"})
    assert r.status_code == 200 and r.json()["themes"] == [] and r.json()["month"] == "2026-05-01"


@pytest.mark.parametrize(
    ("path", "body", "status"),
    [
        ("/improvement/corrective-actions", {"complaint_id": "abc"}, 422),
        (
            "/improvement/corrective-actions",
            {"complaint_id": 1, "title": "x" * 5000, "owner_id": 1, "due_date": "2026-01-01"},
            422,
        ),
        (
            "/improvement/corrective-actions",
            {"complaint_id": 1, "title": "x", "owner_id": 1, "due_date": "2199-01-01"},
            422,
        ),
        (
            "/improvement/corrective-actions",
            {"complaint_id": 2**70, "title": "x", "owner_id": 1, "due_date": "2026-01-01"},
            422,
        ),
        (
            "/improvement/corrective-actions",
            {"complaint_id": 987654, "title": "x", "owner_id": 1, "due_date": "2026-01-01"},
            404,
        ),
        (
            "/improvement/corrective-actions",
            {"complaint_id": 1, "kind": "nope", "title": "x", "owner_id": 1, "due_date": "2026-01-01"},
            422,
        ),
        ("/improvement/promises", {"complaint_id": 987654, "kind": "promise", "description": "d", "reason": "r"}, 404),
        (
            "/improvement/promises",
            {"complaint_id": 1, "kind": "compensation", "description": "d", "reason": "r", "amount": "1.001"},
            422,
        ),
        ("/improvement/promises/987654/decision", {"decision": "approve", "note": "x"}, 404),
        ("/improvement/promises/1/decision", {"decision": "maybe", "note": "x"}, 422),
        ("/improvement/actions", {"source_kind": "survey", "title": "x", "metric": "nope"}, 422),
        ("/improvement/actions/987654/transitions", {"action": "start"}, 404),
        ("/improvement/corrective-actions/987654/transitions", {"action": "start"}, 404),
        ("/improvement/corrective-actions/99999999999999999999/transitions", {"action": "start"}, 404),
        ("/improvement/actions/99999999999999999999/effect-check", {}, 404),
        ("/improvement/promises/99999999999999999999/decision", {"decision": "approve", "note": "x"}, 404),
    ],
)
def test_bad_input_is_a_clear_4xx(people, api_as, path, body, status):
    error(api_as(people["manager"]).post(path, body), status)
    assert not CorrectiveAction.objects.exists() and not ImprovementAction.objects.exists()


def test_malformed_json_and_unknown_action(people, api_as, complaint):
    api = api_as(people["handler"])
    error(api.post("/improvement/corrective-actions", raw="{not json"), 400)
    r = api.post(
        "/improvement/corrective-actions",
        {"complaint_id": complaint.pk, "title": "t", "owner_id": people["quality"].pk, "due_date": "2026-12-31"},
    )
    error(
        api.post(f"/improvement/corrective-actions/{r.json()['id']}/transitions", {"action": "explode"}),
        422,
    )


@pytest.mark.parametrize(
    ("query", "status"),
    [({"month": "2026-13"}, 422), ({"month": "1999-01"}, 422), ({"source": "nope"}, 404), ({"top": 0}, 422)],
)
def test_voc_bad_queries(people, api_as, query, status):
    error(api_as(people["analyst"]).get("/improvement/voc", query), status)


def test_roles_without_the_capability_are_refused(people, api_as, customer_user, complaint):
    for user in (people["engineer"], customer_user):
        error(api_as(user).get("/improvement/corrective-actions"), 403)
        error(api_as(user).get("/improvement/voc"), 403)
        error(
            api_as(user).post(
                "/improvement/corrective-actions",
                {
                    "complaint_id": complaint.pk,
                    "title": "t",
                    "owner_id": people["quality"].pk,
                    "due_date": "2026-12-31",
                },
            ),
            403,
        )
    error(api_as(people["analyst"]).post("/improvement/actions", {"source_kind": "analysis", "title": "x"}), 403)


def test_lists_run_a_fixed_number_of_queries(people, api_as, complaint):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from improvement import services

    api = api_as(people["manager"])
    paths = ["/improvement/corrective-actions", "/improvement/actions", "/improvement/voc"]

    def counts():
        out = []
        for path in paths:
            with CaptureQueriesContext(connection) as q:
                assert api.get(path).status_code == 200
            out.append(len(q.captured_queries))
        return out

    def add():
        services.corrective_action_create(
            actor=people["handler"],
            complaint_id=complaint.pk,
            title="t",
            owner_id=people["quality"].pk,
            due_date=DUE,
            kind="training",
            staff_ids=[people["engineer"].pk],
        )
        services.improvement_action_open(actor=people["quality"], source_kind="analysis", title="a")

    add()
    counts()  # warm: the policies' cache
    few = counts()
    for _ in range(5):
        add()
    assert counts() == few
    assert max(few) <= 6  # token, user, page, training needs, …
