"""Writing the outbox: what of a changed record the hub may see, decided in the writing transaction.

Services call `record_changed` / `record_deleted` right after their write (no signals). What a
record becomes on the wire is decided by its type's projection, registered by the app that owns
the record (sync.registry); a projection that answers None means "the hub may not see it (any
more)", which retracts what was sent. Only types registered `personal` (a group's disaster
contact) ever carry personal data.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from functools import partial

from django.conf import settings
from django.db import transaction
from django.db.models import F

from . import registry
from .canonical import canonical_json, payload_digest
from .disaster import SURVEY_COUNTS_TYPE, survey_counts_uuid
from .models import Op, OutboxEntry, Priority, SyncState
from .wire import batch, directory

__all__ = ["canonical_json", "payload_digest", "record_changed", "record_deleted", "record_reproject",
           "write_aggregate", "write_survey_counts", "forget_sent_contact", "aggregate_uuid", "forward_entry",
           "last_forwarded"]

SCHEMA_VERSION = batch.SCHEMA
AGGREGATE_TYPE = directory.AGGREGATE_COUNTS

# Asks for a push once a transaction that wrote the outbox commits. Installed by sync's AppConfig
# (it schedules a Celery task, and the tasks sit above this module).
_push_requester: Callable[..., object] | None = None


def on_written(requester: Callable[..., object]) -> None:
    global _push_requester
    _push_requester = requester


def _request_push(*, disaster: bool) -> None:
    if _push_requester is not None:
        _push_requester(reason="outbox", disaster=disaster)


def _last_op(entity_type: str, entity_uuid) -> str | None:
    return (OutboxEntry.objects.filter(entity_uuid=entity_uuid, entity_type=entity_type).order_by("-id")
            .values_list("op", flat=True).first())


def _write(entity_type: str, entity_uuid, op: str, version: int, payload: dict, priority: int) -> OutboxEntry:
    entry = OutboxEntry.objects.create(
        entity_type=entity_type, entity_uuid=entity_uuid, op=op, schema_version=SCHEMA_VERSION, version=version,
        payload=payload, payload_sha256=payload_digest(payload), priority=priority,
    )
    transaction.on_commit(partial(_request_push, disaster=priority == Priority.DISASTER))
    return entry


def _syncable(record) -> registry.SyncableType | None:
    # Only a node publishes; a hub's own organizations never enter an outbox.
    return registry.of_record(record) if settings.KYODO_ROLE == "node" else None


def record_changed(record, *, priority: int | None = None, created: bool = False,
                   projection=None) -> OutboxEntry | None:
    """Upsert what the hub may see of `record`, or retract it when it may no longer be seen. A record
    created in this transaction was never sent: nothing of it can need retracting. A caller writing
    many records projects them itself (reading the node's personal data once) and passes
    `projection` — a dict, or `False` for "the hub may not see it"."""
    syncable = _syncable(record)
    if syncable is None:
        return None
    if projection is None:
        projection = syncable.project(record)
    return _emit(record, syncable, _gated(syncable, projection or None), _priority(syncable, priority),
                 created=created)


def _gated(syncable: registry.SyncableType, projection: dict | None) -> dict | None:
    """The node's final check has the last word: a payload it refuses is not sent (and what was
    sent of the record is retracted)."""
    return projection if projection is None or registry.passes_gate(syncable, projection) else None


def _priority(syncable: registry.SyncableType, priority: int | None) -> int:
    return syncable.priority if priority is None else priority


def _emit(record, syncable: registry.SyncableType, projection: dict | None, priority: int, *,
          created: bool = False) -> OutboxEntry | None:
    version = _version(record)
    if projection is not None:
        return _write(syncable.entity_type, record.uuid, Op.UPSERT, version, projection, priority)
    if not created and _last_op(syncable.entity_type, record.uuid) == Op.UPSERT:
        return _write(syncable.entity_type, record.uuid, Op.RETRACT, version, {"center": _center_uuid(record)},
                      priority)
    return None


def record_deleted(record, *, priority: int | None = None) -> OutboxEntry | None:
    """A deleted record is purged from the hub if it was ever sent."""
    syncable = _syncable(record)
    if syncable is None or _last_op(syncable.entity_type, record.uuid) in (None, Op.PURGE):
        return None
    return _write(syncable.entity_type, record.uuid, Op.PURGE, _version(record) + 1,
                  {"center": _center_uuid(record)}, _priority(syncable, priority))


_PROJECT = object()


def record_reproject(record, *, priority: int | None = None, projection=_PROJECT) -> OutboxEntry | None:
    """Send `record` again when what the hub should hold of it changed though the record did not (its
    group withdrew a consent, personal data registered since): under a new version, so the hub takes
    it, and only if it changed. A caller that already projected the record passes `projection`."""
    syncable = _syncable(record)
    if syncable is None:
        return None
    if projection is _PROJECT:
        projection = syncable.project(record)
    projection = _gated(syncable, projection)
    last = OutboxEntry.objects.filter(entity_type=syncable.entity_type, entity_uuid=record.uuid).order_by("-id").first()
    sent = last is not None and last.op == Op.UPSERT
    if (projection is None and not sent) or (
            projection is not None and sent and payload_digest(projection) == last.payload_sha256):
        return None
    type(record).objects.filter(pk=record.pk).update(version=F("version") + 1)
    record.refresh_from_db(fields=["version"])
    return _emit(record, syncable, projection, _priority(syncable, priority))


def forward_entry(*, entity_type: str, entity_uuid, op: str, version: int, payload: dict,
                  priority: int = Priority.NORMAL) -> OutboxEntry:
    """A prefectural hub passes a record it received on to its national hub, in the transaction that
    applied it: the record keeps its uuid and its node's version, so the national hub's "only if
    newer" rule orders it as the prefectural hub's did. The caller decided it may go up."""
    return _write(entity_type, entity_uuid, op, version, payload, priority)


