"""``/api/v1/notifications``: each person sees and marks only their own rows."""

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from accounts.choices import Role
from notifications.models import Notification
from notifications.services import notify
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def two(db):
    me, other = UserFactory(role="customer"), UserFactory(role="customer")
    for i in range(3):
        notify(users=[me], subject=f"Mine {i}", body="b")
    notify(users=[other], subject="Theirs", body="b")
    return me, other


def _theirs(other):
    return Notification.objects.get(recipient=other, channel="inapp")


@pytest.mark.parametrize("role", list(Role), ids=[r.value for r in Role])
def test_every_role_reads_and_marks_its_own_inbox(api_as, role):
    # given a person of this role with two notifications
    user = UserFactory(role=role)
    notify(users=[user], subject="One", body="b")
    notify(users=[user], subject="Two", body="b")
    api = api_as(user)

    # when / then
    assert api.get("/notifications/unread-count").json() == {"unread": 2}
    items = api.get("/notifications").json()["items"]
    assert [n["subject"] for n in items] == ["Two", "One"]  # newest first
    assert api.post(f"/notifications/{items[0]['id']}/read").json()["read_at"] is not None
    assert api.get("/notifications", {"unread": "true"}).json()["items"][0]["subject"] == "One"
    assert api.post("/notifications/read-all").json() == {"marked": 1}
    assert api.get("/notifications/unread-count").json() == {"unread": 0}


def test_someone_elses_notification_is_not_found_and_unchanged(two, api_as):
    # given
    me, other = two
    theirs = _theirs(other)
    api = api_as(me)

    # when
    forged = api.post(f"/notifications/{theirs.pk}/read")
    missing = api.post("/notifications/999999999/read")
    huge = api.post(f"/notifications/{2**63}/read")

    # then
    assert (forged.status_code, forged.json()["code"]) == (404, "not_found")
    assert set(forged.json()) == {"code", "message", "fields"}
    assert missing.status_code == 404
    assert huge.status_code in (404, 422)
    theirs.refresh_from_db()
    assert theirs.read_at is None
    # and my list, count and read-all never touch theirs
    assert "Theirs" not in [n["subject"] for n in api.get("/notifications").json()["items"]]
    assert api.post("/notifications/read-all").json() == {"marked": 3}
    assert Notification.objects.get(pk=theirs.pk).read_at is None


@pytest.mark.parametrize(
    "method, path",
    [
        ("get", "/api/v1/notifications"),
        ("get", "/api/v1/notifications/unread-count"),
        ("post", "/api/v1/notifications/read-all"),
        ("post", "/api/v1/notifications/1/read"),
    ],
    ids=["list", "count", "read-all", "read-one"],
)
def test_anonymous_is_refused_and_nothing_changes(two, method, path):
    # when
    response = getattr(Client(), method)(path, HTTP_ACCEPT_LANGUAGE="en")

    # then
    assert response.status_code == 401
    assert not Notification.objects.filter(read_at__isnull=False).exists()


def test_keyset_pages_cover_the_inbox_once(two, api_as):
    # given
    me, _other = two
    api = api_as(me)

    # when
    first = api.get("/notifications", {"limit": 2}).json()
    second = api.get("/notifications", {"limit": 2, "cursor": first["next_cursor"]}).json()

    # then
    assert [n["subject"] for n in first["items"] + second["items"]] == ["Mine 2", "Mine 1", "Mine 0"]
    assert second["next_cursor"] is None


@pytest.mark.parametrize("cursor", ["!!", "WzEsMl0", "bm90LWpzb24"], ids=["alphabet", "wrong-length", "not-json"])
def test_a_bad_cursor_is_422(two, api_as, cursor):
    response = api_as(two[0]).get("/notifications", {"cursor": cursor})
    assert response.status_code == 422
    assert response.json()["code"] in ("bad_cursor", "invalid")


def test_list_costs_the_same_queries_for_few_or_many(api_as, django_assert_num_queries):
    # given
    user = UserFactory(role="agent")
    api = api_as(user)
    notify(users=[user], subject="s", body="b")
    api.get("/notifications")
    with CaptureQueriesContext(connection) as few:
        api.get("/notifications")
    for i in range(30):
        notify(users=[user], subject=f"s{i}", body="b")

    # then token + page, however many rows
    with django_assert_num_queries(len(few.captured_queries)):
        api.get("/notifications")
    assert len(few.captured_queries) <= 3
