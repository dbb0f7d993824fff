"""Print the demo logins: ``manage.py demo_logins``."""

from django.core.management.base import BaseCommand

from demo.generator import current_seed
from demo.people import demo_logins


class Command(BaseCommand):
    help = "Print the demo users: role, username, password and API token."

    def handle(self, *args, **options):
        logins = demo_logins(current_seed())
        if not logins:
            self.stdout.write("No demo users. Load the demo data with: manage.py seed_demo --orders 2000")
            return
        headers = ("role", "username", "password", "API token")
        rows = [(x.role, x.username, x.password or "(changed)", x.token or "(none)") for x in logins]
        widths = [max(len(h), *(len(r[i]) for r in rows)) for i, h in enumerate(headers)]
        line = "  ".join(f"{{:<{w}}}" for w in widths)
        self.stdout.write(line.format(*headers))
        self.stdout.write(line.format(*("-" * w for w in widths)))
        for row in rows:
            self.stdout.write(line.format(*row))
        self.stdout.write("API: Authorization: Bearer <token>   (demo data only: never use these logins in production)")
