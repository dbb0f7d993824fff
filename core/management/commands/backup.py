"""``manage.py backup [--output PATH]``: the database and the uploaded files in one .tar."""

from django.core.management.base import BaseCommand, CommandError

from core.backup import BackupError, backup


class Command(BaseCommand):
    help = "Back up the database (SQLite online backup / pg_dump -Fc) and MEDIA_ROOT into one .tar file."

    def add_arguments(self, parser):
        parser.add_argument("--output", help="Where to write (default: var/backups/aftersales-<time>.tar).")
        parser.add_argument("--timeout", type=int, default=None, help="Give up after this many seconds.")

    def handle(self, *args, output=None, timeout=None, **options):
        try:
            path = backup(output, **({"timeout": timeout} if timeout else {}))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(str(path))
