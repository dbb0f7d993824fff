"""Requests the API cannot even parse get a 4xx in the ``{code, message, fields}`` shape (found by API fuzzing)."""

import pytest
from django.test import Client
from django.utils.translation import gettext, override

from accounts.models import ApiToken
from tests.factories import UserFactory


def assert_error(response, status, code):
    assert response.status_code == status, response.content[:300]
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert set(body) == {"code", "message", "fields"}
    assert body["code"] == code
    assert body["message"].strip()
    return body


@pytest.fixture
def token(db):
    return ApiToken.issue(UserFactory(role="agent"))[1]


@pytest.mark.parametrize(
    "path, headers",
    [
        ("/api/v1/units", {}),  # reads its multipart form itself
        ("/api/v1/service-requests", {"HTTP_IDEMPOTENCY_KEY": "k-1"}),  # a key: the form is read to hash it
        ("/api/v1/work-orders/1/transitions", {"HTTP_IDEMPOTENCY_KEY": "k-2"}),
    ],
)
def test_multipart_without_a_boundary_is_400(token, path, headers):
    # when the body is declared multipart but the Content-Type carries no boundary
    response = Client().post(
        path, b'{"serial": "0"}', content_type="multipart/form-data", HTTP_AUTHORIZATION=f"Bearer {token}", **headers
    )

    # then
    assert_error(response, 400, "malformed_request")


@pytest.mark.parametrize("method", ["get", "post", "put", "delete"])
@pytest.mark.parametrize(
    "path", ["/api/v1/nope", "/api/v1/units//warranty", "/api/v1/work-orders/1/", "/api/v2/work-orders"]
)
def test_a_path_no_operation_matches_is_a_json_404(token, method, path):
    # when
    response = getattr(Client(), method)(path, HTTP_AUTHORIZATION=f"Bearer {token}")

    # then
    assert_error(response, 404, "not_found")


def test_a_path_no_operation_matches_is_a_json_404_without_a_token_too(db):
    # when
    response = Client().get("/api/v1/nope")

    # then
    assert_error(response, 404, "not_found")


def test_the_json_404_speaks_the_users_language(db):
    # when
    response = Client().get("/api/v1/nope", HTTP_ACCEPT_LANGUAGE="zh-hans")

    # then
    body = assert_error(response, 404, "not_found")
    with override("zh-hans"):
        assert body["message"] == gettext("Not found.") != "Not found."


def test_a_wrong_method_on_an_api_path_is_a_405_in_the_error_shape(db, client):
    # when a DELETE is sent where only GET and POST exist
    response = client.delete("/api/v1/work-orders", HTTP_ACCEPT_LANGUAGE="zh-hans")
    # then it is refused in the API's error shape, in the user's language, with what is allowed
    assert response.status_code == 405
    body = response.json()
    assert body["code"] == "method_not_allowed" and body["fields"] == {}
    assert body["message"] == "此处不允许使用该方法。"
    assert "GET" in response["Allow"]
