"""Browser tests: Debian's chromium driven by Playwright against pytest-django's live server."""

import os
from pathlib import Path

import pytest

# Playwright's sync API runs an event loop in this thread; Django's ORM calls from the test are
# still plain synchronous code, so let them through.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / "test-artifacts"


@pytest.fixture(scope="session")
def _migrated_rows(django_db_setup, django_db_blocker):
    """The rows the migrations wrote, as pytest-django serialized them when it built the test
    databases (taken before Playwright starts its event loop)."""
    from django.db import connections

    return {c.alias: c._test_serialized_contents for c in connections.all() if hasattr(c, "_test_serialized_contents")}


@pytest.fixture(scope="module")
def chromium(_migrated_rows):
    if not Path(CHROMIUM).exists():
        pytest.fail("Debian's chromium is not installed: run make browser (make test does it)")
    from django.db import connections
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        # Playwright's loop gives this thread new database connection objects, without the
        # serialized rows: a serialized-rollback test would then start from the empty database
        # an earlier transactional test left (no SLA policies, so orders without clocks).
        for alias, rows in _migrated_rows.items():
            connections[alias]._test_serialized_contents = rows
        browser = p.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield browser
        browser.close()


@pytest.fixture
def shots(request):
    """``shots(page, "name")`` saves a full-page screenshot as test-artifacts/<module>-NN-name.png."""
    ARTIFACTS.mkdir(exist_ok=True)
    counter = iter(range(1, 100))

    def shot(page, name: str) -> Path:
        path = ARTIFACTS / f"{request.path.stem.removeprefix('test_')}-{next(counter):02d}-{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return shot
