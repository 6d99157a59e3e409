"""A 広域 declaration across real processes (national hub, two prefectural hubs, a node under each):
both prefectures' nodes switch to emergency mode; a need in 神奈川県 is met by an offer of a 静岡県
center, committed on the national hub and routed national → hub B → node B; node B's delivery report
returns hub B → national → hub A → node A, where the need's page shows it; the national board shows
both prefectures' areas."""

from __future__ import annotations

import json
import re

import pytest

from deploy import federation

from .common import PASSWORD, login, post, wait
from .national import start_national_federation

pytestmark = [pytest.mark.federation]

# Ports and a prefix of our own (the library module of this tier uses 9400… and Redis 6430).
BASE_PORT, REDIS_PORT, PREFIX = 9420, 6431, "w"
NATIONAL, HUB_A, HUB_B = f"{PREFIX}-national", f"{PREFIX}-hub-a", f"{PREFIX}-hub-b"
NODE_A, NODE_B = f"{PREFIX}-chigasaki", f"{PREFIX}-shizuoka"

COORDINATOR = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
operator = organization_create(acting_user=None, name="全国災害ボランティア支援団体ネットワーク", kind="intermediate_support",
                               hub_standing="operator")
user = get_user_model().objects.create_user("coordinator", password={password!r})
membership_grant(acting_user=None, user=user, organization=operator, role="hub_admin")
"""
DECLARE = """
import json
from hub.services.disasters import disaster_declare
d = disaster_declare(acting_user=None, name="東海・相模湾沿岸豪雨", hazard="storm_flood",
                     municipality_codes=["142077", "221015"])
print(json.dumps({"uuid": str(d.uuid), "wide_area": d.wide_area}))
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
group = group_register(acting_user=staff, center=center, name="葵区給水ボランティア会", name_kana="アオイクキュウスイ",
                       consents=["hub_listing"])
offer = offer_create(acting_user=staff, center=center, declaration=DisasterDeclaration.objects.get(uuid={uuid!r}),
                     group=group, sector="wash", volunteers=8, vehicles=2, municipality_code="221015",
                     area_served="静岡市・県東部", valid_until=timezone.now() + dt.timedelta(days=2))
