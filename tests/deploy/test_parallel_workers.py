"""make test's workers (tests/parallel.py): each its own cluster, Redis database, ports and data folder."""

from __future__ import annotations

import os
import subprocess
import sys

import pytest

from tests.parallel import ROOT, worker_environment

URLS = ["postgres://postgres@127.0.0.1:5432/kyodo", "postgres://postgres@127.0.0.1:5433/kyodo"]


def test_each_worker_gets_its_own_cluster_redis_database_ports_and_folder():
    first = worker_environment("gw0", URLS, "redis://127.0.0.1:6379/15", "node")
    second = worker_environment("gw1", URLS, "redis://127.0.0.1:6379/15", "node")
    assert (first["DATABASE_URL"], second["DATABASE_URL"]) == tuple(URLS)
    assert (first["REDIS_URL"], second["REDIS_URL"]) == ("redis://127.0.0.1:6379/15", "redis://127.0.0.1:6379/14")
    assert (first["KYODO_TEST_PORT_OFFSET"], second["KYODO_TEST_PORT_OFFSET"]) == ("0", "1000")
    assert second["KYODO_DATA_DIR"] == str(ROOT / "var" / "test-gw1-node")
    assert worker_environment("gw1", URLS, "redis://127.0.0.1:6379/0", "hub")["REDIS_URL"].endswith("/15")


def test_more_workers_than_clusters_is_refused():
    with pytest.raises(pytest.UsageError, match="run as many workers as clusters"):
        worker_environment("gw2", URLS, "", "node")


@pytest.mark.parametrize("url", ["postgres://kyodo@db.example.jp:5432/kyodo", "sqlite:///tmp/x.sqlite3", ""])
def test_a_database_elsewhere_runs_on_one_worker(url):
    result = subprocess.run(["bash", str(ROOT / "deploy" / "test-workers.sh"), url], capture_output=True, text=True,
                            check=True)
    assert result.stdout == ""


GROUPED = """
import os
import pytest

pytestmark = pytest.mark.xdist_group("shared")


@pytest.mark.parametrize("n", range(3))
def test_grouped(n):
    with open({log!r}, "a") as log:
        log.write(f"{{__name__}} {{os.environ['PYTEST_XDIST_WORKER']}}\\n")
"""
PLAIN = """
import os
import pytest


@pytest.mark.parametrize("n", range(12))
def test_plain(n):
    with open({log!r}, "a") as log:
        log.write(f"{{__name__}} {{os.environ['PYTEST_XDIST_WORKER']}}\\n")
"""


def test_a_module_or_a_group_of_modules_runs_on_one_worker(tmp_path):
    """The scheduler of tests/parallel.py: the modules sharing an xdist_group go to one worker (they
    share one federation), and every other module's tests stay together (its own federation); xdist's
    loadgroup alone would spread an ungrouped module's tests over both workers."""
    log = tmp_path / "ran.log"
    for name in ("test_first_shared", "test_second_shared"):
        (tmp_path / f"{name}.py").write_text(GROUPED.format(log=str(log)))
    for name in ("test_alone", "test_apart", "test_aside"):
        (tmp_path / f"{name}.py").write_text(PLAIN.format(log=str(log)))
    result = subprocess.run([sys.executable, "-m", "pytest", "-q", "-p", "no:cacheprovider", "-p", "tests.parallel",
                             "-n", "2", "--dist", "loadgroup", "-p", "no:django", "--rootdir", str(tmp_path),
                             "-c", "/dev/null", str(tmp_path)],
                            cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(ROOT)}, capture_output=True, text=True)
    assert result.returncode == 0, result.stdout[-3000:] + result.stderr[-3000:]
    workers: dict[str, set[str]] = {}
    for line in log.read_text().splitlines():
        module, worker = line.split()
        workers.setdefault(module, set()).add(worker)
    assert len(workers) == 5 and all(len(seen) == 1 for seen in workers.values()), workers
    assert workers["test_first_shared"] == workers["test_second_shared"]
    assert len(set().union(*workers.values())) == 2  # both workers had work
