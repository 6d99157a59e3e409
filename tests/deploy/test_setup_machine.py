"""`make test` sets itself up (deploy/setup-machine.sh, shared with .ci/run): as root it installs what
is missing; otherwise it stops at once with one line naming the command to run."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _run(tmp_path: Path, *args: str, uid: int, tools: tuple[str, ...]) -> subprocess.CompletedProcess:
    """The script on a machine that has only `tools` (and an `id` that says `uid`)."""
    bin_dir = tmp_path / "bin"
    bin_dir.mkdir(parents=True, exist_ok=True)
    for tool in ("bash", "grep", "mktemp", "tail", *tools):
        os.symlink(shutil.which(tool), bin_dir / tool)
    (bin_dir / "id").write_text(f"#!/bin/sh\necho {uid}\n")
    (bin_dir / "id").chmod(0o755)
    return subprocess.run([str(bin_dir / "bash"), "deploy/setup-machine.sh", *args], cwd=ROOT, capture_output=True,
                          text=True, timeout=60, env={"PATH": str(bin_dir), "KYODO_CHROMIUM": str(tmp_path / "none")})


def test_without_root_it_stops_with_one_line_naming_the_command(tmp_path):
    result = _run(tmp_path, uid=1000, tools=())
    assert result.returncode == 1 and result.stdout == ""
    assert result.stderr.splitlines() == [
        "Kyodo: this machine lacks chromium fonts-noto-cjk gettext; install them with: sudo deploy/setup-machine.sh"]


def test_it_asks_only_for_what_is_missing(tmp_path):
    result = _run(tmp_path, "--no-browser", uid=1000, tools=())
    assert result.returncode == 1 and "lacks gettext;" in result.stderr
    if shutil.which("msgfmt"):
        assert _run(tmp_path / "x", "--no-browser", uid=1000, tools=("msgfmt",)).returncode == 0


def test_ci_and_make_test_use_the_same_script():
    assert "bash deploy/setup-machine.sh" in (ROOT / ".ci" / "run").read_text()
    makefile = (ROOT / "Makefile").read_text()
    assert "test: machine install" in makefile and "@bash deploy/setup-machine.sh\n" in makefile
    ci = (ROOT / ".ci" / "run").read_text()
    assert ci.index("setup-machine.sh") < ci.index("\nmake lint") < ci.index("\nmake test")
    assert "pg_isready" in ci and "redis-server" in ci
