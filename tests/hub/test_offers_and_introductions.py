"""The hub's side of item 5: listed offers (validation, partitions, retraction with the group),
other centers' offers for a node's staff, and introduction requests answered once by the owner."""

from __future__ import annotations

import json
import uuid
from urllib.parse import urlencode

import pytest

from hub.models import FeedEntry, IntroductionRequest, SharedOffer, Tombstone
from permissions.models import AuditEvent
from sync.outbox import canonical_json

from . import payloads
from .test_receiver import FakeNode


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


@pytest.fixture
def odawara(db):
    return FakeNode("odawara", "142069")


def offer_payload(node: FakeNode, group_uuid, **extra) -> dict:
    return payloads.offer(node.center, group_uuid, **extra)


def listed(client, node: FakeNode, *, offer_uuid=None, **extra):
    """A profile, a consented group and one of its offers, sent by `node`; returns (group uuid, offer uuid)."""
    group_uuid, offer_uuid = uuid.uuid4(), offer_uuid or uuid.uuid4()
    group = payloads.group(node.center)
    response = node.send(client, [node.profile(), node.entry("directory_group", group, entity_uuid=group_uuid),
                                  node.entry("directory_offer", offer_payload(node, group_uuid, **extra),
                                             entity_uuid=offer_uuid)])
    assert response.status_code == 200, response.content
    return group_uuid, offer_uuid


def post_json(node: FakeNode, client, path: str, payload: dict):
    return node.post(client, path, canonical_json(payload), gzip_it=False)


def ask(client, asker: FakeNode, offer_uuid, **extra):
    return post_json(asker, client, "/sync/v1/introductions", payloads.introduction_request(
        asker.center, offer_uuid, uuid=str(extra.pop("uuid", uuid.uuid4())), **extra))


# --- listed offers -----------------------------------------------------------------------------------


def test_an_offer_of_a_listed_group_is_stored_with_its_search_text(chigasaki, client):
    _group, offer_uuid = listed(client, chigasaki)
    offer = SharedOffer.objects.get(entity_uuid=offer_uuid)
    assert (offer.title, offer.field_codes, offer.field_index, offer.months, offer.cost_conditions) == (
        "譲渡会の開催", [7], ",7,", [5, 10], ["transport"])
    assert "譲渡会" in offer.search_text


@pytest.mark.parametrize(("extra", "field"), [
    ({"contact_phone": "0467-00-0000"}, "unexpected fields"),
    ({"months": [13]}, "field months"),
    ({"cost_conditions": ["beer"]}, "field cost_conditions"),
    ({"group": "not-a-uuid"}, "field group"),
    ({"title": ""}, "field title"),
    ({"fields": [0]}, "field fields"),
    ({"months": [True]}, "field months"),
])
def test_an_offer_outside_the_schema_refuses_the_batch(chigasaki, client, extra, field):
    chigasaki.send(client, [chigasaki.profile()])
    payload = offer_payload(chigasaki, uuid.uuid4(), **extra)
    response = chigasaki.send(client, [chigasaki.entry("directory_offer", payload)])
    assert response.status_code == 422
    assert response.json()["error"]["code"] == "payload_invalid" and field in response.json()["error"]["message"]
    assert not SharedOffer.objects.exists()


def test_an_offer_missing_a_key_is_refused(chigasaki, client):
    chigasaki.send(client, [chigasaki.profile()])
    payload = offer_payload(chigasaki, uuid.uuid4())
    del payload["capacity"]
    response = chigasaki.send(client, [chigasaki.entry("directory_offer", payload)])
    assert response.status_code == 422 and "field capacity" in response.json()["error"]["message"]


def test_an_offer_of_another_nodes_center_is_outside_the_partition(chigasaki, odawara, client):
    odawara.send(client, [odawara.profile()])
    chigasaki.send(client, [chigasaki.profile()])
    payload = offer_payload(chigasaki, uuid.uuid4(), center=str(odawara.center))
    response = chigasaki.send(client, [chigasaki.entry("directory_offer", payload)])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"


def test_offers_list_other_nodes_only_with_their_group_and_center(chigasaki, odawara, client):
    group_uuid, offer_uuid = listed(client, chigasaki)
    listed(client, odawara, title="めだかの観察会")
    response = odawara.get(client, "/sync/v1/offers")
    assert response.status_code == 200, response.content
    offers = response.json()["offers"]
    assert [o["uuid"] for o in offers] == [str(offer_uuid)]  # never the asking node's own
    assert offers[0]["group"] == {"uuid": str(group_uuid), "name": "海辺の会", "kind": "citizen_group",
                                  "legal_form": "voluntary", "fields": [7], "area": "茅ヶ崎市"}
    assert offers[0]["center"]["name"] == "chigasakiセンター"
    assert [o["title"] for o in chigasaki.get(client, "/sync/v1/offers").json()["offers"]] == ["めだかの観察会"]
    assert odawara.get(client, "/sync/v1/offers?" + urlencode({"q": "譲渡"})).json()["offers"][0]["uuid"] == str(offer_uuid)
    assert odawara.get(client, "/sync/v1/offers?" + urlencode({"q": "めだか"})).json()["offers"] == []
    assert odawara.get(client, "/sync/v1/offers?field=7").json()["offers"][0]["uuid"] == str(offer_uuid)
    assert odawara.get(client, "/sync/v1/offers?field=3").json()["offers"] == []
    assert odawara.get(client, "/sync/v1/offers?field=x").status_code == 400


