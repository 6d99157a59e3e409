"""The hub's pages: federation overview, directory and calendar for coordinators; enrollment for admins."""

from __future__ import annotations

import base64

import pytest
from django.contrib.auth import get_user_model

from hub.models import Node
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create
from sync.signing import new_key_pair

from . import payloads
from .test_receiver import FakeNode


@pytest.fixture
def people(db):
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    users = get_user_model().objects
    admin = users.create_user("hub-admin", password="x" * 12)
    coordinator = users.create_user("coordinator", password="x" * 12)
    outsider = users.create_user("outsider", password="x" * 12)
    membership_grant(acting_user=None, user=admin, organization=prefecture, role=Role.HUB_ADMIN)
    membership_grant(acting_user=None, user=coordinator, organization=prefecture, role=Role.COORDINATOR)
    return admin, coordinator, outsider


@pytest.fixture
def shared(db, client):
    node = FakeNode("chigasaki", "142077")
    entries = [node.profile(), node.group("チガサキ・キャッツ", name_kana="チガサキキャッツ", fields=[7]),
               node.group("子ども食堂ひまわり", fields=[13])]
    event = node.entry("public_event", payloads.event(node.center, title="分野別発表会", kind="happyokai", fields=[19],
                                                      starts_at="2026-12-05T13:30:00+09:00", status="planned",
                                                      venue="市民活動サポートセンター"))
    response = node.send(client, [*entries, event])
    assert response.status_code == 200, response.content
    return node


def test_coordinator_sees_federation_directory_and_calendar(people, shared, client):
    client.force_login(people[1])
    page = client.get("/").content.decode()
    assert "chigasaki" in page and "chigasakiセンター" in page
    assert "ノードを登録" not in page  # a coordinator does not manage the federation
    page = client.get("/directory/", {"q": "ﾈｺ ｷｬｯﾂ"}).content.decode()
    assert "チガサキ・キャッツ" not in page  # 「ネコ」 is not in the name: both words must match
    page = client.get("/directory/", {"q": "ちがさき"}).content.decode()
    assert "チガサキ・キャッツ" in page and "子ども食堂ひまわり" not in page
    page = client.get("/directory/", {"field": "13"}).content.decode()
    assert "子ども食堂ひまわり" in page and "チガサキ・キャッツ" not in page
    page = client.get("/calendar/", {"month": "2026-12"}).content.decode()
    assert "分野別発表会" in page and "2026年12月5日（令和8年12月5日）" in page
    assert "分野別発表会" not in client.get("/calendar/", {"month": "2027-01"}).content.decode()


def test_the_directory_finds_a_kanji_word_typed_in_kana(people, shared, client):
    assert shared.send(client, [shared.group("地域猫の会", fields=[7])]).status_code == 200
    client.force_login(people[1])
    for typed in ("ねこ", "ネコ", "ﾈｺ", "猫"):  # Sudachi reads ねこ as the word 猫
        page = client.get("/directory/", {"q": typed}).content.decode()
        assert "地域猫の会" in page and "子ども食堂ひまわり" not in page, typed
    assert "地域猫の会" not in client.get("/directory/", {"q": "ねこ 食堂"}).content.decode()


def test_people_without_a_hub_role_get_nothing(people, shared, client):
    assert client.get("/").status_code == 302  # to the login page
    client.force_login(people[2])
    for url in ("/", "/directory/", "/calendar/", "/nodes/chigasaki/", "/nodes/enroll/"):
        assert client.get(url).status_code == 403, url
    client.force_login(people[1])
    assert client.get("/nodes/enroll/").status_code == 403
    assert client.post("/nodes/chigasaki/status/", {"status": "suspended"}).status_code == 403


def test_admin_enrolls_a_node_and_sees_japanese_errors(people, client):
    client.force_login(people[0])
    response = client.post("/nodes/enroll/", {"name": "にしく", "municipality_code": "141039", "public_key": "xyz"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "全国地方公共団体コードの検査数字が一致しません。" in page
    assert not Node.objects.exists()
    public = base64.b64encode(new_key_pair()[1]).decode()
    response = client.post("/nodes/enroll/", {"name": "にしく市民活動支援センター", "slug": "nishiku",
                                              "municipality_code": "141038", "public_key": public})
    assert response.status_code == 302
    node = Node.objects.get(slug="nishiku")
    assert node.keys.get().slot == 1
    page = client.get("/nodes/nishiku/").content.decode()
    assert node.keys.get().fingerprint in page


def test_admin_sends_a_notice_into_the_feed(people, shared, client):
    client.force_login(people[0])
    response = client.post("/notices/new/", {"title": "みんかな会議", "body": "12月の会議のお知らせ"})
    assert response.status_code == 302
    entries = shared.get(client, "/sync/v1/feed?after=0").json()["entries"]
    assert [e["payload"]["title"] for e in entries] == ["みんかな会議"]
