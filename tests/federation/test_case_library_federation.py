"""Shared cases between real processes: canary personal data in every personal field and inside the
cases' texts never reaches the hub's database or logs; held-back cases stay home; unpublishing,
deleting and withdrawing consent remove the hub copy."""

from __future__ import annotations

import json
import re
import subprocess
import unicodedata
from pathlib import Path

import pytest

from deploy import federation

from .common import shared_federation, wait

pytestmark = [pytest.mark.federation, pytest.mark.xdist_group("network")]

# Every personal field of the node gets one of these; the case texts repeat them in other spellings.
CANARIES = {
    "representative": "鳥居 健太郎", "representative_kana": "トリイ ケンタロウ", "contact": "雲雀 早苗",
    "phone": "0467-58-2468", "email": "canary-kyodo@example.jp", "postal": "253-0041",
    "address": "茅ヶ崎市茅ヶ崎三丁目4番5号", "talent": "鷲尾 美智子", "talent_kana": "ワシオ ミチコ",
    "talent_phone": "090-1357-9246", "talent_email": "washio.canary@example.net", "requester": "鶴見 俊介",
    "requester_contact": "0467-85-9753",
}
SETUP = """
import json
from django.contrib.auth import get_user_model
from nodes import models as m, services
from permissions.models import Organization
from permissions.services import membership_grant, organization_create
C = json.loads({canaries!r})
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
if not staff.memberships.filter(role="center_admin").exists():
    membership_grant(acting_user=None, user=staff, organization=center, role="center_admin")
fields = list(m.ActivityField.objects.filter(code__in=[2, 7]))
birds = services.group_register(
    acting_user=staff, center=center, name="カナリア見守り隊", name_kana="カナリアミマモリタイ",
    representative_name=C["representative"], representative_kana=C["representative_kana"], contact_name=C["contact"],
    contact_phone=C["phone"], contact_email=C["email"], contact_postal_code=C["postal"],
    contact_address=C["address"], member_count=24, activity_fields=fields)
for name, kana in (("海辺の清掃隊", "ウミベノセイソウタイ"), ("南湖子ども食堂", "ナンゴコドモショクドウ")):
    services.group_register(acting_user=staff, center=center, name=name, name_kana=kana)
services.talent_register(acting_user=staff, center=center, name=C["talent"], name_kana=C["talent_kana"],
                         phone=C["talent_phone"], email=C["talent_email"], skills="手話")
services.consultation_open(acting_user=staff, center=center, topic="見守り活動の立ち上げ", channel="phone",
                           requester_name=C["requester"], requester_contact=C["requester_contact"])
department = organization_create(acting_user=staff, name="高齢福祉介護課", kind="city_department", center=center)
shop = organization_create(acting_user=staff, name="カナリア商店", kind="company", center=center)
texts = [
    ("見守りネットワーク事業", "代表の鳥居健太郎さん（０４６７－５８－２４６８）と連絡担当の雲雀 早苗様が中心になった。"
     "問い合わせは canary-kyodo@example.jp、事務所は〒253-0041 茅ヶ崎市茅ヶ崎３丁目４番５号。",
     "ワシオ ミチコさんの手話講座が好評だった（携帯 090 1357 9246）。"),
    ("子ども食堂の立ち上げ支援", "鶴見俊介さんからの相談（0467-85-9753）がきっかけ。鷲尾美智子さんが協力した。",
     "washio.canary@example.net で講師を募集した。トリイ ケンタロウ氏の紹介。"),
    ("地域の居場所づくり", "カナリア見守り隊が高齢福祉介護課と共催した。", "継続には担い手が必要。"),
]
cases = {{}}
for title, summary, lessons in texts:
    case = services.case_create(
        acting_user=staff, center=center, title=title, summary=summary, lessons=lessons, form="kyosai",
        fiscal_year_start=2022, fiscal_year_end=2023, outcome="continued", responsible_department=department,
        total_cost=500000, city_share=200000,
        parties=[{{"organization": birds.organization, "role": "lead", "contribution": "代表 鳥居 健太郎 が企画"}}])
    cases[title] = str(case.uuid)
held = services.case_create(
    acting_user=staff, center=center, title="保留されるべき企業連携", summary="一社だけの企業との連携。", form="corporate",
    fiscal_year_start=2023, parties=[{{"organization": shop, "role": "funder"}}])
cases["held"] = str(held.uuid)
print(json.dumps(cases))
"""


