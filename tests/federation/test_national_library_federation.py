"""The national tier's library between real processes: a case a 神奈川県 center shares at 全国 reaches
the national hub through its prefectural hub and is found by a 静岡県 center's staff on their own node;
a case shared 県内のみ never reaches the national hub (pg_dump); a prefectural hub's statistics reach the
national hub and are suppressed there again; only groups that consented to 全国掲載 are listed
nationally, and leave when the consent is withdrawn; a revoked prefectural key is refused."""

from __future__ import annotations

import json
import subprocess

import pytest

from deploy import federation

from .common import login, shell, wait
from .national import start_national_federation

pytestmark = [pytest.mark.federation]

SETUP = """
import json
from django.contrib.auth import get_user_model
from nodes import services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
group = services.group_register(acting_user=staff, center=center, name="浜辺の清掃隊", name_kana="ハマベノセイソウタイ")
# Two more citizen groups: with one only, the case would be held back as identifying it.
for name, kana in (("南湖子ども食堂", "ナンゴコドモショクドウ"), ("柳島の見守り会", "ヤナギシマノミマモリカイ")):
    services.group_register(acting_user=staff, center=center, name=name, name_kana=kana)
cases = {}
for key, title, summary in (
        ("national", "砂浜の清掃と環境学習の協働", "市と団体が共催で砂浜の清掃を十年続けた。"),
        ("prefecture", "県内限定の防災ワークショップ事例", "県内だけで共有したい防災ワークショップの記録。")):
    case = services.case_create(
        acting_user=staff, center=center, title=title, summary=summary, lessons="参加者の安全確保が課題。",
        form="kyosai", fiscal_year_start=2022, fiscal_year_end=2023, outcome="continued",
        parties=[{"organization": group.organization, "role": "lead", "contribution": "企画と運営"}])
    cases[key] = str(case.uuid)
print(json.dumps(cases))
"""


@pytest.fixture(scope="module")
def nat(tmp_path_factory):
    yield from start_national_federation(tmp_path_factory)


@pytest.fixture(scope="module")
def cases(nat):
    out = federation.manage(nat.by_name["n-chigasaki"], "shell", "-c", SETUP, capture=True)
    return json.loads(out.strip().splitlines()[-1])


def _held(nat, deployment: str) -> set[str]:
    return {row[0] for row in nat.sql(deployment, "SELECT entity_uuid::text FROM hub_sharedcase")}


def test_a_case_shared_nationally_is_found_from_another_prefecture_and_a_prefecture_case_stays_home(nat, cases):
    api = nat.api("n-chigasaki")
    for key, reach in (("national", "national"), ("prefecture", "prefecture")):
        response = api.post(f"/api/v1/cases/{cases[key]}/share/", json={"level": "anonymized", "reach": reach})
        assert response.status_code == 200 and response.json()["sendable"], response.text
        assert response.json()["reach"] == reach and response.json()["payload"]["reach"] == reach
    wait(lambda: set(cases.values()) <= _held(nat, "n-hub-a"), timeout=90, what="both cases on the prefectural hub")
    wait(lambda: cases["national"] in _held(nat, "n-national"), timeout=90, what="the national case up there")
    # Hub B holds nothing of prefecture A's: the case travels through the national hub only.
    assert _held(nat, "n-hub-b") == set()
    centers = nat.sql("n-national", "SELECT c.name, c.municipality_code, n.slug, n.kind FROM hub_nodecenter c"
                                    " JOIN hub_node n ON n.id = c.node_id ORDER BY c.name")
    assert centers == [("茅ヶ崎市民活動サポートセンター", "142077", "n-hub-a", "prefectural_hub"),
                       ("静岡市市民活動センター", "221015", "n-hub-b", "prefectural_hub")]

    # A 静岡県 center's staff, on their own node, with no account anywhere else.
    staff = login(nat.by_name["n-shizuoka"])
    prefecture_only = staff.get("/library/", params={"q": "砂浜"})
    assert prefecture_only.status_code == 200 and cases["national"] not in prefecture_only.text
    search = staff.get("/library/", params={"q": "砂浜", "scope": "national"})
    assert search.status_code == 200
    assert f'href="/library/cases/{cases["national"]}/"' in search.text and "茅ヶ崎市民活動サポートセンター" in search.text
    assert cases["prefecture"] not in staff.get("/library/", params={"q": "防災", "scope": "national"}).text
    page = staff.get(f"/library/cases/{cases['national']}/")
    assert page.status_code == 200 and "市と団体が共催で砂浜の清掃を十年続けた。" in page.text
    assert "浜辺の清掃隊" not in page.text  # anonymized on its node; stays so at every tier
    # Counted for the reading center at both tiers: every search on hub B, the 全国 ones on the national hub too.
    for deployment, searches in (("n-hub-b", 3), ("n-national", 2)):
        counted = dict(nat.sql(deployment, "SELECT r.kind, r.count FROM hub_libraryread r JOIN hub_nodecenter c"
                                           " ON c.id = r.center_id WHERE c.name = %s", ("静岡市市民活動センター",)))
        assert counted == {"search": searches, "case": 1}, deployment

    dump = subprocess.run(["pg_dump", "--data-only", nat.by_name["n-national"].env["DATABASE_URL"]],
                          capture_output=True, text=True, check=True).stdout
    assert "砂浜の清掃と環境学習の協働" in dump
    for text in ("県内限定の防災ワークショップ事例", "県内だけで共有したい防災ワークショップの記録", cases["prefecture"],
                 "浜辺の清掃隊"):
        assert text not in dump


