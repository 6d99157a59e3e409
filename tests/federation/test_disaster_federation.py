"""Emergency mode across real processes (hub + two nodes, PostgreSQL, a private Redis): a declaration
switches the covered node and no other, its center status reaches the hub board, a drill never
becomes a real emergency, and closing returns the node to normal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from deploy import federation

from .common import PASSWORD, login, post, start_federation, wait

pytestmark = [pytest.mark.federation]

# Ports and a prefix of our own: another federation module in the same session never meets ours.
BASE_PORT, REDIS_PORT, PREFIX = 8410, 6392, "d"
HUB, CHIGASAKI, ODAWARA = f"{PREFIX}-hub", f"{PREFIX}-chigasaki", f"{PREFIX}-odawara"

HUB_SETUP = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
if not get_user_model().objects.filter(username="coordinator").exists():
    prefecture = organization_create(acting_user=None, name="神奈川県", kind="prefecture", municipality_code="140007")
    user = get_user_model().objects.create_user("coordinator", password={password!r})
    membership_grant(acting_user=None, user=user, organization=prefecture, role="hub_admin")
"""
# A group of 小田原's center offers help (staff record it; the group consented to hub listing).
NODE_OFFER = """
import datetime as dt, json
from django.contrib.auth import get_user_model
from django.utils import timezone
from emergency.models import DisasterDeclaration
from emergency.services import offer_create
from nodes.services import group_register
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
group = group_register(acting_user=staff, center=center, name="小田原炊き出しの会", name_kana="オダワラ",
                       consents=["hub_listing"])
offer = offer_create(acting_user=staff, center=center, declaration=DisasterDeclaration.objects.get(uuid={uuid!r}),
                     group=group, sector="wash", volunteers=6, vehicles=1, municipality_code="142077",
                     area_served="県西部・湘南", valid_until=timezone.now() + dt.timedelta(days=2))
print(offer.uuid)
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    yield from start_federation(tmp_path_factory, base_port=BASE_PORT, redis_port=REDIS_PORT, prefix=PREFIX)


def banners(session: httpx.Client) -> dict[str, str]:
    """declaration uuid → "1" for a drill, "0" for a real disaster, as the node's pages show them."""
    page = session.get("/emergency/").text
    return dict(re.findall(r'data-declaration="([0-9a-f-]+)" data-exercise="([01])"', page))


def hub_declare(fed, **values) -> str:
    script = ("import json; from hub.services.disasters import disaster_declare; "
              f"d = disaster_declare(acting_user=None, **json.loads({json.dumps(values, ensure_ascii=False)!r})); "
              "print(d.uuid)")
    return federation.manage(fed.by_name[HUB], "shell", "-c", script, capture=True).strip().splitlines()[-1]


def test_declaration_status_drill_and_close_across_the_federation(fed):
    federation.manage(fed.by_name[HUB], "shell", "-c", HUB_SETUP.format(password=PASSWORD))
    hub = login(fed.by_name[HUB], "coordinator")
    chigasaki, odawara = login(fed.by_name[CHIGASAKI], "staff"), login(fed.by_name[ODAWARA], "staff")

    # A real disaster in 茅ヶ崎市 (142077) only, declared through the coordinator's form.
    response = post(hub, "/disasters/new/", {"name": "相模湾地震", "hazard": "earthquake",
                                             "municipality_codes": "142077"})
    assert response.status_code == 302, response.text[:500]
    real = response.headers["location"].strip("/").split("/")[-1]
    wait(lambda: banners(chigasaki).get(real) == "0", timeout=30, what="茅ヶ崎 to enter emergency mode")
    # 小田原 received the same declaration (the feed goes to every node) but is not covered.
    wait(lambda: fed.sql(ODAWARA, "SELECT 1 FROM emergency_disasterdeclaration WHERE uuid = %s", (real,)),
         timeout=30, what="the declaration to reach 小田原 too")
    assert banners(odawara) == {}

    # 茅ヶ崎's staff report the center's status; it reaches the hub board as disaster traffic.
    center = fed.nodes[CHIGASAKI]["center"]
    response = post(chigasaki, f"/emergency/{real}/centers/{center}/status/", {"status": "partial",
                                                                                "note": "1階のみ開館"})
    assert response.status_code == 302, response.text[:500]
    board_row = re.compile(rf'data-center="{center}" data-status="([a-z_]+)"')
    wait(lambda: (m := board_row.search(hub.get(f"/disasters/{real}/").text)) and m[1] == "partial",
         timeout=30, what="the center status on the hub board")
    assert "1階のみ開館" in hub.get(f"/disasters/{real}/").text
    assert fed.sql(CHIGASAKI, "SELECT priority FROM sync_outboxentry WHERE entity_type = 'center_status'") == [(1,)]
    # While covered, the node runs the fast tick on the disaster queue, which both of its workers serve.
    logs = [Path(fed.by_name[CHIGASAKI].data_dir) / name for name in ("worker.log", "worker-disaster.log")]
    wait(lambda: any("'emergency: " in log.read_text(errors="replace") for log in logs if log.exists()), timeout=30,
         what="the emergency tick")

    # A drill for the whole prefecture: both nodes show it as a drill; 小田原 is in no real emergency.
    drill = hub_declare(fed, name="県域防災訓練", hazard="earthquake", municipality_codes=[], whole_prefecture=True,
                        exercise=True)
    wait(lambda: banners(odawara) == {drill: "1"}, timeout=30, what="the drill banner at 小田原")
    wait(lambda: banners(chigasaki) == {real: "0", drill: "1"}, timeout=30,
         what="茅ヶ崎 to show the disaster and the drill apart")

    # Closing the real disaster returns 茅ヶ崎 to its drill only; closing the drill, to normal.
    assert post(hub, f"/disasters/{real}/close/", {}).status_code == 302
    wait(lambda: banners(chigasaki) == {drill: "1"}, timeout=30, what="the close to reach 茅ヶ崎")
    assert post(hub, f"/disasters/{drill}/close/", {}).status_code == 302
    wait(lambda: banners(chigasaki) == {} and banners(odawara) == {}, timeout=30, what="both nodes back to normal")
    assert "通常の運用" in chigasaki.get("/emergency/").text
    actions = fed.sql(HUB, "SELECT action FROM permissions_auditevent WHERE action LIKE 'hub.disaster_%%' ORDER BY id")
    assert [a for (a,) in actions] == ["hub.disaster_declare", "hub.disaster_declare", "hub.disaster_close",
                                       "hub.disaster_close"]


