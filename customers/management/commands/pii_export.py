"""``manage.py pii_export --customer ID [--output FILE] [--actor USERNAME]``: one person's data as JSON."""

import json
from pathlib import Path

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from customers.pipl import personal_data_export


def actor_from(username):
    """The manager/administrator named on the command line; none means the system itself."""
    if not username:
        return None
    user = get_user_model().objects.filter(username=username, is_active=True).first()
    if user is None:
        raise CommandError(f"No active user {username!r}.")
    return user


class Command(BaseCommand):
    help = "Export everything held about one customer (PIPL access request) as JSON."

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, required=True, help="Customer id.")
        parser.add_argument("--output", help="Write to this file (default: standard output).")
        parser.add_argument("--actor", help="Username of the manager/administrator handling the request.")

    def handle(self, *args, customer, output=None, actor=None, **options):
        try:
            data = personal_data_export(actor=actor_from(actor), customer_id=customer)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        text = json.dumps(data, ensure_ascii=False, indent=2, sort_keys=True)
        if output:
            Path(output).write_text(text + "\n", encoding="utf-8")
            self.stderr.write(f"Wrote {output}")
        else:
            self.stdout.write(text)
