"""Backups: a round trip compares every table (row counts and checksums) and every file."""

import hashlib
import io
import json
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.db import connection

from core import audit
from core.backup import BackupError, backup, read_manifest, restore, table_fingerprints
from core.uploads import checked_bytes, store_document
from service import services
from service.tests.flow import PATHS, advance, pdf_bytes, png_bytes
from tests.factories import CustomerFactory, UnitFactory, UserFactory


def _fingerprints() -> dict:
    with connection.cursor() as cursor:
        return table_fingerprints(cursor, connection.vendor)


def _media(root: Path) -> dict[str, str]:
    return {
        p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
        for p in sorted(root.rglob("*"))
        if p.is_file()
    }


@pytest.fixture
def media(tmp_path, settings):
    root = tmp_path / "media"
    root.mkdir()
    settings.MEDIA_ROOT = str(root)
    return root


@pytest.fixture
def data(transactional_db, media):
    """Committed rows in many tables (orders through the services, files, audit rows)."""
    agent, engineer = UserFactory(role="agent"), UserFactory(role="engineer")
    user = UserFactory(role="customer")
    customer = CustomerFactory(user=user, name="备份测试", phone="13811112222")
    proof = store_document(checked_bytes(pdf_bytes(), field="proof"), actor=user, original_name="发票.pdf")
    unit = UnitFactory(owner=customer, proof=proof, purchase_date=proof.uploaded_at.date())
    store_document(checked_bytes(png_bytes(), field="photo"), actor=user, original_name="照片.png")
    for status in ("new", "scheduled", "resolved"):
        order = services.request_create(actor=user, serial=unit.serial, fault_description=f"故障 {status}")
        advance(order, PATHS[status], agent=agent, engineer=engineer)
    audit.record(actor=agent, action="note", obj=customer, after={"x": "ünïcödé ✓"})
    return {"customer": customer}


def _fresh_sqlite_target(tmp_path) -> dict:
    return {**connection.settings_dict, "NAME": str(tmp_path / "restored.sqlite3")}


def _pg_admin():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        dbname="postgres",
        user=s.get("USER") or None,
        password=s.get("PASSWORD") or None,
        host=s.get("HOST") or None,
        port=s.get("PORT") or None,
        autocommit=True,
    )


def _pg_fingerprints(name: str) -> dict:
    import psycopg

    s = connection.settings_dict
    with closing(
        psycopg.connect(
            dbname=name,
            user=s.get("USER") or None,
            password=s.get("PASSWORD") or None,
            host=s.get("HOST") or None,
            port=s.get("PORT") or None,
        )
    ) as raw:
        with raw.cursor() as cursor:
            return table_fingerprints(cursor, "postgresql")


