"""Directory entries and offers of groups that consented to 全国掲載: a prefectural hub passes up only
those (re-checked on the way), takes them back when the consent is withdrawn, and the national hub
lists them with their prefecture."""

from __future__ import annotations

import base64
import uuid

import pytest
from django.contrib.auth import get_user_model

from hub.models import DirectoryGroup, SharedOffer
from hub.services import enrollment
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create
from sync.models import OutboxEntry
from sync.signing import new_key_pair

from . import payloads
from .test_case_library import send_ok
from .test_receiver import FakeNode


class FakePrefecturalHub(FakeNode):
    """A prefectural hub's signing side at the national hub: its own key, centers of its prefecture."""

    def __init__(self, prefecture_code: str, center_code: str):
        self.private_key, self.public_key = new_key_pair()
        self.node = enrollment.prefectural_hub_enroll(acting_user=None, name=f"{prefecture_code} ハブ",
                                                      prefecture_code=prefecture_code,
                                                      public_key=base64.b64encode(self.public_key).decode())
        self.key_id = self.node.keys.get().key_id
        self.seq = 0
        self.center = uuid.uuid4()
        self.center_code = center_code

    def profile(self):
        return self.entry("node_profile", payloads.profile(self.center, name=f"{self.center_code}センター",
                                                           municipality_code=self.center_code), entity_uuid=self.center)


def _listing(node, name, *, national, group_uuid=None, **offer_overrides):
    """A group's entry and one offer of it, marked national or not, as the node sends them."""
    extra = {"national": True} if national else {}
    group_uuid = group_uuid or uuid.uuid4()
    group = node.entry("directory_group", payloads.group(node.center, name=name, **extra), entity_uuid=group_uuid)
    offer = node.entry("directory_offer", payloads.offer(node.center, group_uuid, **extra, **offer_overrides))
    return group, offer


def _sent():
    return [(t, str(u), op) for t, u, op in OutboxEntry.objects.order_by("id").values_list("entity_type", "entity_uuid",
                                                                                              "op")]


@pytest.fixture
def chigasaki(db, settings):
    settings.KYODO_PARENT_HUB_URL = "http://national.invalid"
    return FakeNode("chigasaki", "142077")


def test_only_consented_groups_and_their_offers_go_up(chigasaki, client):
    profile = chigasaki.profile()
    national_group, national_offer = _listing(chigasaki, "海辺の会", national=True)
    local_group, local_offer = _listing(chigasaki, "山の会", national=False)
    send_ok(chigasaki, client, [profile, national_group, national_offer, local_group, local_offer])
    assert _sent() == [("node_profile", str(chigasaki.center), "upsert"),
                       ("directory_group", national_group["uuid"], "upsert"),
                       ("directory_offer", national_offer["uuid"], "upsert")]
    # Both are on this hub's own directory as before.
    assert DirectoryGroup.objects.count() == 2 and SharedOffer.objects.count() == 2
    assert not any(local_group["uuid"] == u or local_offer["uuid"] == u for _t, u, _op in _sent())


def test_a_contact_left_in_a_listing_keeps_it_in_the_prefecture(chigasaki, client):
    profile = chigasaki.profile()
    group, offer = _listing(chigasaki, "海辺の会", national=True, description="申込は 0467-12-3456 まで")
    leaky_group = chigasaki.entry("directory_group", payloads.group(chigasaki.center, name="川の会", national=True,
                                                                    description="info@example.jp へ"))
    send_ok(chigasaki, client, [profile, group, offer, leaky_group])
    assert [(t, u) for t, u, _op in _sent()] == [("node_profile", str(chigasaki.center)),
                                                 ("directory_group", group["uuid"])]
    # An offer of a group held back stays too, although it is clean itself.
    clean_offer = chigasaki.entry("directory_offer", payloads.offer(chigasaki.center, leaky_group["uuid"],
                                                                    national=True))
    send_ok(chigasaki, client, [clean_offer])
    assert len(_sent()) == 2


def test_a_withdrawn_consent_retracts_the_group_and_its_offers_above(chigasaki, client):
    group_uuid = uuid.uuid4()
    profile = chigasaki.profile()
    group, offer = _listing(chigasaki, "海辺の会", national=True, group_uuid=group_uuid)
    send_ok(chigasaki, client, [profile, group, offer])
    withdrawn_group = chigasaki.entry("directory_group", payloads.group(chigasaki.center, name="海辺の会"),
                                      entity_uuid=group_uuid, version=2)
    withdrawn_offer = chigasaki.entry("directory_offer", payloads.offer(chigasaki.center, group_uuid),
                                      entity_uuid=offer["uuid"], version=2)
    send_ok(chigasaki, client, [withdrawn_group, withdrawn_offer])
    assert _sent()[-2:] == [("directory_group", str(group_uuid), "retract"),
                            ("directory_offer", offer["uuid"], "retract")]
    # Still on this hub: the consent to the prefecture's listing stands.
    assert DirectoryGroup.objects.filter(entity_uuid=group_uuid).exists()
    # A group off the hub altogether (its hub listing withdrawn): nothing more to take back above.
    send_ok(chigasaki, client, [chigasaki.entry("directory_group", payloads.removal(chigasaki.center), op="retract",
                                                entity_uuid=group_uuid, version=3)])
    assert len(_sent()) == 5


@pytest.fixture
def national_coordinator(db):
    organization = organization_create(acting_user=None, name="全国協働ネットワーク", kind=OrganizationKind.PREFECTURE,
                                       municipality_code="140007")
    user = get_user_model().objects.create_user("national-coordinator", password="x" * 12)
    membership_grant(acting_user=None, user=user, organization=organization, role=Role.COORDINATOR)
    return user


def test_the_national_directory_lists_groups_and_offers_with_their_prefecture(db, client, settings,
                                                                              national_coordinator):
    settings.KYODO_HUB_LEVEL = "national"
    kanagawa = FakePrefecturalHub("140007", "142077")
    shizuoka = FakePrefecturalHub("220001", "222119")
    for hub, name, title in ((kanagawa, "海辺の会", "譲渡会の開催"), (shizuoka, "茶畑の会", "茶摘み体験")):
        profile = hub.profile()
        send_ok(hub, client, [profile, *_listing(hub, name, national=True, title=title)])
    client.force_login(national_coordinator)
    page = client.get("/national/directory/").content.decode()
    assert "海辺の会" in page and "茶畑の会" in page and "神奈川県" in page and "静岡県" in page and "茶摘み体験" in page
    answer = client.get("/api/v1/national/directory/", {"prefecture": "22"}).json()
    assert answer["count"] == 1
    group = answer["groups"][0]
    assert (group["name"], group["prefecture"], group["prefecture_name"]) == ("茶畑の会", "22", "静岡県")
    assert [o["title"] for o in group["offers"]] == ["茶摘み体験"]
    settings.KYODO_HUB_LEVEL = "prefecture"
    assert client.get("/national/directory/").status_code == 404