def test_a_case_taken_back_to_the_prefecture_leaves_the_national_hub_but_not_its_own(nat, cases):
    api = nat.api("n-chigasaki")
    wait(lambda: cases["national"] in _held(nat, "n-national"), timeout=90, what="the national case")
    response = api.post(f"/api/v1/cases/{cases['national']}/share/", json={"level": "anonymized", "reach": "prefecture"})
    assert response.status_code == 200 and response.json()["reach"] == "prefecture"
    wait(lambda: cases["national"] not in _held(nat, "n-national"), timeout=90, what="the case to leave the national hub")
    assert cases["national"] in _held(nat, "n-hub-a")
    tombstones = nat.sql("n-national", "SELECT op FROM hub_tombstone WHERE entity_uuid = %s", (cases["national"],))
    assert tombstones == [("retract",)]
    # A bad reach changes nothing and says why.
    refused = api.post(f"/api/v1/cases/{cases['national']}/share/", json={"level": "anonymized", "reach": "world"})
    assert refused.status_code == 400 and "reach" in refused.text


STATISTICS_PUSH = """
import json
from hub.services.national_statistics import statistics_push
print(json.dumps({"cells": statistics_push()}))
"""

NATIONAL_TABLE = """
import json
from hub.selectors.national_statistics import national_statistics, national_document
print(json.dumps(national_document(national_statistics(year=2023))))
"""


def test_statistics_go_up_by_prefecture_and_are_suppressed_again_at_the_national_hub(nat, cases):
    wait(lambda: set(cases.values()) <= _held(nat, "n-hub-a"), timeout=90, what="both cases on the prefectural hub")
    sent = shell(nat, "n-hub-a", STATISTICS_PUSH)["cells"]
    out = federation.manage(nat.by_name["n-hub-b"], "hub_push_national_statistics", capture=True)
    assert sent >= 2 and "0 cell(s) taken by the national hub" in out
    rows = nat.sql("n-national", "SELECT n.slug, s.fiscal_year, s.form, s.cases FROM hub_nationalstatisticscell s"
                                 " JOIN hub_node n ON n.id = s.hub_id ORDER BY s.fiscal_year")
    # Both cases count, the 県内のみ one too: a count names no case.
    assert len(rows) == sent and ("n-hub-a", 2023, "kyosai", 2) in rows
    assert {(slug, form, count) for slug, _year, form, count in rows} == {("n-hub-a", "kyosai", 2)}
    document = shell(nat, "n-national", NATIONAL_TABLE)
    assert [(p["name"], p["region"]) for p in document["prefectures"]] == [("神奈川県", "関東"), ("静岡県", "中部")]
    kanagawa = next(row for row in document["rows"] if row["key"] == "14")
    # Two cases, both about one group: hidden in the prefecture, its region and the whole.
    assert kanagawa["cells"]["kyosai"] == {"value": None, "suppressed": True} and kanagawa["region"] == "kanto"
    assert document["total"]["total"] == {"value": None, "suppressed": True}


