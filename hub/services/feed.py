"""The hub → node feed: entries numbered in commit order, pokes after commit for what nodes should
act on within seconds, and the hub's public keys nodes verify those pokes with."""

from __future__ import annotations

import uuid
from functools import partial

from django.db import transaction

from permissions.audit import audit_record
from sync.poke import HUB_KEY_KIND, hub_keys_payload

from .. import pokes
from ..models import FeedEntry, FeedSequence, Node


@transaction.atomic
def feed_publish(*, acting_user, kind: str, payload: dict, node: Node | None = None) -> FeedEntry:
    """Append to the feed. The counter row is locked until commit, so seqs commit in order."""
    counter, _ = FeedSequence.objects.select_for_update().get_or_create(pk=1)
    counter.last_seq += 1
    counter.save(update_fields=["last_seq"])
    entry = FeedEntry.objects.create(seq=counter.last_seq, kind=kind, node=node, payload=payload)
    audit_record(actor=acting_user, action="hub.feed_publish", detail={"kind": kind, "seq": entry.seq})
    if kind in pokes.POKE_KINDS:
        # Nodes would otherwise see a declaration only at their next pull (a minute by default).
        transaction.on_commit(partial(pokes.request_poke, seq=entry.seq, node_id=node.pk if node else None))
    return entry


@transaction.atomic
def hub_key_publish(*, acting_user, pairs) -> FeedEntry | None:
    """Send the hub's public signing keys to every node (feed kind `hub_key`), unless they already have them.

    Nodes verify the hub's pokes with these; they arrive over the same feed as the declarations.
    """
    payload = hub_keys_payload(pairs)
    last = FeedEntry.objects.filter(kind=HUB_KEY_KIND, node__isnull=True).order_by("-seq").first()
    if last is not None and last.payload == payload:
        return None
    return feed_publish(acting_user=acting_user, kind=HUB_KEY_KIND, payload=payload)


@transaction.atomic
def feed_epoch_start(*, acting_user) -> FeedSequence:
    """After this hub was restored from a backup: a new feed epoch continuing after the restored
    head. The nodes pulled entries the restored hub no longer has, and the seqs after the head will
    be given to other entries: a node seeing the new epoch forgets what it holds beyond the head."""
    counter, _ = FeedSequence.objects.select_for_update().get_or_create(pk=1)
    counter.epoch, counter.epoch_after = uuid.uuid4().hex, counter.last_seq
    counter.save(update_fields=["epoch", "epoch_after"])
    audit_record(actor=acting_user, action="hub.feed_epoch_start",
                 detail={"epoch": counter.epoch, "after": counter.epoch_after})
    return counter
