"""The receiver: a node's signed batch applied in one transaction, or refused whole.

Entries are checked (shape, digest, the payload against its wire contract), reduced to one winner
per record (the highest version), checked against the node's partition and the forward-only
rules, and written set-wise (hub.services.receiver_staging); retractions and purges delete the
copy and leave a tombstone. The node's checkpoint moves in the same transaction.
"""

from __future__ import annotations

import time
import uuid as uuid_module
from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone
from django.utils.dateparse import parse_datetime

from sync.client import digest_of
from sync.outbox import payload_digest
from sync.wire import batch as wire_batch, restore as wire_restore
from sync.wire.cases import SHARED_CASE
from sync.wire.directory import (
    AGGREGATE_COUNTS,
    DIRECTORY_GROUP,
    DIRECTORY_OFFER,
    NODE_PROFILE,
    PROFILE,
    PUBLIC_EVENT,
)
from sync.wire.disaster import COMMITMENT_REPORT, DISASTER_CONTACT
from sync.wire.networks import NETWORK_LISTING
from sync.wire.tours import STUDY_TOUR, TOUR_CASE

from ..models import DisasterCommitment, DisasterDeclaration, Node, NodeCenter, NodeKind, Tombstone
from ..selectors import tours as tour_selectors
from . import checks, directory_index, national, tours, upward
from .receiver_fields import SCHEMAS
from .receiver_staging import apply_stage, stage_rows, write_copies
from .search_index import request_indexing
from .tombstones import bury


class BatchRejected(Exception):
    def __init__(self, code: str, message: str, *, seq: int | None = None, status: int = 422):
        super().__init__(message)
        self.code, self.message, self.seq, self.status = code, message, seq, status


def _entry(raw) -> dict:
    if not isinstance(raw, dict):
        raise BatchRejected("entry_invalid", "an entry is not an object")
    seq = raw.get("seq")
    try:
        entity_uuid = uuid_module.UUID(str(raw.get("uuid")))
    except ValueError as error:
        raise BatchRejected("entry_invalid", "uuid is not a UUID", seq=seq) from error
    shape = [isinstance(seq, int) and seq > 0, raw.get("op") in wire_batch.OPS,
             raw.get("type") in SCHEMAS or raw.get("type") == NODE_PROFILE,
             isinstance(raw.get("version"), int) and raw["version"] >= 0, isinstance(raw.get("payload"), dict),
             raw.get("schema") == wire_batch.SCHEMA]
    if not all(shape):
        raise BatchRejected("entry_invalid", "seq, type, op, schema, version and payload are required", seq=seq)
    if payload_digest(raw["payload"]) != raw.get("sha256"):
        raise BatchRejected("payload_digest_mismatch", "sha256 does not match the payload", seq=seq)
    raw["uuid"] = entity_uuid  # the parsed document is ours to keep
    return raw


def _apply_profile(node: Node, entry: dict) -> bool:
    payload, seq = entry["payload"], entry["seq"]
    if str(payload.get("center")) != str(entry["uuid"]) or not set(payload) <= PROFILE.keys:
        raise BatchRejected("payload_invalid", "a profile names its own center only", seq=seq)
    existing = NodeCenter.objects.select_for_update().filter(center_uuid=entry["uuid"]).first()
    if existing is not None and existing.node_id != node.pk:
        raise BatchRejected("outside_partition", "this center belongs to another node", seq=seq, status=403)
    if entry["op"] != "upsert":
        if existing is not None and existing.version <= entry["version"]:
            existing.delete()  # and with it every copy of that center's records
        bury(node, NODE_PROFILE, entry["uuid"], entry["version"], entry["op"])
        return True
    tomb = Tombstone.objects.filter(node=node, entity_uuid=entry["uuid"], version__gte=entry["version"])
    if tomb.exists() or (existing and existing.version >= entry["version"]):
        return False
    try:
        values = {"name": checks.text(payload, "name", PROFILE.text_limits["name"], required=True),
                  "municipality_code": checks.text(payload, "municipality_code",
                                                   PROFILE.text_limits["municipality_code"]),
                  "municipality_name": checks.text(payload, "municipality_name",
                                                   PROFILE.text_limits["municipality_name"])}
    except ValueError as error:
        raise BatchRejected("payload_invalid", f"field {error} is not acceptable", seq=seq) from error
    if values["municipality_code"] and not within_area(node, values["municipality_code"]):
        # A center's municipality decides which declarations cover it: a node speaks for its own area only.
        raise BatchRejected("outside_municipality", "the center's municipality is not the node's", seq=seq,
                            status=403)
    NodeCenter.objects.update_or_create(center_uuid=entry["uuid"], defaults={
        "node": node, "version": entry["version"], **values})
    return True


