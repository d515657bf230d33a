"""`cityhall backup` and `cityhall restore`: the database and the files in one tar.

The archive holds:

    manifest.json       format version, app version, created_at, the database's
                        engine and how it was dumped, and a SHA-256 per member
    database.sqlite3    SQLite: a copy made with SQLite's online backup API
    database.pgdump     PostgreSQL: `pg_dump --format=custom` (one consistent snapshot)
    files/…             every file in the default storage (local folder or S3)

Consistency: the database is copied first, then the files. Files are never
changed in place (a new upload gets a new name) and a file is deleted only
after its row is deleted and committed, so every file the database copy
names existed when the copy was taken and is copied, unless a purge removed
both row and file in the minutes between the two steps; such a file is
listed under `missing_files` in the manifest, and the purge that removed it
removes its row again after a restore (same retention rule).

No `dumpdata` fallback for PostgreSQL: it reads table by table outside one
snapshot, loses sequences and is slow; pg_dump is in every PostgreSQL client
package (docs/decisions/0014-backups-and-replicas.md).
"""

from __future__ import annotations

import hashlib
import io
import json
import os
import re
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from contextlib import closing
from dataclasses import dataclass
from importlib import metadata
from pathlib import Path, PurePosixPath

from django.core.files.base import File
from django.core.files.storage import storages
from django.db import connection
from django.utils import timezone

FORMAT_VERSION = 1
MANIFEST = "manifest.json"
SQLITE_MEMBER = "database.sqlite3"
PG_MEMBER = "database.pgdump"
FILES_PREFIX = "files/"


class BackupError(Exception):
    """Something an operator must fix; the message says what."""


@dataclass(frozen=True)
class Restored:
    created_at: str
    app_version: str
    files: int


