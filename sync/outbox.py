"""Writing the outbox: what of a changed record the hub may see, decided in the writing transaction.

Services call `record_changed` / `record_deleted` right after their write (no signals). The
projection functions below are the only place that decides which fields leave the node; none
copies a personal field, with one deliberate exception: `disaster_contact` (PERSONAL_DATA_TYPES),
a group's contact for a declared disaster, sent only while the declaration is open and covers its
center and the group consented, and purged when it closes. The case projection (sync.sharing) reads
the node's personal data only to find and remove it from the case's texts, and refuses to send when
any is left.
"""

from __future__ import annotations

import hashlib
import json
import time
import uuid
from collections.abc import Callable
from functools import partial

import orjson
from django.conf import settings
from django.db import transaction

from .models import Op, OutboxEntry, Priority

SCHEMA_VERSION = 1


def canonical_json(payload: dict) -> bytes:
    """Sorted keys, no spaces, UTF-8 unescaped: what `payload_sha256` is taken over, on both sides.

    orjson writes these bytes for strings, integers, lists and objects exactly as `json.dumps` with
    these options does (checked code point by code point); payloads carry no floats, whose exponents
    the two would write differently. What orjson refuses (integers beyond 64 bits, non-string keys)
    goes through `json`, as before."""
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def payload_digest(payload: dict) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()


def _center_profile(center) -> dict:
    return {"center": str(center.uuid), "name": center.name, "municipality_code": center.municipality_code,
            "municipality_name": center.municipality_name}


def project_group(group) -> dict | None:
    """The directory entry of a group that consented to hub listing; None otherwise."""
    from .sharing import group_listing

    return group_listing(group)


def project_event(event) -> dict | None:
    from .sharing import event_listing

    return event_listing(event)


def project_center(center) -> dict | None:
    return _center_profile(center) if center.kind == "center" else None


def project_case(case) -> dict | None:
    from .sharing import project_case as anonymized_case

    return anonymized_case(case)


def project_offer(offer) -> dict | None:
    """An offer of a group listed on the hub (sync.sharing.offer_listing decides, fail closed)."""
    from .sharing import offer_listing

    return offer_listing(offer)


def project_center_status(report) -> dict:
    """A center's status for a declaration: no people, a status, a time and a short note."""
    from .disaster import MAX_NOTE
    from .sharing import disaster_text

    return {"center": str(report.center.uuid), "declaration": str(report.declaration.uuid), "status": report.status,
            "as_of": report.as_of.isoformat(), "note": disaster_text(report.note, MAX_NOTE)}


def project_disaster_need(need) -> dict:
    """A center's need: sector, lines with quantities, an area, times and a status. No people."""
    from .sharing import all_personal_data, disaster_text

    known = all_personal_data()
    lines = [{**line, "description": disaster_text(line["description"], 200, known=known, withheld="〔非公開〕")}
             for line in need.lines]
    return {"center": str(need.center.uuid), "declaration": str(need.declaration.uuid), "sector": need.sector,
            "lines": lines, "priority": need.priority,
            "needed_by": need.needed_by.isoformat() if need.needed_by else None,
            "municipality_code": need.municipality_code,
            "place_name": disaster_text(need.place_name, 200, known=known), "status": need.status,
            "last_confirmed_at": need.last_confirmed_at.isoformat(), "expires_at": need.expires_at.isoformat(),
            "created_at": need.created_at.isoformat()}


def project_disaster_offer(offer) -> dict:
    """A group's offer; the group is named only if it consented to be listed on the hub."""
    from .sharing import all_personal_data, disaster_text

    group, known = offer.group, all_personal_data()
    listed = group.consent_hub_listing_at is not None and group.status == "active"
    return {"center": str(offer.center.uuid), "declaration": str(offer.declaration.uuid),
            "group_name": group.organization.name if listed else "", "sector": offer.sector,
            "volunteers": offer.volunteers, "skills": disaster_text(offer.skills, 400, known=known),
            "supplies": [{**line, "description": disaster_text(line["description"], 200, known=known, withheld="〔非公開〕")}
                         for line in offer.supplies],
            "vehicles": offer.vehicles, "municipality_code": offer.municipality_code,
            "area_served": disaster_text(offer.area_served, 200, known=known),
            "valid_until": offer.valid_until.isoformat(), "status": offer.status,
            "created_at": offer.created_at.isoformat()}


