"""The push on the node: entries leave as stored (digest intact), one batch in flight, the next one
prepared meanwhile and thrown away when the hub answers another seq, entries numbered as it goes."""

from __future__ import annotations

import gzip
import json
import threading
import time

import httpx
import pytest

from sync import client as sync_client, relay
from sync.keys import _pair
from sync.models import OutboxEntry, SyncState
from sync.outbox import _write, payload_digest
from sync.signing import new_key_pair

pytestmark = pytest.mark.django_db(transaction=True)


def _fill(count: int) -> None:
    for n in range(count):
        _write("directory_group", f"00000000-0000-0000-0000-{n:012d}", "upsert", 1,
               {"center": "c", "name": f"会{n}", "fields": [n % 20 + 1], "note": "「引用」\\と\"記号\"\n改行"}, 0)


class FakeHub:
    """Answers like the hub, from memory only (the requests run in the push's sender threads, which
    must not touch the database): a batch ahead of the next seq waits a little for its predecessor
    when it is marked pipelined, and is refused as a gap otherwise or when it waits in vain."""

    def __init__(self, *, jump_after_first: int = 0, refuse_pipelined_once: bool = False, delay: float = 0.0):
        self.batches: list[list[dict]] = []  # in the order they were applied
        self.applied = 0
        self.jump_after_first = jump_after_first
        self.refuse_pipelined_once = refuse_pipelined_once
        self.delay = delay
        self.lock = threading.Lock()

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path.endswith("/checkpoint"):
            return httpx.Response(200, json={"last_applied_seq": self.applied})
        batch = json.loads(gzip.decompress(request.content))
        entries = batch["entries"]
        for _ in range(100):
            with self.lock:
                if entries[0]["seq"] <= self.applied + 1 and not (batch["pipelined"] and self.refuse_pipelined_once):
                    time.sleep(self.delay)
                    self.batches.append(entries)
                    self.applied = max(self.applied, entries[-1]["seq"])
                    if len(self.batches) == 1:
                        self.applied += self.jump_after_first
                    return httpx.Response(200, json={"last_applied_seq": self.applied})
                if not batch["pipelined"] or self.refuse_pipelined_once:
                    self.refuse_pipelined_once = False
                    return httpx.Response(409, json={"error": {"code": "gap", "message": "gap"}})
            time.sleep(0.01)
        return httpx.Response(409, json={"error": {"code": "gap", "message": "waited in vain"}})


def _client(hub: FakeHub) -> sync_client.HubClient:
    return sync_client.HubClient(base_url="http://hub.test", key=_pair(new_key_pair()[0]),
                                 transport=httpx.MockTransport(hub))


def test_wire_entries_carry_the_stored_payload_and_its_digest():
    _fill(3)
    relay.relay_all()
    wires = sync_client._next_batch(0)
    assert [seq for seq, _wire in wires] == [1, 2, 3]
    for (seq, wire), entry in zip(wires, OutboxEntry.objects.order_by("publish_seq"), strict=True):
        parsed = json.loads(wire)
        assert parsed == {"seq": seq, "type": "directory_group", "uuid": str(entry.entity_uuid), "op": "upsert",
                          "schema": 1, "version": 1, "payload": entry.payload, "sha256": entry.payload_sha256}
        assert payload_digest(parsed["payload"]) == parsed["sha256"]  # what the hub checks


def test_the_sqlite_encoding_of_an_entry_is_the_same_document():
    payload = '{"center": "c", "note": "\\"記号\\"\\n"}'
    wire = sync_client._wire_entry(7, "directory_group", "0000", "upsert", 1, 2, payload, "ab")
    assert json.loads(wire) == {"seq": 7, "type": "directory_group", "uuid": "0000", "op": "upsert", "schema": 1,
                                "version": 2, "payload": {"center": "c", "note": '"記号"\n'}, "sha256": "ab"}


def test_a_push_numbers_as_it_goes_and_sends_every_entry_once_in_order(monkeypatch):
    monkeypatch.setattr(relay, "RELAY_CHUNK", 700)
    _fill(1800)
    hub = FakeHub()
    seen = []
    result = sync_client.push(client=_client(hub), progress=lambda done, total: seen.append((done, total)))
    seqs = [entry["seq"] for batch in hub.batches for entry in batch]
    total = OutboxEntry.objects.count()  # the fill plus nothing else: no center, no profile
    assert seqs == list(range(1, total + 1))
    assert all(len(batch) <= sync_client.BATCH_MAX_ENTRIES for batch in hub.batches)
    assert result.entries == total and result.last_acked_seq == total == result.last_published_seq
    assert SyncState.objects.get().last_acked_seq == total
    assert seen[-1] == (total, total)


def test_two_batches_are_in_flight_the_second_marked_pipelined():
    _fill(1500)
    hub = FakeHub(delay=0.05)
    sync_client.push(client=_client(hub))
    seqs = [entry["seq"] for batch in hub.batches for entry in batch]
    assert seqs == list(range(1, 1501))


def test_a_pipelined_batch_refused_as_a_gap_is_sent_again():
    _fill(1500)
    hub = FakeHub(refuse_pipelined_once=True)
    result = sync_client.push(client=_client(hub))
    seqs = [entry["seq"] for batch in hub.batches for entry in batch]
    assert seqs == list(range(1, 1501)) and result.last_acked_seq == 1500


def test_batches_in_flight_are_dropped_when_the_hub_answers_another_seq():
    _fill(1200)
    hub = FakeHub(jump_after_first=100)  # as if the hub already held 100 more
    sync_client.push(client=_client(hub))
    starts = [batch[0]["seq"] for batch in hub.batches]
    assert starts[:2] == [1, 501] and 601 in starts  # the next batch is built from the answer
    assert hub.batches[-1][-1]["seq"] == OutboxEntry.objects.count()
