"""`make test` runs every app's tests: pytest collects only the directories pyproject.toml lists."""

import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_every_app_with_tests_is_collected():
    # given the directories pytest collects
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))
    collected = set(config["tool"]["pytest"]["ini_options"]["testpaths"])

    # when we list the project's packages that hold tests
    with_tests = {
        path.parent.name
        for path in ROOT.glob("*/tests")
        if path.is_dir() and (path.parent / "__init__.py").exists() and not path.parent.name.startswith(".")
    }

    # then each of them is collected (feedback's tests were left out once, unseen)
    assert with_tests - collected == set()
    assert "feedback" in collected
