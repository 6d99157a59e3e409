"""A hub with two Celery worker processes on its default queue (`kyodo federation up --hub-workers 2`):
both take tasks from the one queue, and the disaster queue stays with the workers that serve it."""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from deploy import federation

from .common import PrivateRedis, wait

pytestmark = pytest.mark.federation
BASE_PORT, REDIS_PORT = 9440, 6422
DEFAULT_TASKS = 40


def _succeeded(deployment, label: str, task: str) -> int:
    log = Path(deployment.data_dir) / f"{label}.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    return len(re.findall(rf"Task {re.escape(task)}\[[^\]]+\] succeeded", text))


@pytest.fixture(scope="module")
def hub(tmp_path_factory):
    folder = tmp_path_factory.mktemp("hub-workers")
    redis_server = PrivateRedis(REDIS_PORT, folder)
    redis_server.start()
    saved = {key: os.environ.get(key) for key in ("REDIS_URL", "KYODO_FEDERATION_DIR", "KYODO_REDIS_DB_BASE")}
    os.environ.update(REDIS_URL=redis_server.url, KYODO_FEDERATION_DIR=str(folder / "federation"),
                      KYODO_REDIS_DB_BASE="0")
    deployments = []
    try:
        deployments = federation.up([("w-hub", "hub", "ワーカー試験ハブ")], base_port=BASE_PORT, web_workers=1,
                                    fresh=True, hub_workers=2)
        yield deployments[0]
    finally:
        federation.stop(deployments)
        redis_server.kill()
        for key, value in saved.items():
            os.environ.pop(key, None) if value is None else os.environ.__setitem__(key, value)


def test_the_runner_starts_a_second_worker_on_the_default_queue_for_a_hub_only():
    hub = federation.Deployment(name="x-hub", role="hub", port=1, title="", data_dir="/tmp")
    node = federation.Deployment(name="x-node", role="node", port=2, title="", data_dir="/tmp")
    commands = federation.process_commands(hub, hub_workers=2)
    assert set(commands) == {"web", "worker", "worker-2", "worker-disaster", "beat"}
    second = commands["worker-2"]
    assert second[second.index("--queues") + 1] == "default"
    assert second[second.index("--hostname") + 1] == "x-hub-2@%h"
    assert set(federation.process_commands(node, hub_workers=2)) == {"web", "worker", "worker-disaster", "beat"}


def test_both_hub_workers_take_tasks_from_the_shared_queue(hub):
    assert {"worker", "worker-2", "worker-disaster"} <= set(hub.pids)
    federation.manage(hub, "shell", "-c", (
        "from hub.tasks import forget_expired_nonces\n"
        f"for _ in range({DEFAULT_TASKS}): forget_expired_nonces.delay()"))
    task = "hub.tasks.forget_expired_nonces"
    wait(lambda: _succeeded(hub, "worker", task) + _succeeded(hub, "worker-2", task) == DEFAULT_TASKS,
         timeout=120, what="every task to be done")
    assert _succeeded(hub, "worker", task) > 0 and _succeeded(hub, "worker-2", task) > 0
    assert _succeeded(hub, "worker-disaster", task) == 0  # it serves the disaster queue alone


def test_disaster_tasks_never_go_to_the_second_worker(hub):
    federation.manage(hub, "shell", "-c", (
        "from hub.tasks import purge_closed_tours\n"
        "for _ in range(10): purge_closed_tours.apply_async(queue='disaster')"))
    task = "hub.tasks.purge_closed_tours"
    wait(lambda: _succeeded(hub, "worker", task) + _succeeded(hub, "worker-disaster", task) == 10,
         timeout=120, what="the disaster queue's tasks to be done")
    assert _succeeded(hub, "worker-2", task) == 0
