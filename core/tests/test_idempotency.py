"""The idempotency mechanism itself (core/idempotency.py), on a small API built like ``/api/v1/``.

The endpoints of the real API are covered in tests/test_idempotency_api.py; here are the cases
that need an endpoint the real API does not have: a public write, a 5xx, a request that waits.
"""

import datetime as dt
import json
import threading

import pytest
from django.core.management import call_command
from django.db import connection
from django.test import Client
from django.test.client import encode_multipart
from django.utils import timezone

from accounts.models import ApiToken
from core import idempotency
from core.models import IdempotencyKey, Setting
from core.tests import idempotency_urls
from tests.factories import UserFactory

pytestmark = pytest.mark.urls("core.tests.idempotency_urls")


def _client(user=None, **extra):
    client = Client(**{"HTTP_ACCEPT_LANGUAGE": "en", **extra})
    if user is not None:
        _, token = ApiToken.issue(user)
        client.defaults["HTTP_AUTHORIZATION"] = f"Bearer {token}"
    return client


def _post(client, path, body=None, key=None, **extra):
    headers = {"HTTP_IDEMPOTENCY_KEY": key} if key is not None else {}
    return client.post("/api/v1" + path, json.dumps(body or {}), content_type="application/json", **headers, **extra)


def _settings(prefix):
    return sorted(Setting.objects.filter(key__startswith=prefix).values_list("key", flat=True))


# --- public endpoints: keys per client address -------------------------------------------------


def test_a_public_endpoint_replays_per_client_address(db):
    # given an anonymous caller who sent a request with a key
    first = _post(_client(REMOTE_ADDR="10.0.0.1"), "/public", {"a": 1}, key="k1")

    # when they retry, and another address sends the same key
    retry = _post(_client(REMOTE_ADDR="10.0.0.1"), "/public", {"a": 1}, key="k1")
    other = _post(_client(REMOTE_ADDR="10.0.0.2"), "/public", {"a": 1}, key="k1")

    # then the retry is the first answer, the other address's request ran on its own
    assert (first.status_code, first.json()) == (201, {"n": 1})
    assert (retry.status_code, retry.json(), retry["Idempotency-Replayed"]) == (201, {"n": 1}, "true")
    assert (other.status_code, other.json()) == (201, {"n": 2})
    assert not other.has_header("Idempotency-Replayed")
    assert _settings("public-") == ["public-1", "public-2"]
    assert set(IdempotencyKey.objects.values_list("user", flat=True)) == {None}


# --- 5xx -----------------------------------------------------------------------------------------


def test_a_server_error_keeps_nothing_and_releases_the_key(db):
    # given an endpoint that writes a row, then fails
    client = _client(UserFactory())
    Setting.objects.create(key="fail", value=True)

    # when
    failed = _post(client, "/flaky", key="k")

    # then its row was rolled back and the key is free again
    assert failed.status_code == 500
    assert failed.json()["code"] == "server_error"
    assert _settings("flaky-") == []
    assert not IdempotencyKey.objects.exists()

    # when the cause is gone and the client retries with the same key
    Setting.objects.filter(key="fail").delete()
    retry = _post(client, "/flaky", key="k")
    again = _post(client, "/flaky", key="k")

    # then the retry ran once, and is replayed after
    assert (retry.status_code, retry.json()) == (201, {"n": 1})
    assert (again.status_code, again.json(), again["Idempotency-Replayed"]) == (201, {"n": 1}, "true")
    assert _settings("flaky-") == ["flaky-1"]


# --- a request still running ----------------------------------------------------------------------


def _in_thread(fn):
    """Run ``fn`` in a thread with its own database connection; returns (thread, result list)."""
    from django.db import connections

    result = []

    def target():
        try:
            result.append(fn())
        finally:
            connections.close_all()

    thread = threading.Thread(target=target)
    thread.start()
    return thread, result


