"""Re-announcing a node's state to its hub after the node was restored from an older backup.

The hub has applied seqs the restored node no longer has (its checkpoint is beyond what the node
published). Resending is impossible — those entries are gone with the lost changes — and sending
new entries under the hub's old numbers would be skipped as already applied. So the node:

1. asks the hub for everything it holds of the node, with versions, and its tombstones
   (sync.wire.restore, `POST /sync/v1/digest` with `list`);
2. continues its numbering after the hub's checkpoint (published = acknowledged = the hub's seq);
3. writes, in one transaction, a fresh entry for every record: an upsert of what each record
   projects to now, a retraction for a record the hub holds that may no longer be seen, a purge for
   a copy whose record the node no longer has. Every version is above what the hub holds or buried
   for that record (the record's own version column is raised to match), because the lost changes
   may have given the hub a *higher* version than the restored record has, and the hub keeps only
   newer versions. The hub's ordinary rules then converge it to the node's truth: no special batch,
   no duplicate (copies are unique per node and uuid), no gap.

One exception: a forward-only status (a disaster need, a commitment report) that the hub holds at a
later stage than the restored record. The hub would refuse the earlier status, and the batch with
it, again and again; such a record is held back (listed in the result and logged) and shows as
drift until staff move it forward on the node.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.apps import apps
from django.db import transaction
from django.utils import timezone

from . import registry
from .canonical import payload_digest
from .models import Op, OutboxEntry
from .outbox import _center_uuid, _version
from .relay import sync_state
from .wire import batch as wire_batch, restore as wire_restore
from .wire.directory import NODE_PROFILE as PROFILE
from .wire.registry import CONTRACTS

logger = logging.getLogger(__name__)


@dataclass
class Reannounced:
    hub_seq: int
    upserts: int = 0
    retracts: int = 0
    purges: int = 0
    # (entity type, uuid, the node's status, the hub's status): forward-only records not sent.
    held_back: list[tuple[str, str, str, str]] = field(default_factory=list)

    @property
    def entries(self) -> int:
        return self.upserts + self.retracts + self.purges


class _Hub:
    """What the hub said it holds: (type, uuid) → (version, center uuid, status), and its tombstones."""

    def __init__(self, listing: dict):
        held, buried = listing.get(wire_restore.HELD), listing.get(wire_restore.BURIED)
        if not isinstance(held, dict) or not isinstance(buried, dict):
            raise ValueError("the hub's answer lists no holdings (an older hub?)")
        self.held = {(t, str(row[0])): (int(row[1]), str(row[2]), row[3]) for t, rows in held.items() for row in rows}
        self.buried = {(t, str(row[0])): int(row[1]) for t, rows in buried.items() for row in rows}

    def floor(self, key: tuple[str, str]) -> int:
        """The lowest version the hub takes for this record: above its copy and its tombstone."""
        held = self.held.get(key)
        return max(held[0] if held else 0, self.buried.get(key, 0)) + 1 if (held or key in self.buried) else 0


def _ordered_types() -> list[registry.SyncableType]:
    """Registered types, each after the types it depends on (a center's profile before its records)."""
    by_name = {t.entity_type: t for t in registry.types()}
    ordered: list[registry.SyncableType] = []

    def visit(syncable: registry.SyncableType) -> None:
        if syncable in ordered:
            return
        for name in syncable.depends_on:
            if name in by_name:
                visit(by_name[name])
        ordered.append(syncable)

    for syncable in by_name.values():
        visit(syncable)
    return ordered


def _last_entries() -> dict[tuple[str, str], tuple[str, int, int]]:
    """(type, uuid) → (op, version, entry id) of the last entry the outbox holds for each record
    (payloads stay in the database: the outbox may hold hundreds of thousands of entries)."""
    last: dict[tuple[str, str], tuple[str, int, int]] = {}
    rows = OutboxEntry.objects.order_by("id").values_list("entity_type", "entity_uuid", "op", "version", "id")
    for entity_type, entity_uuid, op, version, entry_id in rows.iterator(chunk_size=5000):
        last[(entity_type, str(entity_uuid))] = (op, version, entry_id)
    return last


def reannounce(*, listing: dict, hub_seq: int) -> Reannounced:
    """Re-announce every record against the hub's `listing` (see the module docstring); the outbox
    then holds one fresh entry per record, numbered after `hub_seq` by the relay as usual.

    Runs under the push lease and the sync state's row lock, so nothing is numbered meanwhile."""
    hub = _Hub(listing)
    with transaction.atomic():
        state = sync_state(lock=True)
        if state.last_published_seq >= hub_seq:
            return Reannounced(hub_seq=hub_seq)  # done already (a push that lost its answer)
        result = Reannounced(hub_seq=hub_seq)
        last = _last_entries()
        entries: list[OutboxEntry] = []
        announced: set[tuple[str, str]] = set()
        for syncable in _ordered_types():
            if syncable.model is None:
                _reannounce_written(syncable, hub, last, entries, announced, result)
            else:
                _reannounce_records(syncable, hub, last, entries, announced, result)
        # A center's profile goes last: purging it takes every copy of that center with it, and a
        # purge of one of its records after that would name a center the hub no longer knows.
        gone = sorted((key for key in hub.held if key not in announced), key=lambda key: (key[0] == PROFILE, key))
        for key in gone:  # copies of records this node no longer has (made after the backup was taken)
            entries.append(_entry(*key, Op.PURGE, hub.floor(key), {"center": hub.held[key][1]}, _priority(key[0])))
            result.purges += 1
        OutboxEntry.objects.bulk_create(entries, batch_size=1000)
        state.last_published_seq = state.last_acked_seq = hub_seq
        state.last_error, state.last_error_at = "", timezone.now()
        state.save(update_fields=["last_published_seq", "last_acked_seq", "last_error", "last_error_at"])
    for entity_type, entity_uuid, mine, theirs in result.held_back:
        logger.warning("re-announce: %s %s held back: the hub holds status %s, this node %s", entity_type,
                       entity_uuid, theirs, mine)
    logger.warning("re-announced after a restore: hub at seq %s; %s upserts, %s retracts, %s purges", hub_seq,
                   result.upserts, result.retracts, result.purges)
    return result


def _priority(entity_type: str) -> int:
    try:
        return registry.get(entity_type).priority
    except KeyError:
        return 0


def _entry(entity_type: str, entity_uuid: str, op: str, version: int, payload: dict, priority: int) -> OutboxEntry:
    return OutboxEntry(entity_type=entity_type, entity_uuid=entity_uuid, op=op, schema_version=wire_batch.SCHEMA,
                       version=version, payload=payload, payload_sha256=payload_digest(payload), priority=priority)


def _reannounce_records(syncable, hub: _Hub, last: dict, entries: list, announced: set, result: Reannounced) -> None:
    model = apps.get_model(syncable.model)
    has_version = any(f.name == "version" for f in model._meta.concrete_fields)
    contract = CONTRACTS.get(syncable.entity_type)
    raised: dict[int, list] = {}  # new version → primary keys whose version column goes up to it
    records = model._base_manager.all()
    if has_version:
        # Services lock a record's row to change it (nodes.services.pipeline.locked_for_change). Locked
        # here too, a change still open is waited for and read once committed, and a change after it
        # waits for this transaction and versions itself above what is announced; unlocked, a change
        # committing meanwhile would be announced as it was before, under a version its own entry
        # cannot beat.
        records = records.select_for_update()
    for record in records.iterator(chunk_size=500):
        key = (syncable.entity_type, str(record.uuid))
        projection = syncable.project(record)
        held = hub.held.get(key)
        previous = last.get(key)
        if projection is None and held is None and (previous is None or previous[0] != Op.UPSERT):
            continue  # never seen by the hub, and nothing to take back
        announced.add(key)
        own = _version(record)
        version = max(own, hub.floor(key))
        if projection is None:
            entries.append(_entry(*key, Op.RETRACT, version, {"center": _center_uuid(record)}, syncable.priority))
            result.retracts += 1
        elif contract is not None and contract.status_order and held is not None and held[2] is not None \
                and not contract.may_move(held[2], projection.get("status")):
            result.held_back.append((*key, projection.get("status"), held[2]))
            continue
        else:
            entries.append(_entry(*key, Op.UPSERT, version, projection, syncable.priority))
            result.upserts += 1
        if has_version and version != own:
            raised.setdefault(version, []).append(record.pk)
    # The record's next change must be newer than what was just announced.
    for version, pks in raised.items():
        model._base_manager.filter(pk__in=pks).update(version=version)


def _reannounce_written(syncable, hub: _Hub, last: dict, entries: list, announced: set, result: Reannounced) -> None:
    """Types written whole by a service (counts): the last upsert in the outbox is the current state."""
    current = {key: (version, entry_id) for key, (op, version, entry_id) in last.items()
               if key[0] == syncable.entity_type and op == Op.UPSERT}
    payloads = dict(OutboxEntry.objects.filter(id__in=[entry_id for _v, entry_id in current.values()])
                    .values_list("id", "payload"))
    for key, (version, entry_id) in current.items():
        announced.add(key)
        entries.append(_entry(*key, Op.UPSERT, max(version, hub.floor(key)), payloads[entry_id], syncable.priority))
        result.upserts += 1
