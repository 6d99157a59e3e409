"""`kyodo backup` / `kyodo restore` on the embedded default (SQLite), as an operator runs them: the
database comes back as it was, keys are restored where missing and kept where they differ, and an
archive of the other role is refused before anything changes. (PostgreSQL, with sync after the
restore, is tests/federation/test_restore_federation.py.)"""

from __future__ import annotations

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
KYODO = str(Path(sys.executable).with_name("kyodo"))


def _env(data_dir: Path, role: str = "node") -> dict:
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    return {**clean, "KYODO_ROLE": role, "SECRET_KEY": "backup-test", "ALLOWED_HOSTS": "localhost",
            "KYODO_DATA_DIR": str(data_dir), "DJANGO_SETTINGS_MODULE": "config.settings"}


def _run(env: dict, *args: str, check: bool = True) -> subprocess.CompletedProcess:
    result = subprocess.run(args, env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    assert not check or result.returncode == 0, result.stdout + result.stderr
    return result


def _organizations(data_dir: Path) -> set[str]:
    with sqlite3.connect(data_dir / "db.sqlite3") as db:
        return {row[0] for row in db.execute("SELECT name FROM permissions_organization")}


def _center(env: dict, name: str) -> None:
    _run(env, sys.executable, "manage.py", "shell", "-c",
         "from permissions.services import organization_create;"
         f"organization_create(acting_user=None, name={name!r}, kind='center', municipality_code='142077',"
         " municipality_name='茅ヶ崎市')")


def test_an_embedded_node_is_backed_up_and_restored_whole(tmp_path):
    data = tmp_path / "node"
    env = _env(data)
    _run(env, sys.executable, "manage.py", "migrate", "-v", "0")
    _run(env, sys.executable, "manage.py", "sync_keygen")
    _center(env, "バックアップ前のセンター")
    archive = tmp_path / "node.tar"
    made = json.loads(_run(env, KYODO, "backup", "--output", str(archive), "--json").stdout)
    manifest = made["manifest"]
    assert (manifest["format"], manifest["role"], manifest["engine"]) == ("kyodo.backup/1", "node", "sqlite")
    assert set(manifest["sync"]) == {"last_published_seq", "last_acked_seq", "feed_cursor"}
    assert manifest["keys"] == ["current"] and archive.stat().st_mode & 0o077 == 0
    with tarfile.open(archive) as tar:
        assert set(tar.getnames()) == {"manifest.json", "database.sqlite3", "keys/current"}

    _center(env, "バックアップ後のセンター")
    key = data / "node-signing.key"
    original_key = key.read_bytes()
    key.unlink()
    refused = _run(env, KYODO, "restore", str(archive), check=False)  # no --yes, no terminal
    assert refused.returncode == 1 and _organizations(data) == {"バックアップ前のセンター", "バックアップ後のセンター"}

    restored = json.loads(_run(env, KYODO, "restore", str(archive), "--yes", "--json").stdout)
    assert _organizations(data) == {"バックアップ前のセンター"}
    assert restored["keys_restored"] == ["current"] and key.read_bytes() == original_key
    assert key.stat().st_mode & 0o077 == 0

    key.write_text("rotated-since\n")  # a key rotated after the backup is the one the hub knows
    again = json.loads(_run(env, KYODO, "restore", str(archive), "--yes", "--json").stdout)
    assert again["keys_kept"] == ["current"] and key.read_text() == "rotated-since\n"


@pytest.mark.parametrize("damage", ["role", "garbage"])
def test_an_archive_of_the_other_role_or_no_archive_is_refused_before_anything_changes(tmp_path, damage):
    data = tmp_path / "hub"
    env = _env(data, role="hub")
    archive = tmp_path / "other.tar"
    if damage == "role":
        manifest = {"format": "kyodo.backup/1", "role": "node", "engine": "sqlite", "created_at": "2026-12-01",
                    "sync": {}, "database": {"file": "database.sqlite3", "sha256": "0"}, "keys": []}
        with tarfile.open(archive, "w") as tar:
            path = tmp_path / "manifest.json"
            path.write_text(json.dumps(manifest))
            tar.add(path, arcname="manifest.json")
    else:
        archive.write_bytes(b"not a tar at all")
    result = _run(env, KYODO, "restore", str(archive), "--yes", check=False)
    assert result.returncode == 2
    expected = ("this archive is a backup of a node, and this deployment is a hub" if damage == "role"
                else "is not a Kyodo backup")
    assert expected in result.stderr and ("wrong_role" if damage == "role" else "archive_unreadable") in result.stderr
    assert not (data / "db.sqlite3").exists()  # refused before the database was even opened
