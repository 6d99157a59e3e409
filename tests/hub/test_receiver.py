"""The hub's receiver with real Ed25519 signatures: verification, replay, gaps, partitions, versions."""

from __future__ import annotations

import base64
import gzip
import os
import threading
import time
import uuid

import pytest

from hub.models import DirectoryGroup, KeyStatus, Node, NodeCenter, SharedEvent, Tombstone
from hub.services import enrollment, feed, receiver
from sync.outbox import canonical_json, payload_digest
from sync.signing import new_key_pair, sign_request

from . import payloads

HOST = "http://testserver"


class FakeNode:
    """A node's signing side: its key and a counter of published seqs."""

    def __init__(self, name: str, code: str):
        self.private_key, self.public_key = new_key_pair()
        self.node = enrollment.node_enroll(acting_user=None, name=name, slug=name, municipality_code=code,
                                         public_key=base64.b64encode(self.public_key).decode())
        self.key_id = self.node.keys.get().key_id
        self.seq = 0
        self.center = uuid.uuid4()

    def entry(self, entity_type: str, payload: dict, *, op: str = "upsert", version: int = 1, entity_uuid=None):
        self.seq += 1
        return {"seq": self.seq, "type": entity_type, "uuid": str(entity_uuid or uuid.uuid4()), "op": op, "schema": 1,
                "version": version, "payload": payload, "sha256": payload_digest(payload)}

    def profile(self):
        return self.entry("node_profile", payloads.profile(self.center, name=f"{self.node.name}センター",
                                                           municipality_code=self.node.municipality_code),
                          entity_uuid=self.center)

    def group(self, name: str, *, entity_uuid=None, **extra):
        return self.entry("directory_group", payloads.group(self.center, name=name, **extra), entity_uuid=entity_uuid)

    def post(self, client, path: str, body: bytes, *, private_key=None, key_id=None, now=None, gzip_it=True):
        raw = gzip.compress(body) if gzip_it else body
        headers = sign_request(method="POST", url=f"{HOST}{path}", body=raw, key_id=key_id or self.key_id,
                               private_key=private_key or self.private_key, now=now)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        if gzip_it:
            extra["HTTP_CONTENT_ENCODING"] = "gzip"
        return client.generic("POST", path, raw, content_type="application/json", **extra)

    def send(self, client, entries, **kwargs):
        batch = {"format": "kyodo.sync.batch/1", "published_seq": self.seq, "oldest_unsent_at": None,
                 "entries": entries}
        return self.post(client, "/sync/v1/batches", canonical_json(batch), **kwargs)

    def get(self, client, path: str):
        headers = sign_request(method="GET", url=f"{HOST}{path}", body=b"", key_id=self.key_id,
                               private_key=self.private_key)
        return client.get(path, **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


@pytest.fixture
def odawara(db):
    return FakeNode("odawara", "142069")


def test_a_signed_batch_is_applied_and_acknowledged(chigasaki, client):
    response = chigasaki.send(client, [chigasaki.profile(), chigasaki.group("海辺の会")])
    assert response.status_code == 200, response.content
    assert response.json() == {"last_applied_seq": 2, "applied": 2, "skipped": 0}
    group = DirectoryGroup.objects.get()
    assert group.name == "海辺の会" and group.center.node == chigasaki.node
    assert chigasaki.get(client, "/sync/v1/checkpoint").json()["last_applied_seq"] == 2


def test_redelivery_is_harmless(chigasaki, client):
    entries = [chigasaki.profile(), chigasaki.group("海辺の会")]
    chigasaki.send(client, entries)
    response = chigasaki.send(client, entries)
    assert response.json() == {"last_applied_seq": 2, "applied": 0, "skipped": 2}
    assert DirectoryGroup.objects.count() == 1


def test_a_gap_is_refused_and_nothing_applied(chigasaki, client):
    chigasaki.send(client, [chigasaki.profile()])
    chigasaki.seq += 1  # seq 2 lost
    response = chigasaki.send(client, [chigasaki.group("会A")])
    assert response.status_code == 409 and response.json()["error"]["code"] == "gap"
    assert not DirectoryGroup.objects.exists() and Node.objects.get().last_applied_seq == 1


def test_a_bad_entry_rejects_the_whole_batch(chigasaki, client):
    profile = chigasaki.profile()
    good = chigasaki.group("正しい会")
    bad = chigasaki.group("不正な会")
    bad["payload"]["representative_phone"] = "090-1234-5678"  # a field the hub has no place for
    bad["sha256"] = payload_digest(bad["payload"])
    response = chigasaki.send(client, [profile, good, bad])
    assert response.status_code == 422 and response.json()["error"]["code"] == "payload_invalid"
    assert response.json()["error"]["seq"] == 3
    assert not NodeCenter.objects.exists() and not DirectoryGroup.objects.exists()


def test_a_tampered_payload_digest_is_refused(chigasaki, client):
    entry = chigasaki.group("会")
    entry["payload"]["name"] = "すり替え"
    response = chigasaki.send(client, [chigasaki.profile(), entry])
    assert response.status_code == 422 and response.json()["error"]["code"] == "payload_digest_mismatch"


def test_a_node_cannot_write_into_another_nodes_partition(chigasaki, odawara, client):
    chigasaki.send(client, [chigasaki.profile(), chigasaki.group("茅ヶ崎の会")])
    profile = odawara.profile()
    intruder = odawara.entry("directory_group", payloads.group(
        chigasaki.center, name=DirectoryGroup.objects.values_list("name", flat=True).get(), fields=[], area=""))
    response = odawara.send(client, [profile, intruder])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"
    # Claiming the other node's center in a profile is refused as well.
    odawara.seq = 0
    stolen = odawara.entry("node_profile", payloads.profile(chigasaki.center, name="乗っ取り", municipality_code=""),
                           entity_uuid=chigasaki.center)
    assert odawara.send(client, [stolen]).json()["error"]["code"] == "outside_partition"
    assert NodeCenter.objects.get(center_uuid=chigasaki.center).name == "chigasakiセンター"


def test_only_newer_versions_replace_a_copy_and_tombstones_hold(chigasaki, client):
    group_uuid = uuid.uuid4()
    profile = chigasaki.profile()
    v2 = chigasaki.entry("directory_group", payloads.group(chigasaki.center, name="新しい名前", fields=[]), version=2,
                         entity_uuid=group_uuid)
    v1 = chigasaki.entry("directory_group", payloads.group(chigasaki.center, name="古い名前", fields=[]), version=1,
                         entity_uuid=group_uuid)
    assert chigasaki.send(client, [profile, v2, v1]).json()["skipped"] == 1
    assert DirectoryGroup.objects.get().name == "新しい名前"
    retract = chigasaki.entry("directory_group", payloads.removal(chigasaki.center), op="retract", version=3,
                              entity_uuid=group_uuid)
    late = chigasaki.entry("directory_group", payloads.group(chigasaki.center, name="遅れて届いた", fields=[]),
                           version=2, entity_uuid=group_uuid)
    chigasaki.send(client, [retract, late])
    assert not DirectoryGroup.objects.exists()
    assert Tombstone.objects.get().version == 3


def test_events_and_aggregates_carry_counts_only(chigasaki, client):
    profile = chigasaki.profile()
    event = chigasaki.entry("public_event", payloads.event(chigasaki.center, status="cancelled",
                                                           cancellation_reason="コロナ中止"))
    counts = chigasaki.entry("aggregate_counts", payloads.counts(chigasaki.center, {
        "groups_total": 12, "groups_by_field": {"7": 3}, "consultations_per_step": {"intake": 4}}))
    assert chigasaki.send(client, [profile, event, counts]).status_code == 200
    assert SharedEvent.objects.get().cancellation_reason == "コロナ中止"
    names = chigasaki.entry("aggregate_counts", payloads.counts(chigasaki.center, {
        "groups_total": 1, "who": "山田 花子"}), version=5)
    response = chigasaki.send(client, [names])
    assert response.status_code == 422 and response.json()["error"]["code"] == "payload_invalid"


@pytest.mark.parametrize("tamper, code", [
    ("wrong_key", "bad_signature"), ("unknown_key", "unknown_key"), ("expired", "signature_expired"),
    ("body", "digest_mismatch"),
])
def test_bad_signatures_are_401_and_change_nothing(chigasaki, client, tamper, code):
    body = canonical_json({"format": "kyodo.sync.batch/1", "published_seq": 1, "entries": [chigasaki.profile()]})
    if tamper == "wrong_key":
        response = chigasaki.post(client, "/sync/v1/batches", body, private_key=new_key_pair()[0])
    elif tamper == "unknown_key":
        response = chigasaki.post(client, "/sync/v1/batches", body, key_id="k-nobody")
    elif tamper == "expired":
        response = chigasaki.post(client, "/sync/v1/batches", body, now=int(time.time()) - 600)
    else:
        raw = gzip.compress(body)
        headers = sign_request(method="POST", url=f"{HOST}/sync/v1/batches", body=raw, key_id=chigasaki.key_id,
                               private_key=chigasaki.private_key)
        extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
        response = client.generic("POST", "/sync/v1/batches", gzip.compress(body + b" "), content_type="application/json",
                                  HTTP_CONTENT_ENCODING="gzip", **extra)
    assert response.status_code == 401
    assert response.json()["error"]["code"] == code
    assert not NodeCenter.objects.exists()


def test_a_replayed_request_is_refused(chigasaki, client):
    raw = gzip.compress(canonical_json({"format": "kyodo.sync.batch/1", "published_seq": 1,
                                        "entries": [chigasaki.profile()]}))
    headers = sign_request(method="POST", url=f"{HOST}/sync/v1/batches", body=raw, key_id=chigasaki.key_id,
                           private_key=chigasaki.private_key)
    extra = {f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()}
    first = client.generic("POST", "/sync/v1/batches", raw, content_type="application/json", HTTP_CONTENT_ENCODING="gzip", **extra)
    again = client.generic("POST", "/sync/v1/batches", raw, content_type="application/json", HTTP_CONTENT_ENCODING="gzip", **extra)
    assert first.status_code == 200
    assert again.status_code == 409 and again.json()["error"]["code"] == "replayed_nonce"


def test_key_rotation_keeps_two_active_keys_and_revocation_locks_out(chigasaki, client):
    second_private, second_public = new_key_pair()
    key = enrollment.node_key_add(acting_user=None, node=chigasaki.node, public_key=base64.b64encode(second_public).decode())
    third = base64.b64encode(new_key_pair()[1]).decode()
    with pytest.raises(Exception) as error:
        enrollment.node_key_add(acting_user=None, node=chigasaki.node, public_key=third)
    assert error.value.error_dict["public_key"][0].code == "two_active_keys"
    ok = chigasaki.post(client, "/sync/v1/batches", canonical_json({"format": "kyodo.sync.batch/1", "entries": []}),
                        private_key=second_private, key_id=key.key_id)
    assert ok.status_code == 200
    old = chigasaki.node.keys.get(slot=1)
    enrollment.node_key_retire(acting_user=None, key=old, revoke=True)
    response = chigasaki.send(client, [chigasaki.profile()])
    assert response.status_code == 401 and response.json()["error"]["code"] == "unknown_key"
    assert chigasaki.node.keys.filter(status=KeyStatus.ACTIVE).count() == 1


def test_feed_is_ordered_and_addressed(chigasaki, odawara, client):
    feed.feed_publish(acting_user=None, kind="notice", payload={"title": "全体へ"})
    feed.feed_publish(acting_user=None, kind="notice", payload={"title": "小田原へ"}, node=odawara.node)
    feed.feed_publish(acting_user=None, kind="notice", payload={"title": "茅ヶ崎へ"}, node=chigasaki.node)
    seen = [(e["seq"], e["payload"]["title"]) for e in chigasaki.get(client, "/sync/v1/feed?after=0").json()["entries"]]
    assert seen == [(1, "全体へ"), (3, "茅ヶ崎へ")]
    assert chigasaki.get(client, "/sync/v1/feed?after=3").json()["entries"] == []
    assert Node.objects.get(slug="chigasaki").feed_cursor == 3


def test_enrollment_checks_code_and_key(db):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as error:
        enrollment.node_enroll(acting_user=None, name="x", municipality_code="142070", public_key="AAAA")
    assert "municipality_code" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        enrollment.node_enroll(acting_user=None, name="x", municipality_code="142077", public_key="AAAA")
    assert error.value.error_dict["public_key"][0].code == "invalid_key_length"


def test_a_batch_applies_as_if_entry_by_entry(chigasaki, client):
    """Within one batch the same record may change several times; the highest version decides."""
    center = str(chigasaki.center)
    kept, dropped = uuid.uuid4(), uuid.uuid4()

    def group(entity_uuid, version, name):
        return chigasaki.entry("directory_group", payloads.group(center, name=name, fields=[]), version=version,
                               entity_uuid=entity_uuid)

    entries = [chigasaki.profile(), group(kept, 1, "一度目"),
               chigasaki.entry("directory_group", payloads.removal(center), op="retract", version=2, entity_uuid=kept),
               group(kept, 3, "三度目"), group(dropped, 1, "消える会"),
               chigasaki.entry("directory_group", payloads.removal(center), op="purge", version=2,
                               entity_uuid=dropped)]
    assert chigasaki.send(client, entries).status_code == 200
    assert list(DirectoryGroup.objects.values_list("entity_uuid", "name", "version")) == [(kept, "三度目", 3)]
    assert list(Tombstone.objects.values_list("entity_uuid", "op", "version")) == [(dropped, "purge", 2)]


def test_oversize_batches_are_413_and_change_nothing(chigasaki, client):
    many = [chigasaki.profile()] + [chigasaki.group(f"会{n}") for n in range(500)]
    response = chigasaki.send(client, many)
    assert response.status_code == 413 and response.json()["error"]["code"] == "batch_too_large"
    # 6 MB of incompressible text: refused on its length, before the body is read or inflated.
    bulky = chigasaki.group("大きな会", description=base64.b64encode(os.urandom(4_500_000)).decode())
    response = chigasaki.send(client, [bulky], gzip_it=False)
    assert response.status_code == 413 and response.json()["error"]["code"] == "batch_too_large"
    assert not NodeCenter.objects.exists() and Node.objects.get().last_applied_seq == 0


def test_rows_written_before_a_refused_entry_are_undone(chigasaki, client):
    """A profile makes the hub write the records before it (COPY into a staging table, then one
    upsert) in the middle of the batch; a bad entry after it still leaves nothing behind, and the
    staged rows do not leak into the next batch."""
    profile, first = chigasaki.profile(), chigasaki.group("先に書かれる会")
    again = chigasaki.profile()
    again["version"] = 2
    bad = chigasaki.group("", kind="citizen_group")  # a name is required
    response = chigasaki.send(client, [profile, first, again, bad])
    assert response.status_code == 422 and response.json()["error"] == {
        "code": "payload_invalid", "message": "field name is not acceptable", "seq": 4}
    assert not DirectoryGroup.objects.exists() and not NodeCenter.objects.exists()
    assert Node.objects.get().last_applied_seq == 0
    chigasaki.seq = 0
    assert chigasaki.send(client, [chigasaki.profile(), chigasaki.group("後の会")]).status_code == 200
    assert list(DirectoryGroup.objects.values_list("name", flat=True)) == ["後の会"]


def test_a_newer_upsert_lifts_the_tombstone_and_a_stale_one_changes_nothing(chigasaki, client):
    group_uuid = uuid.uuid4()
    center = str(chigasaki.center)

    def group(version, name):
        return chigasaki.entry("directory_group", payloads.group(center, name=name, fields=[3, 7], area="ﾁｶﾞｻｷ 南湖"),
                               version=version, entity_uuid=group_uuid)

    entries = [chigasaki.profile(), group(1, "一")]
    entries.append(chigasaki.entry("directory_group", payloads.removal(center), op="retract", version=2,
                                   entity_uuid=group_uuid))
    assert chigasaki.send(client, entries).status_code == 200
    assert chigasaki.send(client, [group(2, "同じ版")]).json()["applied"] == 0
    assert not DirectoryGroup.objects.exists() and Tombstone.objects.get().version == 2
    assert chigasaki.send(client, [group(3, "戻った会")]).json()["applied"] == 1
    copy = DirectoryGroup.objects.get()
    assert (copy.name, copy.version, copy.field_codes, copy.field_index) == ("戻った会", 3, [3, 7], ",3,7,")
    assert copy.search_text == "戻った会 ちがさき 南湖" and not Tombstone.objects.exists()
    assert chigasaki.send(client, [group(2, "古い会")]).json()["applied"] == 0
    assert DirectoryGroup.objects.get().name == "戻った会"


def test_a_batch_of_500_is_applied_in_one_statement_per_type(chigasaki, client, django_assert_max_num_queries):
    entries = [chigasaki.profile()] + [chigasaki.group(f"会{n}") for n in range(499)]
    with django_assert_max_num_queries(40):
        response = chigasaki.send(client, entries)
    assert response.json() == {"last_applied_seq": 500, "applied": 500, "skipped": 0}
    assert DirectoryGroup.objects.count() == 499


def test_a_batch_of_plain_upserts_is_staged_before_the_lock(chigasaki, client, monkeypatch,
                                                           django_assert_max_num_queries):
    """Groups only: checked, reduced to winners and COPYed before the node's row is locked; under
    the lock, one statement per type. A re-delivery overlapping what was applied goes entry by
    entry and applies only what is new."""
    chigasaki.send(client, [chigasaki.profile()])
    staged = []
    original = receiver._prestage
    monkeypatch.setattr(receiver, "_prestage", lambda *args: staged.append(original(*args)) or staged[-1])
    batch = [chigasaki.group(f"会{n}") for n in range(500)]
    with django_assert_max_num_queries(24):  # signature, nonce and savepoints included
        response = chigasaki.send(client, batch)
    assert response.json() == {"last_applied_seq": 501, "applied": 500, "skipped": 0}
    assert staged[-1] is not None and DirectoryGroup.objects.count() == 500
    overlapping = batch[-2:] + [chigasaki.group("新しい会")]
    response = chigasaki.send(client, overlapping)
    assert response.json() == {"last_applied_seq": 502, "applied": 1, "skipped": 2}
    assert staged[-1] is not None and DirectoryGroup.objects.count() == 501


def test_a_staged_batch_whose_center_left_meanwhile_is_refused_whole(chigasaki, client, monkeypatch):
    """The centers are read again under the lock: a profile retracted between staging and the lock
    sends the batch entry by entry, and its records are refused as outside the node's partition."""
    chigasaki.send(client, [chigasaki.profile(), chigasaki.group("先の会")])
    original = receiver._prestage

    def staged_then_center_gone(*args):
        staged = original(*args)
        NodeCenter.objects.filter(center_uuid=chigasaki.center).delete()  # as a concurrent retraction would
        return staged

    monkeypatch.setattr(receiver, "_prestage", staged_then_center_gone)
    response = chigasaki.send(client, [chigasaki.group("後の会")])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"
    assert Node.objects.get().last_applied_seq == 2
    assert list(DirectoryGroup.objects.values_list("name", flat=True)) == ["先の会"]


def _document(fake: FakeNode, entries: list[dict], *, pipelined: bool) -> dict:
    return {"format": "kyodo.sync.batch/1", "published_seq": fake.seq, "oldest_unsent_at": None,
            "pipelined": pipelined, "entries": entries}


def test_a_pipelined_batch_whose_predecessor_never_comes_is_refused_as_a_gap(chigasaki, client, monkeypatch):
    monkeypatch.setattr(receiver, "PREDECESSOR_WAIT", 0.2)
    chigasaki.send(client, [chigasaki.profile()])
    chigasaki.seq += 1  # seq 2 never arrives
    started = time.monotonic()
    with pytest.raises(receiver.BatchRejected) as refused:
        receiver.batch_apply(node=chigasaki.node, batch=_document(chigasaki, [chigasaki.group("会")], pipelined=True))
    assert refused.value.code == "gap" and refused.value.status == 409 and time.monotonic() - started >= 0.2
    assert not DirectoryGroup.objects.exists() and Node.objects.get().last_applied_seq == 1


@pytest.mark.django_db(transaction=True)
def test_a_pipelined_batch_that_arrives_first_waits_for_its_predecessor(chigasaki, client):
    from django.db import connection

    chigasaki.send(client, [chigasaki.profile()])
    first = _document(chigasaki, [chigasaki.group(f"先{n}") for n in range(3)], pipelined=False)
    second = _document(chigasaki, [chigasaki.group(f"後{n}") for n in range(3)], pipelined=True)
    outcome = {}

    def send_second():
        try:
            outcome["second"] = receiver.batch_apply(node=chigasaki.node, batch=second)
        finally:
            connection.close()

    early = threading.Thread(target=send_second)
    early.start()
    time.sleep(0.3)  # the second batch is already waiting when the first one arrives
    assert receiver.batch_apply(node=chigasaki.node, batch=first).last_applied_seq == 4
    early.join()
    assert outcome["second"].last_applied_seq == 7 and outcome["second"].applied == 3
    assert DirectoryGroup.objects.count() == 6


def test_a_node_cannot_announce_a_center_in_another_municipality(chigasaki, client):
    profile = chigasaki.profile()
    profile["payload"]["municipality_code"] = "142069"  # 小田原市: not 茅ヶ崎's node's area
    from sync.outbox import payload_digest as digest

    profile["sha256"] = digest(profile["payload"])
    response = chigasaki.send(client, [profile])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_municipality"
    assert not NodeCenter.objects.exists()


def test_a_designated_citys_node_may_announce_its_wards_only():
    assert receiver.within_municipality("141003", "141038")  # 横浜市 → 西区
    assert receiver.within_municipality("141305", "141313")  # 川崎市 → 川崎区
    assert not receiver.within_municipality("141003", "141305")  # 横浜市 ≠ 川崎市
    assert not receiver.within_municipality("142107", "142115")  # 三浦市 is no designated city: not 秦野市
