"""The case-type registry, and the boundary it stands for: ``sla`` never imports the apps
whose cases it times."""

import ast
import dataclasses
from pathlib import Path

import pytest

from service.clocks import WORK_ORDER
from sla import cases

SLA_DIR = Path(cases.__file__).parent


def test_the_work_order_is_registered_when_the_apps_are_ready():
    assert cases.get("work_order") is WORK_ORDER
    assert WORK_ORDER in cases.all()


def test_an_unregistered_case_type_is_not_found():
    with pytest.raises(LookupError):
        cases.get("incident")


@pytest.mark.parametrize(
    "change, message",
    [({"code": "incident"}, "unknown case type"), ({"waits": {"awaiting_parts": "spares"}}, "unknown milestones")],
    ids=["code", "milestone"],
)
def test_a_case_type_names_only_known_codes_and_milestones(change, message):
    with pytest.raises(ValueError, match=message):
        dataclasses.replace(WORK_ORDER, **change)


def _imports(path: Path) -> list[str]:
    """Every module a file imports, at the top or inside a function, and every app label it
    hands to ``apps.get_model``."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(), filename=str(path))):
        if isinstance(node, ast.Import):
            found += [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom) and node.level == 0:
            found.append(node.module or "")
        elif isinstance(node, ast.Call) and getattr(node.func, "attr", "") == "get_model" and node.args:
            first = node.args[0]
            if isinstance(first, ast.Constant) and isinstance(first.value, str):
                found.append(first.value.split(".")[0])
    return found


def test_sla_imports_nothing_from_service():
    sources = [p for p in SLA_DIR.rglob("*.py") if "tests" not in p.relative_to(SLA_DIR).parts]
    assert len(sources) > 10
    upward = {
        f"{p.relative_to(SLA_DIR)}: {name}"
        for p in sources
        for name in _imports(p)
        if name == "service" or name.startswith("service.")
    }
    assert upward == set()
