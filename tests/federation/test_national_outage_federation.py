"""A prefectural hub and the national hub down while a 神奈川県 node keeps sharing 全国 cases: the node
queues for its hub, its hub (once back) queues upward for the national hub, and when everything is
back both tiers catch up with count+hash agreement (each side's sync digest). `make bench` runs it at
5,000 changes (KYODO_NATIONAL_OUTAGE_CHANGES); `make test` at 200."""

from __future__ import annotations

import os

import pytest

from deploy import federation

from .common import shell, wait
from .national import start_national_federation

pytestmark = [pytest.mark.federation]

BASE_PORT, REDIS_PORT, PREFIX = 9440, 6433, "o"
NATIONAL, HUB_A, NODE_A = f"{PREFIX}-national", f"{PREFIX}-hub-a", f"{PREFIX}-chigasaki"
CHANGES = int(os.environ.get("KYODO_NATIONAL_OUTAGE_CHANGES", "200"))

SHARE = """
import json
from django.contrib.auth import get_user_model
from nodes import services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
groups = [services.group_register(acting_user=staff, center=center, name=name, name_kana="テスト")
          for name in ("浜辺の清掃隊", "南湖子ども食堂", "柳島の見守り会")]
# In batches through the service layer (cases_create_many): 5,000 cases one by one took most of half an hour.
cases = services.cases_create_many(acting_user=staff, center=center, cases=[
    {{"title": f"海岸の協働 第{{n + 1}}号", "summary": "市と団体が共催で続けた。", "form": "kyosai",
      "fiscal_year_start": 2022, "outcome": "continued", "sharing_level": "anonymized", "sharing_reach": "national",
      "parties": [{{"organization": groups[n % 3].organization, "role": "lead", "contribution": "企画"}}]}}
    for n in range({changes})])
print(json.dumps({{"shared": len(cases)}}))
"""
DRIFT = """
import json
from sync import client
drift = client.check_drift()
print(json.dumps({t: [row["node"]["count"], row["ok"]] for t, row in drift.items()}))
"""


@pytest.fixture(scope="module")
def nat(tmp_path_factory):
    yield from start_national_federation(tmp_path_factory, base_port=BASE_PORT, redis_port=REDIS_PORT, prefix=PREFIX)


def _count(nat, deployment: str) -> int:
    return nat.sql(deployment, "SELECT count(*) FROM hub_sharedcase")[0][0]


def test_a_prefectural_hub_outage_queues_upward_and_both_tiers_catch_up(nat):
    national, hub_a = nat.by_name[NATIONAL], nat.by_name[HUB_A]
    federation.stop([national, hub_a], grace=0)
    assert shell(nat, NODE_A, SHARE.format(changes=CHANGES)) == {"shared": CHANGES}
    assert _count(nat, HUB_A) == 0
    # The prefectural hub comes back first and receives the backlog while the national hub is still down.
    federation.start_processes(hub_a, web_workers=1)
    federation.wait_healthy([hub_a])
    wait(lambda: _count(nat, HUB_A) == CHANGES, timeout=max(600, CHANGES * 0.4), what="the node's backlog on the prefectural hub")
    queued = nat.sql(HUB_A, "SELECT count(*) FROM sync_outboxentry WHERE entity_type = 'shared_case'")[0][0]
    assert queued == CHANGES and _count(nat, NATIONAL) == 0
    federation.start_processes(national, web_workers=1)
    federation.wait_healthy([national])
    wait(lambda: _count(nat, NATIONAL) == CHANGES, timeout=max(600, CHANGES * 0.4), what="the prefectural hub's backlog upward")
    # Count and hash agree per entity type at both tiers.
    below = shell(nat, NODE_A, DRIFT)
    assert below["shared_case"] == [CHANGES, True] and all(ok for _count_, ok in below.values()), below
    above = shell(nat, HUB_A, DRIFT)
    assert above == {"node_profile": [1, True], "shared_case": [CHANGES, True]}, above
