"""Migrated template databases for the runner on PostgreSQL.

Migrating a fresh database of either role takes tens of seconds on a small machine, and the runner
(and the federation tests, which start a federation per module) create many. So the runner migrates
one database per role and schema — named after a digest of the project's migration files and the
installed packages — and creates each deployment's database as a copy of it (`CREATE DATABASE …
TEMPLATE`); the deployment's own `migrate` then finds nothing to do. A change to any migration or
package gives a new digest, hence a new template, and the outdated ones are dropped.
"""

from __future__ import annotations

import hashlib
import os
import secrets
import subprocess
import sys
import tempfile
from importlib import metadata
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
PREFIX = "kyodo_tpl_"


def schema_digest() -> str:
    digest = hashlib.sha256()
    for path in sorted(ROOT.glob("*/migrations/*.py")):
        digest.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes() + b"\0")
    packages = sorted(f"{d.metadata['Name']}=={d.version}" for d in metadata.distributions())
    digest.update("\n".join(packages).encode())
    return digest.hexdigest()[:12]


def _migrate(database_url: str, role: str) -> None:
    with tempfile.TemporaryDirectory() as data_dir:
        env = {k: v for k, v in os.environ.items() if k not in ("REDIS_URL", "CELERY_BROKER_URL")}
        env.update(KYODO_ROLE=role, DATABASE_URL=database_url, SECRET_KEY=secrets.token_urlsafe(32),
                   ALLOWED_HOSTS="localhost", KYODO_DATA_DIR=data_dir, DJANGO_SETTINGS_MODULE="config.settings")
        result = subprocess.run([sys.executable, str(ROOT / "manage.py"), "migrate", "--noinput", "-v", "0"],
                                env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise RuntimeError(f"migrating the {role} template failed:\n{result.stderr[-3000:]}")


def template_for(admin_url: str, database_url_of, role: str) -> str:
    """The name of a migrated template database for `role`, made when missing.

    `admin_url` connects to the server's maintenance database; `database_url_of(name)` gives the URL
    of a database on the same server."""
    name = f"{PREFIX}{role}_{schema_digest()}"
    with psycopg.connect(admin_url, autocommit=True) as connection:
        if connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
            return name
        # Migrated under a temporary name and renamed once complete: a half-made template (an
        # interrupted run) is never used, and two runs racing each make their own.
        building = f"{name}_{secrets.token_hex(4)}"
        connection.execute(f'CREATE DATABASE "{building}"')
        try:
            _migrate(database_url_of(building), role)
            connection.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
        except (RuntimeError, psycopg.errors.DuplicateDatabase):
            connection.execute(f'DROP DATABASE IF EXISTS "{building}" WITH (FORCE)')
            if not connection.execute("SELECT 1 FROM pg_database WHERE datname = %s", (name,)).fetchone():
                raise
        outdated = connection.execute(
            "SELECT datname FROM pg_database WHERE datname LIKE %s AND datname <> %s AND datname !~ '_[0-9a-f]{8}$'",
            (f"{PREFIX}{role}\\_%", name)).fetchall()
        for (old,) in outdated:
            connection.execute(f'DROP DATABASE IF EXISTS "{old}" WITH (FORCE)')
    return name
