"""No double booking on SQLite (the demo's database): the trigger of migration 0015 refuses an overlap,
also when two connections book the same slot at once. Runs a real SQLite node in a subprocess, on a
copy of the migrated node template the demo's deployments start from (deploy.sqlite_templates)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

from deploy import sqlite_templates

ROOT = Path(__file__).resolve().parents[2]
PROBE = Path(__file__).with_name("sqlite_overlap_probe.py")


def _run(env: dict, *args: str) -> str:
    result = subprocess.run([sys.executable, "manage.py", *args], env=env, cwd=ROOT, capture_output=True, text=True,
                            check=False, timeout=600)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_two_connections_on_sqlite_store_exactly_one_booking(tmp_path):
    clean = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL")}
    env = {**clean, "KYODO_ROLE": "node", "SECRET_KEY": "sqlite-test", "ALLOWED_HOSTS": "localhost",
           "KYODO_DATA_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "config.settings", "TZ": "Asia/Tokyo"}
    sqlite_templates.copy_to(tmp_path / "db.sqlite3", "node")
    _run(env, "migrate", "--noinput")  # finds every migration applied, 0015's trigger included
    report = json.loads(_run(env, "shell", "-c", PROBE.read_text()).strip().splitlines()[-1])
    assert report["vendor"] == "sqlite"
    stored = [o for o in report["outcomes"] if o and "stored" in o]
    refused = [o for o in report["outcomes"] if o and "code" in o]
    assert len(stored) == 1 and len(refused) == 1, report
    assert refused[0]["code"] == "booking_overlap" and "すでに予約が入っています" in refused[0]["message"]
    assert report["rows"] == 1
    assert "booking_no_overlap" in report["trigger"]
