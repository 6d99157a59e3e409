"""Sync after a restore from an older backup, on the node: a hub beyond what the node published is
answered by re-announcing the node's state (no gap loop, the hub converging to the node's truth
even where it holds higher versions); a hub behind the node is sent again what it lost; a hub whose
feed went back is pulled again from where it continues."""

from __future__ import annotations

import gzip
import json
import threading
import uuid

import httpx
import pytest
from django.db import connection, transaction

from nodes import services
from nodes.publishing import publish_aggregates
from sync import client as sync_client
from sync.client import HubClient, digest_of, local_digest, pull, push
from sync.keys import _pair
from sync.models import FeedItem, OutboxEntry, SyncState
from sync.outbox import payload_digest
from sync.signing import new_key_pair
from sync.wire import restore as wire_restore

from .. import factories as f

# transaction=True: the relay numbers only entries of committed transactions (sync.relay).
pytestmark = pytest.mark.django_db(transaction=True)


class RestorableHub:
    """A hub in memory with the receiver's rules that matter here: gap refusal, only newer versions,
    tombstones; the listing of what it holds; a feed with an epoch. Tests move it back and forth."""

    def __init__(self):
        self.applied = 0
        self.copies: dict[tuple[str, str], tuple[int, dict]] = {}
        self.tombs: dict[tuple[str, str], int] = {}
        self.feed: list[dict] = []
        self.epoch, self.epoch_after = "", 0
        self.gaps = 0

    def __call__(self, request: httpx.Request) -> httpx.Response:
        path = request.url.path
        if path.endswith("/checkpoint"):
            return httpx.Response(200, json={"last_applied_seq": self.applied})
        if path.endswith("/digest"):
            asked = json.loads(request.content or b"{}")
            answer = {"digest": self.digest(), "last_applied_seq": self.applied}
            if asked.get(wire_restore.LIST):
                held, buried = {}, {}
                for (t, u), (v, payload) in self.copies.items():
                    held.setdefault(t, []).append([u, v, payload["center"], payload.get("status")])
                for (t, u), v in self.tombs.items():
                    buried.setdefault(t, []).append([u, v])
                answer.update({wire_restore.HELD: held, wire_restore.BURIED: buried})
            return httpx.Response(200, json=answer)
        if path.endswith("/feed"):
            after = int(request.url.params["after"])
            return httpx.Response(200, json={
                "entries": [e for e in self.feed if e["seq"] > after],
                wire_restore.FEED_HEAD: self.feed[-1]["seq"] if self.feed else 0,
                wire_restore.FEED_EPOCH: self.epoch, wire_restore.FEED_EPOCH_AFTER: self.epoch_after})
        entries = json.loads(gzip.decompress(request.content))["entries"]
        if entries[0]["seq"] > self.applied + 1:
            self.gaps += 1
            return httpx.Response(409, json={"error": {"code": "gap", "message": "gap"}})
        for entry in entries:
            if entry["seq"] <= self.applied:
                continue
            assert payload_digest(entry["payload"]) == entry["sha256"]
            key, version = (entry["type"], entry["uuid"]), entry["version"]
            held = self.copies.get(key, (-1, None))[0]
            if entry["op"] == "upsert":
                if version > held and version > self.tombs.get(key, -1):
                    self.copies[key] = (version, entry["payload"])
                    self.tombs.pop(key, None)
            else:
                if held <= version:
                    self.copies.pop(key, None)
                self.tombs[key] = max(self.tombs.get(key, -1), version)
            self.applied = entry["seq"]
        return httpx.Response(200, json={"last_applied_seq": self.applied})

    def digest(self) -> dict:
        return digest_of((t, u, v) for (t, u), (v, _payload) in self.copies.items())

    def names(self) -> set[str]:
        return {payload["name"] for (t, _u), (_v, payload) in self.copies.items() if t == "directory_group"}


@pytest.fixture
def world():
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, "center_staff")
    hub = RestorableHub()
    client = HubClient("http://hub.test", key=_pair(new_key_pair()[0]), transport=httpx.MockTransport(hub))
    return center, staff, hub, client


def _listed(staff, center, name):
    return f.group(staff, center, name, consents=["hub_listing"])


def test_a_node_behind_its_hub_reannounces_and_the_hub_converges_to_it(world):
    center, staff, hub, client = world
    kept, edited, deleted = (_listed(staff, center, n) for n in ("残る会", "編集された会", "消された会"))
    f.group(staff, center, "非公開の会")
    publish_aggregates()  # counts per center: a type with no record of its own
    push(client=client)
    published = SyncState.objects.get().last_published_seq
    assert hub.applied == published and hub.names() == {"残る会", "編集された会", "消された会"}

    # What the lost changes after the backup did on the hub: an edit (a higher version than the node
    # now has), a group the node never had, a deletion of a group the node still has, and 40 seqs.
    key = ("directory_group", str(edited.uuid))
    hub.copies[key] = (edited.version + 3, {**hub.copies[key][1], "name": "失われた名前"})
    lost = ("directory_group", str(uuid.uuid4()))
    hub.copies[lost] = (1, {"center": str(center.uuid), "name": "失われた会"})
    gone = ("directory_group", str(deleted.uuid))
    hub.tombs[gone] = hub.copies.pop(gone)[0] + 1
    hub.applied = published + 40
    # And a change on the restored node before it syncs.
    services.group_update(acting_user=staff, group=kept, name="復元後に直した会")

    result = push(client=client)
    assert result.reannounced is not None and result.reannounced.purges == 1 and not result.reannounced.held_back
    assert hub.gaps == 0
    assert hub.names() == {"復元後に直した会", "編集された会", "消された会"}
    state = SyncState.objects.get()
    assert state.last_acked_seq == state.last_published_seq == hub.applied > published + 40
    assert local_digest(state.last_acked_seq) == hub.digest()
    assert any(t == "aggregate_counts" for t, _u in hub.copies)
    edited.refresh_from_db()
    assert edited.version == hub.copies[key][0]  # raised: its next edit is newer than the hub's copy
    services.group_update(acting_user=staff, group=edited, name="その後の編集")
    again = push(client=client)
    assert again.reannounced is None and "その後の編集" in hub.names()
    assert local_digest(SyncState.objects.get().last_acked_seq) == hub.digest()


