"""The OpenAPI document and the interactive docs."""

import json
import re

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
    "/api/v1/units/{serial}/entitlements": {"get"},
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


# ---------------------------------------------------------------- the formats the server enforces


def _param(spec, path, name):
    [param] = [p for p in spec["paths"][path]["get"]["parameters"] if p["name"] == name]
    return param["schema"]


def _string_branch(schema):
    """The string alternative of an optional field (``anyOf: [string, null]``), or the schema itself."""
    return next((s for s in schema.get("anyOf", [schema]) if s.get("type") == "string"), schema)


def _matches(pattern: str, value: str) -> bool:
    """ECMA-262 semantics, as OpenAPI means them: ``$`` is the end of the text, not before a newline."""
    return re.fullmatch(pattern, value) is not None


def test_the_cursor_format_is_documented(spec):
    # then the request parameter and the page's next_cursor carry the keyset cursor's pattern
    given = _string_branch(_param(spec, "/api/v1/work-orders", "cursor"))
    answered = _string_branch(spec["components"]["schemas"]["WorkOrderPage"]["properties"]["next_cursor"])
    assert given["pattern"] == answered["pattern"] == "^[A-Za-z0-9_-]*$"
    assert given["maxLength"] == 500


def test_the_month_format_is_documented(spec):
    pattern = _param(spec, "/api/v1/analytics/kpis", "month")["pattern"]
    accepted = ["", "2000-01", "2026-09", "2099-12", "2100-12"]
    refused = ["2026-13", "2026-00", "2026-9", "1999-12", "2101-01", " 2026-09", "2026-09 ", "2026-09\n", "2026/09"]
    assert [v for v in accepted if not _matches(pattern, v)] == []
    assert [v for v in refused if _matches(pattern, v)] == []


def test_the_transition_actions_are_an_enum_of_the_workflow_table(spec):
    from service.workflow import WORK_ORDER

    schemas = spec["components"]["schemas"]
    assert schemas["TransitionIn"]["properties"]["action"]["enum"] == list(WORK_ORDER.actions)
    allowed = schemas["WorkOrderDetailOut"]["properties"]["allowed_actions"]["items"]
    assert allowed["enum"] == list(WORK_ORDER.actions)


@pytest.fixture
def agent_api(db, api_as):
    from tests.factories import UserFactory

    return api_as(UserFactory(role="agent"))


def _a_real_cursor(api):
    from tests.factories import WorkOrderFactory

    WorkOrderFactory.create_batch(2)
    cursor = api.get("/work-orders", {"limit": 1}).json()["next_cursor"]
    assert cursor and api.get("/work-orders", {"limit": 1, "cursor": cursor}).status_code == 200
    return cursor


@pytest.mark.parametrize(
    "forge",
    [
        lambda c: c[:4] + "!!!!" + c[4:],
        lambda c: c[:4] + "    " + c[4:],
        lambda c: c.replace("-", "+").replace("_", "/") + "+/+/",
        lambda c: c + "====",
    ],
    ids=["punctuation-inside", "spaces-inside", "standard-base64-alphabet", "padding"],
)
def test_a_cursor_outside_the_documented_pattern_is_refused(spec, agent_api, forge):
    # given a real cursor, bent outside the documented alphabet (the decoder used to skip such characters)
    pattern = _string_branch(_param(spec, "/api/v1/work-orders", "cursor"))["pattern"]
    cursor = forge(_a_real_cursor(agent_api))
    assert not _matches(pattern, cursor)

    # when it is sent, then it is a 422 bad_cursor, as a forged cursor is
    response = agent_api.get("/work-orders", {"limit": 1, "cursor": cursor})
    assert (response.status_code, response.json()["code"]) == (422, "bad_cursor")


@pytest.mark.parametrize("month", [" 2026-09", "2026-09 ", "\t2026-09", "2026-09\n"], ids=repr)
def test_a_month_outside_the_documented_pattern_is_a_422(spec, agent_api, month):
    assert not _matches(_param(spec, "/api/v1/analytics/kpis", "month")["pattern"], month)
    response = agent_api.get("/analytics/kpis", {"month": month})
    assert response.status_code == 422 and "month" in response.json()["fields"]


@pytest.mark.parametrize("month", ["", "2000-01", "2100-12"], ids=repr)
def test_a_month_the_pattern_allows_is_answered(spec, agent_api, month):
    assert _matches(_param(spec, "/api/v1/analytics/kpis", "month")["pattern"], month)
    assert agent_api.get("/analytics/kpis", {"month": month}).status_code == 200


def test_every_documented_action_is_known_to_the_server_and_others_are_422(spec, agent_api):
    from service.models import WorkOrder
    from tests.factories import WorkOrderFactory

    order = WorkOrderFactory()
    enum = spec["components"]["schemas"]["TransitionIn"]["properties"]["action"]["enum"]
    for action in enum:  # possible or not now, never "unknown"
        response = agent_api.post(f"/work-orders/{order.pk}/transitions", {"action": action, "note": "n"})
        assert response.json().get("code") != "unknown_action", action
        order.refresh_from_db()
    status = WorkOrder.objects.get(pk=order.pk).status
    for action in ("teleport", "ACKNOWLEDGE", " acknowledge"):
        assert action not in enum
        response = agent_api.post(f"/work-orders/{order.pk}/transitions", {"action": action})
        assert (response.status_code, response.json()["code"]) == (422, "unknown_action")
    assert WorkOrder.objects.get(pk=order.pk).status == status


def test_no_two_api_schemas_share_a_name():
    """django-ninja names an OpenAPI component after its class: two schema classes of one name
    in different apps make one operation document the other's body (the survey KPIs' ``KpiOut``
    once replaced the month KPIs' in the served document)."""
    import ast
    from collections import defaultdict
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    found = defaultdict(set)
    for path in root.glob("*/*.py"):
        if (
            path.parts[-2] in (".venv", "tests", "bench")
            or path.name not in ("api.py", "schemas.py")
            and not path.name.startswith("api_")
        ):
            continue
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ClassDef) and any(
                getattr(b, "id", getattr(b, "attr", "")).endswith(("Schema", "In", "Out", "Params")) for b in node.bases
            ):
                found[node.name].add(str(path.relative_to(root)))
    assert {name: files for name, files in found.items() if len(files) > 1} == {}
