"""Test workers that never share a PostgreSQL cluster (make test, through deploy/test-workers.sh:
`-p tests.parallel -n 2 --worker-databases=URL0,URL1`).

The outbox relay waits for the oldest open transaction of the whole cluster, so two test sessions on
one cluster would wait on each other's test transactions. Each xdist worker therefore gets a cluster of
its own (--worker-databases, one URL per worker), a Redis database, a port range for the
federation modules' processes and a data folder of its own. The environment is set before Django reads
its settings, which pytest-django does while the initial conftests load.

The workers take whole modules, or every module of an `xdist_group` (those sharing one federation,
tests/federation/common.py), in the order tests/conftest.py sorts them: the longest first.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import urlsplit, urlunsplit

import pytest
from xdist.scheduler import LoadScopeScheduling

ROOT = Path(__file__).resolve().parent.parent


def worker_environment(worker: str, database_urls: list[str], redis_url: str, role: str) -> dict[str, str]:
    """gwN → the environment of worker N: the Nth cluster, Redis database (base − N, mod 16), ports + 1000·N."""
    index = int(worker.removeprefix("gw"))
    if index >= len(database_urls):
        raise pytest.UsageError(f"{worker}: --worker-databases names {len(database_urls)} clusters; "
                                "run as many workers as clusters")
    environment = {"DATABASE_URL": database_urls[index], "KYODO_TEST_PORT_OFFSET": str(1000 * index),
                   "KYODO_DATA_DIR": str(ROOT / "var" / f"test-{worker}-{role}")}
    if redis_url:
        parts = urlsplit(redis_url)
        base = int(parts.path.strip("/") or 0)
        environment["REDIS_URL"] = urlunsplit(parts._replace(path=f"/{(base - index) % 16}"))
    return environment


def pytest_addoption(parser):
    parser.addoption("--worker-databases", default="", help="PostgreSQL URLs, comma-separated: one cluster per worker")


# A wrapper runs before every plain implementation, pytest-django's settings loading among them.
@pytest.hookimpl(wrapper=True)
def pytest_load_initial_conftests(early_config, parser, args):
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    urls = [url for url in early_config.known_args_namespace.worker_databases.split(",") if url]
    if worker and urls:
        os.environ.update(worker_environment(worker, urls, os.environ.get("REDIS_URL", ""),
                                             os.environ.get("KYODO_ROLE", "node")))
    return (yield)


class ModuleOrGroupScheduling(LoadScopeScheduling):
    """A unit of work is a module or, with `--dist loadgroup` (which marks the test ids `…@group`), all
    the tests of one xdist_group; units go out in collection order, not xdist's most-tests-first (a
    federation module of two tests takes longer than a module of a hundred short ones)."""

    def __init__(self, config, log=None):
        super().__init__(config, log)
        config.option.loadscopereorder = False

    def _split_scope(self, nodeid: str) -> str:
        if nodeid.rfind("@") > nodeid.rfind("]"):
            return nodeid.rsplit("@", 1)[1]
        return nodeid.split("::", 1)[0]


@pytest.hookimpl(tryfirst=True)
def pytest_xdist_make_scheduler(config, log):
    if config.getvalue("dist") in ("loadfile", "loadgroup"):
        return ModuleOrGroupScheduling(config, log)
    return None
