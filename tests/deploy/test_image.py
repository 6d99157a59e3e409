"""The image deploys: what deploy/Dockerfile copies (its COPY lines, less .dockerignore) is built here
without Docker — the files copied to a folder, `pip install`ed into a fresh virtualenv — and both
roles pass `check` and `migrate` on SQLite from it. Leaving a package out fails (the Dockerfile once
copied every package but `emergency/`, and no node could start from the image)."""

from __future__ import annotations

import fnmatch
import json
import os
import re
import shlex
import shutil
import subprocess
import sys
import sysconfig
import tomllib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
WORKDIR = "/app"


def dockerignore_patterns(text: str) -> list[tuple[str, bool]]:
    """(pattern, negated) in order; the last pattern matching a path decides (Docker's rule)."""
    patterns = []
    for line in text.splitlines():
        line = line.strip()
        if not line or line.startswith("#"):
            continue
        negated = line.startswith("!")
        pattern = os.path.normpath(line[1:] if negated else line).lstrip("/")
        patterns.append((pattern, negated))
    return patterns


def _regex(pattern: str) -> re.Pattern:
    out, i = "", 0
    while i < len(pattern):
        if pattern.startswith("**/", i):
            out, i = out + "(?:.*/)?", i + 3
        elif pattern.startswith("**", i):
            out, i = out + ".*", i + 2
        elif pattern[i] == "*":
            out, i = out + "[^/]*", i + 1
        elif pattern[i] == "?":
            out, i = out + "[^/]", i + 1
        else:
            out, i = out + re.escape(pattern[i]), i + 1
    return re.compile(out)


def ignored(path: str, patterns: list[tuple[str, bool]]) -> bool:
    """Whether `path` (relative, with /) is left out: a pattern matching the path or a folder above it."""
    parts = path.split("/")
    candidates = ["/".join(parts[:n]) for n in range(1, len(parts) + 1)]
    decision = False
    for pattern, negated in patterns:
        regex = _regex(pattern)
        if any(regex.fullmatch(candidate) for candidate in candidates):
            decision = not negated
    return decision


def copy_instructions(dockerfile: str) -> list[tuple[list[str], str]]:
    """The (sources, destination) of each COPY from the build context (not --from another stage)."""
    copies = []
    for line in re.sub(r"\\\n", " ", dockerfile).splitlines():
        words = line.strip()
        if not words.upper().startswith("COPY "):
            continue
        rest, flags = words[5:].strip(), []
        while rest.startswith("--"):
            flag, _, rest = rest.partition(" ")
            flags.append(flag)
            rest = rest.strip()
        if any(flag.startswith("--from") for flag in flags):
            continue
        args = json.loads(rest) if rest.startswith("[") else shlex.split(rest)
        copies.append((args[:-1], args[-1]))
    return copies


def build_file_set(target: Path, *, extra_ignore: tuple[str, ...] = ()) -> list[str]:
    """Copy what the Dockerfile copies into `target` (standing for WORKDIR); the files copied."""
    patterns = dockerignore_patterns((ROOT / ".dockerignore").read_text()) + [(p, False) for p in extra_ignore]
    copied = []
    for sources, destination in copy_instructions((ROOT / "deploy" / "Dockerfile").read_text()):
        dest = target / os.path.relpath(os.path.join(WORKDIR, destination), WORKDIR)
        for source in sources:
            base = (ROOT / source).resolve()
            if base.is_file():
                files = [base]
                into = dest if (len(sources) > 1 or destination.endswith("/")) else dest.parent
            else:
                files = sorted(p for p in base.rglob("*") if p.is_file())
                into = dest
            for path in files:
                relative = path.relative_to(ROOT).as_posix()
                if ignored(relative, patterns):
                    continue
                out = into / (path.name if base.is_file() else path.relative_to(base))
                out.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(path, out)
                copied.append(out.relative_to(target).as_posix())
    return copied


def project_packages() -> set[str]:
    """The top-level packages pyproject.toml's [tool.setuptools.packages.find] include names."""
    include = tomllib.loads((ROOT / "pyproject.toml").read_text())["tool"]["setuptools"]["packages"]["find"]["include"]
    return {path.parent.name for path in ROOT.glob("*/__init__.py")
            if any(fnmatch.fnmatch(path.parent.name, pattern) for pattern in include)}


@dataclass
class Image:
    app: Path  # WORKDIR: the copied source, where gunicorn and manage.py run
    python: Path  # a fresh virtualenv with the project installed from `app`
    files: list[str]
    data: Path

    def run(self, role: str, *args: str, cwd: Path | None = None) -> subprocess.CompletedProcess:
        env = {"PATH": "/usr/bin:/bin", "HOME": str(self.data), "LANG": "C.UTF-8", "KYODO_ROLE": role,
               "SECRET_KEY": "image-test-not-secret", "ALLOWED_HOSTS": "localhost", "KYODO_HTTPS": "0",
               "KYODO_DATA_DIR": str(self.data / role), "DJANGO_SETTINGS_MODULE": "config.settings"}
        return subprocess.run([str(self.python), *args], cwd=cwd or self.data, env=env, capture_output=True,
                              text=True, timeout=300)


