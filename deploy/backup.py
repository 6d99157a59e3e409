"""Backup and restore of one deployment (node or hub): its database, signing keys and media in one tar.

The archive holds `manifest.json` (format, role, creation time, the sync position at that moment),
the database (`database.dump`, a PostgreSQL custom-format dump, or `database.sqlite3`, a copy made
with SQLite's online backup API: a plain copy of a live WAL database can miss committed pages), the
signing key files (`keys/current`, `keys/next` during a rotation, `keys/previous`) and `media/`.

Restoring refuses an archive of the other role or the other database engine before it changes
anything. What sync does after a restore is sync.resync (a node behind its hub) and the hub's feed
epoch (hub.services.feed.feed_epoch_start); docs/backup-restore.md explains both.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

from django.apps import apps
from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction

FORMAT = "kyodo.backup/1"
MANIFEST = "manifest.json"
PG_DUMP = "database.dump"
SQLITE_COPY = "database.sqlite3"
KEY_NAMES = ("current", "next", "previous")


class RestoreRefused(Exception):
    """The archive cannot be restored here; nothing was changed."""

    def __init__(self, code: str, message: str):
        super().__init__(f"{code}: {message}")
        self.code, self.message = code, message


@dataclass
class Restored:
    manifest: dict
    keys_restored: list[str] = field(default_factory=list)
    keys_kept: list[str] = field(default_factory=list)
    media_files: int = 0
    after: dict = field(default_factory=dict)


def _engine() -> str:
    return "postgresql" if connection.vendor == "postgresql" else "sqlite"


def _key_path(name: str) -> Path:
    # As sync.keys.key_path names them: the current key file, and `<file>.next` / `<file>.previous`.
    base = Path(settings.KYODO_NODE_KEY_FILE)
    return base if name == "current" else base.with_name(f"{base.name}.{name}")


def _media_root() -> Path | None:
    root = Path(settings.MEDIA_ROOT) if settings.MEDIA_ROOT else None
    return root if root and root.is_dir() else None


def _pg_env() -> dict[str, str]:
    """libpq's variables for the deployment's database: no password on a command line (ps shows it)."""
    db = settings.DATABASES["default"]
    pairs = {"PGDATABASE": db.get("NAME"), "PGUSER": db.get("USER"), "PGPASSWORD": db.get("PASSWORD"),
             "PGHOST": db.get("HOST"), "PGPORT": str(db.get("PORT") or "")}
    return {**os.environ, **{k: str(v) for k, v in pairs.items() if v}}


def _run(command: list[str], what: str) -> None:
    result = subprocess.run(command, env=_pg_env(), capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"{what} failed ({result.returncode}): {result.stderr.strip()[-2000:]}")


def _sync_position(query) -> dict:
    """Where sync stood, read with `query(sql) -> rows` inside the snapshot the dump is taken from."""
    if settings.KYODO_ROLE == "node":
        table = apps.get_model("sync", "SyncState")._meta.db_table
        rows = query(f"SELECT last_published_seq, last_acked_seq, feed_cursor FROM {table} WHERE id = 1")
        published, acked, cursor = rows[0] if rows else (0, 0, 0)
        return {"last_published_seq": published, "last_acked_seq": acked, "feed_cursor": cursor}
    feed = apps.get_model("hub", "FeedSequence")._meta.db_table
    nodes = apps.get_model("hub", "Node")._meta.db_table
    head = query(f"SELECT last_seq FROM {feed} WHERE id = 1")
    return {"feed_last_seq": head[0][0] if head else 0,
            "nodes_last_applied_seq": dict(query(f"SELECT slug, last_applied_seq FROM {nodes} ORDER BY slug"))}


def _dump_postgresql(target: Path) -> dict:
    """pg_dump of a snapshot exported by this connection, so the manifest's sync position is the
    dump's own, however busy the deployment is meanwhile."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
        cursor.execute("SELECT pg_export_snapshot()")
        snapshot = cursor.fetchone()[0]

        def query(sql):
            cursor.execute(sql)
            return cursor.fetchall()

        position = _sync_position(query)
        _run(["pg_dump", "--format=custom", f"--snapshot={snapshot}", f"--file={target}"], "pg_dump")
    return position


def _dump_sqlite(target: Path) -> dict:
    source = sqlite3.connect(settings.DATABASES["default"]["NAME"])
    copy = sqlite3.connect(target)
    try:
        source.backup(copy)
        return _sync_position(lambda sql: copy.execute(sql).fetchall())
    finally:
        copy.close()
        source.close()


def _add_bytes(tar: tarfile.TarFile, name: str, data: bytes, mode: int = 0o600) -> None:
    info = tarfile.TarInfo(name)
    info.size, info.mode, info.mtime = len(data), mode, int(dt.datetime.now().timestamp())
    tar.addfile(info, io.BytesIO(data))


