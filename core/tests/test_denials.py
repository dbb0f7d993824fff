"""Refused requests are logged (DenialLogMiddleware); the rest of the matrix is in
service/tests/test_permissions.py."""

import pytest
from django.test import Client

from core.models import AuditLog
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_404_for_a_signed_in_user_is_logged_even_with_a_nul_in_the_path():
    # given a signed-in agent
    client = Client()
    user = UserFactory(role="agent")
    client.force_login(user)
    # when they ask for a path holding a NUL character
    response = client.get("/console/orders/1%00/")
    # then it is refused, and the refusal is logged with the NUL written out
    assert response.status_code == 404
    row = AuditLog.objects.get(action="denied")
    assert row.actor_id == user.pk and row.object_id == "404"
    assert row.after["path"] == "/console/orders/1\\x00/" and "\x00" not in row.object_repr


def test_anonymous_404s_are_not_logged_but_401s_are():
    client = Client()
    assert client.get("/no/such/page/").status_code == 404
    assert client.get("/api/v1/work-orders", HTTP_AUTHORIZATION="Bearer nope").status_code == 401
    assert list(AuditLog.objects.filter(action="denied").values_list("actor_id", "object_id")) == [(None, "401")]