def test_offers_need_a_signature(client, chigasaki):
    assert client.get("/sync/v1/offers").status_code == 401


def test_a_retracted_group_takes_its_offers_off_the_list_and_a_retract_deletes_an_offer(chigasaki, odawara, client):
    group_uuid, offer_uuid = listed(client, chigasaki)
    chigasaki.send(client, [chigasaki.entry("directory_group", payloads.removal(chigasaki.center), op="retract",
                                            version=2, entity_uuid=group_uuid)])
    assert odawara.get(client, "/sync/v1/offers").json()["offers"] == []
    chigasaki.send(client, [chigasaki.entry("directory_offer", payloads.removal(chigasaki.center), op="retract",
                                            version=2, entity_uuid=offer_uuid)])
    assert not SharedOffer.objects.exists()
    assert Tombstone.objects.get(entity_uuid=offer_uuid).entity_type == "directory_offer"


# --- introduction requests -----------------------------------------------------------------------------


def test_a_request_is_stored_and_fed_to_the_owning_node_only(chigasaki, odawara, client):
    _group, offer_uuid = listed(client, chigasaki)
    odawara.send(client, [odawara.profile()])
    request_uuid = uuid.uuid4()
    response = ask(client, odawara, offer_uuid, uuid=request_uuid)
    assert response.status_code == 201, response.content
    assert response.json()["to_center_name"] == "chigasakiセンター" and response.json()["group_name"] == "海辺の会"
    stored = IntroductionRequest.objects.get(uuid=request_uuid)
    assert (stored.from_node, stored.to_node, stored.status) == (odawara.node, chigasaki.node, "pending")
    entry = FeedEntry.objects.get(kind="introduction_request")
    assert entry.node == chigasaki.node
    assert entry.payload["to_center"] == str(chigasaki.center) and entry.payload["group_name"] == "海辺の会"
    assert [e["kind"] for e in chigasaki.get(client, "/sync/v1/feed").json()["entries"]] == ["introduction_request"]
    assert odawara.get(client, "/sync/v1/feed").json()["entries"] == []
    # Sent again (a lost answer): the same request, no second feed entry.
    assert ask(client, odawara, offer_uuid, uuid=request_uuid).status_code == 200
    assert FeedEntry.objects.filter(kind="introduction_request").count() == 1
    assert AuditEvent.objects.filter(action="hub.introduction_request").count() == 1


def test_requests_are_refused_outside_the_rules(chigasaki, odawara, client):
    _group, offer_uuid = listed(client, chigasaki)
    odawara.send(client, [odawara.profile()])
    own = ask(client, chigasaki, offer_uuid)
    assert own.status_code == 422 and own.json()["error"]["code"] == "own_offer"
    foreign = ask(client, odawara, offer_uuid, center=str(chigasaki.center))
    assert foreign.status_code == 403 and foreign.json()["error"]["code"] == "outside_partition"
    assert ask(client, odawara, uuid.uuid4()).json()["error"]["code"] == "offer_not_found"
    extra = ask(client, odawara, offer_uuid, contact="0467-00-0000")
    assert extra.status_code == 422 and extra.json()["error"]["code"] == "payload_invalid"
    empty = ask(client, odawara, offer_uuid, message=" ")
    assert empty.status_code == 422 and "message" in empty.json()["error"]["message"]
    assert not IntroductionRequest.objects.exists() and not FeedEntry.objects.exists()


def test_only_the_owning_node_answers_once_and_the_asker_hears_of_it(chigasaki, odawara, client):
    _group, offer_uuid = listed(client, chigasaki)
    odawara.send(client, [odawara.profile()])
    request_uuid = uuid.uuid4()
    ask(client, odawara, offer_uuid, uuid=request_uuid)
    path = f"/sync/v1/introductions/{request_uuid}/answer"
    by_asker = post_json(odawara, client, path, payloads.introduction_answer(status="accepted"))
    assert by_asker.status_code == 404
    bad = post_json(chigasaki, client, path, payloads.introduction_answer(status="pending"))
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "payload_invalid"
    answer = payloads.introduction_answer(status="accepted", message="代表の方にお伝えしました。")
    assert post_json(chigasaki, client, path, answer).status_code == 200
    assert post_json(chigasaki, client, path, answer).status_code == 200  # the same answer again: no change
    changed = post_json(chigasaki, client, path, payloads.introduction_answer(status="declined",
                                                                              message="やはり難しいです。"))
    assert changed.status_code == 409 and changed.json()["error"]["code"] == "already_answered"
    stored = IntroductionRequest.objects.get(uuid=request_uuid)
    assert (stored.status, stored.answer_message) == ("accepted", "代表の方にお伝えしました。")
    answers = FeedEntry.objects.filter(kind="introduction_answer")
    assert answers.count() == 1 and answers.get().node == odawara.node
    entries = odawara.get(client, "/sync/v1/feed").json()["entries"]
    assert [(e["kind"], e["payload"]["status"]) for e in entries] == [("introduction_answer", "accepted")]
    assert json.dumps(entries[0]["payload"], ensure_ascii=False).count("代表の方") == 1
    assert post_json(chigasaki, client, f"/sync/v1/introductions/{uuid.uuid4()}/answer", answer).status_code == 404