def backup(output: Path) -> dict:
    """Write the deployment's archive to `output` (mode 0600: it holds the private keys); returns the manifest."""
    output = output.resolve()
    output.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(prefix="kyodo-backup-", dir=output.parent) as folder:
        engine = _engine()
        database = Path(folder) / (PG_DUMP if engine == "postgresql" else SQLITE_COPY)
        position = _dump_postgresql(database) if engine == "postgresql" else _dump_sqlite(database)
        keys = [name for name in KEY_NAMES if _key_path(name).is_file()]
        manifest = {
            "format": FORMAT, "role": settings.KYODO_ROLE, "engine": engine, "site_name": settings.KYODO_SITE_NAME,
            "created_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"), "sync": position,
            "database": {"file": database.name, "sha256": _sha256(database)}, "keys": keys,
        }
        partial = output.with_name(f".{output.name}.partial")
        descriptor = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as raw, tarfile.open(fileobj=raw, mode="w") as tar:
            _add_bytes(tar, MANIFEST, json.dumps(manifest, ensure_ascii=False, indent=2).encode())
            tar.add(database, arcname=database.name)
            for name in keys:
                _add_bytes(tar, f"keys/{name}", _key_path(name).read_bytes())
            media = _media_root()
            if media is not None:
                tar.add(media, arcname="media")
        partial.replace(output)  # never a half-written archive under the final name
    return manifest


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as stream:
        for chunk in iter(lambda: stream.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def read_manifest(archive: Path) -> dict:
    try:
        with tarfile.open(archive) as tar:
            member = tar.extractfile(MANIFEST)
            manifest = json.loads(member.read()) if member else None
    except (OSError, tarfile.TarError, KeyError, ValueError) as error:
        raise RestoreRefused("archive_unreadable", f"{archive} is not a Kyodo backup ({error})") from error
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT:
        raise RestoreRefused("archive_format", f"{archive} is not a {FORMAT} archive")
    return manifest


def check_restorable(manifest: dict) -> None:
    role, engine = manifest.get("role"), manifest.get("engine")
    if role != settings.KYODO_ROLE:
        raise RestoreRefused("wrong_role", f"this archive is a backup of a {role}, and this deployment is a "
                                           f"{settings.KYODO_ROLE} (KYODO_ROLE): restore it on a {role}")
    if engine != _engine():
        raise RestoreRefused("wrong_engine", f"this archive holds a {engine} database, and this deployment uses "
                                             f"{_engine()}: restore it on a deployment with the same database engine")


def restore(archive: Path, *, replace_keys: bool = False) -> Restored:
    """Restore `archive` into this deployment, whose processes (web, workers, beat) must be stopped.

    The database is replaced whole (PostgreSQL: pg_restore --clean in one transaction, so a failure
    leaves the old database as it was; SQLite: the backup API writing into the database file), then
    migrated to this release. Key files the deployment lacks are restored; an existing key file that
    differs is kept (a key rotated since the backup is the one the hub knows) unless `replace_keys`.
    """
    manifest = read_manifest(archive)
    check_restorable(manifest)
    result = Restored(manifest=manifest)
    with tempfile.TemporaryDirectory(prefix="kyodo-restore-") as folder, tarfile.open(archive) as tar:
        tar.extractall(folder, filter="data")  # refuses absolute paths, .. and links leading out
        extracted = Path(folder)
        database = extracted / manifest["database"]["file"]
        if not database.is_file() or _sha256(database) != manifest["database"]["sha256"]:
            raise RestoreRefused("archive_damaged", "the database in the archive does not match its manifest")
        connections.close_all()
        if manifest["engine"] == "postgresql":
            _run(["pg_restore", "--list", str(database)], "reading the dump")  # before anything is dropped
            _run(["pg_restore", "--clean", "--if-exists", "--single-transaction", "--exit-on-error", "--no-owner",
                  "--no-privileges", f"--dbname={settings.DATABASES['default']['NAME']}", str(database)],
                 "pg_restore")
        else:
            _restore_sqlite(database)
        connections.close_all()
        call_command("migrate", interactive=False, verbosity=0)
        for name in manifest.get("keys", []):
            _restore_key(extracted / "keys" / name, _key_path(name), replace_keys, name, result)
        media = extracted / "media"
        if media.is_dir() and settings.MEDIA_ROOT:
            shutil.copytree(media, settings.MEDIA_ROOT, dirs_exist_ok=True)
            result.media_files = sum(1 for p in media.rglob("*") if p.is_file())
    result.after = _after_restore()
    return result


def _restore_sqlite(copy: Path) -> None:
    target = Path(settings.DATABASES["default"]["NAME"])
    target.parent.mkdir(parents=True, exist_ok=True)
    source, destination = sqlite3.connect(copy), sqlite3.connect(target, timeout=20)
    try:
        source.backup(destination)  # through SQLite: its WAL and shared memory files stay consistent
    finally:
        destination.close()
        source.close()


def _restore_key(source: Path, target: Path, replace: bool, name: str, result: Restored) -> None:
    if target.exists() and target.read_bytes() != source.read_bytes() and not replace:
        result.keys_kept.append(name)
        return
    target.parent.mkdir(parents=True, exist_ok=True)
    descriptor = os.open(target, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(descriptor, "wb") as out:
        out.write(source.read_bytes())
    result.keys_restored.append(name)


def _after_restore() -> dict:
    """What each role does once its database is back."""
    if settings.KYODO_ROLE == "hub":
        # The nodes pulled entries this hub no longer has: a new feed epoch tells them to forget
        # what they hold after its head. (Their pushes need nothing: each asks the hub's checkpoint
        # first and sends again from there.)
        from hub.services.feed import feed_epoch_start

        counter = feed_epoch_start(acting_user=None)
        return {"feed_epoch": counter.epoch, "feed_continues_after": counter.epoch_after}
    # A push that was running when the backup was taken left its lease: free it, so the node
    # syncs (and, if its hub is ahead, re-announces) at once.
    state_model = apps.get_model("sync", "SyncState")
    state_model.objects.filter(pk=1).update(lease_owner="", lease_until=None, push_requested_at=None)
    state = state_model.objects.filter(pk=1).values("last_published_seq", "last_acked_seq").first() or {}
    return dict(state)