@pytest.mark.django_db(transaction=True)
def test_the_same_key_while_the_first_request_runs_never_runs_twice():
    # given a first request that has started and waits
    user = UserFactory()
    client, retrying = _client(user), _client(user)
    ApiToken.objects.update(last_used_at=timezone.now())  # (no token write during the test: SQLite in memory)
    idempotency_urls.started.clear()
    idempotency_urls.proceed.clear()
    first_thread, first = _in_thread(lambda: _post(client, "/slow", {"x": 1}, key="k"))
    assert idempotency_urls.started.wait(timeout=20)

    # when the client retries meanwhile
    try:
        retry_thread, during = _in_thread(lambda: _post(retrying, "/slow", {"x": 1}, key="k"))
        retry_thread.join(timeout=1)
    finally:
        idempotency_urls.proceed.set()
        first_thread.join(timeout=30)
        retry_thread.join(timeout=30)

    # then the first ran once
    assert (first[0].status_code, first[0].json()) == (201, {"n": 1})
    assert _settings("slow-") == ["slow-1"]
    if connection.vendor == "postgresql":
        # and the retry was told at once that it still runs
        assert during[0].status_code == 409
        assert during[0].json()["code"] == "idempotency_in_progress"
    else:
        # SQLite has one writer at a time: the retry waited for the first, and got its answer
        assert (during[0].status_code, during[0].json(), during[0]["Idempotency-Replayed"]) == (201, {"n": 1}, "true")
    # and a retry once it is done gets its answer
    after = _post(client, "/slow", {"x": 1}, key="k")
    assert (after.status_code, after.json(), after["Idempotency-Replayed"]) == (201, {"n": 1}, "true")


def test_a_reservation_abandoned_by_a_crashed_worker_is_taken_over(db, settings):
    # given a reservation left "in progress" long ago (its worker died)
    settings.IDEMPOTENCY_LOCK_TIMEOUT = 60
    user = UserFactory()
    IdempotencyKey.objects.create(
        user=user, scope="api", key="k", method="POST", path="/api/v1/flaky", request_hash="x", status_code=None
    )
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(seconds=61))

    # when the client retries
    response = _post(_client(user), "/flaky", key="k")

    # then it runs
    assert (response.status_code, response.json()) == (201, {"n": 1})
    assert IdempotencyKey.objects.get().status_code == 201


def test_a_reservation_within_the_lock_timeout_is_respected(db):
    # given a reservation made a moment ago by another worker
    user = UserFactory()
    IdempotencyKey.objects.create(
        user=user, scope="api", key="k", method="POST", path="/api/v1/flaky", request_hash="x", status_code=None
    )

    # when the client sends the same key (in Chinese)
    response = _post(_client(user, HTTP_ACCEPT_LANGUAGE="zh-hans"), "/flaky", key="k")

    # then it is told, in its language, to wait
    assert response.status_code == 409
    assert response.json()["code"] == "idempotency_in_progress"
    assert any("\u4e00" <= ch <= "\u9fff" for ch in response.json()["message"])
    assert _settings("flaky-") == []


def test_the_lock_timeout_is_one_value_in_settings_code_docs_and_the_crash_test(monkeypatch):
    """``IDEMPOTENCY_LOCK_TIMEOUT`` is set once, in config/settings/base.py: the code reads it, the
    crash test's server keeps it unless told otherwise, and the docs state that number."""
    import importlib
    from pathlib import Path

    from django.conf import settings

    from config.settings import base
    from tests.reliability import server_settings, test_crash

    value = base.IDEMPOTENCY_LOCK_TIMEOUT
    assert settings.IDEMPOTENCY_LOCK_TIMEOUT == value and idempotency.lock_timeout() == value
    monkeypatch.delenv("RELIABILITY_IDEMPOTENCY_LOCK_TIMEOUT", raising=False)
    assert importlib.reload(server_settings).IDEMPOTENCY_LOCK_TIMEOUT == value
    assert test_crash.PRODUCTION_LOCK_TIMEOUT == value and test_crash.LOCK_TIMEOUT < value
    docs = (Path(base.BASE_DIR) / "docs" / "reliability.md").read_text()
    assert f"`IDEMPOTENCY_LOCK_TIMEOUT` ({value} s" in docs


# --- expiry ----------------------------------------------------------------------------------------


def test_an_expired_key_is_a_new_request(db, settings):
    # given a key used 25 hours ago (the default TTL is 24 h)
    client = _client(UserFactory())
    _post(client, "/flaky", key="k")
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(hours=25))

    # when
    response = _post(client, "/flaky", key="k")

    # then it runs again
    assert (response.status_code, response.json()) == (201, {"n": 2})
    assert not response.has_header("Idempotency-Replayed")


def test_purge_deletes_old_http_keys_and_keeps_mail_keys(db, settings):
    # given keys of API requests and forms, old and recent, and an old mail key
    settings.IDEMPOTENCY_KEY_TTL = 3600
    user = UserFactory()
    old = timezone.now() - dt.timedelta(hours=2)
    for scope, key in (("api", "old"), ("form", "old"), ("email", "old"), ("api", "new")):
        IdempotencyKey.objects.create(user=user, scope=scope, key=key, request_hash="x", status_code=201)
    IdempotencyKey.objects.filter(key="old").update(created_at=old)

    # when
    call_command("purge_idempotency_keys", stdout=open("/dev/null", "w"))

    # then
    assert sorted(IdempotencyKey.objects.values_list("scope", "key")) == [("api", "new"), ("email", "old")]


