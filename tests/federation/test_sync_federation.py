"""A hub and two nodes as separate processes (gunicorn, Celery worker and beat each) on PostgreSQL
and Redis: what flows, what is withdrawn, outages and catch-up, drift, the feed."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import time
from pathlib import Path

import httpx
import psycopg
import pytest

from deploy import federation

pytestmark = [pytest.mark.federation]
BASE_PORT = 8210
PASSWORD = "federation-test-pw"

CENTER_SETUP = """
import json
from django.contrib.auth import get_user_model
from rest_framework.authtoken.models import Token
from permissions.services import organization_create, membership_grant
center = organization_create(acting_user=None, name={name!r}, kind="center", municipality_code={code!r},
                             municipality_name={municipality!r})
user = get_user_model().objects.create_user("staff", password={password!r})
membership_grant(acting_user=None, user=user, organization=center, role="center_staff")
print(json.dumps({{"center": str(center.uuid), "token": Token.objects.create(user=user).key}}))
"""


def _wait(predicate, timeout: float = 60.0, what: str = "condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        time.sleep(0.5)
    raise AssertionError(f"timed out waiting for {what}")


class Federation:
    def __init__(self, deployments, nodes: dict):
        self.by_name = {d.name: d for d in deployments}
        self.nodes = nodes

    def sql(self, name: str, query: str, params=()):
        url = self.by_name[name].env["DATABASE_URL"].replace("postgres://", "postgresql://", 1)
        with psycopg.connect(url) as connection:
            return connection.execute(query, params).fetchall()

    def api(self, node: str) -> httpx.Client:
        return httpx.Client(base_url=self.by_name[node].url, timeout=20,
                            headers={"Authorization": f"Token {self.nodes[node]['token']}"})

    def directory(self) -> set[str]:
        return {row[0] for row in self.sql("t-hub", "SELECT name FROM hub_directorygroup")}


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    if not os.environ.get("DATABASE_URL", "").startswith(("postgres://", "postgresql://")) or not os.environ.get("REDIS_URL"):
        pytest.fail("federation tests run on PostgreSQL and Redis: set DATABASE_URL and REDIS_URL (make test does)")
    os.environ["KYODO_FEDERATION_DIR"] = str(tmp_path_factory.mktemp("federation"))
    os.environ["KYODO_REDIS_DB_BASE"] = "10"
    specs = [("t-hub", "hub", "テストハブ"), ("t-chigasaki", "node", "茅ヶ崎"), ("t-odawara", "node", "小田原")]
    centers = {"t-chigasaki": ("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市"),
               "t-odawara": ("小田原市市民活動交流センター UMECO", "142069", "小田原市")}
    nodes: dict = {}
    hub_box: dict = {}

    def prepare(deployment):
        if deployment.role == "hub":
            hub_box["hub"] = deployment
            return
        name, code, municipality = centers[deployment.name]
        federation.enroll(hub_box["hub"], deployment, name=name, municipality_code=code, municipality_name=municipality)
        out = federation.manage(deployment, "shell", "-c", CENTER_SETUP.format(
            name=name, code=code, municipality=municipality, password=PASSWORD), capture=True)
        nodes[deployment.name] = json.loads(out.strip().splitlines()[-1])

    deployments = federation.up(specs, prepare=prepare, base_port=BASE_PORT, web_workers=1, fresh=True,
                                extra_env={"KYODO_SYNC_INTERVAL": "3"})
    try:
        yield Federation(deployments, nodes)
    finally:
        federation.stop(deployments)


def _group(client: httpx.Client, name: str, **extra) -> dict:
    response = client.post("/api/v1/groups/", json={
        "name": name, "name_kana": "テスト", "activity_fields": [7], "area": "海岸",
        "representative_name": "代表 花子", "contact_phone": "0467-99-1234", "contact_email": "rep@example.jp",
        **extra})
    assert response.status_code == 201, response.text
    return response.json()


def test_listed_groups_reach_the_hub_and_nothing_personal_does(fed):
    api = fed.api("t-chigasaki")
    listed = _group(api, "浜辺を守る会", consents=["hub_listing"])
    _group(api, "非公開の会")
    _wait(lambda: "浜辺を守る会" in fed.directory(), what="the listed group on the hub")
    time.sleep(2)
    assert fed.directory() == {"浜辺を守る会"}
    rows = fed.sql("t-hub", "SELECT c.name, n.slug FROM hub_nodecenter c JOIN hub_node n ON n.id = c.node_id ORDER BY 1")
    assert ("茅ヶ崎市民活動サポートセンター", "t-chigasaki") in rows
    dump = subprocess.run(["pg_dump", "--data-only", fed.by_name["t-hub"].env["DATABASE_URL"]], capture_output=True,
                          text=True, check=True).stdout
    for personal in ("代表 花子", "0467-99-1234", "rep@example.jp", "非公開の会"):
        assert personal not in dump
    assert listed["uuid"] in dump


def test_withdrawn_consent_and_deletion_remove_the_hub_copy(fed):
    api = fed.api("t-chigasaki")
    group = _group(api, "撤回する会", consents=["hub_listing"])
    _wait(lambda: "撤回する会" in fed.directory(), what="the group on the hub")
    assert api.post(f"/api/v1/groups/{group['uuid']}/consents/", json={"consent": "hub_listing", "given": False}).status_code == 200
    _wait(lambda: "撤回する会" not in fed.directory(), what="the copy to be retracted")
    assert fed.sql("t-hub", "SELECT op FROM hub_tombstone WHERE entity_uuid = %s", (group["uuid"],)) == [("retract",)]

    event = api.post("/api/v1/events/", json={"title": "海岸清掃デー", "kind": "other", "is_public": True,
                                              "starts_at": "2027-04-29T09:00:00+09:00", "venue": "茅ヶ崎海岸"}).json()
    _wait(lambda: fed.sql("t-hub", "SELECT 1 FROM hub_sharedevent WHERE entity_uuid = %s", (event["uuid"],)),
          what="the public event on the hub")
    # Deleting needs a center admin: make one on the node, then delete through the API.
    federation.manage(fed.by_name["t-chigasaki"], "shell", "-c", (
        "from django.contrib.auth import get_user_model; from permissions.services import membership_grant;"
        "from permissions.models import Organization;"
        "membership_grant(acting_user=None, user=get_user_model().objects.get(username='staff'),"
        " organization=Organization.objects.get(kind='center'), role='center_admin')"))
    assert api.delete(f"/api/v1/events/{event['uuid']}/").status_code == 204
    _wait(lambda: not fed.sql("t-hub", "SELECT 1 FROM hub_sharedevent WHERE entity_uuid = %s", (event["uuid"],)),
          what="the deleted event to be purged")


def test_an_outage_of_the_hub_delays_but_loses_nothing(fed):
    hub = fed.by_name["t-hub"]
    os.killpg(hub.pids["web"], signal.SIGTERM)
    _wait(lambda: not federation.health(hub)["ok"], what="the hub to go down")
    api = fed.api("t-chigasaki")
    names = [f"停電中の会{n}" for n in range(5)]
    for name in names:
        _group(api, name, consents=["hub_listing"])
    status = _wait(lambda: (s := _status(fed, "t-chigasaki"))["last_error"] and s, what="the node to notice")
    assert status["lag_entries"] >= 5 and "hub_unreachable" in status["last_error"]
    hub.pids["web"] = federation._spawn(hub, "web", [
        federation._bin("gunicorn"), "config.wsgi:application", "--bind", f"127.0.0.1:{hub.port}", "--workers", "1"])
    _wait(lambda: federation.health(hub)["ok"], what="the hub to come back")
    _wait(lambda: set(names) <= fed.directory(), timeout=90, what="the catch-up after the outage")
    _wait(lambda: _status(fed, "t-chigasaki")["lag_entries"] == 0, what="the lag to drain")


def _status(fed, node: str) -> dict:
    out = subprocess.run([federation._bin("kyodo"), "sync", "status", "--node", node, "--json"], capture_output=True,
                         text=True, check=True, env={**os.environ}).stdout
    return json.loads(out)


def test_each_node_keeps_to_its_partition_and_drift_is_checked(fed):
    _group(fed.api("t-odawara"), "めだかサポーターの会", consents=["hub_listing"])
    _wait(lambda: "めだかサポーターの会" in fed.directory(), what="odawara's group")
    owners = dict(fed.sql("t-hub", "SELECT g.name, n.slug FROM hub_directorygroup g JOIN hub_node n ON n.id = g.node_id"))
    assert owners["めだかサポーターの会"] == "t-odawara" and owners["浜辺を守る会"] == "t-chigasaki"
    for node in ("t-chigasaki", "t-odawara"):
        result = subprocess.run([federation._bin("kyodo"), "sync", "drift", "--node", node, "--json"],
                                capture_output=True, text=True, env={**os.environ})
        assert result.returncode == 0, result.stdout + result.stderr
        assert all(row["ok"] for row in json.loads(result.stdout).values())


def test_the_hub_feed_reaches_every_node(fed):
    federation.manage(fed.by_name["t-hub"], "shell", "-c", (
        "from hub.services import feed_publish;"
        "feed_publish(acting_user=None, kind='notice', payload={'title': '訓練のお知らせ', 'body': '11月の防災訓練'})"))
    for node in ("t-chigasaki", "t-odawara"):
        _wait(lambda node=node: fed.sql(node, "SELECT payload->>'title' FROM sync_feeditem") == [("訓練のお知らせ",)],
              what=f"the notice on {node}")
    assert dict(fed.sql("t-hub", "SELECT slug, feed_cursor FROM hub_node"))["t-odawara"] >= 0


def test_federation_status_json_lists_everything(fed):
    out = subprocess.run([federation._bin("kyodo"), "federation", "status", "--json"], capture_output=True, text=True,
                         check=True, env={**os.environ}).stdout
    rows = json.loads(out)["deployments"]
    assert {(r["name"], r["role"], r["health"]["ok"]) for r in rows} == {
        ("t-hub", "hub", True), ("t-chigasaki", "node", True), ("t-odawara", "node", True)}
    assert all(r["health"]["database"]["engine"] == "postgresql" for r in rows)
    assert Path(os.environ["KYODO_FEDERATION_DIR"], "state.json").stat().st_mode & 0o077 == 0
