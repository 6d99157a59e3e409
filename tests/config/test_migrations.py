"""Models and migrations agree, for both roles (each role installs its own apps)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize("role", ["node", "hub"])
def test_no_model_change_is_missing_a_migration(role, tmp_path):
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.update(KYODO_ROLE=role, SECRET_KEY="migrations-check", KYODO_DEBUG="1", KYODO_DATA_DIR=str(tmp_path))
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout + result.stderr


def test_manage_py_without_a_role_uses_development_defaults_and_says_so(tmp_path):
    env = {k: v for k, v in os.environ.items()
           if k not in ("DATABASE_URL", "REDIS_URL", "KYODO_ROLE", "SECRET_KEY", "KYODO_DEBUG")}
    env["KYODO_DATA_DIR"] = str(tmp_path)
    result = subprocess.run([sys.executable, "manage.py", "makemigrations", "--check", "--dry-run"], cwd=ROOT,
                            env=env, capture_output=True, text=True)
    assert result.returncode == 0, result.stderr
    assert "development defaults" in result.stderr