def last_forwarded(entity_type: str, entity_uuid) -> tuple[str, str] | None:
    """(op, payload sha256) of the last entry written for a record, or None."""
    return (OutboxEntry.objects.filter(entity_uuid=entity_uuid, entity_type=entity_type).order_by("-id")
            .values_list("op", "payload_sha256").first())


def write_aggregate(*, center, data: dict) -> OutboxEntry:
    """Counts for one center; versioned by time so a newer snapshot always wins."""
    payload = {"center": str(center.uuid), "data": data}
    return _write(AGGREGATE_TYPE, aggregate_uuid(center), Op.UPSERT, time.time_ns() // 1000, payload,
                  Priority.NORMAL)


def write_survey_counts(*, center, survey, payload: dict) -> OutboxEntry:
    """A center's counts for an emergency survey, at disaster priority; versioned by time like the
    aggregates, so the newest tally always wins."""
    return _write(SURVEY_COUNTS_TYPE, survey_counts_uuid(center_uuid=center.uuid, survey_uuid=survey.uuid),
                  Op.UPSERT, time.time_ns() // 1000, payload, Priority.DISASTER)


def forget_sent_contact(contact) -> None:
    """After a disaster contact was purged: entries not yet numbered are dropped (they never left),
    and entries the hub acknowledged keep only their center, so the values stay nowhere in the
    outbox. Numbered but unacknowledged entries are left alone: they must go out as numbered.

    The acknowledged ones become retractions: a hub restored from an older backup asks for them
    again, and an upsert without its values would be refused, stalling the node's sync."""
    entries = OutboxEntry.objects.filter(entity_type="disaster_contact", entity_uuid=contact.uuid, op=Op.UPSERT)
    entries.filter(publish_seq__isnull=True).delete()
    acked = SyncState.objects.filter(pk=1).values_list("last_acked_seq", flat=True).first() or 0
    redacted = {"center": str(contact.center.uuid)}
    entries.filter(publish_seq__lte=acked).update(op=Op.RETRACT, payload=redacted,
                                                  payload_sha256=payload_digest(redacted))


def aggregate_uuid(center) -> uuid.UUID:
    """The aggregates of a center are their own entity, distinct from the center's profile."""
    return uuid.uuid5(center.uuid, AGGREGATE_TYPE)


def _version(record) -> int:
    # Organizations have no version column; their update time orders their profile changes.
    version = getattr(record, "version", None)
    return version if version is not None else int(record.updated_at.timestamp() * 1_000_000)


def _center_uuid(record) -> str:
    center = record if record._meta.label_lower == "permissions.organization" else record.center
    return str(center.uuid)
