"""`cityhall backup` then `cityhall restore` on a fresh database and folder: every
row and every file comes back; a damaged archive or a database in use is refused."""

from __future__ import annotations

import json
import shutil
import sqlite3
import tarfile
from contextlib import closing
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.db import connection

from cityhall.core import backup
from cityhall.testing import database_url, process_env, run_cityhall

pytestmark = pytest.mark.django_db(transaction=True)


def _admin():
    import psycopg

    s = connection.settings_dict
    return psycopg.connect(
        host=s["HOST"] or "127.0.0.1",
        port=s["PORT"] or 5432,
        user=s["USER"],
        password=s["PASSWORD"] or None,
        dbname="postgres",
        autocommit=True,
    )


@pytest.fixture
def fresh_machine(tmp_path):
    """The environment of a `cityhall` process on a new machine: an empty database
    (a new SQLite file, or a new PostgreSQL database) and an empty var/ folder."""
    var = tmp_path / "new-machine"
    if connection.vendor == "sqlite":
        url = f"sqlite:///{tmp_path / 'restored.sqlite3'}"
        yield process_env(DATABASE_URL=url, CITYHALL_VAR_DIR=str(var))
        return
    name = f"{connection.settings_dict['NAME']}_restored"[:63]
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}"')
        admin.execute(f'CREATE DATABASE "{name}"')
    url = database_url().rsplit("/", 1)[0] + f"/{name}"
    yield process_env(DATABASE_URL=url, CITYHALL_VAR_DIR=str(var))
    with _admin() as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _row_counts(url: str) -> dict[str, int]:
    if url.startswith("sqlite"):
        with closing(sqlite3.connect(url.removeprefix("sqlite:///"))) as db:
            tables = [
                r[0]
                for r in db.execute(
                    "SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%'"
                )
            ]
            return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608
    import psycopg

    with psycopg.connect(url) as db:
        tables = [
            r[0]
            for r in db.execute(
                "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
            ).fetchall()
        ]
        return {t: db.execute(f'SELECT count(*) FROM "{t}"').fetchone()[0] for t in tables}  # noqa: S608


def _some_city_data(make_user):
    from cityhall.core.models import IdempotencyRecord

    make_user("ana@example.org", roles=["resident"], full_name="Ana García")
    IdempotencyRecord.objects.create(
        key="k1", request_sha256="0" * 64, response_status=201, response_body={"a": "ñ"}
    )
    return default_storage.save("police/photos/bike.jpg", ContentFile(b"\xff\xd8 a photo"))


def test_round_trip_onto_a_fresh_machine(tmp_path, make_user, fresh_machine):
    photo = _some_city_data(make_user)
    archive = tmp_path / "city.tar"
    call_command("backup", output=str(archive))
    assert oct(archive.stat().st_mode & 0o777) == "0o600"

    with tarfile.open(archive) as tar:
        manifest = json.load(tar.extractfile("manifest.json"))
    assert manifest["format_version"] == 1
    assert manifest["database"]["engine"] == connection.vendor
    assert f"files/{photo}" in manifest["sha256"]

    result = run_cityhall("restore", str(archive), env=fresh_machine)
    assert "Now run: cityhall migrate" in result.stdout
    assert _row_counts(fresh_machine["DATABASE_URL"]) == _row_counts(database_url())
    media = Path(fresh_machine["CITYHALL_VAR_DIR"]) / "media"
    assert (media / photo).read_bytes() == b"\xff\xd8 a photo"
    shown = run_cityhall(
        "shell",
        "-v",
        "0",
        "-c",
        "from cityhall.accounts.models import User; "
        "print(User.objects.get(email='ana@example.org').full_name)",
        env=fresh_machine,
    )
    assert shown.stdout.strip() == "Ana García"
    assert run_cityhall("migrate", "--check", env=fresh_machine, check=False).returncode == 0

    # A second restore onto what is now a database in use is refused…
    again = run_cityhall("restore", str(archive), env=fresh_machine, check=False)
    assert again.returncode != 0
    assert "The database is not empty" in again.stderr
    # …unless the operator says so.
    run_cityhall("restore", str(archive), "--force", env=fresh_machine)
    assert _row_counts(fresh_machine["DATABASE_URL"]) == _row_counts(database_url())


def test_a_damaged_archive_is_refused_before_anything_is_touched(
    tmp_path, make_user, fresh_machine
):
    _some_city_data(make_user)
    archive = tmp_path / "city.tar"
    call_command("backup", output=str(archive))
    damaged = tmp_path / "damaged.tar"
    with tarfile.open(archive) as source, tarfile.open(damaged, "w") as target:
        for member in source.getmembers():
            data = source.extractfile(member).read()
            if member.name.startswith("files/"):
                data = data[:-1] + b"X"
            member.size = len(data)
            target.addfile(member, __import__("io").BytesIO(data))
    result = run_cityhall("restore", str(damaged), env=fresh_machine, check=False)
    assert result.returncode != 0
    assert "does not match its checksum" in result.stderr
    assert _row_counts(fresh_machine["DATABASE_URL"]) == {}
    assert run_cityhall("restore", "--verify-only", str(archive), env=fresh_machine).returncode == 0


def test_paths_outside_the_storage_are_refused(tmp_path):
    for name in ["files/../../etc/passwd", "/etc/passwd", "database.other"]:
        with pytest.raises(backup.BackupError, match="unexpected path"):
            backup._safe_name(name)


def test_a_missing_pg_dump_is_a_clear_error(monkeypatch):
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(backup.BackupError, match="apt-get install postgresql-client"):
        backup._pg_tool("pg_dump")


@pytest.mark.postgres_only
def test_an_older_pg_dump_than_the_server_is_a_clear_error(tmp_path, monkeypatch):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    fake = tmp_path / "pg_dump"
    fake.write_text("#!/bin/sh\necho 'pg_dump (PostgreSQL) 9.6.24'\n")
    fake.chmod(0o755)
    monkeypatch.setenv("PATH", f"{tmp_path}:/usr/bin:/bin")
    with pytest.raises(backup.BackupError, match="is version 9 but the server runs PostgreSQL"):
        backup._pg_tool("pg_dump")
