"""What a prefectural hub passes up to its national hub, decided in the transaction that applied a
node's batch: its centers' profiles (name and municipality, public anyway; the national hub knows
them as this prefecture's, and their staff may read the national library), the library cases
whose node chose 共有範囲 全国, and the directory entries and offers of groups that consented to
全国掲載 — each checked once more on the way.

The prefectural hub is a node of the national hub (the same protocol one tier up): it writes its
own outbox, numbered by its own relay and pushed by the same client. A case stays in the prefecture
unless its node marked it national; a case that changes back to 県内のみ, is unshared or deleted is
retracted above; the center it belongs to is announced first (a `node_profile`), so the national
hub knows it as one of this prefecture's centers.

A hub given a parent after it already held 全国 cases passes up what it holds once, before its first
push to that parent (`backfill_once`, a step of every push): the same entries, through the same
outbox, skipping what already went up.
"""

from __future__ import annotations

import logging

from django.conf import settings
from django.db import transaction

from sync import outbox
from sync.anonymize import scrub
from sync.anonymize.text import PATTERN
from sync.models import Op, OutboxEntry, Priority, SyncState
from sync.wire.cases import REACH_NATIONAL, SHARED_CASE
from sync.wire.directory import DIRECTORY_GROUP, DIRECTORY_OFFER, NATIONAL, NODE_PROFILE
from sync.wire.disaster import CENTER_STATUS, COMMITMENT_REPORT, DISASTER_NEED, DISASTER_OFFER

from ..models import CaseReach, DisasterCommitment, DisasterDeclaration, Node, NodeCenter, SharedCase

logger = logging.getLogger(__name__)
FORWARDED_TYPES = frozenset({SHARED_CASE})
# Groups that consented to 全国掲載 and their offers (できることメニュー).
LISTING_TYPES = frozenset({DIRECTORY_GROUP, DIRECTORY_OFFER})
LISTING_TEXTS = ("name", "name_kana", "area", "description", "title", "capacity")
# A center's reports on a 広域 declaration (mirrored from the national hub) go up as they came; its
# disaster contacts never do (personal data stays with the prefecture that holds it under grant).
WIDE_AREA_TYPES = frozenset({CENTER_STATUS, DISASTER_NEED, DISASTER_OFFER, COMMITMENT_REPORT})


def forwarding() -> bool:
    return bool(settings.KYODO_PARENT_HUB_URL)


def forward_applied(*, node: Node, entries: list[dict]) -> int:
    """Write the upward outbox entries for a batch just applied from `node`; returns how many."""
    if not forwarding():
        return 0
    written = 0
    for entry in entries:
        if entry["type"] == NODE_PROFILE:
            written += _forward_profile(entry)
        elif entry["type"] in FORWARDED_TYPES:
            written += _forward_case(node, entry)
        elif entry["type"] in LISTING_TYPES:
            written += _forward_listing(node, entry)
        elif entry["type"] in WIDE_AREA_TYPES:
            written += _forward_wide_area(entry)
    return written


def _forward_wide_area(entry: dict) -> int:
    payload = entry["payload"]
    if entry["op"] != Op.UPSERT:
        last = outbox.last_forwarded(entry["type"], entry["uuid"])
        if last is None or last[0] != Op.UPSERT:
            return 0
    elif not _wide_area(entry["type"], payload):
        return 0
    outbox.forward_entry(entity_type=entry["type"], entity_uuid=entry["uuid"], op=entry["op"],
                         version=entry["version"], payload=payload, priority=Priority.DISASTER)
    return 1


def _wide_area(entity_type: str, payload: dict) -> bool:
    """A report on a declaration of the national hub; a commitment report only on a commitment the
    national hub made (a report on one of this hub's own commitments would be refused up there)."""
    if entity_type == COMMITMENT_REPORT:
        return DisasterCommitment.objects.filter(uuid=str(payload.get("commitment")), mirrored=True).exists()
    return DisasterDeclaration.objects.filter(uuid=str(payload.get("declaration")), mirrored=True).exists()


def _forward_profile(entry: dict) -> int:
    if entry["op"] == Op.UPSERT:
        return _announce_center(entry["uuid"])
    last = outbox.last_forwarded(NODE_PROFILE, entry["uuid"])
    if last is None or last[0] != Op.UPSERT:
        return 0
    outbox.forward_entry(entity_type=NODE_PROFILE, entity_uuid=entry["uuid"], op=entry["op"],
                         version=entry["version"], payload=entry["payload"])
    return 1


def _forward_case(node: Node, entry: dict) -> int:
    return _forward_national(node, entry, entry["payload"].get("reach") == REACH_NATIONAL, recheck)


def _forward_listing(node: Node, entry: dict) -> int:
    """A directory entry or offer of a group that consented to 全国掲載 (`national`); an offer goes
    after its group (the node sends them in that order, and this keeps it)."""
    national = entry["payload"].get(NATIONAL) is True
    if national and entry["type"] == DIRECTORY_OFFER:
        group = outbox.last_forwarded(DIRECTORY_GROUP, str(entry["payload"].get("group")))
        national = group is not None and group[0] == Op.UPSERT  # its group was held back: so is it
    return _forward_national(node, entry, national, recheck_listing)


