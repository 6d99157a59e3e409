"""Disaster contacts and an emergency survey across real processes (hub + two nodes, PostgreSQL, a
private Redis): a group's contact shared at a node reaches the hub, is hidden from a coordinator
without a grant and shown with one; a survey reaches the node through the feed and only counts come
back; closing the disaster leaves no trace of the contact in a `pg_dump` of the hub or its logs."""

from __future__ import annotations

import json
import re
import subprocess
from pathlib import Path

import pytest

from deploy import federation

from .common import PASSWORD, start_federation, wait
from .test_case_library_federation import _normalized
from .test_disaster_federation import login, post

pytestmark = [pytest.mark.federation]

# Ports and a prefix of our own: another federation module in the same session never meets ours.
BASE_PORT, REDIS_PORT, PREFIX = 8610, 6394, "c"
HUB, CHIGASAKI = f"{PREFIX}-hub", f"{PREFIX}-chigasaki"
CANARY = {"contact_name": "雲雀 早苗", "phone": "0467-58-2468", "email": "canary-contact@example.jp"}
GROUP = "カナリア防災の会"

HUB_SETUP = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
prefecture = organization_create(acting_user=None, name="神奈川県", kind="prefecture", municipality_code="140007")
for name, role in (("coordinator", "coordinator"), ("approver", "hub_admin")):
    user = get_user_model().objects.create_user(name, password={password!r})
    membership_grant(acting_user=None, user=user, organization=prefecture, role=role)
"""
NODE_GROUPS = """
import json
from django.contrib.auth import get_user_model
from nodes.services import group_register
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
groups = {{}}
for name, consents, extra in (({group!r}, ["disaster_contact"], {{"contact_name": {name!r}, "contact_phone": {phone!r},
                                                                   "contact_email": {email!r}}}),
                              ("海辺の清掃隊", [], {{}}), ("南湖子ども食堂", [], {{}}), ("見守り隊", [], {{}})):
    groups[name] = str(group_register(acting_user=staff, center=center, name=name, name_kana="テスト",
                                      consents=consents, **extra).uuid)
