"""The hub's side of issue 17 item 5: intermediate support networks listed with counts only — the
listing checked against its contract, retracted with its group's consent, and shown to coordinators
by center and field with totals (page and JSON); nothing that could hold a member's name."""

from __future__ import annotations

import uuid

import pytest
from django.contrib.auth import get_user_model
from django.test import Client

from hub.models import SharedNetwork, Tombstone
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create
from tests.browser.chromium import screenshot

from . import payloads
from .test_receiver import FakeNode


@pytest.fixture
def people(db):
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    users = get_user_model().objects
    coordinator = users.create_user("coordinator", password="x" * 12)
    outsider = users.create_user("outsider", password="x" * 12)
    membership_grant(acting_user=None, user=coordinator, organization=prefecture, role=Role.COORDINATOR)
    return coordinator, outsider


@pytest.fixture
def kawasaki(db):
    return FakeNode("kawasaki", "141305")


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


def send_network(client, node: FakeNode, *, entity_uuid=None, version: int = 1, **extra):
    entity_uuid = entity_uuid or uuid.uuid4()
    response = node.send(client, [node.profile(), node.entry("network_listing", payloads.network(node.center, **extra),
                                                             entity_uuid=entity_uuid, version=version)])
    return response, entity_uuid


def test_a_listing_is_kept_with_its_counts_and_total(kawasaki, client):
    response, entity_uuid = send_network(client, kawasaki)
    assert response.status_code == 200, response.content
    network = SharedNetwork.objects.get(entity_uuid=entity_uuid)
    assert (network.name, network.field_codes, network.field_index, network.members, network.individuals,
            network.total) == ("かわさき福祉ネットワーク", [1, 2], ",1,2,", {"npo": 20, "voluntary": 10, "company": 2},
                               4, 36)


@pytest.mark.parametrize(("extra", "field"), [
    ({"member_names": ["湘南みらい電機株式会社"]}, "unexpected fields"),
    ({"members": {"npo": 3, "yamada_taro": 1}}, "field members"),
    ({"members": {"npo": -1}}, "field members"),
    ({"members": {"npo": "36"}}, "field members"),
    ({"members": {"npo": True}}, "field members"),
    ({"members": [["npo", 3]]}, "field members"),
    ({"individuals": -4}, "field individuals"),
    ({"individuals": None}, "field individuals"),
    ({"name": ""}, "field name"),
    ({"fields": [21]}, "field fields"),
])
def test_a_listing_outside_its_contract_refuses_the_batch(kawasaki, client, extra, field):
    response, _uuid = send_network(client, kawasaki, **extra)
    assert response.status_code == 422
    error = response.json()["error"]
    assert error["code"] == "payload_invalid" and field in error["message"]
    assert not SharedNetwork.objects.exists()


def test_a_retraction_removes_the_listing_and_an_older_upsert_cannot_bring_it_back(kawasaki, client):
    _response, entity_uuid = send_network(client, kawasaki)
    response = kawasaki.send(client, [kawasaki.entry("network_listing", payloads.removal(kawasaki.center), op="retract",
                                                     entity_uuid=entity_uuid, version=2)])
    assert response.status_code == 200, response.content
    assert not SharedNetwork.objects.exists()
    assert Tombstone.objects.filter(entity_uuid=entity_uuid, entity_type="network_listing").exists()
    send_network(client, kawasaki, entity_uuid=entity_uuid, version=1)
    assert not SharedNetwork.objects.exists()


def test_a_node_lists_only_networks_of_its_own_centers(kawasaki, chigasaki, client):
    kawasaki.send(client, [kawasaki.profile()])
    payload = payloads.network(kawasaki.center)  # kawasaki's center, sent by chigasaki
    response = chigasaki.send(client, [chigasaki.profile(), chigasaki.entry("network_listing", payload)])
    assert response.status_code == 403
    assert not SharedNetwork.objects.exists()


def test_no_column_of_the_copy_could_hold_a_members_name():
    text_columns = {f.name for f in SharedNetwork._meta.concrete_fields
                    if f.get_internal_type() in ("CharField", "TextField")}
    assert text_columns == {"name", "field_index", "search_text"}  # the network's own name, codes, its search key
    assert SharedNetwork._meta.get_field("members").get_internal_type() == "JSONField"  # {kind: count}, checked


