"""``manage.py restore PATH [--yes]``: replace the database and MEDIA_ROOT with a backup."""

from django.core.management.base import BaseCommand, CommandError
from django.db import connection

from core.backup import BackupError, read_manifest, restore


class Command(BaseCommand):
    help = "Restore a backup made by `manage.py backup`. Replaces ALL data; stop the application first."

    def add_arguments(self, parser):
        parser.add_argument("path", help="A .tar written by `manage.py backup`.")
        parser.add_argument("--yes", action="store_true", help="Do not ask for confirmation.")
        parser.add_argument("--timeout", type=int, default=None, help="Give up after this many seconds.")

    def handle(self, *args, path, yes=False, timeout=None, **options):
        try:
            manifest = read_manifest(path)
        except BackupError as exc:
            raise CommandError(f"Not a readable backup: {exc}") from exc
        target = connection.settings_dict["NAME"]
        if not yes:
            self.stdout.write(
                f"Backup of {manifest['created_at']} ({manifest['vendor']}, {manifest['media_files']} files).\n"
                f"This REPLACES the database {target} and every uploaded file."
            )
            try:
                answer = input("Type 'yes' to continue: ")
            except EOFError:
                answer = ""
            if answer.strip().lower() != "yes":
                raise CommandError("Restore cancelled (pass --yes to skip this question).")
        try:
            result = restore(path, **({"timeout": timeout} if timeout else {}))
        except BackupError as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(f"Restored {target} and {result['media_restored']} files from {path}.")
