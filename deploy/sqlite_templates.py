"""Migrated SQLite databases to copy, the embedded default's counterpart of deploy.pg_templates.

Migrating a fresh SQLite database of either role takes most of a minute on a small machine (every
altered table is rebuilt), and the demo and the tests make several. So each role is migrated once per
schema — the digest of pg_templates, which covers the migration files and the installed packages —
into a file under the user's cache, and every new deployment starts from a copy of it.
"""

from __future__ import annotations

import os
import secrets
import shutil
import sqlite3
import subprocess
import sys
import tempfile
from contextlib import closing
from pathlib import Path

from deploy.pg_templates import ROOT, schema_digest


def cache_dir() -> Path:
    base = os.environ.get("XDG_CACHE_HOME") or str(Path.home() / ".cache")
    return Path(base) / "kyodo" / "sqlite-templates"


def template_for(role: str) -> Path:
    """The migrated SQLite file for `role` and the current schema, made when missing."""
    path = cache_dir() / f"{role}-{schema_digest()}.sqlite3"
    if path.exists():
        return path
    path.parent.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=path.parent) as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
        env.update(KYODO_ROLE=role, SECRET_KEY=secrets.token_urlsafe(32), ALLOWED_HOSTS="localhost",
                   KYODO_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="config.settings")
        result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
                                env=env, cwd=ROOT, capture_output=True, text=True, check=False)
        if result.returncode != 0:
            raise RuntimeError(f"migrating the {role} SQLite template failed:\n{result.stderr[-3000:]}")
        # Copied through SQLite's backup API (the migration left its pages in a WAL file), then renamed
        # into place once complete: a half-made template is never used, and two runs racing each make
        # their own and the last rename wins (the files are the same).
        built = Path(data_dir) / "template.sqlite3"
        with closing(sqlite3.connect(Path(data_dir) / "db.sqlite3")) as source, \
                closing(sqlite3.connect(built)) as target:
            source.backup(target)
        os.replace(built, path)
    for old in path.parent.glob(f"{role}-*.sqlite3"):
        if old != path:
            old.unlink(missing_ok=True)
    return path


def copy_to(database: Path, role: str) -> None:
    """A new database at `database`: a copy of the role's template."""
    database.parent.mkdir(parents=True, exist_ok=True)
    shutil.copyfile(template_for(role), database)