def _normalized(text: str) -> str:
    """What a canary looks like however it is written: NFKC, no spaces, no dashes, kana folded."""
    text = unicodedata.normalize("NFKC", text)
    text = re.sub(r"[\s\-‐‑–—−ー－()（）〒]", "", text)
    return "".join(chr(ord(c) - 0x60) if "ァ" <= c <= "ヶ" else c for c in text).lower()


def _shared(fed) -> dict[str, dict]:
    rows = fed.sql("net-hub", "SELECT entity_uuid::text, title, level, parties::text FROM hub_sharedcase")
    return {uuid: {"title": title, "level": level, "parties": json.loads(parties)} for uuid, title, level, parties in rows}


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    return shared_federation("network", tmp_path_factory)


@pytest.fixture(scope="module")
def cases(fed):
    node = fed.by_name["net-chigasaki"]
    out = federation.manage(node, "shell", "-c", SETUP.format(canaries=json.dumps(CANARIES, ensure_ascii=False)),
                            capture=True)
    return json.loads(out.strip().splitlines()[-1])


def test_no_canary_reaches_the_hubs_database_or_logs_and_held_cases_stay_home(fed, cases):
    api = fed.api("net-chigasaki")
    for uuid in cases.values():
        response = api.post(f"/api/v1/cases/{uuid}/share/", json={"level": "anonymized"})
        assert response.status_code == 200, response.text
    held = api.get(f"/api/v1/cases/{cases['held']}/share/").json()
    assert held["hub_state"]["code"] == "held" and "企業・事業者" in held["held"][0]
    sent = {uuid for title, uuid in cases.items() if title != "held"}
    wait(lambda: sent <= set(_shared(fed)), timeout=90, what="the shared cases on the hub")
    assert cases["held"] not in _shared(fed)
    hub = fed.by_name["net-hub"]
    dump = subprocess.run(["pg_dump", "--data-only", hub.env["DATABASE_URL"]], capture_output=True, text=True,
                          check=True).stdout
    logs = "".join(p.read_text(errors="replace") for p in Path(hub.data_dir).glob("*.log"))
    haystacks = {"pg_dump": _normalized(dump), "logs": _normalized(logs)}
    for label, canary in CANARIES.items():
        needles = {_normalized(canary)} | {_normalized(part) for part in canary.split() if len(part) >= 2}
        for where, haystack in haystacks.items():
            for needle in needles:
                assert needle not in haystack, f"canary {label} found in the hub's {where}"
    for name in ("カナリア見守り隊", "保留されるべき企業連携", "カナリア商店"):
        assert _normalized(name) not in haystacks["pg_dump"]
    summary = fed.sql("net-hub", "SELECT summary FROM hub_sharedcase WHERE title = '見守りネットワーク事業'")[0][0]
    assert "〔人名〕" in summary and "〔電話番号〕" in summary and "〔メールアドレス〕" in summary


def test_unpublishing_deleting_and_withdrawing_consent_remove_the_hub_copy(fed, cases):
    api = fed.api("net-chigasaki")
    first, second, third = (cases[t] for t in ("見守りネットワーク事業", "子ども食堂の立ち上げ支援", "地域の居場所づくり"))
    wait(lambda: {first, second, third} <= set(_shared(fed)), timeout=90, what="the shared cases")
    assert api.post(f"/api/v1/cases/{first}/share/", json={"level": "private"}).status_code == 200
    assert api.delete(f"/api/v1/cases/{second}/").status_code == 204
    group = api.get("/api/v1/groups/", params={"q": "カナリア見守り隊"}).json()["results"][0]["uuid"]
    api.post(f"/api/v1/groups/{group}/consents/", json={"consent": "named_cases", "given": True})
    assert api.post(f"/api/v1/cases/{third}/share/", json={"level": "named"}).json()["sendable"]
    wait(lambda: [p["name"] for p in _shared(fed).get(third, {}).get("parties", [])] == ["カナリア見守り隊", "高齢福祉介護課"],
         timeout=60, what="the named case on the hub")
    wait(lambda: not {first, second} & set(_shared(fed)), timeout=60, what="unpublished and deleted cases to go")
    api.post(f"/api/v1/groups/{group}/consents/", json={"consent": "named_cases", "given": False})
    wait(lambda: third not in _shared(fed), timeout=60, what="the named case to go with the consent")
    tombstones = dict(fed.sql("net-hub", "SELECT t.entity_uuid::text, t.op FROM hub_tombstone t JOIN hub_node n "
                                       "ON n.id = t.node_id WHERE t.entity_type = 'shared_case' AND n.slug = 'net-chigasaki'"))
    assert tombstones == {first: "retract", second: "purge", third: "retract"}