def within_area(node: Node, code: str) -> bool:
    """A center's node speaks for its municipality; a prefectural hub (on the national hub) for its
    prefecture: the first two digits of every 全国地方公共団体コード are the prefecture's."""
    if node.kind == NodeKind.PREFECTURAL_HUB:
        return code[:2] == node.municipality_code[:2]
    return within_municipality(node.municipality_code, code)


def within_municipality(node_code: str, code: str) -> bool:
    """The node's own municipality, or a ward (区) of it when the node is a designated city's
    (政令指定都市: codes 1_1_0, e.g. 横浜市 14100 → 西区 14103; the sixth digit is a check digit)."""
    if code == node_code:
        return True
    designated_city = len(node_code) == 6 and node_code[2] == "1" and node_code[4] == "0"
    return designated_city and code[:4] == node_code[:4]


class _Pending:
    """Record entries of a batch, validated one by one and written set-wise.

    Applying entries one at a time with "only if newer" leaves, for each record, the state of its
    highest version (ties: the later seq), so only that winner is written — in a few statements
    per entity type instead of several per entry.
    """

    def __init__(self, node: Node):
        self.node = node
        self.centers = self._centers()
        self.winners: dict[str, dict] = {}  # entity type → {uuid: (entry, field values or None)}
        self.count = 0

    def _centers(self) -> dict[str, int]:
        return {str(u): pk for u, pk in NodeCenter.objects.filter(node=self.node).values_list("center_uuid", "pk")}

    def centers_unchanged(self) -> bool:
        """Still the node's centers (read again under its lock, after an unlocked start)."""
        return self._centers() == self.centers

    def add(self, entry: dict, checked=None) -> None:
        """`checked`: the entry's field values (or their refusal) from `_check_fields`, when they were
        worked out before the node's lock was taken."""
        payload, seq = entry["payload"], entry["seq"]
        center_pk = self.centers.get(str(payload.get("center")))
        if center_pk is None:
            raise BatchRejected("outside_partition", "the record's center does not belong to the signing node",
                                seq=seq, status=403)
        values = None
        if entry["op"] == "upsert":
            values = checked if checked is not None else _check_fields(entry)
            if isinstance(values, BatchRejected):
                raise values
            values["center_id"] = center_pk
            self._check_disaster_rules(entry, values)
            if entry["type"] == DISASTER_CONTACT and DisasterDeclaration.objects.filter(
                    pk=values["declaration_id"], closed_at__isnull=False).exists():
                # Sent before the node learned of the close: kept nowhere, as if purged.
                entry, values = {**entry, "op": "purge"}, None
            elif entry["type"] == TOUR_CASE and tour_selectors.reading_ended(self.node, values["tour_uuid"]):
                # A tour's copy after its reading period (a late or re-sent entry): kept nowhere.
                entry, values = {**entry, "op": "purge"}, None
        elif entry["type"] == STUDY_TOUR:
            # A tour gone from its node takes its copies and lessons with it (they hold no key to it).
            tours.forget_copies(self.node, [entry["uuid"]])
        by_uuid = self.winners.setdefault(entry["type"], {})
        current = by_uuid.get(entry["uuid"])
        if current is None or entry["version"] >= current[0]["version"]:
            by_uuid[entry["uuid"]] = (entry, values)
        self.count += 1

    def _check_disaster_rules(self, entry: dict, values: dict) -> None:
        """A report only on a commitment addressed to the reporting center; statuses never move back."""
        seq = entry["seq"]
        if entry["type"] == COMMITMENT_REPORT and not DisasterCommitment.objects.filter(
                pk=values["commitment_id"], center_id=values["center_id"]).exists():
            raise BatchRejected("outside_partition", "the commitment is addressed to another center", seq=seq,
                                status=403)
        schema = SCHEMAS[entry["type"]]
        if not schema.contract.status_order:
            return
        model = schema.model
        held = model.objects.filter(node=self.node, entity_uuid=entry["uuid"]).values_list("status", "version").first()
        pending = self.winners.get(entry["type"], {}).get(entry["uuid"])
        for old in (held, (pending[1]["status"], pending[0]["version"]) if pending and pending[1] else None):
            if old and old[1] < entry["version"] and not schema.contract.may_move(old[0], values["status"]):
                raise BatchRejected("status_backwards", f"status may not move from {old[0]} to {values['status']}",
                                    seq=seq, status=409)

    def flush(self) -> int:
        """Write the winners; returns how many of them changed the hub's copy."""
        changed = 0
        for entity_type, by_uuid in self.winners.items():
            changed += self._flush_type(entity_type, by_uuid)
        self.winners, self.count = {}, 0
        return changed

    def _flush_type(self, entity_type: str, by_uuid: dict) -> int:
        model = SCHEMAS[entity_type].model
        node = self.node
        upserts = [(u, entry["version"], values) for u, (entry, values) in by_uuid.items() if entry["op"] == "upsert"]
        removals = [(u, entry) for u, (entry, _values) in by_uuid.items() if entry["op"] != "upsert"]
        written = write_copies(model, node, upserts) if upserts else 0
        if removals:
            uuids = [u for u, _entry in removals]
            held = dict(model.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
            buried = dict(Tombstone.objects.filter(node=node, entity_uuid__in=uuids).values_list("entity_uuid", "version"))
            doomed = [u for u, entry in removals if held.get(u, -1) <= entry["version"]]
            model.objects.filter(node=node, entity_uuid__in=doomed).delete()
            graves = [Tombstone(node=node, entity_type=entity_type, entity_uuid=u, version=entry["version"],
                                op=entry["op"]) for u, entry in removals if buried.get(u, -1) < entry["version"]]
            Tombstone.objects.bulk_create(graves, batch_size=500, update_conflicts=True,
                                          unique_fields=["node", "entity_uuid"], update_fields=["version", "op", "at"])
        return written + len(removals)


def _check_fields(entry: dict) -> dict | BatchRejected:
    """An upsert's field values for its copy, or why it is refused (raised in the entry's turn)."""
    schema = SCHEMAS[entry["type"]]
    keys = schema.contract.keys
    payload, seq = entry["payload"], entry["seq"]
    if not keys.issuperset(payload):
        return BatchRejected("payload_invalid", f"unexpected fields: {sorted(set(payload) - keys)}", seq=seq)
    try:
        return schema.fields(payload)
    except ValueError as error:
        return BatchRejected("payload_invalid", f"field {error} is not acceptable", seq=seq)


# Types whose field checks read nothing from the database: checked before the node's lock is taken,
# so that this work overlaps the apply of the node's previous batch (a pipelined push).
CHECKED_UNLOCKED = frozenset({DIRECTORY_GROUP, PUBLIC_EVENT, AGGREGATE_COUNTS, SHARED_CASE, DIRECTORY_OFFER,
                              NETWORK_LISTING})


# How long a batch the node marks as pipelined (sent while its predecessor was still in flight) may
# wait for that predecessor before it is refused as a gap.
PREDECESSOR_WAIT = 3.0  # seconds


class _Ahead(Exception):
    """The batch starts beyond the next seq; its predecessor may still be on its way."""


@dataclass
class BatchOutcome:
    last_applied_seq: int
    applied: int
    skipped: int


def batch_apply(*, node: Node, batch) -> BatchOutcome:
    """Apply a node's batch in one transaction; refuse it whole if it leaves a gap or breaks a rule.

    The entries' shape, digests and (for most types) field values are checked first, without any
    lock; a batch of plain upserts is also staged then (`_prestage`); then, under the node's row
    lock, the gap, partition and version rules, and the writes. A batch marked `pipelined` that
    starts beyond the next seq waits up to PREDECESSOR_WAIT for the batch before it (sent just
    earlier, still being applied) and is refused as a gap after that.
    """
    if not isinstance(batch, dict) or batch.get("format") != wire_batch.FORMAT or not isinstance(
            batch.get("entries"), list):
        raise BatchRejected("batch_invalid", f"not a {wire_batch.FORMAT} document", status=400)
    if len(batch["entries"]) > wire_batch.MAX_ENTRIES:
        raise BatchRejected("batch_too_large", f"at most {wire_batch.MAX_ENTRIES} entries per batch", status=413)
    entries = [_entry(raw) for raw in batch["entries"]]
    seqs = [entry["seq"] for entry in entries]
    if seqs and seqs != list(range(seqs[0], seqs[0] + len(seqs))):
        raise BatchRejected("batch_not_consecutive", "entries must carry consecutive seqs", status=400)
    checked = {entry["seq"]: _check_fields(entry) for entry in entries
               if entry["op"] == "upsert" and entry["type"] in CHECKED_UNLOCKED}
    deadline = time.monotonic() + (PREDECESSOR_WAIT if batch.get("pipelined") is True else 0)
    if not _stageable(entries, checked):
        return _apply_in_turn(node, batch, entries, checked, None, deadline)
    with transaction.atomic():
        # PostgreSQL only: on SQLite a transaction around the retries would keep reading the
        # snapshot its first read took, and never see the predecessor's commit.
        return _apply_in_turn(node, batch, entries, checked, _prestage(node, entries, checked), deadline)


def _apply_in_turn(node: Node, batch: dict, entries: list[dict], checked: dict, staged: _Pending | None,
                   deadline: float) -> BatchOutcome:
    while True:
        try:
            # Its own transaction, or a savepoint of the staging one: leaving it on _Ahead releases
            # the node's lock for the predecessor, and what was staged stays.
            return _batch_apply_locked(node, batch, entries, checked, staged)
        except _Ahead as ahead:
            if time.monotonic() >= deadline:
                raise BatchRejected("gap", str(ahead), status=409) from None
            time.sleep(0.01)


def _stageable(entries: list[dict], checked: dict) -> bool:
    """PostgreSQL, and a batch of plain upserts whose checks read no table, all acceptable."""
    return connection.vendor == "postgresql" and bool(entries) and all(
        entry["op"] == "upsert" and entry["type"] in CHECKED_UNLOCKED
        and not isinstance(checked[entry["seq"]], BatchRejected) for entry in entries)


def _prestage(node: Node, entries: list[dict], checked: dict) -> _Pending | None:
    """A stageable batch's winners, COPYed into the staging tables before the node's lock is taken,
    so that under the lock only the INSERT … ON CONFLICT statements remain; None when a record is
    not of the node's own centers (the batch then goes entry by entry under the lock, and the
    refusal comes in its entry's turn)."""
    pending = _Pending(node)
    try:
        for entry in entries:
            pending.add(entry, checked[entry["seq"]])
    except BatchRejected:
        return None
    for entity_type, by_uuid in pending.winners.items():
        stage_rows(SCHEMAS[entity_type].model, node, [(u, entry["version"], values)
                                                      for u, (entry, values) in by_uuid.items()])
    return pending


@transaction.atomic
def _batch_apply_locked(node: Node, batch: dict, entries: list[dict], checked: dict,
                        staged: _Pending | None = None) -> BatchOutcome:
    # The node row lock serializes batches of one node, so the set-wise reads below stay true.
    node = Node.objects.select_for_update().get(pk=node.pk)
    if entries and entries[0]["seq"] > node.last_applied_seq + 1:
        raise _Ahead(f"expected seq {node.last_applied_seq + 1}, got {entries[0]['seq']}")
    fresh = [entry for entry in entries if entry["seq"] > node.last_applied_seq]
    if staged is not None and len(fresh) == len(entries) and staged.centers_unchanged():
        applied = sum(apply_stage(SCHEMAS[entity_type].model, node) for entity_type in staged.winners)
    else:
        # A re-delivery, or a center moved meanwhile: entry by entry (writing a type's copies
        # empties its staging table first).
        applied = _apply_entries(node, fresh, checked)
    if fresh:
        node.last_applied_seq = fresh[-1]["seq"]
        # In this transaction: what may go up to the national hub is in the outbox exactly when applied.
        upward.forward_applied(node=node, entries=fresh)
        national.deliveries_report(entries=fresh)
    if applied and any(entry["type"] == SHARED_CASE and entry["op"] == "upsert" for entry in fresh):
        transaction.on_commit(request_indexing)  # the words come after; the substring path finds them meanwhile
    if applied and any(entry["type"] == DIRECTORY_GROUP and entry["op"] == "upsert" for entry in fresh):
        transaction.on_commit(directory_index.request_indexing)  # found by a scan of the unindexed meanwhile
    _note_reported(node, batch)
    return BatchOutcome(last_applied_seq=node.last_applied_seq, applied=applied, skipped=len(entries) - applied)


def _apply_entries(node: Node, fresh: list[dict], checked: dict) -> int:
    applied = 0
    pending = _Pending(node)
    for entry in fresh:
        if entry["type"] == NODE_PROFILE:
            # Profiles are rare and decide which centers exist: write what came before them first.
            applied += pending.flush()
            applied += _apply_profile(node, entry)
            pending = _Pending(node)
        else:
            pending.add(entry, checked.get(entry["seq"]))
    return applied + pending.flush()


def _note_reported(node: Node, batch: dict) -> None:
    """What the node reports of its backlog, and the contact, saved with the new checkpoint."""
    published = batch.get("published_seq")
    if isinstance(published, int) and published >= node.last_applied_seq:
        node.reported_published_seq = published
    oldest = batch.get("oldest_unsent_at")
    node.reported_oldest_unsent_at = parse_datetime(oldest) if isinstance(oldest, str) else None
    node.last_contact_at = timezone.now()
    node.save(update_fields=["last_applied_seq", "reported_published_seq", "reported_oldest_unsent_at",
                             "last_contact_at"])


def node_digest(node: Node) -> dict[str, dict]:
    """The same digest the node computes over what it believes the hub holds (sync.client.local_digest)."""
    items = [(NODE_PROFILE, str(u), v)
             for u, v in NodeCenter.objects.filter(node=node).values_list("center_uuid", "version")]
    for entity_type, schema in SCHEMAS.items():
        items += [(entity_type, str(u), v)
                  for u, v in schema.model.objects.filter(node=node).values_list("entity_uuid", "version")]
    return digest_of(items)


def node_holdings(node: Node) -> dict[str, dict]:
    """Everything the hub holds of `node`, and the versions that buried what it deleted: what a node
    restored from an older backup re-announces against (sync.wire.restore)."""
    held = {NODE_PROFILE: [[str(u), v, str(u), None] for u, v in
                           NodeCenter.objects.filter(node=node).values_list("center_uuid", "version")]}
    for entity_type, schema in SCHEMAS.items():
        status = "status" if schema.contract.status_order else None
        columns = ["entity_uuid", "version", "center__center_uuid"] + ([status] if status else [])
        held[entity_type] = [[str(row[0]), row[1], str(row[2]), row[3] if status else None]
                             for row in schema.model.objects.filter(node=node).values_list(*columns)]
    buried: dict[str, list] = {}
    for entity_type, entity_uuid, version in Tombstone.objects.filter(node=node).values_list(
            "entity_type", "entity_uuid", "version"):
        buried.setdefault(entity_type, []).append([str(entity_uuid), version])
    return {wire_restore.HELD: {t: rows for t, rows in held.items() if rows}, wire_restore.BURIED: buried}