def build_image(folder: Path, *, extra_ignore: tuple[str, ...] = ()) -> Image:
    app, venv, data = folder / "app", folder / "venv", folder / "data"
    data.mkdir(parents=True)
    files = build_file_set(app, extra_ignore=extra_ignore)
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    python = venv / "bin" / "python"
    site = subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                          check=True, capture_output=True, text=True).stdout.strip()
    # The dependencies (and pip) from this test's own environment, as a plain path entry: not as a
    # site directory, so its editable install of the project (a .pth hook into the checkout) stays
    # off and the project can come only from what was copied.
    Path(site, "_image_test_dependencies.pth").write_text(sysconfig.get_paths()["purelib"] + "\n")
    subprocess.run([str(python), "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
                    "--disable-pip-version-check", str(app)], check=True, capture_output=True, text=True)
    return Image(app=app, python=python, files=files, data=data)


@pytest.fixture(scope="module")
def image(tmp_path_factory):
    return build_image(tmp_path_factory.mktemp("image"))


def test_the_file_set_holds_every_package_and_no_tests_venv_or_secrets(image):
    top = {name.split("/")[0] for name in image.files}
    packages = project_packages()
    assert {"config", "common", "permissions", "nodes", "emergency", "sync", "hub", "deploy"} <= packages
    assert packages <= top and {"manage.py", "pyproject.toml", "README.md"} <= top
    assert not top & {"tests", ".venv", "var", ".git", ".ci", "test-artifacts"}
    assert not [name for name in image.files if name.endswith((".pyc", ".mo", ".key")) or re.search(r"deploy/\w+\.env$", name)]
    assert "deploy/node.env.example" in image.files and "config/locale/en/LC_MESSAGES/django.po" in image.files
    installed = image.run("node", "-c", "import importlib, json, sys; print(json.dumps({n: importlib.import_module(n)"
                          ".__file__ for n in sys.argv[1:]}))", *sorted(packages))
    assert installed.returncode == 0, installed.stderr
    for name, path in json.loads(installed.stdout).items():
        assert str(image.python.parent.parent) in path, (name, path)  # the installed copy, not the checkout


def test_both_roles_check_and_migrate_from_the_image(image):
    def start(role: str) -> list[str]:
        problems = []
        # migrate runs the system checks first, from the installed copy (as `kyodo` and Celery import it).
        result = image.run(role, "-m", "django", "migrate", "--noinput", "-v", "0")
        if result.returncode != 0 or not (image.data / role / "db.sqlite3").exists():
            problems.append(f"{role} migrate: {result.stderr[-3000:]}")
        # As the image runs it: manage.py (and gunicorn) from WORKDIR, the copied source first on the path.
        result = image.run(role, "manage.py", "check", cwd=image.app)
        if result.returncode != 0 or "no issues" not in result.stdout:
            problems.append(f"{role} check: {result.stderr[-3000:]}")
        return problems

    with ThreadPoolExecutor(max_workers=2) as pool:  # the two roles side by side: half the wait
        problems = [problem for found in pool.map(start, ["node", "hub"]) for problem in found]
    assert problems == []


def test_an_image_missing_a_package_fails_to_start(tmp_path):
    """What the test guards against: the file set without `emergency` (as the Dockerfile once was)."""
    broken = build_image(tmp_path, extra_ignore=("emergency",))
    assert not any(name.startswith("emergency/") for name in broken.files)
    result = broken.run("node", "-m", "django", "check")
    assert result.returncode != 0 and "No module named 'emergency'" in result.stderr


def test_dockerignore_follows_dockers_rules():
    patterns = dockerignore_patterns("tests\n**/__pycache__\ndeploy/*.env\n*.egg-info\n!tests/keep.py\n")
    assert ignored("tests/hub/test_x.py", patterns) and not ignored("tests/keep.py", patterns)
    assert ignored("nodes/__pycache__/a.pyc", patterns) and ignored("__pycache__/b.pyc", patterns)
    assert ignored("deploy/node.env", patterns) and not ignored("deploy/node.env.example", patterns)
    assert ignored("kyodo.egg-info/PKG-INFO", patterns) and not ignored("nodes/tests_helpers.py", patterns)
    assert copy_instructions('COPY --chown=1000 ["a", "b", "/x/"]\nCOPY --from=build /y /z\nRUN x\nCOPY . .\n') == [
        (["a", "b"], "/x/"), (["."], ".")]