print(offer.uuid)
"""


@pytest.fixture(scope="module")
def nat(tmp_path_factory):
    yield from start_national_federation(tmp_path_factory, base_port=BASE_PORT, redis_port=REDIS_PORT, prefix=PREFIX)


def banners(session) -> dict[str, str]:
    return dict(re.findall(r'data-declaration="([0-9a-f-]+)" data-exercise="([01])"', session.get("/emergency/").text))


def test_a_wide_area_need_in_one_prefecture_is_met_from_another_and_the_report_returns(nat):
    federation.manage(nat.by_name[NATIONAL], "shell", "-c", COORDINATOR.format(password=PASSWORD))
    out = federation.manage(nat.by_name[NATIONAL], "shell", "-c", DECLARE, capture=True)
    declared = json.loads(out.strip().splitlines()[-1])
    declaration = declared["uuid"]
    assert declared["wide_area"] is True
    node_a, node_b = login(nat.by_name[NODE_A]), login(nat.by_name[NODE_B])
    wait(lambda: banners(node_a).get(declaration) == "0" and banners(node_b).get(declaration) == "0", timeout=60,
         what="both prefectures' nodes to enter emergency mode")
    for hub in (HUB_A, HUB_B):
        assert nat.sql(hub, "SELECT wide_area, mirrored FROM hub_disasterdeclaration WHERE uuid = %s",
                       (declaration,)) == [(True, True)]

    # 茅ヶ崎 (神奈川県) records a need; it reaches the national hub through hub A.
    center_a = nat.nodes[NODE_A]["center"]
    response = post(node_a, f"/emergency/{declaration}/centers/{center_a}/needs/", {
        "sector": "wash", "priority": "high", "municipality_code": "142077", "place_name": "市民体育館",
        "kind_1": "item", "description_1": "飲料水", "quantity_1": "40", "unit_1": "箱"})
    assert response.status_code == 302, response.text[:500]
    [(need,)] = nat.sql(NODE_A, "SELECT uuid::text FROM emergency_disasterneed")
    wait(lambda: nat.sql(NATIONAL, "SELECT 1 FROM hub_disasterneedcopy WHERE entity_uuid = %s", (need,)),
         timeout=60, what="the need on the national hub")
    # 静岡市 (静岡県) offers a group's help; it reaches the national hub through hub B.
    offer = federation.manage(nat.by_name[NODE_B], "shell", "-c", OFFER.format(uuid=declaration),
                              capture=True).strip().splitlines()[-1]
    wait(lambda: nat.sql(NATIONAL, "SELECT 1 FROM hub_disasteroffercopy WHERE entity_uuid = %s", (offer,)),
         timeout=60, what="the offer on the national hub")

    national = login(nat.by_name[NATIONAL], "coordinator")
    board = national.get(f"/disasters/{declaration}/").text
    # もれ・むら across prefectures: one board over both prefectures' municipalities.
    assert 'data-area="142077" data-sector="wash" data-signal="missing"' in board and f'data-need="{need}"' in board
    response = post(national, f"/disasters/{declaration}/commit/", {"need": need, "offer": offer, "quantity": "40"})
    assert response.status_code == 302, response.text[:500]
    [(commitment,)] = nat.sql(NATIONAL, "SELECT uuid::text FROM hub_disastercommitment")
    wait(lambda: nat.sql(NODE_B, "SELECT 1 FROM emergency_commitment WHERE commitment_uuid = %s", (commitment,)),
         timeout=60, what="the commitment at the 静岡 node, through hub B")
    assert nat.sql(HUB_B, "SELECT mirrored, need_node_id FROM hub_disastercommitment WHERE uuid = %s",
                   (commitment,)) == [(True, None)]
    assert nat.sql(HUB_A, "SELECT count(*) FROM hub_disastercommitment") == [(0,)]
    assert nat.sql(NODE_A, "SELECT count(*) FROM emergency_commitment") == [(0,)]

    [(report,)] = nat.sql(NODE_B, "SELECT uuid::text FROM emergency_commitment")
    assert post(node_b, f"/emergency/commitments/{report}/report/", {"status": "acknowledged"}).status_code == 302
    assert post(node_b, f"/emergency/commitments/{report}/report/", {
        "status": "delivered", "delivered": "40", "reached": "300"}).status_code == 302
    row = re.compile(rf'data-commitment="{commitment}" data-status="([a-z]+)"')
    wait(lambda: (m := row.search(national.get(f"/disasters/{declaration}/").text)) and m[1] == "delivered",
         timeout=60, what="the delivery report on the national board")
    assert nat.sql(HUB_B, "SELECT status, delivered FROM hub_commitmentreportcopy") == [("delivered", 40)]

    def delivered_at_node_a():
        rows = nat.sql(NODE_A, "SELECT payload::text FROM sync_feeditem WHERE kind = 'disaster_delivery'")
        return [json.loads(p) for (p,) in rows if json.loads(p)["status"] == "delivered"]
    delivery, *again = wait(delivered_at_node_a, timeout=60, what="the delivery report back at the 茅ヶ崎 node")
    assert all(other == delivery for other in again)  # a re-delivered report is the same report
    assert delivery["need"] == need and delivery["delivered"] == 40 and delivery["reached"] == 300
    assert delivery["center_name"] == "静岡市市民活動センター"
    # 茅ヶ崎's staff see it on the need itself: who delivered what, and when it was reported.
    needs_page = f"/emergency/{declaration}/centers/{center_a}/needs/"
    shown = re.compile(rf'data-delivery="{commitment}" data-status="delivered">([^<]+)<br>')
    text = wait(lambda: (m := shown.search(node_a.get(needs_page).text)) and m[1], timeout=60,
                what="the delivery on the 茅ヶ崎 node's needs page")
    assert text == "静岡市市民活動センターが40を提供（300人に届いた）"
    assert nat.sql(NODE_A, "SELECT status, delivered, reached FROM emergency_needdelivery") == [("delivered", 40, 300)]
