"""The hub's side of issue 17 items 1 and 2: a relation holds once both centers declared it, and reaches
both nodes only; the backed centers' figures go to the backing node only; a referral reaches the
receiving node only, moves forward only, and only the receiving node moves it; bad input changes
nothing and says why in a machine-readable code."""

from __future__ import annotations

import uuid

import pytest

from hub.models import CenterRelation, FeedEntry, Referral
from sync.outbox import canonical_json
from sync.wire import referrals as wire

from .test_receiver import FakeNode


@pytest.fixture
def yokohama(db, client):
    node = FakeNode("yokohama", "141003")
    assert node.send(client, [node.profile()]).status_code == 200
    return node


@pytest.fixture
def nishiku(db, client):
    node = FakeNode("nishiku", "141038")
    assert node.send(client, [node.profile()]).status_code == 200
    return node


@pytest.fixture
def chigasaki(db, client):
    node = FakeNode("chigasaki", "142077")
    assert node.send(client, [node.profile()]).status_code == 200
    return node


def post(node: FakeNode, client, path: str, payload):
    return node.post(client, path, canonical_json(payload), gzip_it=False)


def declare(client, node: FakeNode, other: FakeNode, role: str):
    return post(node, client, "/sync/v1/relations", {"center": str(node.center), "other_center": str(other.center),
                                                      "role": role})


def feed(node: FakeNode, kind: str) -> list[dict]:
    return [e.payload for e in FeedEntry.objects.filter(node=node.node, kind=kind).order_by("seq")]


def refer(client, asker: FakeNode, to: FakeNode, **extra):
    return post(asker, client, "/sync/v1/referrals", {
        "uuid": str(extra.pop("uuid", uuid.uuid4())), "center": str(asker.center), "to_center": str(to.center),
        "kind": "joint", "summary": "子ども食堂の立ち上げの相談。", "question": "同席をお願いできますか。", **extra})


def test_a_relation_holds_once_both_centers_declared_it_and_reaches_both_nodes_only(client, yokohama, nishiku,
                                                                                   chigasaki):
    first = declare(client, yokohama, nishiku, "backs")
    assert first.status_code == 201 and first.json()["confirmed_at"] is None
    assert first.json()["backing_declared"] and not first.json()["backed_declared"]
    assert declare(client, yokohama, nishiku, "backs").status_code == 200  # again: nothing new
    assert len(feed(nishiku, wire.RELATION_KIND)) == 1
    second = declare(client, nishiku, yokohama, "backed_by")
    assert second.status_code == 201 and second.json()["confirmed_at"]
    relation = CenterRelation.objects.get()
    assert (relation.backing_node, relation.backed_node) == (yokohama.node, nishiku.node)
    assert [p["confirmed_at"] is not None for p in feed(yokohama, wire.RELATION_KIND)] == [False, True]
    assert feed(chigasaki, wire.RELATION_KIND) == []
    assert {c["name"]: c["backs_us"] for c in nishiku.get(client, "/sync/v1/centers").json()["centers"]} == {
        "yokohamaセンター": True, "chigasakiセンター": False}


def test_the_backed_centers_figures_go_to_the_backing_node_only(client, yokohama, nishiku, chigasaki):
    nishiku.send(client, [nishiku.entry("aggregate_counts", {"center": str(nishiku.center),
                                                              "data": {"groups_total": 12}})])
    declare(client, yokohama, nishiku, "backs")
    assert yokohama.get(client, "/sync/v1/relations/figures").json() == {"centers": []}  # not yet confirmed
    declare(client, nishiku, yokohama, "backed_by")
    (row,) = yokohama.get(client, "/sync/v1/relations/figures").json()["centers"]
    assert row["backed_center"] == str(nishiku.center) and row["data"] == {"groups_total": 12}
    assert nishiku.get(client, "/sync/v1/relations/figures").json() == {"centers": []}
    assert chigasaki.get(client, "/sync/v1/relations/figures").json() == {"centers": []}


