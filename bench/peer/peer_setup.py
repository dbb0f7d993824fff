"""Create the peer's superuser and one public queue per team of ours (idempotent). Run after migrate.

Usage (peer virtualenv): ``python peer_setup.py --manifest <our state>/manifest.json --write peer.json``.
"""

import argparse
import json
import os
import sys

import django

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "peerdesk.settings")
django.setup()

from django.contrib.auth import get_user_model  # noqa: E402
from helpdesk.models import Queue  # noqa: E402

PASSWORD = "bench-Pa33w0rd"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--manifest", required=True)
    ap.add_argument("--write", required=True, help="JSON file for load.py: the queue ids by slug")
    args = ap.parse_args()
    with open(args.manifest) as fh:
        teams = json.load(fh)["teams"]
    User = get_user_model()
    u, _ = User.objects.get_or_create(
        username="admin", defaults={"email": "admin@example.com", "is_staff": True, "is_superuser": True}
    )
    u.is_staff = u.is_superuser = True
    u.set_password(PASSWORD)
    u.save()
    Queue.objects.get_or_create(slug="support", defaults={"title": "Support", "allow_public_submission": True})
    for team_id, name in sorted(teams.items(), key=lambda kv: int(kv[0])):
        Queue.objects.get_or_create(
            slug=f"team-{team_id}", defaults={"title": name[:100], "allow_public_submission": True}
        )
    queues = dict(Queue.objects.values_list("slug", "id"))
    with open(args.write, "w") as fh:
        json.dump({"queues": queues}, fh)
    print(json.dumps({"phase": "peer_setup", "superuser": u.id, "queues": queues}))


if __name__ == "__main__":
    main()