print(json.dumps(groups, ensure_ascii=False))
"""


def hub_declare(fed, **values) -> str:
    script = ("import json; from hub.services.disasters import disaster_declare; "
              f"d = disaster_declare(acting_user=None, **json.loads({json.dumps(values, ensure_ascii=False)!r})); "
              "print(d.uuid)")
    return federation.manage(fed.by_name[HUB], "shell", "-c", script, capture=True).strip().splitlines()[-1]


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    yield from start_federation(tmp_path_factory, base_port=BASE_PORT, redis_port=REDIS_PORT, prefix=PREFIX)


def test_contact_with_a_grant_survey_counts_and_nothing_left_after_close(fed):
    federation.manage(fed.by_name[HUB], "shell", "-c", HUB_SETUP.format(password=PASSWORD))
    coordinator, approver = login(fed.by_name[HUB], "coordinator"), login(fed.by_name[HUB], "approver")
    staff = login(fed.by_name[CHIGASAKI], "staff")
    out = federation.manage(fed.by_name[CHIGASAKI], "shell", "-c", NODE_GROUPS.format(
        group=GROUP, name=CANARY["contact_name"], phone=CANARY["phone"], email=CANARY["email"]), capture=True)
    groups = json.loads(out.strip().splitlines()[-1])
    declaration = hub_declare(fed, name="相模川氾濫", hazard="storm_flood", municipality_codes=["142077"])
    center = fed.nodes[CHIGASAKI]["center"]
    contacts_url = f"/emergency/{declaration}/centers/{center}/contacts/"
    wait(lambda: staff.get(contacts_url).status_code == 200, timeout=30, what="the declaration at 茅ヶ崎")

    # The group that consented shares its registered contact for this disaster; it reaches the hub.
    assert post(staff, contacts_url, {"group": groups[GROUP]}).status_code == 302
    wait(lambda: fed.sql(HUB, "SELECT count(*) FROM hub_disastercontactcopy") == [(1,)], timeout=30,
         what="the contact on the hub")

    # Without a grant the coordinator sees none, on the page and through the API.
    page = coordinator.get(f"/disasters/{declaration}/contacts/").text
    assert 'id="no-grant"' in page and CANARY["phone"] not in page
    api = coordinator.get(f"/api/v1/disasters/{declaration}/contacts/")
    assert api.status_code == 403 and api.json()["error"]["code"] == "grant_required"
    # The coordinator asks with a reason; approving one's own request is refused; another admin approves.
    assert post(coordinator, f"/disasters/{declaration}/contacts/grants/",
                {"reason": "避難所の運営支援を電話で依頼するため", "hours": "4"}).status_code == 302
    [(grant,)] = fed.sql(HUB, "SELECT uuid::text FROM hub_contactgrant")
    assert post(approver, f"/disasters/{declaration}/contacts/grants/{grant}/approve/", {}).status_code == 302
    page = coordinator.get(f"/disasters/{declaration}/contacts/").text
    assert all(value in page for value in CANARY.values()) and GROUP in page
    body = coordinator.get(f"/api/v1/disasters/{declaration}/contacts/").json()
    assert [c["phone"] for c in body["contacts"]] == [CANARY["phone"]]
    reads = fed.sql(HUB, "SELECT detail::text FROM permissions_auditevent WHERE action = 'hub.disaster_contacts_read'")
    assert len(reads) == 2 and not any(CANARY["phone"] in detail for (detail,) in reads)

    # A survey goes out through the feed; staff record three groups' answers; counts come back.
    response = post(coordinator, f"/disasters/{declaration}/surveys/new/", {
        "title": "活動への影響の緊急調査", "text_1": "活動への影響", "kind_1": "single", "options_1": "影響なし\n縮小\n休止",
        "text_2": "必要な支援", "kind_2": "multiple", "options_2": "資金\n活動場所\n人手",
        "text_3": "休止した日数", "kind_3": "number", "options_3": ""})
    assert response.status_code == 302, response.text[:500]
    survey = response.headers["location"].strip("/").split("/")[-1]
    survey_url = f"/emergency/surveys/{survey}/centers/{center}/"
    wait(lambda: staff.get(survey_url).status_code == 200, timeout=30, what="the survey at 茅ヶ崎")
    for name, impact, support in ((GROUP, "o3", ["o1", "o3"]), ("海辺の清掃隊", "o3", ["o1"]),
                                  ("南湖子ども食堂", "o2", ["o1", "o2"])):
        assert post(staff, survey_url, {"group": groups[name], "q_q1": impact, "q_q2": support,
                                        "q_q3": "5"}).status_code == 302
    again = post(staff, survey_url, {"group": groups[GROUP], "q_q1": "o1", "q_q2": ["o1"], "q_q3": "1"})
    assert again.status_code == 400 and "すでに記録されています" in again.text
    wait(lambda: fed.sql(HUB, "SELECT respondents FROM hub_surveycountscopy") == [(3,)], timeout=30,
         what="the survey counts on the hub")
    [(counts,)] = fed.sql(HUB, "SELECT questions::text FROM hub_surveycountscopy")
    assert GROUP not in counts and json.loads(counts)["q1"] == {"options": {"o1": 0, "o2": 1, "o3": 2}}
    results = coordinator.get(f"/surveys/{survey}/").text
    assert "秘匿" in results and "活動への影響" in results

    # Closing ends the grant and purges the contact from the hub; the node purges and stops sending.
    assert post(approver, f"/disasters/{declaration}/close/", {}).status_code == 302
    assert 'id="no-grant"' in coordinator.get(f"/disasters/{declaration}/contacts/").text
    wait(lambda: fed.sql(CHIGASAKI, "SELECT count(*) FROM emergency_disastercontact") == [(0,)], timeout=30,
         what="the node to purge its contact")
    wait(lambda: fed.sql(HUB, "SELECT op FROM hub_tombstone WHERE entity_type = 'disaster_contact'") == [("purge",)]
         and fed.sql(CHIGASAKI, "SELECT count(*) FROM sync_outboxentry WHERE publish_seq IS NULL") == [(0,)]
         and fed.sql(CHIGASAKI, "SELECT last_acked_seq = last_published_seq FROM sync_syncstate") == [(True,)],
         timeout=30, what="the purge to be acknowledged")
    hub = fed.by_name[HUB]
    dump = subprocess.run(["pg_dump", "--data-only", hub.env["DATABASE_URL"]], capture_output=True, text=True,
                          check=True).stdout
    logs = "".join(p.read_text(errors="replace") for p in Path(hub.data_dir).glob("*.log"))
    for where, haystack in (("pg_dump", _normalized(dump)), ("logs", _normalized(logs))):
        for label, value in {**CANARY, "group": GROUP}.items():
            needles = {_normalized(value)} | {_normalized(p) for p in value.split() if len(p) >= 2}
            assert not any(needle in haystack for needle in needles), f"{label} found in the hub's {where}"
    assert re.search(r"hub\.disaster_close", dump)
    # The node's outbox keeps no value either: the acknowledged upsert was cut down to its center.
    outbox = fed.sql(CHIGASAKI, "SELECT payload::text FROM sync_outboxentry WHERE entity_type = 'disaster_contact'")
    assert not any(_normalized(CANARY["phone"]) in _normalized(payload) for (payload,) in outbox)
