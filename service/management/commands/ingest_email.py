"""File service requests from email.

    manage.py ingest_email FILE.eml [FILE2.eml ...]
    manage.py ingest_email --imap HOST --user U [--password P] [--folder INBOX] [--ssl/--no-ssl] [--port N]

From a mailbox, the unseen messages are read without marking them (``BODY.PEEK``) and
marked seen only once filed (or found to be filed already); a message that fails
stays unseen for the next run. One failing message never stops the others; a summary
is printed at the end and the command fails when any message failed. The IMAP password
can also come from the environment variable ``INGEST_IMAP_PASSWORD``.
"""

import argparse
import imaplib
import os
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.utils import translation

from core.errors import DomainError
from service.intake_email import email_request_create, intake_user

IMAP_TIMEOUT = 30


class Command(BaseCommand):
    help = "File service requests from .eml files or from the unseen messages of an IMAP mailbox."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="*", help=".eml files")
        parser.add_argument("--imap", metavar="HOST", help="read the unseen messages of this IMAP server")
        parser.add_argument("--user", default="", help="IMAP user")
        parser.add_argument("--password", default=None, help="IMAP password (or INGEST_IMAP_PASSWORD)")
        parser.add_argument("--folder", default="INBOX", help="IMAP folder (default INBOX)")
        parser.add_argument(
            "--ssl",
            action=argparse.BooleanOptionalAction,
            default=True,
            help="IMAP over TLS (default); --no-ssl for plain IMAP",
        )
        parser.add_argument("--port", type=int, default=None, help="IMAP port (default 993, or 143 with --no-ssl)")

    def handle(self, *args, **options):
        # Messages (and the notes written on orders) in the site's language, whatever was active before.
        with translation.override(settings.LANGUAGE_CODE):
            self._handle(**options)

    def _handle(self, *, files, imap, user, password, folder, ssl, port, **options):
        if bool(files) == bool(imap):
            raise CommandError("Give .eml files or --imap HOST (not both).")
        self.counts = {"created": 0, "duplicate": 0, "failed": 0}
        self.actor = intake_user()
        if files:
            for name in files:
                try:
                    raw = Path(name).read_bytes()
                except OSError as exc:
                    self._failed(name, exc.strerror or str(exc))
                    continue
                self._ingest(name, raw)
        else:
            password = password if password is not None else os.environ.get("INGEST_IMAP_PASSWORD", "")
            self._mailbox(imap, port or (993 if ssl else 143), ssl, user, password, folder)
        c = self.counts
        self.stdout.write(f"Summary: {c['created']} created, {c['duplicate']} already filed, {c['failed']} failed.")
        if c["failed"]:
            raise CommandError(f"{c['failed']} message(s) could not be filed.")

    def _ingest(self, label: str, raw: bytes) -> bool:
        """File one message; True when it is filed now or was already."""
        try:
            result = email_request_create(raw=raw, actor=self.actor)
        except DomainError as exc:
            self._failed(label, str(exc.message))
            return False
        except Exception as exc:  # one bad message must not stop the others
            self._failed(label, f"{type(exc).__name__}: {exc}")
            return False
        for warning in result.warnings:
            self.stderr.write(f"{label}: {warning}")
        order = result.order
        if result.duplicate:
            self.counts["duplicate"] += 1
            self.stdout.write(f"{label}: already filed as {order.number}")
        else:
            self.counts["created"] += 1
            unit = f", unit {order.serial}" if order.unit_id else ""
            self.stdout.write(f"{label}: {order.number} for {order.customer.name}{unit}")
        return True

    def _failed(self, label: str, reason: str) -> None:
        self.counts["failed"] += 1
        self.stderr.write(f"{label}: failed: {reason}")

    def _mailbox(self, host, port, ssl, user, password, folder) -> None:
        try:
            client = (imaplib.IMAP4_SSL if ssl else imaplib.IMAP4)(host, port, timeout=IMAP_TIMEOUT)
        except (OSError, imaplib.IMAP4.error) as exc:
            raise CommandError(f"Cannot connect to {host}:{port}: {exc}") from None
        try:
            try:
                client.login(user, password)
            except imaplib.IMAP4.error as exc:
                raise CommandError(f"IMAP login failed: {exc}") from None
            mailbox = f'"{folder}"' if any(c in folder for c in ' "()') else folder
            status, _data = client.select(mailbox)
            if status != "OK":
                raise CommandError(f"Cannot open the folder {folder}.")
            status, data = client.uid("SEARCH", None, "UNSEEN")
            if status != "OK":
                raise CommandError("The mailbox refused the search for unseen messages.")
            for uid in (data[0] or b"").split():
                label = f"{folder} uid {uid.decode()}"
                status, parts = client.uid("FETCH", uid, "(BODY.PEEK[])")
                raw = next((p[1] for p in parts or () if isinstance(p, tuple)), None)
                if status != "OK" or raw is None:
                    self._failed(label, "could not be fetched")
                    continue
                if self._ingest(label, raw):
                    client.uid("STORE", uid, "+FLAGS", "(\\Seen)")
        except (OSError, imaplib.IMAP4.error) as exc:
            raise CommandError(f"IMAP error: {exc}") from None
        finally:
            try:
                client.logout()
            except (OSError, imaplib.IMAP4.error):
                pass
