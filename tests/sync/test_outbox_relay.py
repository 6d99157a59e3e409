"""The node side of sync on PostgreSQL and Redis: what enters the outbox, gap-free numbering under
concurrent transactions, batch limits, the push lease, the sweeper and the debounced push."""

from __future__ import annotations

import threading
import uuid

import httpx
import pytest
import redis
from django.conf import settings
from django.db import connection, connections, transaction

from nodes import services
from nodes.publishing import publish_aggregates
from sync import relay
from sync.client import (
    BATCH_MAX_ENTRIES,
    PIPELINE_DEPTH,
    HubClient,
    _next_batch,
    decode_batch,
    local_digest,
    push,
)
from sync.keys import NodeKeyPair
from sync.models import OutboxEntry, Priority, SyncState
from sync.outbox import canonical_json, payload_digest
from sync.services import lease_acquire, lease_release
from sync.signing import new_key_pair

from .. import factories as f


def _entries(entity_type=None):
    rows = OutboxEntry.objects.order_by("id")
    return list(rows.filter(entity_type=entity_type) if entity_type else rows)


def test_only_consented_groups_and_public_events_enter_the_outbox(world):
    types = {e.entity_type for e in _entries()}
    assert types == {"node_profile"}  # the fixture's groups did not consent, its events are not public
    group = services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="hub_listing", given=True)
    entry = _entries("directory_group")[-1]
    assert (entry.op, entry.entity_uuid, entry.version) == ("upsert", group.uuid, group.version)
    assert entry.payload["name"] == "Chigasaki Cat's Protect" and entry.payload["fields"] == [7]
    outbox_text = canonical_json([e.payload for e in _entries()]).decode()
    for personal in ("杉浦 花子", "0467-00-0000", "cats@example.jp", "山田 太郎", "岡部 太郎"):
        assert personal not in outbox_text
    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="hub_listing", given=False)
    assert _entries("directory_group")[-1].op == "retract"


def test_deleting_a_shared_record_purges_it_and_unshared_ones_leave_no_trace(world):
    event = services.event_update(acting_user=world.staff_a, event=world.rec_a.event, is_public=True)
    services.record_delete(acting_user=world.admin_a, record=event)
    assert [e.op for e in _entries("public_event")] == ["upsert", "purge"]
    services.record_delete(acting_user=world.admin_a, record=world.rec_a.consultation)  # never sent at all
    private = services.event_create(acting_user=world.staff_a, center=world.a, title="内部研修", kind="koza",
                                    starts_at=world.rec_a.event.starts_at)
    services.record_delete(acting_user=world.admin_a, record=private)
    assert len(_entries("public_event")) == 2


@pytest.mark.django_db(transaction=True)
def test_relay_never_numbers_past_a_transaction_still_running(settings):
    """Row A is written first but commits last; row B must wait so the order stays gap-free."""
    from sync.outbox import _write

    started, release = threading.Event(), threading.Event()

    def slow_writer():
        with transaction.atomic():
            _write("public_event", "00000000-0000-0000-0000-00000000000a", "upsert", 1, {"center": "a"}, 0)
            started.set()
            release.wait(10)
        connections.close_all()

    writer = threading.Thread(target=slow_writer)
    writer.start()
    started.wait(10)
    with transaction.atomic():
        _write("public_event", "00000000-0000-0000-0000-00000000000b", "upsert", 1, {"center": "b"}, 0)
    assert connection.vendor == "postgresql"
    assert relay.relay_all() == 0, "B committed, but A (older) is still running: nothing may be numbered yet"
    release.set()
    writer.join()
    assert relay.relay_all() == 2
    numbered = list(OutboxEntry.objects.order_by("publish_seq").values_list("publish_seq", "entity_uuid"))
    assert [seq for seq, _ in numbered] == [1, 2]
    assert str(numbered[0][1]).endswith("a")


@pytest.mark.django_db(transaction=True)
def test_relay_does_not_wait_for_other_databases_on_the_cluster():
    """A transaction of another database on the same server (the hub applying a catch-up batch, a
    neighbouring center's node) holds back the cluster's xmin, but never writes to this outbox."""
    import psycopg

    from sync.outbox import _write

    params = connection.get_connection_params()
    other = psycopg.connect(host=params.get("host") or "127.0.0.1", port=params.get("port") or 5432,
                            user=params.get("user"), dbname="postgres")
    try:
        other.execute("SELECT pg_current_xact_id()")  # a transaction with an id, left open
        with transaction.atomic():
            _write("public_event", "00000000-0000-0000-0000-00000000000c", "upsert", 1, {"center": "c"}, 0)
        assert relay.relay_all() == 1
    finally:
        other.close()


@pytest.mark.django_db(transaction=True)
def test_batches_hold_at_most_500_entries():
    from sync.outbox import _write

    for n in range(BATCH_MAX_ENTRIES + 20):
        _write("public_event", f"00000000-0000-0000-0000-{n:012d}", "upsert", 1, {"center": "x", "n": n}, 0)
    relay.relay_all()
    batch = _next_batch(0)
    assert len(batch) == BATCH_MAX_ENTRIES
    assert [seq for seq, _wire in batch] == list(range(1, BATCH_MAX_ENTRIES + 1))
    assert len(_next_batch(BATCH_MAX_ENTRIES)) == OutboxEntry.objects.count() - BATCH_MAX_ENTRIES


def test_aggregates_are_counts_and_only_written_when_they_change(world):
    assert publish_aggregates() == 2
    snapshot = next(e.payload["data"] for e in _entries("aggregate_counts") if e.payload["center"] == str(world.a.uuid))
    assert snapshot["groups_total"] == 2 and snapshot["consultations_per_step"] == {"intake": 1}
    assert publish_aggregates() == 0
    services.consultation_advance(acting_user=world.staff_a, consultation=world.rec_a.consultation)
    assert publish_aggregates() == 2