def test_a_need_reaches_the_board_and_a_commitment_flows_back_with_its_delivery_report(fed):
    federation.manage(fed.by_name[HUB], "shell", "-c", HUB_SETUP.format(password=PASSWORD))
    hub = login(fed.by_name[HUB], "coordinator")
    chigasaki, odawara = login(fed.by_name[CHIGASAKI], "staff"), login(fed.by_name[ODAWARA], "staff")
    declaration = hub_declare(fed, name="酒匂川氾濫", hazard="storm_flood", municipality_codes=["142077", "142069"])
    wait(lambda: banners(chigasaki).get(declaration) == "0" and banners(odawara).get(declaration) == "0",
         timeout=30, what="both nodes to enter emergency mode")

    # 茅ヶ崎's staff record a need on the tablet page; it reaches the coordinators' board.
    center = fed.nodes[CHIGASAKI]["center"]
    response = post(chigasaki, f"/emergency/{declaration}/centers/{center}/needs/", {
        "sector": "wash", "priority": "high", "municipality_code": "142077", "place_name": "市民体育館",
        "kind_1": "item", "description_1": "簡易トイレ", "quantity_1": "20", "unit_1": "基"})
    assert response.status_code == 302, response.text[:500]
    [(need,)] = fed.sql(CHIGASAKI, "SELECT uuid::text FROM emergency_disasterneed")
    wait(lambda: f'data-need="{need}" data-status="open"' in hub.get(f"/disasters/{declaration}/").text,
         timeout=30, what="the need on the hub board")
    assert fed.sql(CHIGASAKI, "SELECT priority FROM sync_outboxentry WHERE entity_type = 'disaster_need'") == [(1,)]
    board = hub.get(f"/disasters/{declaration}/").text
    assert "簡易トイレ 20基" in board and 'data-area="142077" data-sector="wash" data-signal="missing"' in board

    # 小田原 offers a group's help; the coordinator commits it to the need from the board.
    offer = federation.manage(fed.by_name[ODAWARA], "shell", "-c", NODE_OFFER.format(uuid=declaration),
                              capture=True).strip().splitlines()[-1]
    wait(lambda: f'data-offer="{offer}"' in hub.get(f"/disasters/{declaration}/").text, timeout=30,
         what="the offer on the hub board")
    response = post(hub, f"/disasters/{declaration}/commit/", {"need": need, "offer": offer, "quantity": "20"})
    assert response.status_code == 302
    [(commitment,)] = fed.sql(HUB, "SELECT uuid::text FROM hub_disastercommitment")
    # Only the committing node receives it; it acknowledges and then reports the delivery.
    wait(lambda: fed.sql(ODAWARA, "SELECT uuid::text FROM emergency_commitment WHERE commitment_uuid = %s",
                         (commitment,)), timeout=30, what="the commitment at 小田原")
    assert fed.sql(CHIGASAKI, "SELECT count(*) FROM emergency_commitment") == [(0,)]
    [(report,)] = fed.sql(ODAWARA, "SELECT uuid::text FROM emergency_commitment")
    assert post(odawara, f"/emergency/commitments/{report}/report/", {"status": "acknowledged"}).status_code == 302
    row = re.compile(rf'data-commitment="{commitment}" data-status="([a-z]+)"')
    wait(lambda: (m := row.search(hub.get(f"/disasters/{declaration}/").text)) and m[1] == "acknowledged",
         timeout=30, what="the acknowledgement on the hub board")
    assert post(odawara, f"/emergency/commitments/{report}/report/", {
        "status": "delivered", "delivered": "20", "reached": "150"}).status_code == 302
    wait(lambda: (m := row.search(hub.get(f"/disasters/{declaration}/").text)) and m[1] == "delivered",
         timeout=30, what="the delivery report on the hub board")
    assert "20 / 150" in hub.get(f"/disasters/{declaration}/").text
    hxl = hub.get(f"/disasters/{declaration}/export-hxl.csv").text.lstrip("\ufeff").splitlines()
    assert hxl[1].startswith("#org+name,#org+type+name,#sector") and any(need in line for line in hxl[2:])
    assert post(hub, f"/disasters/{declaration}/close/", {}).status_code == 302
