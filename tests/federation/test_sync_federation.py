"""A hub and two nodes as separate processes (gunicorn, Celery worker and beat each) on PostgreSQL
and Redis: what flows, what is withdrawn, outages and catch-up, drift, the feed."""

from __future__ import annotations

import gzip
import json
import os
import signal
import subprocess
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from deploy import federation

from .common import group as _group, status as _status, wait as _wait

pytestmark = [pytest.mark.federation]


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
    for personal in ("石井 花子", "0467-99-1234", "rep@example.jp", "非公開の会"):
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
    federation.restart(hub, "web")
    _wait(lambda: federation.health(hub)["ok"], what="the hub to come back")
    _wait(lambda: set(names) <= fed.directory(), timeout=90, what="the catch-up after the outage")
    _wait(lambda: _status(fed, "t-chigasaki")["lag_entries"] == 0, what="the lag to drain")


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
        "from hub.services.feed import feed_publish;"
        "feed_publish(acting_user=None, kind='notice', payload={'title': '訓練のお知らせ', 'body': '11月の防災訓練'})"))
    for node in ("t-chigasaki", "t-odawara"):
        _wait(lambda node=node: fed.sql(node, "SELECT payload->>'title' FROM sync_feeditem WHERE kind = 'notice'")
              == [("訓練のお知らせ",)],
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


BULK_CHANGES = """
from django.contrib.auth import get_user_model
from django.db import transaction
from nodes import services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
with transaction.atomic():
    for n in range({count}):
        services.group_register(acting_user=staff, center=center, name=f"{prefix}{{n}}", name_kana="テスト",
                                area="海岸", consents=["hub_listing"])
"""


def _bulk_changes(fed, node: str, count: int, prefix: str) -> None:
    """`count` listed groups registered through the services, i.e. `count` outbox entries; written by
    two processes at once (one per core), as two staff members would."""
    halves = [(count // 2, f"{prefix}A"), (count - count // 2, f"{prefix}B")]
    with ThreadPoolExecutor(max_workers=2) as pool:
        list(pool.map(lambda half: federation.manage(fed.by_name[node], "shell", "-c", BULK_CHANGES.format(
            count=half[0], prefix=half[1])), halves))


def _hub_seq(fed, node: str) -> int:
    return fed.sql("t-hub", "SELECT last_applied_seq FROM hub_node WHERE slug = %s", (node,))[0][0]


def _assert_node_and_hub_agree(fed, node: str) -> None:
    listed = fed.sql(node, "SELECT count(*) FROM nodes_groupregistration WHERE consent_hub_listing_at IS NOT NULL"
                           " AND status = 'active'")[0][0]
    held = fed.sql("t-hub", "SELECT count(*) FROM hub_directorygroup g JOIN hub_node n ON n.id = g.node_id"
                            " WHERE n.slug = %s", (node,))[0][0]
    assert held == listed
    result = subprocess.run([federation._bin("kyodo"), "sync", "drift", "--node", node, "--json"],
                            capture_output=True, text=True, env={**os.environ})
    drift = json.loads(result.stdout)
    assert result.returncode == 0 and drift["directory_group"]["hub"]["count"] == listed, result.stdout
    assert all(row["ok"] for row in drift.values()), drift


def _hub_down_while(fed, node: str, count: int, prefix: str) -> int:
    """Stop the hub's web process, let `count` changes accumulate on `node`, start the hub again."""
    hub = fed.by_name["t-hub"]
    os.killpg(hub.pids["web"], signal.SIGTERM)
    _wait(lambda: not federation.health(hub)["ok"], what="the hub to go down")
    start = _hub_seq(fed, node)
    _bulk_changes(fed, node, count, prefix)
    assert _status(fed, node)["lag_entries"] >= count
    federation.restart(hub, "web")
    _wait(lambda: federation.health(hub)["ok"], what="the hub to come back")
    return start


# make test: 1,000 changes (10 batches, the kill after 5); make bench runs it at 5,000.
BACKLOG = int(os.environ.get("KYODO_BACKLOG_TEST_CHANGES", "1000"))


def test_a_backlog_drains_although_the_worker_is_killed_mid_push(fed):
    node = fed.by_name["t-chigasaki"]
    start = _hub_down_while(fed, "t-chigasaki", BACKLOG, "滞留した会")
    deadline = time.monotonic() + 120
    while _hub_seq(fed, "t-chigasaki") < start + 500:  # a few batches in, the rest still to come
        assert time.monotonic() < deadline, "the catch-up did not start"
        time.sleep(0.05)
    os.killpg(node.pids["worker"], signal.SIGKILL)
    assert _status(fed, "t-chigasaki")["lag_entries"] > 0, "the push finished before the kill; nothing was tested"
    time.sleep(1)  # the batch in flight when the worker died may still be applied: its ack is what got lost
    killed_at = _hub_seq(fed, "t-chigasaki")
    time.sleep(3)
    assert _hub_seq(fed, "t-chigasaki") == killed_at  # no worker, no push
    federation.restart(node, "worker")
    # The dead push's lease expires (10 s here); the next scheduled push takes over where the hub stands.
    _wait(lambda: _status(fed, "t-chigasaki")["lag_entries"] == 0, timeout=180, what="the backlog to drain")
    _assert_node_and_hub_agree(fed, "t-chigasaki")


def test_a_redis_restart_during_sync_loses_nothing(fed):
    start = _hub_down_while(fed, "t-odawara", 400, "再起動の会")
    _wait(lambda: _hub_seq(fed, "t-odawara") > start, timeout=60, what="the push to start")
    fed.redis.kill()  # every queued task is gone with it: the outbox still holds the changes
    api = fed.api("t-odawara")
    during = _group(api, "Redis停止中に登録した会", consents=["hub_listing"])  # a save must not fail
    assert during["name"] == "Redis停止中に登録した会"
    time.sleep(2)
    fed.redis.start()
    _wait(lambda: _status(fed, "t-odawara")["lag_entries"] == 0, timeout=180, what="the backlog to drain")
    _wait(lambda: "Redis停止中に登録した会" in fed.directory(), what="the group saved while Redis was down")
    _group(api, "Redis復旧後の会", consents=["hub_listing"])
    _wait(lambda: "Redis復旧後の会" in fed.directory(), what="a change after the restart")
    _assert_node_and_hub_agree(fed, "t-odawara")


class RogueNode:
    """An enrolled node identity driven by the test: hand-made, signed batches over real HTTP."""

    def __init__(self, fed):
        import base64

        from sync.signing import new_key_pair

        self.hub = fed.by_name["t-hub"]
        self.private_key, public_key = new_key_pair()
        answer = federation.manage(self.hub, "hub_enroll_node", "--name", "検証用ノード", "--slug", "t-rogue",
                                   "--municipality-code", "141003", "--public-key",
                                   base64.b64encode(public_key).decode(), capture=True)
        self.key_id = json.loads(answer.strip().splitlines()[-1])["key_id"]
        self.center = str(uuid.uuid4())
        self.seq = 0

    def entry(self, entity_type: str, payload: dict, *, entity_uuid=None, seq=None) -> dict:
        from sync.outbox import payload_digest

        if seq is None:
            self.seq += 1
            seq = self.seq
        return {"seq": seq, "type": entity_type, "uuid": entity_uuid or str(uuid.uuid4()), "op": "upsert",
                "schema": 1, "version": 1, "payload": payload, "sha256": payload_digest(payload)}

    def group(self, name: str, *, center=None, seq=None) -> dict:
        return self.entry("directory_group", {"center": center or self.center, "name": name, "kind": "citizen_group",
                                              "fields": [7]}, seq=seq)

    def body(self, entries: list[dict]) -> bytes:
        from sync.outbox import canonical_json

        return gzip.compress(canonical_json({"format": "kyodo.sync.batch/1", "entries": entries}))

    def headers(self, body: bytes, *, now=None, key_id=None, private_key=None) -> dict:
        from sync.signing import sign_request

        return {"Content-Type": "application/json", "Content-Encoding": "gzip", **sign_request(
            method="POST", url=f"{self.hub.url}/sync/v1/batches", body=body, key_id=key_id or self.key_id,
            private_key=private_key or self.private_key, now=now)}

    def post(self, body: bytes, headers: dict | None = None) -> httpx.Response:
        return httpx.post(f"{self.hub.url}/sync/v1/batches", content=body, headers=headers or self.headers(body),
                          timeout=30)


def test_every_malformed_or_forged_request_is_refused_over_http_and_changes_nothing(fed):
    from sync.signing import new_key_pair

    rogue = RogueNode(fed)
    profile = rogue.entry("node_profile", {"center": rogue.center, "name": "検証用センター",
                                           "municipality_code": "141003", "municipality_name": "横浜市"},
                          entity_uuid=rogue.center)
    first = rogue.body([profile, rogue.group("検証の会")])
    assert rogue.post(first).json() == {"last_applied_seq": 2, "applied": 2, "skipped": 0}
    assert rogue.post(first).json() == {"last_applied_seq": 2, "applied": 0, "skipped": 2}  # a duplicate

    def refused(response: httpx.Response, status: int, code: str) -> None:
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text
        assert _hub_seq(fed, "t-rogue") == 2
        assert {n for n in fed.directory() if n.startswith("検証")} == {"検証の会"}

    refused(rogue.post(rogue.body([rogue.group("検証・飛んだ番号", seq=4)])), 409, "gap")
    body = rogue.body([rogue.group("検証・再送")])
    headers = rogue.headers(body)
    assert rogue.post(body, headers).status_code == 200 and _hub_seq(fed, "t-rogue") == 3
    replay = rogue.post(body, headers)  # the very same signed request again
    assert (replay.status_code, replay.json()["error"]["code"]) == (409, "replayed_nonce")
    body_again = rogue.body([rogue.group("検証・再送の再送")])

    def refused_at_3(response: httpx.Response, status: int, code: str) -> None:
        assert (response.status_code, response.json()["error"]["code"]) == (status, code), response.text
        assert _hub_seq(fed, "t-rogue") == 3

    refused_at_3(rogue.post(body_again, rogue.headers(body_again, now=time.time() - 1000)), 401, "signature_expired")
    refused_at_3(rogue.post(body_again, rogue.headers(body_again, now=time.time() + 1000)), 401, "signature_from_future")
    refused_at_3(rogue.post(rogue.body([rogue.group("検証・改ざん", seq=4)]), rogue.headers(body_again)),
                 401, "digest_mismatch")
    stranger_key, _ = new_key_pair()
    refused_at_3(rogue.post(body_again, rogue.headers(body_again, key_id="kyodo-unknown", private_key=stranger_key)),
                 401, "unknown_key")
    chigasaki_center = fed.sql("t-hub", "SELECT c.center_uuid FROM hub_nodecenter c JOIN hub_node n ON n.id = c.node_id"
                                        " WHERE n.slug = 't-chigasaki'")[0][0]
    refused_at_3(rogue.post(rogue.body([rogue.group("検証・他人の会", center=str(chigasaki_center), seq=4)])),
                 403, "outside_partition")
    huge = rogue.body([rogue.group(f"検証・多すぎる会{n}", seq=4 + n) for n in range(501)])
    refused_at_3(rogue.post(huge), 413, "batch_too_large")
    federation.manage(rogue.hub, "shell", "-c", (
        "from hub.models import Node; from hub.services.enrollment import node_set_status;"
        "node_set_status(acting_user=None, node=Node.objects.get(slug='t-rogue'), status='revoked')"))
    refused_at_3(rogue.post(body_again), 401, "unknown_key")
    assert "検証・再送の再送" not in fed.directory() and "検証・再送" in fed.directory()
