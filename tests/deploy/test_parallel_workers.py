"""make test's workers (tests/parallel.py): each its own cluster, Redis database, ports and data folder."""

from __future__ import annotations

import subprocess

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