LISTING_SETUP = """
import json
from django.contrib.auth import get_user_model
from nodes import services
from nodes.models import GroupRegistration
staff = get_user_model().objects.get(username="staff")
out = {}
for name, consents in (("浜辺の清掃隊", ["hub_listing", "national_listing"]), ("南湖子ども食堂", ["hub_listing"])):
    group = GroupRegistration.objects.get(organization__name=name)
    for consent in consents:
        group = services.group_set_consent(acting_user=staff, group=group, consent=consent, given=True)
    offer = services.offer_create(acting_user=staff, group=group, title=name + "の出前講座",
                                  description="学校や町内会に出向いて活動を紹介します。")
    out[name] = {"group": str(group.uuid), "offer": str(offer.uuid)}
print(json.dumps(out))
"""

LISTING_WITHDRAW = """
import json
from django.contrib.auth import get_user_model
from nodes import services
from nodes.models import GroupRegistration
staff = get_user_model().objects.get(username="staff")
group = GroupRegistration.objects.get(organization__name="浜辺の清掃隊")
services.group_set_consent(acting_user=staff, group=group, consent="national_listing", given=False)
print(json.dumps({}))
"""

NATIONAL_DIRECTORY = """
import json
from hub.selectors.national_directory import national_groups, national_rows
print(json.dumps(national_rows(national_groups())))
"""


def _listed(nat, deployment: str) -> set[str]:
    return {row[0] for row in nat.sql(deployment, "SELECT name FROM hub_directorygroup")} | {
        row[0] for row in nat.sql(deployment, "SELECT title FROM hub_sharedoffer")}


def test_only_groups_that_consented_to_national_listing_reach_the_national_directory(nat, cases):
    shell(nat, "n-chigasaki", LISTING_SETUP)
    both = {"浜辺の清掃隊", "浜辺の清掃隊の出前講座", "南湖子ども食堂", "南湖子ども食堂の出前講座"}
    wait(lambda: both <= _listed(nat, "n-hub-a"), timeout=90, what="both groups and offers on the prefectural hub")
    national = {"浜辺の清掃隊", "浜辺の清掃隊の出前講座"}
    wait(lambda: national <= _listed(nat, "n-national"), timeout=90, what="the consented group up there")
    (group,) = shell(nat, "n-national", NATIONAL_DIRECTORY)
    assert (group["name"], group["prefecture_name"], group["center"]["name"]) == (
        "浜辺の清掃隊", "神奈川県", "茅ヶ崎市民活動サポートセンター")
    assert [offer["title"] for offer in group["offers"]] == ["浜辺の清掃隊の出前講座"]
    dump = subprocess.run(["pg_dump", "--data-only", nat.by_name["n-national"].env["DATABASE_URL"]],
                          capture_output=True, text=True, check=True).stdout
    assert "南湖子ども食堂" not in dump  # listed in its prefecture only: never sent up
    shell(nat, "n-chigasaki", LISTING_WITHDRAW)
    wait(lambda: not _listed(nat, "n-national"), timeout=90, what="the withdrawn group and offer to leave")
    assert both <= _listed(nat, "n-hub-a")  # still listed in the prefecture


PUSH = """
import json
from sync import client
try:
    client.push()
    print(json.dumps({"code": "pushed"}))
except client.SyncError as error:
    print(json.dumps({"code": error.code}))
"""


def test_a_revoked_prefectural_hub_is_refused(nat):
    assert shell(nat, "n-hub-b", PUSH) == {"code": "pushed"}
    shell(nat, "n-national", """
import json
from hub.models import Node
from hub.services.enrollment import node_set_status
node_set_status(acting_user=None, node=Node.objects.get(slug="n-hub-b"), status="revoked")
print(json.dumps({}))
""")
    assert shell(nat, "n-hub-b", PUSH) == {"code": "unknown_key"}
    assert shell(nat, "n-hub-a", PUSH) == {"code": "pushed"}  # the other prefecture is not affected
