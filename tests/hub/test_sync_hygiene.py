"""Sync hygiene on the hub: expired nonces go on a schedule; a batch nested too deep is refused with
400 and a code (never a 500 that would stall the node's sync)."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.conf import settings
from django.utils import timezone

from hub import tasks
from hub.models import AggregateSnapshot, Node, SeenNonce
from sync.outbox import payload_digest
from sync.wire import batch as wire_batch

from . import payloads
from .test_receiver import FakeNode


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


def _nested(depth: int) -> str:
    return '{"n":' * depth + "1" + "}" * depth


def test_expired_nonces_are_forgotten_by_a_scheduled_task(chigasaki, client):
    assert chigasaki.send(client, [chigasaki.profile()]).status_code == 200
    key = chigasaki.node.keys.get()
    old = SeenNonce.objects.create(key=key, nonce="old-nonce", expires_at=timezone.now() - dt.timedelta(hours=2))
    assert SeenNonce.objects.count() == 2
    assert tasks.forget_expired_nonces() == 1
    assert not SeenNonce.objects.filter(pk=old.pk).exists() and SeenNonce.objects.count() == 1
    schedule = settings.CELERY_BEAT_SCHEDULE["sync-forget-nonces"]
    assert schedule["task"] == tasks.forget_expired_nonces.name == "hub.tasks.forget_expired_nonces"


@pytest.mark.parametrize("depth", [wire_batch.MAX_DEPTH, 600, 5000])
def test_a_batch_nested_too_deep_is_a_400_with_a_code_and_changes_nothing(chigasaki, client, depth):
    payload = payloads.counts(chigasaki.center, {"groups_by_field": "DEEP"})
    # Deeper than ~900 levels, not even a sender could take the digest: it is never looked at.
    digest = payload_digest(json.loads(json.dumps(payload).replace('"DEEP"', _nested(depth)))) \
        if depth < 900 else "0" * 64
    profile = chigasaki.profile()  # so that only the depth can be wrong with the counts
    entry = {"seq": 2, "type": "aggregate_counts", "uuid": str(chigasaki.center), "op": "upsert", "schema": 1,
             "version": 1, "payload": payload, "sha256": digest}
    document = {"format": wire_batch.FORMAT, "published_seq": 2, "oldest_unsent_at": None,
                "entries": [profile, entry]}
    body = json.dumps(document, separators=(",", ":")).replace('"DEEP"', _nested(depth)).encode()
    response = chigasaki.post(client, "/sync/v1/batches", body, gzip_it=False)
    assert response.status_code == 400, response.content[:300]
    assert response.json()["error"]["code"] == "batch_too_deep"
    assert Node.objects.get().last_applied_seq == 0 and not AggregateSnapshot.objects.exists()
    # Compressed, the same document is refused the same way.
    response = chigasaki.post(client, "/sync/v1/batches", body)
    assert response.status_code == 400 and response.json()["error"]["code"] == "batch_too_deep"


def test_a_batch_at_the_depth_the_nodes_send_is_applied(chigasaki, client):
    counts = payloads.counts(chigasaki.center, {"groups_total": 2, "groups_by_field": {"7": 2}})
    response = chigasaki.send(client, [chigasaki.profile(),
                                       chigasaki.entry("aggregate_counts", counts, entity_uuid=chigasaki.center)])
    assert response.status_code == 200, response.content
    assert AggregateSnapshot.objects.count() == 1
