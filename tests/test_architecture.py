"""The dependency rule is checked, not just written down: `make lint` runs import-linter over the
contracts in pyproject.toml, and an upward import — even one hidden inside a function — breaks it."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("config", "deploy", "emergency", "nodes", "hub", "permissions", "sync", "common")
LINT = Path(sys.executable).parent / "lint-imports"


def _lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run([str(LINT), "--no-cache"], cwd=where, capture_output=True, text=True, timeout=120)


def _copy(tmp_path: Path) -> Path:
    shutil.copy(ROOT / "pyproject.toml", tmp_path)
    for package in PACKAGES:
        shutil.copytree(ROOT / package, tmp_path / package, ignore=shutil.ignore_patterns("__pycache__"))
    return tmp_path


def test_the_tree_keeps_every_contract():
    result = _lint(ROOT)
    assert result.returncode == 0, result.stdout[-3000:]


def test_an_upward_import_inside_a_function_breaks_the_layers(tmp_path):
    tree = _copy(tmp_path)
    with (tree / "sync" / "outbox.py").open("a") as module:
        module.write("\n\ndef _upward():\n    from nodes.models import GroupRegistration\n\n    return GroupRegistration\n")
    result = _lint(tree)
    assert result.returncode == 1
    assert "sync is not allowed to import nodes" in result.stdout
    assert "sync.outbox -> nodes.models" in result.stdout


def test_a_circle_between_modules_of_an_app_breaks_the_no_cycles_contract(tmp_path):
    tree = _copy(tmp_path)
    # nodes.sharing already imports nodes.known_data; the way back closes a circle.
    with (tree / "nodes" / "known_data.py").open("a") as module:
        module.write("\n\ndef _back():\n    from .sharing import check_text\n\n    return check_text\n")
    result = _lint(tree)
    assert result.returncode == 1
    assert "No cycles are allowed in nodes" in result.stdout