def test_coordinators_see_networks_by_center_and_field_with_totals(people, kawasaki, chigasaki, client):
    send_network(client, kawasaki)
    send_network(client, kawasaki, name="かわさき環境ネットワーク", fields=[7], members={"npo": 30, "company": 14},
                 individuals=8)
    send_network(client, chigasaki, name="ちがさき子育てネットワーク", fields=[13], members={"voluntary": 36},
                 individuals=0)
    client.force_login(people[0])
    page = client.get("/networks/").content.decode()
    assert "kawasakiセンター" in page and "chigasakiセンター" in page
    assert "かわさき環境ネットワーク" in page and "<strong>52</strong>" in page  # 30 + 14 + 8
    assert "<strong>88</strong>" in page  # kawasaki's two networks: 36 + 52
    assert "<strong>124</strong>" in page  # every network
    page = client.get("/networks/", {"field": "7"}).content.decode()
    assert "かわさき環境ネットワーク" in page and "かわさき福祉ネットワーク" not in page
    page = client.get("/networks/", {"center": str(chigasaki.center)}).content.decode()
    assert "ちがさき子育てネットワーク" in page and "かわさき福祉ネットワーク" not in page
    assert "該当するネットワークはありません" in client.get("/networks/", {"center": "not-a-uuid"}).content.decode()
    document = client.get("/networks.json").json()
    assert document["count"] == 3 and document["totals"]["total"] == 124
    kawasaki_entry = next(c for c in document["centers"] if c["center"]["name"] == "kawasakiセンター")
    assert {n["name"]: n["total"] for n in kawasaki_entry["networks"]} == {
        "かわさき福祉ネットワーク": 36, "かわさき環境ネットワーク": 52}
    assert kawasaki_entry["totals"]["total"] == 88
    assert next(n for n in kawasaki_entry["networks"] if n["total"] == 36)["members"] == {"npo": 20, "voluntary": 10, "company": 2, "neighborhood": 0,
                                                        "school": 0, "social_welfare_council": 0, "government": 0,
                                                        "other": 0, "individual": 4}


def test_people_without_a_hub_role_get_no_network_listing(people, kawasaki, client):
    send_network(client, kawasaki)
    assert client.get("/networks/").status_code == 302
    client.force_login(people[1])
    assert client.get("/networks/").status_code == 403
    assert client.get("/networks.json").status_code == 403


@pytest.mark.browser
@pytest.mark.parametrize("width", [390, 1280])
def test_the_network_page_fits_a_phone_and_a_desktop(live_server, browser, people, kawasaki, chigasaki, width,
                                                     settings):
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    coordinator = people[0]
    coordinator.set_password("x" * 12)
    coordinator.save()
    client = Client()
    send_network(client, kawasaki, name="かわさきコンパクト", fields=[7, 11, 16, 19],
                 members={"npo": 7, "voluntary": 12, "company": 17})
    send_network(client, kawasaki, name="生田緑地マネジメント会議", fields=[3, 4, 7],
                 members={"npo": 4, "voluntary": 14, "school": 6, "neighborhood": 6, "company": 3, "other": 3,
                          "government": 16})
    send_network(client, chigasaki, name="ちがさき子育てネットワーク", fields=[13], members={"voluntary": 20}, individuals=5)
    context = browser.new_context(viewport={"width": width, "height": 900}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    try:
        page.goto(f"{live_server.url}/login/")
        page.fill("#id_username", "coordinator")
        page.fill("#id_password", "x" * 12)
        page.click("button[type=submit]")
        page.wait_for_url(f"{live_server.url}/")
        page.goto(f"{live_server.url}/networks/")
        text = page.locator("main").inner_text()
        assert "かわさきコンパクト" in text and "生田緑地マネジメント会議" in text and "全体の会員数: 121" in text
        # Wide tables scroll inside their frame; the page itself does not scroll sideways.
        assert page.evaluate("document.documentElement.scrollWidth") <= width
        screenshot(page, f"hub-networks-{width}")
    finally:
        context.close()