@pytest.mark.parametrize(("payload", "status", "code"), [
    ({"role": "owns"}, 422, "payload_invalid"),
    ({"other_center": "not-a-uuid"}, 422, "payload_invalid"),
    ({"other_center": str(uuid.uuid4())}, 404, "center_not_found"),
    ({"extra": 1}, 422, "payload_invalid"),
])
def test_a_bad_declaration_is_refused_and_writes_nothing(client, yokohama, nishiku, payload, status, code):
    body = {"center": str(yokohama.center), "other_center": str(nishiku.center), "role": "backs", **payload}
    response = post(yokohama, client, "/sync/v1/relations", body)
    assert (response.status_code, response.json()["error"]["code"]) == (status, code)
    assert not CenterRelation.objects.exists() and not FeedEntry.objects.filter(kind=wire.RELATION_KIND).exists()


def test_a_node_declares_only_for_its_own_centers(client, yokohama, nishiku, chigasaki):
    response = post(chigasaki, client, "/sync/v1/relations", {
        "center": str(yokohama.center), "other_center": str(nishiku.center), "role": "backs"})
    assert (response.status_code, response.json()["error"]["code"]) == (403, "outside_partition")
    assert not CenterRelation.objects.exists()


def test_a_referral_reaches_the_receiving_node_only_and_moves_forward_only(client, yokohama, nishiku, chigasaki):
    response = refer(client, nishiku, yokohama)
    assert response.status_code == 201 and response.json()["to_center_name"] == "yokohamaセンター"
    referral_uuid = response.json()["uuid"]
    (sent,) = feed(yokohama, wire.REQUEST_KIND)
    assert set(sent) == wire.REQUEST_FEED_KEYS and sent["from_center_name"] == "nishikuセンター"
    assert feed(nishiku, wire.REQUEST_KIND) == feed(chigasaki, wire.REQUEST_KIND) == []

    path = f"/sync/v1/referrals/{referral_uuid}/status"
    # Only the receiving node moves it; to the others it does not exist.
    for stranger in (nishiku, chigasaki):
        refused = post(stranger, client, path, {"status": "answered", "message": "x", "joint_on": None})
        assert (refused.status_code, refused.json()["error"]["code"]) == (404, "not_found")
    missing_date = post(yokohama, client, path, {"status": "joining", "message": "", "joint_on": None})
    assert (missing_date.status_code, missing_date.json()["error"]["code"]) == (422, "payload_invalid")
    assert post(yokohama, client, path, {"status": "accepted", "message": "", "joint_on": None}).status_code == 200
    joined = post(yokohama, client, path, {"status": "joining", "message": "伺います。", "joint_on": "2027-01-15"})
    assert joined.json()["status"] == "joining"
    back = post(yokohama, client, path, {"status": "accepted", "message": "", "joint_on": None})
    assert (back.status_code, back.json()["error"]["code"]) == (409, "status_backwards")
    sideways = post(yokohama, client, path, {"status": "declined", "message": "x", "joint_on": None})
    assert sideways.json()["error"]["code"] == "status_backwards"
    referral = Referral.objects.get()
    assert (referral.status, str(referral.joint_on), referral.answer_message) == ("joining", "2027-01-15", "伺います。")
    assert [p["status"] for p in feed(nishiku, wire.STATUS_KIND)] == ["accepted", "joining"]
    assert feed(chigasaki, wire.STATUS_KIND) == []


def test_a_referral_is_idempotent_by_uuid_and_refused_to_its_own_node(client, yokohama, nishiku):
    referral_uuid = uuid.uuid4()
    assert refer(client, nishiku, yokohama, uuid=referral_uuid).status_code == 201
    assert refer(client, nishiku, yokohama, uuid=referral_uuid).status_code == 200
    assert len(feed(yokohama, wire.REQUEST_KIND)) == 1
    own = refer(client, nishiku, nishiku)
    assert own.json()["error"]["code"] == "own_center"
    empty = refer(client, nishiku, yokohama, question=" ")
    assert empty.json()["error"]["code"] == "payload_invalid"
    assert Referral.objects.count() == 1
