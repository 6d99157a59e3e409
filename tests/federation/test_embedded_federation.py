"""The embedded default `make demo` runs on: SQLite and Celery's file-system transport, no servers.
A hub and a node as real processes (gunicorn, worker, disaster worker, beat) exchange records both
ways: a listed group lands on the hub through its SQLite path, and a declaration reaches the node
through the feed and the hub's signed poke. (The other federation modules run on PostgreSQL and
Redis; this is the only one that sees the hub's SQLite code.)"""

from __future__ import annotations

import itertools
import os
import re
import sqlite3
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from deploy import federation

from .common import PASSWORD, enroll_center, group, login, post, wait

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
        federation.stop(deployments, grace=0)  # killed: the module's folder is thrown away
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


HUB_COORDINATOR = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
prefecture = organization_create(acting_user=None, name="神奈川県", kind="prefecture", municipality_code="140007")
user = get_user_model().objects.create_user("staff", password={password!r})
membership_grant(acting_user=None, user=user, organization=prefecture, role="hub_admin")
"""
NODE_PAGES = ["/", "/groups/", "/events/", "/matching/", "/sync/", "/cases/", "/menu/"]
HUB_PAGES = ["/", "/directory/", "/calendar/", "/cases/", "/collections/", "/statistics/", "/tours/"]
BURST_SECONDS = 20
BURST_MAX_REQUESTS = 600  # all threads together: bounded in time and in count
ACCESS_STATUS = re.compile(r'"(?:GET|POST|PUT|PATCH|DELETE|HEAD) ([^ "]+) [^"]*" (\d{3}) ')


def _server_errors(deployment) -> list[str]:
    """Every 5xx in the deployment's access log and every `database is locked` in any of its logs."""
    found = []
    for log in sorted(Path(deployment.data_dir).glob("*.log")):
        text = log.read_text(errors="replace")
        if log.name == "web.log":
            found += [f"{deployment.name} {status} {path}" for path, status in ACCESS_STATUS.findall(text)
                      if status.startswith("5")]
        found += [f"{deployment.name} {log.name}: {line.strip()[:200]}" for line in text.splitlines()
                  if "database is locked" in line]
    return found


def test_a_burst_of_reads_writes_and_sync_gets_no_5xx_on_the_embedded_default(embedded):
    """Pages read, records written on both sides and the node syncing every 3 s, all at once: SQLite
    transactions begin IMMEDIATE and wait for the writer's lock instead of failing (`database is
    locked` answered 500 on /sync/v1/batches, the feed and the checkpoint before)."""
    deployments, node_info = embedded
    hub, node = deployments["hub"], deployments["node"]
    federation.manage(hub, "shell", "-c", HUB_COORDINATOR.format(password=PASSWORD))
    deadline = time.monotonic() + BURST_SECONDS
    budget = itertools.count()
    statuses: list[tuple[str, int]] = []

    def more() -> bool:
        return time.monotonic() < deadline and next(budget) < BURST_MAX_REQUESTS

    def read(deployment, pages):
        session = login(deployment)
        try:
            for path in itertools.cycle(pages):
                if not more():
                    return
                statuses.append((f"{deployment.name} GET {path}", session.get(path).status_code))
        finally:
            session.close()

    def write_groups():
        with httpx.Client(base_url=node.url, timeout=60, headers={"Authorization": f"Token {node_info['token']}"}) as api:
            for n in itertools.count():
                if not more():
                    return
                response = api.post("/api/v1/groups/", json={
                    "name": f"一斉の会{n}", "name_kana": "イッセイノカイ", "activity_fields": [7], "area": "海岸",
                    "consents": ["hub_listing"]})
                statuses.append((f"node POST group {n}", response.status_code))

    def write_collections():
        session = login(hub)
        try:
            for n in itertools.count():
                if not more():
                    return
                response = post(session, "/collections/", {"title": f"一斉の事例集{n}", "description": "負荷"})
                statuses.append((f"hub POST collection {n}", response.status_code))
        finally:
            session.close()

    jobs = [(read, node, NODE_PAGES), (read, node, NODE_PAGES), (read, hub, HUB_PAGES), (write_groups,),
            (write_collections,)]
    with ThreadPoolExecutor(max_workers=len(jobs)) as pool:
        for future in [pool.submit(job[0], *job[1:]) for job in jobs]:
            future.result()
    failed = [(what, status) for what, status in statuses if status >= 500]
    assert failed == [] and len(statuses) > 50, (failed, len(statuses))
    assert {status for _what, status in statuses} <= {200, 201, 302}, sorted(set(statuses))[:20]
    written = sum(1 for what, status in statuses if what.startswith("node POST") and status == 201)
    # The sync carried on through the burst: every listed group reaches the hub.
    wait(lambda: len(_rows(hub, "SELECT name FROM hub_directorygroup WHERE name LIKE '一斉の会%'")) == written,
         timeout=120, what="the burst's groups on the hub")
    assert _server_errors(hub) == [] and _server_errors(node) == []
