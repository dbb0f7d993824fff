"""A worker is warmed when the WSGI module loads: its first request does not import the
views and the API or parse the catalogues (config.warmup), and nothing touched the database."""

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

PROBE = """
import json, sys
import config.wsgi
from django.db import connections
from django.utils.translation import trans_real
print(json.dumps({
    "modules": sorted(m for m in ("config.urls", "config.api", "service.api", "portal.views") if m in sys.modules),
    "catalogues": sorted(trans_real._translations),
    "connected": [c.alias for c in connections.all() if c.connection is not None],
}))
"""


def _probe(settings_module: str) -> dict:
    env = {**os.environ, "DJANGO_SETTINGS_MODULE": settings_module}
    out = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True, timeout=120, check=True
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_loading_the_wsgi_module_imports_the_urls_and_the_catalogues_without_a_query():
    got = _probe("config.settings.test")
    assert got["modules"] == ["config.api", "config.urls", "portal.views", "service.api"]
    assert {"en", "zh-hans"} <= set(got["catalogues"])
    assert got["connected"] == []
