"""Delete idempotency keys of API requests and form submissions older than ``IDEMPOTENCY_KEY_TTL``."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from core.idempotency import purge_expired


class Command(BaseCommand):
    help = "Delete expired idempotency keys (API requests and form submissions; mail keys are kept)."

    def handle(self, *args, **options):
        deleted = purge_expired()
        self.stdout.write(_("%(count)d expired idempotency keys deleted.") % {"count": deleted})
