"""The hub's half of sync after a restore: it lists what it holds of a node (for a node restored from
an older backup to re-announce against), and a restored hub starts a new feed epoch."""

from __future__ import annotations

import json

from hub.services import feed
from sync.outbox import canonical_json
from sync.wire import restore as wire_restore

from .test_receiver import FakeNode, chigasaki, odawara  # noqa: F401  (fixtures)


def _digest(node: FakeNode, client, body: dict | None):
    return node.post(client, "/sync/v1/digest", canonical_json(body) if body is not None else b"", gzip_it=False)


def test_the_digest_lists_copies_and_tombstones_only_when_asked(chigasaki, odawara, client):  # noqa: F811
    profile, kept, gone = chigasaki.profile(), chigasaki.group("残る会"), chigasaki.group("消える会")
    assert chigasaki.send(client, [profile, kept, gone]).status_code == 200
    retract = chigasaki.entry("directory_group", {"center": str(chigasaki.center)}, op="retract", version=2,
                              entity_uuid=gone["uuid"])
    assert chigasaki.send(client, [retract]).status_code == 200
    odawara.send(client, [odawara.profile(), odawara.group("小田原の会")])

    plain = _digest(chigasaki, client, {"up_to_seq": 4, "digest": {}}).json()
    assert set(plain) == {"digest", "last_applied_seq"}
    listed = _digest(chigasaki, client, {"up_to_seq": 0, "digest": {}, wire_restore.LIST: True}).json()
    center = str(chigasaki.center)
    assert listed[wire_restore.HELD] == {"node_profile": [[center, 1, center, None]],
                                         "directory_group": [[kept["uuid"], 1, center, None]]}
    assert listed[wire_restore.BURIED] == {"directory_group": [[gone["uuid"], 2]]}
    assert listed["last_applied_seq"] == 4


def test_a_bad_digest_request_is_a_400_with_a_code(chigasaki, client):  # noqa: F811
    for body in (b"[1]", canonical_json({wire_restore.LIST: "yes"}), b"{not json"):
        response = chigasaki.post(client, "/sync/v1/digest", body, gzip_it=False)
        assert response.status_code == 400, response.content
        assert json.loads(response.content)["error"]["code"] in ("body_invalid", "body_unreadable")
    assert _digest(chigasaki, client, None).status_code == 200  # no body: the plain digest


def test_a_restored_hub_starts_a_feed_epoch_after_its_head(chigasaki, client):  # noqa: F811
    answer = chigasaki.get(client, "/sync/v1/feed?after=0").json()
    assert (answer[wire_restore.FEED_HEAD], answer[wire_restore.FEED_EPOCH], answer[wire_restore.FEED_EPOCH_AFTER]) \
        == (0, "", 0)
    feed.feed_publish(acting_user=None, kind="notice", payload={"title": "一"})
    feed.feed_publish(acting_user=None, kind="notice", payload={"title": "二"})
    counter = feed.feed_epoch_start(acting_user=None)
    answer = chigasaki.get(client, "/sync/v1/feed?after=5").json()
    assert answer["entries"] == [] and answer[wire_restore.FEED_HEAD] == 2
    assert (answer[wire_restore.FEED_EPOCH], answer[wire_restore.FEED_EPOCH_AFTER]) == (counter.epoch, 2)
    assert len(counter.epoch) == 32
