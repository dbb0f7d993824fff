"""The layers of docs/architecture.md: what the import contract (``lint-imports``) cannot see.

The contract follows imports, function-local ones included. Two things escape it: a model looked
up by name (``apps.get_model("service", "WorkOrder")``) and an app missing from the contract.
"""

import re
import tomllib
from pathlib import Path

import pytest
from django.apps import apps
from django.conf import settings
from importlinter.application import use_cases
from importlinter.configuration import configure

ROOT = Path(settings.BASE_DIR)
CONFIG = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["importlinter"]
GET_MODEL_ALLOWED: set[str] = set()  # every app registers its own personal-data handlers (core.pii)
GET_MODEL = re.compile(r"""get_model\(\s*["']([\w.]+)["']""")


def first_party_apps() -> list[str]:
    """The project's own apps (a virtual environment inside the checkout holds installed ones)."""
    return [
        a.label
        for a in apps.get_app_configs()
        if Path(a.path).is_relative_to(ROOT) and "site-packages" not in Path(a.path).parts
    ]


def test_every_first_party_app_is_under_the_contract():
    layers = " ".join(CONFIG["contracts"][0]["layers"])
    named = set(re.findall(r"\w+", layers))
    for label in first_party_apps():
        assert label in CONFIG["root_packages"], f"{label} is not a root package of the import contract"
        assert label in named, f"{label} has no layer in the import contract"


def test_no_app_looks_up_another_apps_model_by_name():
    offenders, ours = [], set(first_party_apps())
    for label in ours:
        for path in (ROOT / label).rglob("*.py"):
            relative = path.relative_to(ROOT)
            if {"migrations", "tests"} & set(relative.parts) or relative.as_posix() in GET_MODEL_ALLOWED:
                continue
            for target in GET_MODEL.findall(path.read_text()):
                if target.split(".")[0] in ours - {label}:  # installed packages sit below every app
                    offenders.append(f"{relative}: get_model({target!r})")
    assert offenders == []


@pytest.mark.parametrize("contract", [c["id"] for c in CONFIG["contracts"]])
def test_the_import_contract_is_kept(contract):
    # the same check as ``make lint`` (lint-imports), so that a test run catches it too
    configure()
    kept = use_cases.lint_imports(
        config_filename=str(ROOT / "pyproject.toml"), limit_to_contracts=(contract,), cache_dir=None, no_logo=True
    )
    assert kept is True