def test_round_trip_into_a_fresh_database_keeps_every_table_and_file(data, media, tmp_path):
    # given
    before = _fingerprints()
    files_before = _media(media)
    assert len(files_before) >= 2
    assert sum(1 for count, _ in before.values() if count) >= 10  # a real spread of tables

    # when backed up and restored into a new, empty database and media folder
    path = backup(tmp_path / "backup.tar")
    restored_media = tmp_path / "restored-media"
    if connection.vendor == "sqlite":
        target = _fresh_sqlite_target(tmp_path)
        result = restore(path, settings_dict=target, media_root=restored_media)
        with closing(sqlite3.connect(target["NAME"])) as raw:
            after = table_fingerprints(raw.cursor(), "sqlite")
    else:
        name = f"{connection.settings_dict['NAME']}_restore"
        with closing(_pg_admin()) as admin:
            admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
            admin.execute(f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8'")
        try:
            result = restore(path, settings_dict={**connection.settings_dict, "NAME": name}, media_root=restored_media)
            after = _pg_fingerprints(name)
        finally:
            with closing(_pg_admin()) as admin:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    # then every table has the same rows, and every file the same content
    assert set(after) == set(before)
    differing = {t: (before[t], after[t]) for t in before if before[t] != after[t]}
    assert differing == {}
    assert _media(restored_media) == files_before
    assert result["media_restored"] == len(files_before)
    assert result["vendor"] == connection.vendor and "core" in result["migrations"]


def test_the_commands_restore_in_place_what_changed_after_the_backup(data, media, tmp_path):
    # given a backup
    before, files_before = _fingerprints(), _media(media)
    out = tmp_path / "nightly.tar"
    call_command("backup", output=str(out))

    # when data and files change afterwards, and the backup is restored
    CustomerFactory(name="after the backup")
    audit.record(actor=None, action="note", obj=data["customer"])
    next(media.rglob("*.pdf")).unlink()
    (media / "stray.txt").write_text("not in the backup")
    call_command("restore", str(out), yes=True)

    # then the database and the files are as they were at the backup
    assert _fingerprints() == before
    assert _media(media) == files_before
    if connection.vendor == "postgresql":  # the append-only trigger came back with the schema
        with connection.cursor() as cursor:
            cursor.execute("SELECT count(*) FROM pg_trigger WHERE tgname = 'core_auditlog_append_only'")
            assert cursor.fetchone()[0] == 1


def test_a_backup_is_one_tar_with_a_manifest_the_database_and_the_files(data, media, tmp_path):
    path = backup(tmp_path / "b.tar")
    with tarfile.open(path) as tar:
        names = tar.getnames()
    manifest = read_manifest(path)
    assert "manifest.json" in names and manifest["database"] in names
    assert sum(n.startswith("media/") for n in names) == manifest["media_files"] == len(_media(media))
    assert not (tmp_path / "b.tar.partial").exists()


def _tar_with(tmp_path, manifest: dict, extra: dict[str, bytes]) -> Path:
    path = tmp_path / "crafted.tar"
    with tarfile.open(path, "w") as tar:
        for name, content in {"manifest.json": json.dumps(manifest).encode(), **extra}.items():
            info = tarfile.TarInfo(name)
            info.size = len(content)
            tar.addfile(info, io.BytesIO(content))
    return path


def _manifest(vendor=None) -> dict:
    vendor = vendor or connection.vendor
    database = {"sqlite": "database.sqlite3", "postgresql": "database.pgdump"}[vendor]
    return {
        "format": 1,
        "vendor": vendor,
        "database": database,
        "migrations": {},
        "media_files": 0,
        "created_at": "2026-01-01T00:00:00+00:00",
    }


@pytest.mark.parametrize("evil", ["media/../../escape.txt", "../escape.txt", "/etc/passwd-copy", "other.bin"], ids=str)
def test_restore_refuses_entries_outside_the_layout(tmp_path, media, evil):
    manifest = _manifest()
    path = _tar_with(tmp_path, manifest, {manifest["database"]: b"x", evil: b"pwned"})
    with pytest.raises(BackupError, match="unexpected entry"):
        restore(path, media_root=media)
    assert not (tmp_path / "escape.txt").exists()


def test_restore_refuses_a_backup_of_another_database_kind(tmp_path, media):
    other = "postgresql" if connection.vendor == "sqlite" else "sqlite"
    path = _tar_with(tmp_path, _manifest(other), {})
    with pytest.raises(BackupError, match="target is"):
        restore(path, media_root=media)


def test_restore_refuses_an_unknown_format(tmp_path):
    path = _tar_with(tmp_path, {**_manifest(), "format": 99}, {})
    with pytest.raises(BackupError, match="format"):
        read_manifest(path)


def test_the_restore_command_asks_first(tmp_path, media, monkeypatch, db):
    # given a valid-looking backup and nobody at the keyboard
    manifest = _manifest()
    path = _tar_with(tmp_path, manifest, {manifest["database"]: b"x"})
    monkeypatch.setattr("builtins.input", lambda prompt="": "no")

    # when / then
    with pytest.raises(CommandError, match="cancelled"):
        call_command("restore", str(path))


def test_the_restore_command_refuses_what_is_not_a_backup(tmp_path, db):
    junk = tmp_path / "junk.tar"
    junk.write_bytes(b"not a tar at all")
    with pytest.raises(CommandError, match="Not a readable backup"):
        call_command("restore", str(junk), yes=True)
