"""The OpenAPI document and the interactive docs."""

import json

import pytest
from django.test import Client

PATHS = {
    "/api/v1/service-requests": {"post"},
    "/api/v1/work-orders": {"get"},
    "/api/v1/work-orders/{order_id}": {"get"},
    "/api/v1/work-orders/{order_id}/transitions": {"post"},
    "/api/v1/work-orders/{order_id}/assignment": {"post"},
    "/api/v1/work-orders/{order_id}/quotes": {"post"},
    "/api/v1/quotes/{quote_id}/decision": {"post"},
    "/api/v1/work-orders/{order_id}/report": {"put"},
    "/api/v1/work-orders/{order_id}/acceptance": {"post"},
    "/api/v1/work-orders/{order_id}/replacement": {"post"},
    "/api/v1/units": {"post"},
    "/api/v1/units/{serial}/warranty": {"get"},
}


@pytest.fixture(scope="module")
def spec(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    return json.loads(response.content)


def test_openapi_is_valid_json_with_every_path(spec):
    # then
    assert spec["openapi"].startswith("3.")
    assert spec["info"]["title"]
    for path, methods in PATHS.items():
        assert path in spec["paths"], path
        assert methods <= set(spec["paths"][path]), path


@pytest.mark.parametrize("path, method", [(p, m) for p, ms in PATHS.items() for m in ms], ids=[p for p in PATHS])
def test_every_operation_documents_its_errors_in_the_one_shape(spec, path, method):
    # given
    operation = spec["paths"][path][method]

    # then
    responses = operation["responses"]
    assert {"401", "404", "422"} <= set(responses), responses.keys()
    ref = responses["422"]["content"]["application/json"]["schema"]["$ref"]
    error = spec["components"]["schemas"][ref.rsplit("/", 1)[-1]]
    assert set(error["properties"]) == {"code", "message", "fields"}


def test_every_operation_needs_authentication(spec):
    # then
    for path in PATHS:
        for method, operation in spec["paths"][path].items():
            assert operation.get("security"), (method, path)
    assert spec["components"]["securitySchemes"]


def test_units_accepts_json_and_multipart(spec):
    # when
    content = spec["paths"]["/api/v1/units"]["post"]["requestBody"]["content"]

    # then
    assert {"application/json", "multipart/form-data"} <= set(content)
    assert content["multipart/form-data"]["schema"]["properties"]["proof"]["format"] == "binary"


def test_enums_are_documented(spec):
    # given
    schemas = spec["components"]["schemas"]

    # then the service types and priorities are listed for clients
    text = json.dumps(schemas)
    for value in ("installation", "repair", "follow_up", "urgent", "wechat", "quality_defect"):
        assert f'"{value}"' in text


def test_docs_render(db):
    # when
    response = Client().get("/api/v1/docs")

    # then
    assert response.status_code == 200
    assert b"openapi.json" in response.content