def test_the_push_lease_admits_one_holder(world):
    first = lease_acquire(owner="a")
    assert first == "a" and lease_acquire(owner="b") is None
    lease_release("a")
    assert lease_acquire(owner="b") == "b"


@pytest.mark.django_db(transaction=True)
def test_digest_counts_what_the_hub_should_hold(settings):
    # The relay only numbers committed work, so this test commits (transactional database).
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    center = f.center("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")
    staff = f.member("staff", center, "center_staff")
    group = f.group(staff, center, "海辺の会", consents=["hub_listing"])
    relay.relay_all()
    digest = local_digest(SyncState.objects.get().last_published_seq)
    assert digest["directory_group"]["count"] == 1 and digest["node_profile"]["count"] == 1
    services.group_set_consent(acting_user=staff, group=group, consent="hub_listing", given=False)
    relay.relay_all()
    assert "directory_group" not in local_digest(SyncState.objects.get().last_published_seq)


@pytest.fixture
def broker(settings):
    settings.KYODO_HUB_URL = "http://hub.invalid"
    client = redis.Redis.from_url(settings.CELERY_BROKER_URL)
    client.delete("default", "disaster")
    yield client
    client.delete("default", "disaster")


def test_a_burst_of_writes_asks_for_one_push(world, broker, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        for name in ("会1", "会2", "会3"):
            services.group_register(acting_user=world.staff_a, center=world.a, name=name, consents=["hub_listing"])
    assert broker.llen("default") == 1


def test_the_sweeper_requeues_stalled_work_once(world, broker):
    from sync.tasks import schedule_push, sync_sweep

    services.group_set_consent(acting_user=world.staff_a, group=world.group_a, consent="hub_listing", given=True)
    assert sync_sweep() == "re-enqueued"
    assert sync_sweep() == "nothing stalled"  # the first request is still pending
    assert broker.llen("default") == 1
    assert schedule_push(reason="disaster", disaster=True) and broker.llen("disaster") == 1


def test_push_tasks_are_configured_to_survive_a_lost_worker():
    from sync.tasks import sync_pull, sync_push

    assert settings.CELERY_TASK_ACKS_LATE and settings.CELERY_TASK_REJECT_ON_WORKER_LOST
    for task in (sync_push, sync_pull):
        assert task.acks_late and task.reject_on_worker_lost and task.max_retries == 6


class CatchUpHub:
    """The hub's side of a push at the network edge: acknowledges every batch, and can be told to run
    something on the node while a batch is in flight."""

    def __init__(self, during_batch=None):
        self.applied, self.batches, self.during_batch = 0, [], during_batch

    def __call__(self, request: httpx.Request) -> httpx.Response:
        if request.url.path == "/sync/v1/checkpoint":
            return httpx.Response(200, json={"last_applied_seq": self.applied})
        entries = decode_batch(request.content, "gzip")["entries"]
        self.batches.append([(e["seq"], e["type"]) for e in entries])
        if self.during_batch is not None and len(self.batches) == 1:
            self.during_batch()
        self.applied = entries[-1]["seq"]
        return httpx.Response(200, json={"last_applied_seq": self.applied, "applied": len(entries), "skipped": 0})


def _outbox(entity_type: str, n: int, priority: int) -> None:
    payload = {"center": str(uuid.uuid4())}
    OutboxEntry.objects.bulk_create(OutboxEntry(
        entity_type=entity_type, entity_uuid=uuid.uuid4(), op="upsert", version=1, payload=payload,
        payload_sha256=payload_digest(payload), priority=priority) for _ in range(n))


@pytest.mark.django_db(transaction=True)
def test_a_need_written_during_a_catch_up_goes_in_the_next_batch_alone(settings, monkeypatch):
    # The relay only numbers committed work, so this test commits (transactional database).
    settings.SYNC_BATCH_ENTRIES = 10
    monkeypatch.setattr("sync.registry._BEFORE_PUSH", [])  # no center profiles to announce first
    _outbox("directory_group", 35, Priority.NORMAL)
    hub = CatchUpHub(during_batch=lambda: _outbox("disaster_need", 1, Priority.DISASTER))
    key = NodeKeyPair("k-test", *new_key_pair())
    result = push(client=HubClient("http://hub.test", key=key, transport=httpx.MockTransport(hub)))
    assert result.entries == 36
    # Numbered one batch ahead of what is sent, with up to PIPELINE_DEPTH batches in flight: written
    # while the first batch was applied, the need goes alone in the first batch prepared after it
    # (which one depends on how far the sender threads got), not behind the remaining catch-up.
    sizes = [len(b) for b in hub.batches]
    alone = sizes.index(1)
    assert hub.batches[alone] == [(10 * alone + 1, "disaster_need")]
    assert 1 <= alone <= PIPELINE_DEPTH and sizes[:alone] == [10] * alone
    assert sum(sizes[alone + 1:]) == 35 - 10 * alone
    assert [seq for batch in hub.batches for seq, _type in batch] == list(range(1, 37))
    assert SyncState.objects.get().last_acked_seq == 36


@pytest.mark.django_db(transaction=True)
def test_the_relay_window_numbers_only_one_batch_ahead():
    _outbox("directory_group", 30, Priority.NORMAL)
    assert relay.relay_window(acked_seq=0, window=10) == 10
    assert relay.relay_window(acked_seq=0, window=10) == 0  # still ten waiting unsent
    assert relay.relay_window(acked_seq=6, window=10) == 6
    assert relay.unnumbered_count() == 14