# ---- backup -------------------------------------------------------------------


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _engine() -> str:
    engine = connection.settings_dict["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"Backups support SQLite and PostgreSQL, not {engine}.")


def _pg_env() -> dict[str, str]:
    s = connection.settings_dict
    env = {**os.environ, "PGDATABASE": s["NAME"], "PGHOST": s["HOST"] or "127.0.0.1"}
    env["PGPORT"] = str(s["PORT"] or 5432)
    if s["USER"]:
        env["PGUSER"] = s["USER"]
    if s["PASSWORD"]:
        env["PGPASSWORD"] = s["PASSWORD"]
    return env


def _pg_tool(name: str) -> str:
    """The PostgreSQL client program, checked against the server's major version
    (pg_dump refuses a newer server, and pg_restore an archive from a newer pg_dump)."""
    program = shutil.which(name)
    if program is None:
        raise BackupError(
            f"{name} was not found on PATH. Install the PostgreSQL client of the server's "
            "version (Debian: apt-get install postgresql-client-<major version>)."
        )
    output = subprocess.run(  # noqa: S603
        [program, "--version"], capture_output=True, text=True, check=True
    ).stdout
    match = re.search(r"(\d+)(?:\.\d+)?", output)
    tool_major = int(match.group(1)) if match else 0
    connection.ensure_connection()
    server_major = connection.cursor().connection.info.server_version // 10000
    if tool_major < server_major:
        raise BackupError(
            f"{name} is version {tool_major} but the server runs PostgreSQL {server_major}: "
            f"install postgresql-client-{server_major} and put its bin folder first on PATH."
        )
    return program


def _sqlite_copy(source_path, target_path) -> None:
    with (
        closing(sqlite3.connect(source_path)) as source,
        closing(sqlite3.connect(target_path)) as copy,
    ):
        source.backup(copy)


def _dump_database(folder: Path) -> tuple[str, str]:
    """(member name, how) of a consistent copy of the database in `folder`."""
    if _engine() == "sqlite":
        # A snapshot, while the city keeps writing.
        _sqlite_copy(connection.settings_dict["NAME"], folder / SQLITE_MEMBER)
        return SQLITE_MEMBER, "sqlite3 online backup"
    program = _pg_tool("pg_dump")
    target = folder / PG_MEMBER
    result = subprocess.run(  # noqa: S603
        [program, "--format=custom", "--no-owner", "--no-privileges", f"--file={target}"],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_dump failed: {result.stderr.strip()}")
    return PG_MEMBER, "pg_dump --format=custom"


def _storage_files(storage, folder: str = "") -> list[str]:
    directories, files = storage.listdir(folder) if _exists_dir(storage, folder) else ([], [])
    names = [f"{folder}/{name}" if folder else name for name in files]
    for directory in directories:
        names += _storage_files(storage, f"{folder}/{directory}" if folder else directory)
    return names


def _exists_dir(storage, folder: str) -> bool:
    if hasattr(storage, "path"):  # a local folder: it may not exist yet
        return Path(storage.path(folder or ".")).is_dir()
    return True


def _app_version() -> str:
    try:
        return metadata.version("cityhall")
    except metadata.PackageNotFoundError:
        return "unknown"


def create_backup(output: Path) -> dict:
    """Writes the archive to `output` (through a temporary name, so a half-written
    archive never carries the final name); returns its manifest."""
    storage = storages["default"]
    created_at = timezone.now()
    with tempfile.TemporaryDirectory(prefix="cityhall-backup-") as work:
        work_dir = Path(work)
        member, how = _dump_database(work_dir)
        checksums = {member: _sha256(work_dir / member)}
        # After the database copy (see the module's docstring).
        missing, copied = [], []
        for name in sorted(_storage_files(storage)):
            target = work_dir / "files" / name
            target.parent.mkdir(parents=True, exist_ok=True)
            try:
                with storage.open(name, "rb") as source, target.open("wb") as copy:
                    shutil.copyfileobj(source, copy)
            except FileNotFoundError:
                missing.append(name)
                continue
            copied.append(name)
            checksums[FILES_PREFIX + name] = _sha256(target)
        manifest = {
            "format_version": FORMAT_VERSION,
            "app": "cityhall",
            "app_version": _app_version(),
            "created_at": created_at.isoformat(),
            "database": {"engine": _engine(), "member": member, "method": how},
            "files": len(copied),
            "missing_files": missing,
            "sha256": checksums,
        }
        output.parent.mkdir(parents=True, exist_ok=True)
        partial = output.with_name(output.name + ".partial")
        with tarfile.open(partial, "w") as archive:
            data = json.dumps(manifest, indent=2).encode()
            info = tarfile.TarInfo(MANIFEST)
            info.size, info.mtime, info.mode = len(data), int(created_at.timestamp()), 0o600
            archive.addfile(info, io.BytesIO(data))
            archive.add(work_dir / member, arcname=member)
            for name in copied:
                archive.add(work_dir / "files" / name, arcname=FILES_PREFIX + name)
        os.chmod(partial, 0o600)  # residents' personal data
        partial.replace(output)
    return manifest


# ---- restore ------------------------------------------------------------------


def _safe_name(name: str) -> str:
    path = PurePosixPath(name)
    if path.is_absolute() or ".." in path.parts or not name.startswith(FILES_PREFIX):
        raise BackupError(f"The archive holds an unexpected path: {name!r}.")
    return name[len(FILES_PREFIX) :]


def read_manifest(archive: tarfile.TarFile) -> dict:
    try:
        manifest = json.load(archive.extractfile(MANIFEST))
    except (KeyError, ValueError, AttributeError) as error:
        raise BackupError("This is not a CityHall backup (no readable manifest.json).") from error
    if manifest.get("app") != "cityhall" or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError(
            f"Backup format {manifest.get('format_version')!r} is not one this version reads "
            f"({FORMAT_VERSION})."
        )
    return manifest


def verify(path: Path) -> dict:
    """Checks every member against the manifest's checksums before anything is touched."""
    with tarfile.open(path, "r") as archive:
        manifest = read_manifest(archive)
        expected = dict(manifest["sha256"])
        for member in archive.getmembers():
            if member.name == MANIFEST:
                continue
            if member.name not in expected or not member.isfile():
                raise BackupError(f"{member.name!r} is in the archive but not in its manifest.")
            if member.name != manifest["database"]["member"]:
                _safe_name(member.name)
            digest = hashlib.sha256()
            handle = archive.extractfile(member)
            for chunk in iter(lambda h=handle: h.read(1 << 20), b""):
                digest.update(chunk)
            if digest.hexdigest() != expected.pop(member.name):
                raise BackupError(
                    f"{member.name!r} does not match its checksum: the archive is damaged."
                )
        if expected:
            raise BackupError(f"The archive lacks {', '.join(sorted(expected))}.")
    return manifest


def database_is_empty() -> bool:
    return not connection.introspection.table_names()


def storage_is_empty() -> bool:
    return not _storage_files(storages["default"])


def _empty_the_database() -> None:
    if _engine() == "sqlite":
        connection.close()
        name = Path(connection.settings_dict["NAME"])
        for path in (name, Path(f"{name}-wal"), Path(f"{name}-shm")):
            path.unlink(missing_ok=True)
        return
    with connection.cursor() as cursor:
        cursor.execute("DROP SCHEMA public CASCADE")
        cursor.execute("CREATE SCHEMA public")


def _restore_database(archive: tarfile.TarFile, manifest: dict, work: Path) -> None:
    engine, member = manifest["database"]["engine"], manifest["database"]["member"]
    if engine != _engine():
        raise BackupError(
            f"This backup is of a {engine} database; DATABASE_URL points to {_engine()}."
        )
    archive.extract(member, work, filter="data")
    if engine == "sqlite":
        connection.close()
        _sqlite_copy(work / member, connection.settings_dict["NAME"])
        return
    program = _pg_tool("pg_restore")
    connection.close()
    result = subprocess.run(  # noqa: S603
        [
            program,
            "--no-owner",
            "--no-privileges",
            "--single-transaction",
            "--exit-on-error",
            f"--dbname={connection.settings_dict['NAME']}",
            str(work / member),
        ],
        env=_pg_env(),
        capture_output=True,
        text=True,
    )
    if result.returncode != 0:
        raise BackupError(f"pg_restore failed (nothing was restored): {result.stderr.strip()}")


def restore_backup(path: Path, *, force: bool = False) -> Restored:
    manifest = verify(path)
    if not force and not database_is_empty():
        raise BackupError(
            "The database is not empty. Restore into a new, empty database (do not run "
            "migrate first), or pass --force to replace everything in it."
        )
    if not force and not storage_is_empty():
        raise BackupError("The file storage is not empty; pass --force to restore over it.")
    storage = storages["default"]
    with tarfile.open(path, "r") as archive, tempfile.TemporaryDirectory() as work:
        if force:
            _empty_the_database()
        _restore_database(archive, manifest, Path(work))
        files = 0
        for member in archive.getmembers():
            if not member.name.startswith(FILES_PREFIX):
                continue
            name = _safe_name(member.name)
            if storage.exists(name):
                storage.delete(name)  # (only with --force: the storage was empty otherwise)
            saved = storage.save(name, File(archive.extractfile(member), name=name))
            if saved != name:
                raise BackupError(f"The storage renamed {name!r} to {saved!r}.")
            files += 1
    return Restored(
        created_at=manifest["created_at"], app_version=manifest["app_version"], files=files
    )
