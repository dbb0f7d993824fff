"""CPU and queries per intake, in-process through the whole WSGI stack (no HTTP server).

Runs ``POST /api/v1/service-requests`` ``--n`` times with the manifest's token and serials
(after ``bench/setup_ours.py --state DIR``) and prints the best of ``--rounds`` rounds of
CPU milliseconds per request, the queries per request, and, with ``--profile``, a
pyinstrument profile of one round.

Usage: ``DATABASE_URL=... python bench/intake_profile.py --state DIR [--n 60] [--rounds 3] [--profile]``
"""

import argparse
import json
import os
import random
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
sys.path.insert(0, str(Path(__file__).resolve().parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings.base")

import django  # noqa: E402

django.setup()

from django.test import Client  # noqa: E402
from page_profile import report  # noqa: E402  (same folder)

BODY = "Unit does not start; error E4 on the display after power-on."


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--state", type=Path, required=True)
    ap.add_argument("--n", type=int, default=60)
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--profile", action="store_true")
    args = ap.parse_args()
    m = json.loads((args.state / "manifest.json").read_text())
    client = Client(HTTP_AUTHORIZATION=f"Bearer {m['token']}", HTTP_ACCEPT_LANGUAGE="en")
    rng = random.Random(7)
    serials = m["intake_serials"]

    def one() -> None:
        r = client.post(
            "/api/v1/service-requests",
            data={
                "serial": rng.choice(serials),
                "fault_description": BODY,
                "service_type": "repair",
                "priority": "normal",
                "channel": "phone",
            },
            content_type="application/json",
        )
        assert r.status_code == 201, r.content[:300]

    report(one, args, label={"path": "POST /api/v1/service-requests"})


if __name__ == "__main__":
    main()