def project_commitment_report(commitment) -> dict | None:
    """Our answer to a hub commitment; nothing to send until we acknowledged it."""
    if commitment.status == "committed":
        return None
    return {"center": str(commitment.center.uuid), "declaration": str(commitment.declaration.uuid),
            "commitment": str(commitment.commitment_uuid), "status": commitment.status,
            "delivered": commitment.delivered, "reached": commitment.reached,
            "reported_at": commitment.reported_at.isoformat()}


def project_tour(tour) -> dict | None:
    from .tours import project_tour as tour_record

    return tour_record(tour)


def project_tour_case(tour_case) -> dict | None:
    from .tours import project_tour_case as tour_copy

    return tour_copy(tour_case)


def project_tour_lesson(lesson) -> dict | None:
    from .tours import project_tour_lesson as lesson_record

    return lesson_record(lesson)

def project_disaster_contact(contact) -> dict | None:
    """The only projection that copies personal fields: a group's disaster contact (issue 5), and
    only while its declaration is open and covers the center and the group's consent stands. Any
    of these failing retracts it (the hub deletes its copy)."""
    from emergency.selectors import declaration_covers

    group, declaration = contact.group, contact.declaration
    if (declaration.closed_at is not None or not declaration_covers(declaration, contact.center)
            or group.consent_disaster_contact_at is None or group.status != "active"):
        return None
    return {"center": str(contact.center.uuid), "declaration": str(declaration.uuid),
            "group_name": group.organization.name, "contact_name": contact.contact_name, "phone": contact.phone,
            "email": contact.email, "shared_at": contact.updated_at.isoformat()}


# Entity types whose payload is personal data by design; every other type must never carry any.
PERSONAL_DATA_TYPES = frozenset({"disaster_contact"})

# entity type → (model label, projection). Only these ever reach the outbox.
PROJECTIONS: dict[str, tuple[str, Callable]] = {
    "node_profile": ("permissions.organization", project_center),
    "directory_group": ("nodes.groupregistration", project_group),
    "public_event": ("nodes.event", project_event),
    "shared_case": ("nodes.collaborationcase", project_case),
    "directory_offer": ("nodes.offer", project_offer),
    "center_status": ("emergency.centerstatusreport", project_center_status),
    "disaster_need": ("emergency.disasterneed", project_disaster_need),
    "disaster_offer": ("emergency.disasteroffer", project_disaster_offer),
    "commitment_report": ("emergency.commitment", project_commitment_report),
    "study_tour": ("nodes.studytour", project_tour),
    "tour_case": ("nodes.tourcase", project_tour_case),
    "tour_lesson": ("nodes.tourlesson", project_tour_lesson),
    "disaster_contact": ("emergency.disastercontact", project_disaster_contact),
}
ENTITY_TYPE_OF = {label: entity_type for entity_type, (label, _fn) in PROJECTIONS.items()}


def _last_op(entity_type: str, entity_uuid) -> str | None:
    return (OutboxEntry.objects.filter(entity_uuid=entity_uuid, entity_type=entity_type).order_by("-id")
            .values_list("op", flat=True).first())


def _write(entity_type: str, entity_uuid, op: str, version: int, payload: dict, priority: int) -> OutboxEntry:
    entry = OutboxEntry.objects.create(
        entity_type=entity_type, entity_uuid=entity_uuid, op=op, schema_version=SCHEMA_VERSION, version=version,
        payload=payload, payload_sha256=payload_digest(payload), priority=priority,
    )
    transaction.on_commit(partial(request_push, disaster=priority == Priority.DISASTER))
    return entry


def _syncs() -> bool:
    # Only a node publishes; a hub's own organizations never enter an outbox.
    return settings.KYODO_ROLE == "node"


def record_changed(record, *, priority: int = Priority.NORMAL) -> OutboxEntry | None:
    """Upsert what the hub may see of `record`, or retract it when it may no longer be seen."""
    entity_type = ENTITY_TYPE_OF.get(record._meta.label_lower)
    if entity_type is None or not _syncs():
        return None
    return _emit(record, entity_type, PROJECTIONS[entity_type][1](record), priority)


