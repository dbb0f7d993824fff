"""Every date-time the API takes is of the one input type (``core.dates.ApiDateTime``): the
OpenAPI document shows its window on each of them, in request bodies and query parameters."""

import json

import pytest
from django.test import Client

from core import dates


@pytest.fixture(scope="module")
def spec(django_db_setup, django_db_blocker):
    with django_db_blocker.unblock():
        return json.loads(Client().get("/api/v1/openapi.json").content)


def _resolve(spec, node):
    while isinstance(node, dict) and "$ref" in node:
        node = spec["components"]["schemas"][node["$ref"].rsplit("/", 1)[-1]]
    return node


def _date_times(spec, node, where, seen=None):
    """The schemas of type date-time reachable from ``node``, with where they are."""
    seen = set() if seen is None else seen
    if isinstance(node, dict) and "$ref" in node:
        if node["$ref"] in seen:
            return
        seen.add(node["$ref"])
        node = _resolve(spec, node)
    if isinstance(node, dict):
        if node.get("format") == "date-time":
            yield where, node
        for key, value in node.items():
            yield from _date_times(spec, value, f"{where}.{key}", seen)
    elif isinstance(node, list):
        for i, value in enumerate(node):
            yield from _date_times(spec, value, f"{where}[{i}]", seen)


def _inputs(spec):
    for path, operations in spec["paths"].items():
        for method, op in operations.items():
            where = f"{method.upper()} {path}"
            for param in op.get("parameters", []):
                yield from _date_times(spec, param.get("schema", {}), f"{where} ?{param['name']}")
            for media in op.get("requestBody", {}).get("content", {}).values():
                yield from _date_times(spec, media.get("schema", {}), f"{where} body")


def test_every_date_time_input_shows_the_window(spec):
    first, last = dates.window()
    found = list(_inputs(spec))
    assert len(found) >= 4  # shipments, assignment, extension, preview at least
    for where, schema in found:
        assert schema.get("formatMinimum") == first.isoformat(), where
        assert schema.get("formatMaximum") == last.isoformat(), where
        assert "2000-01-01" in schema["description"] and "2099-12-31" in schema["description"], where
    assert {w.split(" ")[1] for w, _ in found} >= {
        "/api/v1/work-orders/{order_id}/shipments",
        "/api/v1/work-orders/{order_id}/assignment",
        "/api/v1/work-orders/{order_id}/clocks/{clock}/extension",
        "/api/v1/sla/preview",
    }
