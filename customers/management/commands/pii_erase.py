"""``manage.py pii_erase --customer ID --reason "..." [--actor USERNAME]``: anonymise one person."""

import json

from django.core.management.base import BaseCommand, CommandError

from core.errors import DomainError
from customers.pipl import personal_data_erase

from .pii_export import actor_from


class Command(BaseCommand):
    help = "Erase one customer's personal data by anonymisation (PIPL deletion request); orders stay."

    def add_arguments(self, parser):
        parser.add_argument("--customer", type=int, required=True, help="Customer id.")
        parser.add_argument(
            "--reason", required=True, help="Why (e.g. the request's reference); kept in the audit log."
        )
        parser.add_argument("--actor", help="Username of the manager/administrator handling the request.")

    def handle(self, *args, customer, reason, actor=None, **options):
        try:
            result = personal_data_erase(actor=actor_from(actor), customer_id=customer, reason=reason)
        except DomainError as exc:
            raise CommandError(f"{exc.code}: {exc.message}") from exc
        self.stdout.write(json.dumps(result, sort_keys=True))
