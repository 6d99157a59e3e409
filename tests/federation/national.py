"""The national tier under test: a national hub, two prefectural hubs (神奈川県, 静岡県) enrolled
with it, and one node under each, as real processes on PostgreSQL and a Redis of their own."""

from __future__ import annotations

from deploy import federation

from .common import Federation, enroll_center, federation_environment

# Ports of this tier's modules only (tests/federation and tests/bench use 8210…9299 and Redis 6391…6402).
BASE_PORT = 9400
REDIS_PORT = 6430

PREFECTURES = {"hub-a": ("神奈川県 協働ハブ", "140007", "神奈川県"), "hub-b": ("静岡県 協働ハブ", "220001", "静岡県")}
CENTERS = {"chigasaki": ("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市", "hub-a"),
           "shizuoka": ("静岡市市民活動センター", "221015", "静岡市葵区", "hub-b")}


def start_national_federation(tmp_path_factory, *, base_port: int = BASE_PORT, redis_port: int = REDIS_PORT,
                              prefix: str = "n", env: dict | None = None):
    """`<prefix>-national`, `<prefix>-hub-a` and `-hub-b` under it, `<prefix>-chigasaki` under hub A and
    `<prefix>-shizuoka` under hub B; yields a Federation (its `nodes` hold each node's center and token)."""
    with federation_environment(tmp_path_factory, redis_port, "national") as (redis_server, offset):
        yield from _national(redis_server, base_port + offset, prefix, env)


def _national(redis_server, base_port: int, prefix: str, env: dict | None):
    specs = [(f"{prefix}-national", "national", "全国 協働ハブ"),
             *((f"{prefix}-{hub}", "hub", title) for hub, (title, _code, _name) in PREFECTURES.items()),
             *((f"{prefix}-{name}", "node", center[2], f"{prefix}-{center[3]}") for name, center in CENTERS.items())]
    by_name: dict = {}
    nodes: dict = {}

    def prepare(deployment):
        by_name[deployment.name] = deployment
        short = deployment.name.removeprefix(f"{prefix}-")
        if deployment.role == "hub":
            title, code, name = PREFECTURES[short]
            federation.enroll_hub(by_name[f"{prefix}-national"], deployment, name=title, prefecture_code=code,
                                  prefecture_name=name)
        elif deployment.role == "node":
            center, code, municipality, hub = CENTERS[short]
            nodes[deployment.name] = enroll_center(by_name[f"{prefix}-{hub}"], deployment, center, code, municipality)

    deployments = federation.up(specs, prepare=prepare, base_port=base_port, web_workers=1, fresh=True,
                                extra_env={"KYODO_SYNC_INTERVAL": "3", "KYODO_SYNC_BATCH_ENTRIES": "100",
                                           "KYODO_SYNC_LEASE_SECONDS": "10", **(env or {})})
    try:
        yield Federation(deployments, nodes, redis_server)
    finally:
        federation.stop(deployments, grace=0)
