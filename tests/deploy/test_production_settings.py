"""`manage.py check --deploy --fail-level WARNING` passes for both roles with the production
environment of deploy/<role>.env.example and the compose file, a real-looking SECRET_KEY filled in."""

from __future__ import annotations

import os
import re
import secrets
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
DEPLOY = ROOT / "deploy"


def production_env(role: str, tmp_path: Path, **overrides: str) -> dict[str, str]:
    """What the compose file gives the web service: its env file (the example), then its environment."""
    env = {name: os.environ[name] for name in ("PATH", "HOME", "LANG") if name in os.environ}
    for line in (DEPLOY / f"{role}.env.example").read_text().splitlines():
        if line.strip() and not line.lstrip().startswith("#"):
            name, _, value = line.partition("=")
            env[name.strip()] = value.strip()
    env["SECRET_KEY"] = secrets.token_urlsafe(50)
    env["POSTGRES_PASSWORD"] = secrets.token_urlsafe(16)
    compose = yaml.safe_load((DEPLOY / f"compose.{role}.yml").read_text())
    for name, value in compose["services"]["web"]["environment"].items():
        env[name] = re.sub(r"\$\{(\w+)(:\?[^}]*)?\}", lambda m: env[m.group(1)], str(value))
    # The image's volumes, here: the check makes the data folders when the apps are ready.
    env.update(KYODO_DATA_DIR=str(tmp_path / "data"), KYODO_NODE_KEY_FILE=str(tmp_path / "keys" / "node.key"))
    env.update(overrides)
    return env


def deploy_check(env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "manage.py", "check", "--deploy", "--fail-level", "WARNING"], cwd=ROOT,
                          env=env, capture_output=True, text=True, timeout=120)


@pytest.mark.parametrize("role", ["node", "hub"])
def test_check_deploy_passes_with_the_example_production_environment(role, tmp_path):
    env = production_env(role, tmp_path)
    assert env["KYODO_ROLE"] == role and "KYODO_DEBUG" not in env and env["DATABASE_URL"].startswith("postgres://")
    result = deploy_check(env)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "System check identified no issues" in result.stdout


def test_check_deploy_fails_on_the_placeholder_key_and_without_https(tmp_path):
    """The check is not vacuous: the example's own placeholder key, or HTTPS switched off, fail it."""
    placeholder = deploy_check(production_env("node", tmp_path, SECRET_KEY="change-me-to-a-long-random-string"))
    assert placeholder.returncode != 0 and "security.W009" in placeholder.stderr
    plain = deploy_check(production_env("node", tmp_path, KYODO_HTTPS="0"))
    assert plain.returncode != 0
    assert {"security.W004", "security.W008", "security.W012", "security.W016"} <= set(
        re.findall(r"security\.W\d+", plain.stderr))


def test_the_production_settings_are_what_the_operator_notes_say(tmp_path):
    env = production_env("node", tmp_path)
    script = ("from django.conf import settings as s; import json; print(json.dumps([s.SECURE_SSL_REDIRECT,"
              " s.SECURE_HSTS_SECONDS, s.SESSION_COOKIE_SECURE, s.CSRF_COOKIE_SECURE, s.SECURE_PROXY_SSL_HEADER,"
              " s.SESSION_COOKIE_AGE, s.KYODO_CLIENT_IP_HEADER, s.CONTENT_SECURITY_POLICY['DIRECTIVES']['script-src']]))")
    out = subprocess.run([sys.executable, "manage.py", "shell", "-c", script], cwd=ROOT, env=env,
                         capture_output=True, text=True, timeout=120, check=True).stdout
    assert out.strip().splitlines()[-1] == (
        '[true, 31536000, true, true, ["HTTP_X_FORWARDED_PROTO", "https"], 28800, "X-Real-IP", ["\'self\'"]]')