def _forward_national(node: Node, entry: dict, national: bool, check) -> int:
    """Up when the node marked it national and the pattern layer finds nothing; otherwise taken back
    above if it went up before."""
    payload = entry["payload"]
    national = national and entry["op"] == Op.UPSERT
    if national:
        found = check(payload)
        if found:
            # Counts only: the text that tripped the check must not land in a log either.
            logger.warning("%s %s from %s not passed up: the national check found %s", entry["type"], entry["uuid"],
                           node.slug, found)
            national = False
    if national:
        written = _announce_center(payload["center"])
        outbox.forward_entry(entity_type=entry["type"], entity_uuid=entry["uuid"], op=Op.UPSERT,
                             version=entry["version"], payload=payload)
        return written + 1
    last = outbox.last_forwarded(entry["type"], entry["uuid"])
    if last is None or last[0] != Op.UPSERT:
        return 0  # never went up (or already withdrawn): nothing to take back
    outbox.forward_entry(entity_type=entry["type"], entity_uuid=entry["uuid"],
                         op=Op.PURGE if entry["op"] == Op.PURGE else Op.RETRACT, version=entry["version"],
                         payload={"center": str(payload.get("center"))})
    return 1


def _announce_center(center_uuid: str) -> int:
    """The center's profile goes up before its first case, and again when it changed."""
    center = NodeCenter.objects.filter(center_uuid=center_uuid).first()
    if center is None:
        return 0  # a profile older than the one held was skipped: the newer one went up already
    profile = {"center": str(center.center_uuid), "name": center.name,
               "municipality_code": center.municipality_code, "municipality_name": center.municipality_name}
    last = outbox.last_forwarded(NODE_PROFILE, center.center_uuid)
    if last is not None and last[0] == Op.UPSERT and last[1] == outbox.payload_digest(profile):
        return 0
    outbox.forward_entry(entity_type=NODE_PROFILE, entity_uuid=center.center_uuid, op=Op.UPSERT,
                         version=center.version, payload=profile)
    return 1


def recheck(payload: dict) -> dict[str, int]:
    """The pattern layer of the scrubber over every free text of an already scrubbed case: phones,
    e-mails, postal codes, URLs and addresses anyone could have written. The node's own final check
    knew its personal data; this hub knows none, so what it can still catch is what a pattern shows.
    Returns the kinds found and how often (empty: the case may go up)."""
    texts = [payload.get("title") or "", payload.get("summary") or "", payload.get("lessons") or ""]
    for party in payload.get("parties") or ():
        texts += [party.get("contribution") or "", party.get("name") or ""]
    return _patterns_found(texts)


def recheck_listing(payload: dict) -> dict[str, int]:
    """The same check over a directory entry's or an offer's texts (the group's name included)."""
    return _patterns_found([str(payload.get(name) or "") for name in LISTING_TEXTS])


def _patterns_found(texts: list[str]) -> dict[str, int]:
    found: dict[str, int] = {}
    for text in texts:
        for replacement in scrub(text, layers={PATTERN}).replacements:
            found[replacement.kind] = found.get(replacement.kind, 0) + 1
    return found


def _case_payload(case: SharedCase) -> dict:
    """The `shared_case` payload of a held copy, as its node sent it (the hub keeps every field of it)."""
    return {"center": str(case.center.center_uuid), "level": case.level, "reach": case.reach, "title": case.title,
            "summary": case.summary, "lessons": case.lessons, "form": case.form, "fields": list(case.field_codes),
            "fiscal_year_start": case.fiscal_year_start, "fiscal_year_end": case.fiscal_year_end,
            "outcome": case.outcome, "total_cost": case.total_cost, "city_share": case.city_share,
            "published_month": case.published_month.strftime("%Y-%m"), "parties": case.parties}


@transaction.atomic
def backfill() -> dict[str, int]:
    """Write the upward entries of everything this hub holds that its parent should: every center's
    profile and every 全国 case that passes the recheck. A record whose last entry already went up at
    its version or later is skipped, so running it again writes nothing. Returns what was written."""
    written = {NODE_PROFILE: 0, SHARED_CASE: 0}
    if not forwarding():
        return written
    for center_uuid in NodeCenter.objects.order_by("id").values_list("center_uuid", flat=True):
        written[NODE_PROFILE] += _announce_center(center_uuid)
    sent = dict(OutboxEntry.objects.filter(entity_type=SHARED_CASE, op=Op.UPSERT)
                .values_list("entity_uuid", "version").order_by("id"))
    cases = SharedCase.objects.filter(reach=CaseReach.NATIONAL).select_related("center").order_by("id")
    for case in cases.iterator(chunk_size=1000):
        if sent.get(case.entity_uuid, -1) >= case.version:
            continue
        payload = _case_payload(case)
        found = recheck(payload)
        if found:
            logger.warning("case %s not passed up: the national check found %s", case.entity_uuid, found)
            continue
        outbox.forward_entry(entity_type=SHARED_CASE, entity_uuid=case.entity_uuid, op=Op.UPSERT,
                             version=case.version, payload=payload)
        written[SHARED_CASE] += 1
    return written


@transaction.atomic
def backfill_once() -> int:
    """Before a push: the backfill, once per parent (a hub moved to another national hub passes up
    again). The state row is locked so that two workers pushing at once do not both write it."""
    if not forwarding():
        return 0
    state, _ = SyncState.objects.select_for_update().get_or_create(pk=1)
    if state.upward_backfill_for == settings.KYODO_PARENT_HUB_URL:
        return 0
    written = backfill()
    state.upward_backfill_for = settings.KYODO_PARENT_HUB_URL
    state.save(update_fields=["upward_backfill_for"])
    if any(written.values()):
        logger.info("passed up to the new national hub what this hub held: %s", written)
    return sum(written.values())