def test_the_hourly_job_purges_too(db, settings):
    # given
    from core.tasks import idempotency_purge

    user = UserFactory()
    IdempotencyKey.objects.create(user=user, scope="api", key="old", request_hash="x", status_code=201)
    IdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=2))

    # when
    result = idempotency_purge.call()

    # then
    assert result == {"deleted": 1}
    assert not IdempotencyKey.objects.exists()


# --- what is the same request ---------------------------------------------------------------------


def test_json_key_order_and_spacing_do_not_matter(db):
    # given
    client = _client(UserFactory())
    first = client.post(
        "/api/v1/flaky", '{"a": 1, "b": [1, 2]}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )

    # when the same JSON comes again, written differently
    retry = client.post("/api/v1/flaky", '{"b":[1,2],"a":1}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k")
    changed = client.post(
        "/api/v1/flaky", '{"b":[2,1],"a":1}', content_type="application/json", HTTP_IDEMPOTENCY_KEY="k"
    )

    # then
    assert retry["Idempotency-Replayed"] == "true"
    assert retry.content == first.content
    assert (changed.status_code, changed.json()["code"]) == (409, "idempotency_mismatch")
    assert _settings("flaky-") == ["flaky-1"]


def test_multipart_is_compared_by_fields_and_file_content_not_by_boundary(db):
    # given a multipart request
    from django.core.files.uploadedfile import SimpleUploadedFile

    client = _client(UserFactory())

    def send(boundary, content=b"%PDF-1.4 one", name="a.pdf"):
        data = {"serial": "S1", "proof": SimpleUploadedFile(name, content)}
        return client.post(
            "/api/v1/flaky",
            encode_multipart(boundary, data),
            content_type=f"multipart/form-data; boundary={boundary}",
            HTTP_IDEMPOTENCY_KEY="k",
        )

    first = send("AaB03x")

    # when it is sent again with another boundary, then with another file of the same size and name
    retry = send("Zz9Yy8Xx7")
    other_file = send("AaB03x", content=b"%PDF-1.4 two")

    # then
    assert first.status_code == 201
    assert retry["Idempotency-Replayed"] == "true"
    assert (other_file.status_code, other_file.json()["code"]) == (409, "idempotency_mismatch")
    assert _settings("flaky-") == ["flaky-1"]


def test_delete_is_idempotent_too(db):
    # given
    client = _client(UserFactory())
    Setting.objects.create(key="x", value=1)

    # when
    first = client.delete("/api/v1/settings/x", HTTP_IDEMPOTENCY_KEY="d")
    retry = client.delete("/api/v1/settings/x", HTTP_IDEMPOTENCY_KEY="d")

    # then
    assert (first.status_code, retry.status_code, retry["Idempotency-Replayed"]) == (204, 204, "true")
    assert IdempotencyKey.objects.get().status_code == 204


def test_a_request_that_fails_authentication_reserves_nothing(db):
    # when
    response = Client().post(
        "/api/v1/flaky",
        "{}",
        content_type="application/json",
        HTTP_IDEMPOTENCY_KEY="k",
        HTTP_AUTHORIZATION="Bearer nope",
    )

    # then
    assert response.status_code == 401
    assert not IdempotencyKey.objects.exists()


@pytest.mark.parametrize("key", ["k" * 201, "a\x00b"], ids=["too-long", "nul"])
def test_a_bad_key_is_400(db, key):
    # when
    response = _post(_client(UserFactory()), "/flaky", key=key)

    # then
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid_idempotency_key"
    assert list(body["fields"]) == ["Idempotency-Key"]
    assert _settings("flaky-") == []
    assert not IdempotencyKey.objects.exists()


def test_a_key_of_200_characters_is_fine(db):
    # when
    response = _post(_client(UserFactory()), "/flaky", key="k" * 200)

    # then
    assert response.status_code == 201
    assert IdempotencyKey.objects.get().key == "k" * 200


def test_request_hash_ignores_the_csrf_token_and_form_token(rf):
    # given two form posts differing only in their tokens
    a = rf.post("/x", {"a": "1", "csrfmiddlewaretoken": "one", "form_token": "t1"})
    b = rf.post("/x", {"a": "1", "csrfmiddlewaretoken": "two", "form_token": "t2"})
    c = rf.post("/x", {"a": "2", "csrfmiddlewaretoken": "one", "form_token": "t1"})

    # then
    assert idempotency.request_hash(a) == idempotency.request_hash(b) != idempotency.request_hash(c)
