"""Backups: the database and the uploaded files in one ``.tar``, and their restore.

Layout of a backup file::

    manifest.json        format, time, database vendor, applied migrations
    database.sqlite3     SQLite: a consistent copy made with the online backup API
    database.pgdump      PostgreSQL: ``pg_dump -Fc`` (custom format)
    media/...            every file under MEDIA_ROOT (uploads)

Restore replaces the database (``pg_restore --clean --if-exists`` / the SQLite backup API in
reverse) and the contents of MEDIA_ROOT. Stop the application while restoring.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

FORMAT = 1
DB_MEMBERS = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}
DEFAULT_TIMEOUT = int(os.environ.get("AFTERSALES_BACKUP_TIMEOUT", "3600"))


class BackupError(Exception):
    pass


# ---------------------------------------------------------------- helpers


def _vendor(settings_dict: dict) -> str:
    engine = settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"unsupported database engine {engine}")


def _pg_args(settings_dict: dict) -> tuple[list[str], dict]:
    """Connection arguments for pg_dump / pg_restore, and an environment with PGPASSWORD."""
    args = []
    if settings_dict.get("HOST"):
        args += ["-h", str(settings_dict["HOST"])]
    if settings_dict.get("PORT"):
        args += ["-p", str(settings_dict["PORT"])]
    if settings_dict.get("USER"):
        args += ["-U", str(settings_dict["USER"])]
    env = {**os.environ}
    if settings_dict.get("PASSWORD"):
        env["PGPASSWORD"] = str(settings_dict["PASSWORD"])
    sslmode = (settings_dict.get("OPTIONS") or {}).get("sslmode")
    if sslmode:
        env["PGSSLMODE"] = str(sslmode)
    return args, env


def _run(cmd: list[str], env: dict, timeout: int) -> None:
    try:
        done = subprocess.run(cmd, env=env, capture_output=True, text=True, timeout=timeout, check=False)
    except FileNotFoundError as exc:
        raise BackupError(f"{cmd[0]} is not installed") from exc
    except subprocess.TimeoutExpired as exc:
        raise BackupError(f"{cmd[0]} did not finish within {timeout} s") from exc
    if done.returncode != 0:
        raise BackupError(f"{cmd[0]} failed ({done.returncode}): {done.stderr.strip()[-2000:]}")


def _applied_migrations() -> dict[str, str]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT app, name FROM django_migrations ORDER BY id")
        latest: dict[str, str] = {}
        for app, name in cursor.fetchall():
            latest[app] = name
    return latest


def default_output() -> Path:
    folder = Path(settings.VAR_DIR) / "backups"
    folder.mkdir(parents=True, exist_ok=True)
    return folder / f"aftersales-{timezone.now():%Y%m%d-%H%M%S}.tar"


# ---------------------------------------------------------------- backup


def _dump_database(target: Path, timeout: int) -> str:
    vendor = _vendor(connection.settings_dict)
    if vendor == "sqlite":
        connection.ensure_connection()
        dest = sqlite3.connect(str(target))
        try:
            connection.connection.backup(dest)
        finally:
            dest.close()
    else:
        args, env = _pg_args(connection.settings_dict)
        _run(
            [
                "pg_dump",
                "-Fc",
                "--no-owner",
                "--no-privileges",
                "-f",
                str(target),
                *args,
                "-d",
                str(connection.settings_dict["NAME"]),
            ],
            env,
            timeout,
        )
    return vendor


def backup(
    output: Path | str | None = None, *, media_root: Path | str | None = None, timeout: int = DEFAULT_TIMEOUT
) -> Path:
    """Write one ``.tar`` with the database and MEDIA_ROOT; returns its path.

    The file appears only when complete (written under a temporary name, then renamed)."""
    output = Path(output) if output else default_output()
    media = Path(media_root or settings.MEDIA_ROOT)
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="aftersales-backup-") as tmp:
        vendor = _vendor(connection.settings_dict)
        db_file = Path(tmp) / DB_MEMBERS[vendor]
        _dump_database(db_file, timeout)
        files = sorted(p for p in media.rglob("*") if p.is_file()) if media.is_dir() else []
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "vendor": vendor,
            "database": DB_MEMBERS[vendor],
            "migrations": _applied_migrations(),
            "media_files": len(files),
        }
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as tar:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size = len(data)
            info.mtime = int(timezone.now().timestamp())
            tar.addfile(info, fileobj=io.BytesIO(data))
            tar.add(db_file, arcname=DB_MEMBERS[vendor])
            for path in files:
                tar.add(path, arcname="media/" + path.relative_to(media).as_posix(), recursive=False)
        os.replace(partial, output)
    return output


# ---------------------------------------------------------------- restore


def read_manifest(path: Path | str) -> dict:
    try:
        with tarfile.open(path, "r") as tar:
            manifest = json.load(tar.extractfile(tar.getmember("manifest.json")))
    except (OSError, KeyError, ValueError, tarfile.TarError) as exc:
        raise BackupError(f"not a backup file: {exc}") from exc
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise BackupError(f"unknown backup format {manifest.get('format') if isinstance(manifest, dict) else None!r}")
    return manifest


def _check_members(tar: tarfile.TarFile, manifest: dict) -> None:
    for member in tar.getmembers():
        name = member.name
        if name in ("manifest.json", manifest["database"]):
            continue
        if not name.startswith("media/") or name.startswith("/") or ".." in Path(name).parts:
            raise BackupError(f"unexpected entry in backup: {name!r}")
        if not (member.isfile() or member.isdir()):
            raise BackupError(f"unexpected entry type in backup: {name!r}")


def _restore_database(db_file: Path, vendor: str, settings_dict: dict, timeout: int) -> None:
    if vendor == "sqlite":
        name = str(settings_dict["NAME"])
        is_current = settings_dict is connection.settings_dict
        src = sqlite3.connect(str(db_file))
        try:
            if is_current and connection.is_in_memory_db():
                connection.ensure_connection()
                src.backup(connection.connection)
            else:
                if is_current:
                    connection.close()
                dest = sqlite3.connect(name)
                try:
                    src.backup(dest)
                finally:
                    dest.close()
        finally:
            src.close()
    else:
        args, env = _pg_args(settings_dict)
        if settings_dict is connection.settings_dict:
            connection.close()
        _run(
            [
                "pg_restore",
                "--clean",
                "--if-exists",
                "--no-owner",
                "--no-privileges",
                "--single-transaction",
                "--exit-on-error",
                *args,
                "-d",
                str(settings_dict["NAME"]),
                str(db_file),
            ],
            env,
            timeout,
        )


def _restore_media(tar: tarfile.TarFile, media: Path) -> int:
    media.mkdir(parents=True, exist_ok=True)
    for child in media.iterdir():
        if child.is_dir() and not child.is_symlink():
            shutil.rmtree(child)
        else:
            child.unlink()
    count = 0
    with tempfile.TemporaryDirectory(prefix="aftersales-restore-") as tmp:
        members = [m for m in tar.getmembers() if m.name.startswith("media/")]
        tar.extractall(tmp, members=members, filter="data")
        extracted = Path(tmp) / "media"
        if extracted.is_dir():
            for path in extracted.rglob("*"):
                if path.is_file():
                    dest = media / path.relative_to(extracted)
                    dest.parent.mkdir(parents=True, exist_ok=True)
                    shutil.move(str(path), dest)
                    count += 1
    return count


def restore(
    path: Path | str,
    *,
    settings_dict: dict | None = None,
    media_root: Path | str | None = None,
    timeout: int = DEFAULT_TIMEOUT,
) -> dict:
    """Replace the database (``settings_dict``, default: the current one) and MEDIA_ROOT with
    the contents of a backup. Returns the manifest with the number of files restored."""
    settings_dict = settings_dict if settings_dict is not None else connection.settings_dict
    manifest = read_manifest(path)
    vendor = _vendor(settings_dict)
    if manifest["vendor"] != vendor:
        raise BackupError(f"this backup is of a {manifest['vendor']} database, the target is {vendor}")
    media = Path(media_root or settings.MEDIA_ROOT)
    with tarfile.open(path, "r") as tar, tempfile.TemporaryDirectory(prefix="aftersales-restore-db-") as tmp:
        _check_members(tar, manifest)
        tar.extract(manifest["database"], tmp, filter="data")
        _restore_database(Path(tmp) / manifest["database"], vendor, settings_dict, timeout)
        files = _restore_media(tar, media)
    return {**manifest, "media_restored": files}


# ---------------------------------------------------------------- verification


def table_fingerprints(cursor, vendor: str) -> dict[str, tuple[int, str]]:
    """Row count and a checksum over every row of every table, for comparing two databases.

    Rows are rendered as text by the database itself (``quote()`` on SQLite, ``row::text`` on
    PostgreSQL) so the result does not depend on the driver, and hashed in a fixed order.
    """
    if vendor == "sqlite":
        cursor.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    else:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema() ORDER BY tablename")
    tables = [row[0] for row in cursor.fetchall()]
    result = {}
    for table in tables:
        quoted = '"' + table.replace('"', '""') + '"'
        if vendor == "sqlite":
            cursor.execute(f"PRAGMA table_info({quoted})")
            columns = [row[1] for row in cursor.fetchall()]
            expr = " || ',' || ".join('quote("' + c.replace('"', '""') + '")' for c in columns) or "''"
            cursor.execute(f"SELECT {expr} AS r FROM {quoted} ORDER BY r")  # noqa: S608 (identifiers quoted)
        else:
            cursor.execute(f'SELECT t::text FROM {quoted} t ORDER BY t::text COLLATE "C"')  # noqa: S608
        digest = hashlib.sha256()
        count = 0
        for (row,) in cursor.fetchall():
            digest.update(row.encode() if isinstance(row, str) else repr(row).encode())
            digest.update(b"\n")
            count += 1
        result[table] = (count, digest.hexdigest())
    return result
