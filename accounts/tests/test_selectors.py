"""``live_token``: the API's token lookup, compiled once, gives what the ORM gives."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.models import ApiToken
from accounts.selectors import live_token
from core.audit import snapshot
from tests.factories import UserFactory


@pytest.fixture
def issued(db):
    user = UserFactory(role="agent", first_name="Mei", last_name="Han")
    row, token = ApiToken.issue(user)
    return row, token


def test_the_token_and_its_user_are_the_orms_in_one_query(issued):
    row, token = issued
    expected = ApiToken.objects.select_related("user").get(pk=row.pk)

    with CaptureQueriesContext(connection) as ctx:
        got = live_token(token)
        user = got.user  # cached, as select_related would have it

    assert len(ctx.captured_queries) == 1
    assert snapshot(got) == snapshot(expected)
    assert snapshot(user) == snapshot(expected.user)
    assert type(user.date_joined) is type(expected.user.date_joined)
    assert user.is_active is True and got.revoked is False
    assert not got._state.adding and got._state.db == expected._state.db


def test_a_found_token_can_be_saved_like_any_instance(issued):
    row, token = issued
    got = live_token(token)

    got.name = "renamed"
    got.save(update_fields=["name"])

    assert ApiToken.objects.get(pk=row.pk).name == "renamed"


@pytest.mark.parametrize("how", ["unknown", "revoked", "inactive user"])
def test_no_token_for_a_bad_revoked_or_inactive_one(issued, how):
    row, token = issued
    if how == "unknown":
        token = token[::-1]
    elif how == "revoked":
        ApiToken.objects.filter(pk=row.pk).update(revoked=True)
    else:
        type(row.user).objects.filter(pk=row.user_id).update(is_active=False)

    assert live_token(token) is None
