"""事例ライブラリ（県） between real processes: a ward node's staff search the hub's library from their
own node and read a case another center shared; the hub counts the reads for that center."""

from __future__ import annotations

import json

import pytest

from deploy import federation

from .common import login, shared_federation, wait

pytestmark = [pytest.mark.federation, pytest.mark.xdist_group("network")]

SETUP = """
import json
from django.contrib.auth import get_user_model
from nodes import services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
group = services.group_register(acting_user=staff, center=center, name="海辺の清掃隊", name_kana="ウミベノセイソウタイ")
# Two more citizen groups: with one only, the case would be held back as identifying it.
for name, kana in (("南湖子ども食堂", "ナンゴコドモショクドウ"), ("柳島の見守り会", "ヤナギシマノミマモリカイ")):
    services.group_register(acting_user=staff, center=center, name=name, name_kana=kana)
case = services.case_create(
    acting_user=staff, center=center, title="海岸清掃と環境学習の協働", summary="市と団体が共催で海岸清掃を続けた。",
    lessons="参加者の安全確保が課題。", form="kyosai", fiscal_year_start=2022, fiscal_year_end=2023, outcome="continued",
    parties=[{"organization": group.organization, "role": "lead", "contribution": "清掃の企画と運営"}])
print(json.dumps({"case": str(case.uuid)}))
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    return shared_federation("network", tmp_path_factory)


def test_ward_staff_search_the_hub_library_from_their_node_and_the_read_is_counted(fed):
    chigasaki, odawara = fed.by_name["net-chigasaki"], fed.by_name["net-odawara"]
    out = federation.manage(chigasaki, "shell", "-c", SETUP, capture=True)
    case_uuid = json.loads(out.strip().splitlines()[-1])["case"]
    response = fed.api("net-chigasaki").post(f"/api/v1/cases/{case_uuid}/share/", json={"level": "anonymized"})
    assert response.status_code == 200 and response.json()["sendable"], response.text
    wait(lambda: fed.sql("net-hub", "SELECT 1 FROM hub_sharedcase WHERE entity_uuid = %s", (case_uuid,)), timeout=90,
         what="the shared case on the hub")

    staff = login(odawara)  # Odawara's center staff, on Odawara's node: no hub account
    search = staff.get("/library/", params={"q": "海岸清掃", "form": "kyosai"})
    assert search.status_code == 200
    assert f'href="/library/cases/{case_uuid}/"' in search.text and "茅ヶ崎市民活動サポートセンター" in search.text
    case = staff.get(f"/library/cases/{case_uuid}/")
    assert case.status_code == 200
    assert "市と団体が共催で海岸清掃を続けた。" in case.text and "清掃の企画と運営" in case.text
    assert "海辺の清掃隊" not in case.text  # anonymized: the group is its kind, not its name

    counted = dict(fed.sql("net-hub", "SELECT r.kind, r.count FROM hub_libraryread r JOIN hub_nodecenter c"
                                    " ON c.id = r.center_id WHERE c.name = %s", ("小田原市市民活動交流センター UMECO",)))
    assert counted == {"search": 1, "case": 1}
    assert not fed.sql("net-hub", "SELECT 1 FROM hub_libraryread r JOIN hub_nodecenter c ON c.id = r.center_id"
                                " WHERE c.name = %s", ("茅ヶ崎市民活動サポートセンター",))
    audited = fed.sql("net-hub", "SELECT detail->>'kind', detail->>'case' FROM permissions_auditevent"
                               " WHERE action = 'hub.library_read' ORDER BY id")
    assert audited == [("search", None), ("case", case_uuid)]