def _emit(record, entity_type: str, projection: dict | None, priority: int) -> OutboxEntry | None:
    version = _version(record)
    if projection is not None:
        return _write(entity_type, record.uuid, Op.UPSERT, version, projection, priority)
    if _last_op(entity_type, record.uuid) == Op.UPSERT:
        return _write(entity_type, record.uuid, Op.RETRACT, version, {"center": _center_uuid(record)}, priority)
    return None


def record_deleted(record, *, priority: int = Priority.NORMAL) -> OutboxEntry | None:
    """A deleted record is purged from the hub if it was ever sent."""
    entity_type = ENTITY_TYPE_OF.get(record._meta.label_lower)
    if entity_type is None or not _syncs() or _last_op(entity_type, record.uuid) in (None, Op.PURGE):
        return None
    return _write(entity_type, record.uuid, Op.PURGE, _version(record) + 1, {"center": _center_uuid(record)}, priority)


_PROJECT = object()


def record_reproject(record, *, priority: int = Priority.NORMAL, projection=_PROJECT) -> OutboxEntry | None:
    """Send `record` again when what the hub should hold of it changed though the record did not (its
    group withdrew a consent, personal data registered since): under a new version, so the hub takes
    it, and only if it changed. A caller that already projected the record passes `projection`."""
    entity_type = ENTITY_TYPE_OF.get(record._meta.label_lower)
    if entity_type is None or not _syncs():
        return None
    from django.db.models import F

    if projection is _PROJECT:
        projection = PROJECTIONS[entity_type][1](record)
    last = OutboxEntry.objects.filter(entity_type=entity_type, entity_uuid=record.uuid).order_by("-id").first()
    sent = last is not None and last.op == Op.UPSERT
    if (projection is None and not sent) or (
            projection is not None and sent and payload_digest(projection) == last.payload_sha256):
        return None
    type(record).objects.filter(pk=record.pk).update(version=F("version") + 1)
    record.refresh_from_db(fields=["version"])
    return _emit(record, entity_type, projection, priority)


def write_aggregate(*, center, data: dict) -> OutboxEntry:
    """Counts for one center; versioned by time so a newer snapshot always wins."""
    payload = {"center": str(center.uuid), "data": data}
    return _write("aggregate_counts", aggregate_uuid(center), Op.UPSERT, time.time_ns() // 1000, payload,
                  Priority.NORMAL)


def write_survey_counts(*, center, survey, payload: dict) -> OutboxEntry:
    """A center's counts for an emergency survey, at disaster priority; versioned by time like the
    aggregates, so the newest tally always wins."""
    from .disaster import SURVEY_COUNTS_TYPE, survey_counts_uuid

    return _write(SURVEY_COUNTS_TYPE, survey_counts_uuid(center_uuid=center.uuid, survey_uuid=survey.uuid),
                  Op.UPSERT, time.time_ns() // 1000, payload, Priority.DISASTER)


def forget_sent_contact(contact) -> None:
    """After a disaster contact was purged: entries not yet numbered are dropped (they never left),
    and entries the hub acknowledged keep only their center, so the values stay nowhere in the
    outbox. Numbered but unacknowledged entries are left alone: they must go out as numbered."""
    from .models import SyncState

    entries = OutboxEntry.objects.filter(entity_type="disaster_contact", entity_uuid=contact.uuid, op=Op.UPSERT)
    entries.filter(publish_seq__isnull=True).delete()
    acked = SyncState.objects.filter(pk=1).values_list("last_acked_seq", flat=True).first() or 0
    redacted = {"center": str(contact.center.uuid)}
    entries.filter(publish_seq__lte=acked).update(payload=redacted, payload_sha256=payload_digest(redacted))


def aggregate_uuid(center) -> uuid.UUID:
    """The aggregates of a center are their own entity, distinct from the center's profile."""
    return uuid.uuid5(center.uuid, "aggregate_counts")


def _version(record) -> int:
    # Organizations have no version column; their update time orders their profile changes.
    version = getattr(record, "version", None)
    return version if version is not None else int(record.updated_at.timestamp() * 1_000_000)


def _center_uuid(record) -> str:
    center = record if record._meta.label_lower == "permissions.organization" else record.center
    return str(center.uuid)


def request_push(*, disaster: bool = False) -> None:
    """After a commit that wrote the outbox: ask for a push soon (debounced in sync.tasks); disaster
    traffic goes at once, on the disaster queue."""
    from .tasks import schedule_push

    schedule_push(reason="outbox", disaster=disaster)
