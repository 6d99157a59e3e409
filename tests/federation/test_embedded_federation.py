"""The embedded default `make demo` runs on: SQLite and Celery's file-system transport, no servers.
A hub and a node as real processes (gunicorn, worker, disaster worker, beat) exchange records both
ways: a listed group lands on the hub through its SQLite path, and a declaration reaches the node
through the feed and the hub's signed poke. (The other federation modules run on PostgreSQL and
Redis; this is the only one that sees the hub's SQLite code.)"""

from __future__ import annotations

import os
import sqlite3
from pathlib import Path

import httpx
import pytest

from deploy import federation

from .common import enroll_center, group, wait

pytestmark = [pytest.mark.federation]

BASE_PORT = 8810


@pytest.fixture(scope="module")
def embedded(tmp_path_factory):
    saved = {name: os.environ.pop(name, None) for name in ("DATABASE_URL", "REDIS_URL", "CELERY_BROKER_URL",
                                                            "KYODO_FEDERATION_DIR")}
    os.environ["KYODO_FEDERATION_DIR"] = str(tmp_path_factory.mktemp("embedded"))
    hub_box, node_box = {}, {}

    def prepare(deployment):
        if deployment.role == "hub":
            hub_box["hub"] = deployment
            return
        node_box.update(enroll_center(hub_box["hub"], deployment, "茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市"))

    offset = int(os.environ.get("KYODO_TEST_PORT_OFFSET", "0"))
    deployments = federation.up([("e-hub", "hub", "組込ハブ"), ("e-node", "node", "組込ノード")], prepare=prepare,
                                base_port=BASE_PORT + offset, web_workers=1, fresh=True,
                                extra_env={"KYODO_SYNC_INTERVAL": "3"})
    try:
        yield {d.role: d for d in deployments}, node_box
    finally:
        federation.stop(deployments)
        for name, value in saved.items():
            os.environ.pop(name, None)
            if value is not None:
                os.environ[name] = value


def _rows(deployment, query: str) -> list[tuple]:
    path = Path(deployment.data_dir) / "db.sqlite3"  # the embedded default's database
    with sqlite3.connect(f"file:{path}?mode=ro", uri=True) as connection:
        return connection.execute(query).fetchall()


def test_records_go_both_ways_on_the_embedded_default(embedded):
    deployments, node_info = embedded
    hub, node = deployments["hub"], deployments["node"]
    assert "DATABASE_URL" not in hub.env and "REDIS_URL" not in hub.env
    with httpx.Client(base_url=node.url, timeout=20, headers={"Authorization": f"Token {node_info['token']}"}) as api:
        group(api, "浜辺を守る会", consents=["hub_listing"])
        group(api, "非公開の会")
    wait(lambda: _rows(hub, "SELECT name FROM hub_directorygroup") == [("浜辺を守る会",)], timeout=90,
         what="the listed group on the hub (its SQLite path)")
    federation.manage(hub, "shell", "-c", (
        "from hub.services.disasters import disaster_declare;"
        "disaster_declare(acting_user=None, name='組込訓練', hazard='earthquake', municipality_codes=['142077'],"
        " exercise=True)"))
    # The feed (pulled on a poke or by beat) brings the hub's key and the declaration.
    wait(lambda: _rows(node, "SELECT name FROM emergency_disasterdeclaration") == [("組込訓練",)], timeout=90,
         what="the declaration on the node")
    assert ("hub_key",) in _rows(node, "SELECT DISTINCT kind FROM sync_feeditem")