def test_a_change_still_open_during_the_reannouncement_is_announced_as_committed(world):
    center, staff, hub, client = world
    group = _listed(staff, center, "競合の会")
    push(client=client)
    key = ("directory_group", str(group.uuid))
    hub.copies[key] = (group.version + 1, {**hub.copies[key][1], "name": "失われた名前"})  # a lost edit
    hub.applied += 5
    editing, release = threading.Event(), threading.Event()

    def rename():
        try:
            with transaction.atomic():
                services.group_update(acting_user=staff, group=group, name="同時に直した会")
                editing.set()
                release.wait(10)
        finally:
            connection.close()

    thread = threading.Thread(target=rename)
    thread.start()
    assert editing.wait(10)
    threading.Timer(0.5, release.set).start()  # commits while the re-announcement waits for the row
    push(client=client)
    thread.join()
    push(client=client)
    assert hub.names() == {"同時に直した会"}
    assert local_digest(SyncState.objects.get().last_acked_seq) == hub.digest()


def test_a_retraction_goes_to_the_hub_for_a_record_no_longer_shared(world):
    center, staff, hub, client = world
    group = _listed(staff, center, "撤回の会")
    push(client=client)
    # After the backup the hub got nothing of this group's withdrawal; the restored node withdraws now.
    services.group_set_consent(acting_user=staff, group=group, consent="hub_listing", given=False)
    OutboxEntry.objects.filter(publish_seq__isnull=True).delete()  # as if lost with the backup's future
    hub.applied += 3
    push(client=client)
    assert hub.names() == set() and hub.tombs[("directory_group", str(group.uuid))] >= 1
    assert local_digest(SyncState.objects.get().last_acked_seq) == hub.digest()


def test_a_hub_restored_behind_the_node_gets_everything_again(world):
    center, staff, hub, client = world
    for n in range(5):
        _listed(staff, center, f"会{n}")
    push(client=client)
    acked = SyncState.objects.get().last_acked_seq
    hub.copies.clear()
    hub.applied = 0  # the hub's backup predates all of it
    push(client=client)
    assert hub.applied == acked and hub.names() == {f"会{n}" for n in range(5)}
    assert local_digest(acked) == hub.digest()


def _notice(seq: int, title: str) -> dict:
    return {"seq": seq, "kind": "notice", "payload": {"title": title}, "published_at": "2026-12-01T09:00:00+09:00"}


def test_a_feed_that_went_back_is_pulled_again_from_where_it_continues(world):
    _center, _staff, hub, client = world
    hub.feed = [_notice(n, f"お知らせ{n}") for n in (1, 2, 3, 4)]
    assert pull(client=client) == 4
    # The hub restored from a backup taken after entry 2; it numbers a new entry 3.
    hub.feed = [_notice(1, "お知らせ1"), _notice(2, "お知らせ2"), _notice(3, "復元後のお知らせ")]
    hub.epoch, hub.epoch_after = "e1", 2
    assert pull(client=client) == 1
    assert dict(FeedItem.objects.values_list("seq", "payload__title")) == {
        1: "お知らせ1", 2: "お知らせ2", 3: "復元後のお知らせ"}
    state = SyncState.objects.get()
    assert (state.feed_cursor, state.feed_epoch) == (3, "e1")
    assert pull(client=client) == 0


def test_a_feed_restored_by_hand_is_noticed_by_its_head(world):
    _center, _staff, hub, client = world
    hub.feed = [_notice(n, f"お知らせ{n}") for n in (1, 2, 3)]
    pull(client=client)
    hub.feed = hub.feed[:1]  # no new epoch: only the head tells
    assert pull(client=client) == 0
    assert list(FeedItem.objects.values_list("seq", flat=True)) == [1]
    hub.feed.append(_notice(2, "新しい2"))
    assert pull(client=client) == 1 and FeedItem.objects.get(seq=2).payload["title"] == "新しい2"


def test_an_unusable_listing_is_a_clear_error(world, monkeypatch):
    center, staff, hub, client = world
    _listed(staff, center, "会")
    push(client=client)
    hub.applied += 5
    monkeypatch.setattr(RestorableHub, "digest", lambda self: {})
    original = hub.__call__

    def no_listing(request):
        if request.url.path.endswith("/digest"):
            return httpx.Response(200, json={"digest": {}, "last_applied_seq": hub.applied})
        return original(request)

    client = HubClient("http://hub.test", key=_pair(new_key_pair()[0]), transport=httpx.MockTransport(no_listing))
    with pytest.raises(sync_client.SyncError) as raised:
        push(client=client)
    assert raised.value.code == "hub_listing_invalid" and not raised.value.retry
