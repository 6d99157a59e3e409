"""The national tier's disaster path: a need recorded on a 神奈川県 node until a 静岡県 node holds the
commitment the national hub made for it (node A → hub A → national, a scripted coordinator commits a
standing offer of node B at once, national → hub B → node B). Reference in the same run: the first
hop alone (node A → hub A), the path a prefecture-only need takes to its coordinators."""

from __future__ import annotations

import json
import logging
import time

import psycopg

from .common import federation_environment, percentile, record
from .disaster import PASSWORD, Sessions, _poll, _url

BASE_PORT, REDIS_PORT = 9450, 6432
SAMPLES = 12
COORDINATOR = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
operator = organization_create(acting_user=None, name="全国災害ボランティア支援団体ネットワーク", kind="intermediate_support",
                               hub_standing="operator")
user = get_user_model().objects.create_user("coordinator", password={password!r})
membership_grant(acting_user=None, user=user, organization=operator, role="hub_admin")
"""
DECLARE = """
from hub.services.disasters import disaster_declare
print(disaster_declare(acting_user=None, name="ベンチ広域豪雨", hazard="storm_flood",
                       municipality_codes=["142077", "221015"]).uuid)
"""
OFFER = """
import datetime as dt
from django.contrib.auth import get_user_model
from django.utils import timezone
from emergency.models import DisasterDeclaration
from emergency.services import offer_create
from nodes.services import group_register
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
group = group_register(acting_user=staff, center=center, name="葵区給水ボランティア会", name_kana="アオイク",
                       consents=["hub_listing"])
print(offer_create(acting_user=staff, center=center, declaration=DisasterDeclaration.objects.get(uuid={uuid!r}),
                   group=group, sector="wash", volunteers=50, municipality_code="221015", area_served="静岡県全域",
                   valid_until=timezone.now() + dt.timedelta(days=2)).uuid)
"""
HUBS = {"bn-hub-a": ("神奈川県 協働ハブ", "140007", "神奈川県"), "bn-hub-b": ("静岡県 協働ハブ", "220001", "静岡県")}
NODES = {"bn-node-a": ("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市", "bn-hub-a"),
         "bn-node-b": ("静岡市市民活動センター", "221015", "静岡市葵区", "bn-hub-b")}


def run() -> None:
    from deploy import federation
    from tests.federation.common import CENTER_SETUP

    logging.getLogger("httpx").setLevel(logging.WARNING)
    redis_server = federation_environment("national", REDIS_PORT)
    print("national tier: national hub, two prefectural hubs, a node under each")
    specs = [("bn-national", "national", "全国ハブ"), *((name, "hub", hub[0]) for name, hub in HUBS.items()),
             *((name, "node", node[2], node[3]) for name, node in NODES.items())]
    by_name, centers = {}, {}

    def prepare(deployment):
        by_name[deployment.name] = deployment
        if deployment.role == "national":
            federation.manage(deployment, "shell", "-c", COORDINATOR.format(password=PASSWORD))
        elif deployment.role == "hub":
            title, code, name = HUBS[deployment.name]
            federation.enroll_hub(by_name["bn-national"], deployment, name=title, prefecture_code=code,
                                  prefecture_name=name)
        else:
            name, code, municipality, hub = NODES[deployment.name]
            federation.enroll(by_name[hub], deployment, name=name, municipality_code=code,
                              municipality_name=municipality)
            out = federation.manage(deployment, "shell", "-c", CENTER_SETUP.format(
                name=name, code=code, municipality=municipality, password=PASSWORD), capture=True)
            centers[deployment.name] = (json.loads(out.strip().splitlines()[-1])["center"], code)

    deployments = []
    try:
        deployments = federation.up(specs, prepare=prepare, base_port=BASE_PORT, web_workers=2, fresh=True,
                                    extra_env={"KYODO_SYNC_INTERVAL": "60"})
        national, node_a, node_b = by_name["bn-national"], by_name["bn-node-a"], by_name["bn-node-b"]
        declaration = federation.manage(national, "shell", "-c", DECLARE, capture=True).strip().splitlines()[-1]
        for node in (node_a, node_b):
            with psycopg.connect(_url(node), autocommit=True) as connection:
                _poll(connection, "SELECT 1 FROM emergency_disasterdeclaration WHERE uuid = %s", (declaration,))
        offer = federation.manage(node_b, "shell", "-c", OFFER.format(uuid=declaration),
                                  capture=True).strip().splitlines()[-1]
        with psycopg.connect(_url(national), autocommit=True) as connection:
            _poll(connection, "SELECT 1 FROM hub_disasteroffercopy WHERE entity_uuid = %s", (offer,))
        sessions = Sessions(national, [node_a, node_b], centers)
        first_hop, whole = _measure(sessions, declaration, offer, by_name)
        print(f"  load average now: {open('/proc/loadavg').read().split()[:3]}")
        p95, ref95 = percentile(whole, 95), percentile(first_hop, 95)
        record("national.need_to_committer.p50_s", percentile(whole, 50), "s", "—")
        record("national.need_to_committer.p95_s", p95, "s", "≤ 5")
        record("national.need_to_committer.p95_ratio_to_first_hop", p95 / ref95, "ratio", "—")
    finally:
        federation.stop(deployments, grace=0)
        redis_server.kill()


def _measure(sessions: Sessions, declaration: str, offer: str, by_name: dict) -> tuple[list[float], list[float]]:
    """(node A → hub A seconds, node A → node B holding the commitment seconds) per need."""
    first_hop, whole = [], []
    center, code = sessions.centers["bn-node-a"]
    connections = {name: psycopg.connect(_url(by_name[name]), autocommit=True)
                   for name in ("bn-node-a", "bn-hub-a", "bn-national", "bn-node-b")}
    try:
        for n in range(SAMPLES):
            started = time.perf_counter()
            sessions.post("bn-node-a", f"/emergency/{declaration}/centers/{center}/needs/", {
                "sector": "wash", "priority": "high", "municipality_code": code, "place_name": "市民体育館",
                "kind_1": "item", "description_1": "飲料水", "quantity_1": str(10 + n), "unit_1": "箱"})
            (need,) = connections["bn-node-a"].execute(
                "SELECT uuid FROM emergency_disasterneed ORDER BY id DESC LIMIT 1").fetchone()
            _poll(connections["bn-hub-a"], "SELECT 1 FROM hub_disasterneedcopy WHERE entity_uuid = %s", (need,))
            first_hop.append(time.perf_counter() - started)
            _poll(connections["bn-national"], "SELECT 1 FROM hub_disasterneedcopy WHERE entity_uuid = %s", (need,))
            # The coordinator commits at once (a person would take longer; the path is what is measured).
            sessions.post("bn-national", f"/disasters/{declaration}/commit/",
                          {"need": str(need), "offer": offer, "quantity": "1"})
            _poll(connections["bn-node-b"], "SELECT 1 FROM emergency_commitment WHERE need_uuid = %s", (need,))
            whole.append(time.perf_counter() - started)
            time.sleep(0.3)
    finally:
        for connection in connections.values():
            connection.close()
    return first_hop, whole


if __name__ == "__main__":
    from .common import use_bench_database

    use_bench_database()
    run()
