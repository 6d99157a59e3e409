"""The national tier's disaster coordination, on both hubs of it: a prefectural hub mirrors the
national hub's 広域 declarations and commitments from its feed and passes them down to its nodes;
the national hub sends a delivery report to the hub of the need it met, which passes it on to the
need's node. Each record keeps its one writer: the national hub writes the declaration and the
commitment, the committing node its report; the hubs in between only copy and relay.
"""

from __future__ import annotations

import logging

from django.db import transaction
from django.utils.dateparse import parse_datetime

from common.japanese import municipality_code_is_valid
from permissions.audit import audit_record
from sync import disaster
from sync.models import FeedItem, Op
from sync.wire.disaster import COMMITMENT_REPORT, MAX_INSTRUCTIONS, commitment_feed_ids

from ..models import (
    DisasterCommitment,
    DisasterDeclaration,
    DisasterNeedCopy,
    FeedEntry,
    NodeCenter,
    NodeKind,
)
from . import contacts
from .feed import feed_publish

logger = logging.getLogger(__name__)
_MIRRORED_FIELDS = ("name", "hazard", "municipality_codes", "phase", "exercise", "started_at", "closed_at", "version")


@transaction.atomic
def declaration_mirror(*, payload: dict) -> DisasterDeclaration | None:
    """Keep the national hub's declaration as it sent it (only a newer version changes the copy) and
    send the copy to this hub's nodes, each of which decides from the municipalities whether it is
    covered. ValueError (naming the field) for a payload that cannot be mirrored."""
    values = disaster.parse_declaration(payload)
    current = DisasterDeclaration.objects.select_for_update().filter(uuid=values["uuid"]).first()
    if current is not None and not current.mirrored:
        raise ValueError("uuid")  # one of this hub's own: never written from above
    if current is not None and current.version >= values["version"]:
        return None
    if not values["municipality_codes"]:
        raise ValueError("municipalities")  # a national declaration names its municipalities
    declaration = current or DisasterDeclaration(uuid=values["uuid"], wide_area=True, mirrored=True)
    closing = declaration.closed_at is None and values["closed_at"] is not None
    for name in _MIRRORED_FIELDS:
        setattr(declaration, name, values[name])
    declaration.full_clean()
    declaration.save()
    if closing:
        contacts.contacts_end(declaration)
    audit_record(actor=None, action="hub.national_declaration_mirror", target=declaration,
                 detail={"version": declaration.version, "phase": declaration.phase,
                         "closed": declaration.closed_at is not None})
    feed_publish(acting_user=None, kind=disaster.FEED_KIND, payload=disaster.declaration_payload(declaration))
    return declaration


def declaration_mirror_item(item: FeedItem) -> DisasterDeclaration | None:
    return declaration_mirror(payload=item.payload)


@transaction.atomic
def commitment_mirror(*, payload: dict) -> DisasterCommitment | None:
    """A 広域 commitment the national hub addressed to one of this hub's centers: kept (once) and
    passed to that center's node, which answers with its report as for a commitment of this hub."""
    commitment_uuid, need_uuid, offer_uuid = commitment_feed_ids(payload)
    if DisasterCommitment.objects.filter(uuid=commitment_uuid).exists():
        return None  # a re-delivered feed entry
    declaration = DisasterDeclaration.objects.filter(uuid=str(payload["declaration"]), mirrored=True).first()
    if declaration is None:
        raise ValueError("declaration")
    center = NodeCenter.objects.select_related("node").filter(center_uuid=str(payload["center"])).first()
    if center is None:
        raise ValueError("center")
    quantity = payload["quantity"]
    if isinstance(quantity, bool) or not isinstance(quantity, int) or not 0 < quantity <= disaster.MAX_QUANTITY:
        raise ValueError("quantity")
    if payload["sector"] not in disaster.Sector.values:
        raise ValueError("sector")
    instructions = payload["instructions"] if isinstance(payload["instructions"], str) else ""
    if len(instructions) > MAX_INSTRUCTIONS:
        raise ValueError("instructions")
    place = str(payload["place"] or "").split(" ", 1)[0]
    commitment = DisasterCommitment.objects.create(
        uuid=commitment_uuid, declaration=declaration, need_uuid=need_uuid, need_node=None, offer_uuid=offer_uuid,
        center=center, sector=payload["sector"], municipality_code=place if municipality_code_is_valid(place) else "",
        quantity=quantity, instructions=instructions, mirrored=True)
    audit_record(actor=None, action="hub.national_commitment_mirror", target=commitment,
                 detail={"declaration": str(declaration.uuid), "to_node": center.node_id, "quantity": quantity})
    feed_publish(acting_user=None, kind=disaster.COMMITMENT_KIND, node=center.node, payload=payload)
    return commitment


def commitment_mirror_item(item: FeedItem) -> DisasterCommitment | None:
    return commitment_mirror(payload=item.payload)


def deliveries_report(*, entries: list[dict]) -> int:
    """On the national hub, in the transaction that applied a prefectural hub's batch: each report on
    a commitment goes to the prefectural hub of the need it met (the same way the need came)."""
    sent = 0
    for entry in entries:
        if entry["type"] != COMMITMENT_REPORT or entry["op"] != Op.UPSERT:
            continue
        payload = entry["payload"]
        commitment = (DisasterCommitment.objects.select_related("need_node", "center", "declaration")
                      .filter(uuid=str(payload.get("commitment"))).first())
        if commitment is None or commitment.need_node is None or commitment.need_node.kind != NodeKind.PREFECTURAL_HUB:
            continue
        sent += _publish_once(commitment.need_node, {
            "commitment": str(commitment.uuid), "declaration": str(commitment.declaration.uuid),
            "need": str(commitment.need_uuid), "center_name": commitment.center.name, "status": payload["status"],
            "delivered": payload["delivered"], "reached": payload["reached"],
            "reported_at": payload["reported_at"]})
    return sent


@transaction.atomic
def delivery_relay(*, payload: dict) -> bool:
    """On a prefectural hub: a delivery report from the national hub goes on to the node whose need it
    met (kept nowhere here but in the feed)."""
    if not isinstance(payload, dict) or set(payload) != disaster.DELIVERY_KEYS:
        raise ValueError("keys")
    if parse_datetime(str(payload["reported_at"])) is None:
        raise ValueError("reported_at")
    need = DisasterNeedCopy.objects.select_related("node").filter(entity_uuid=str(payload["need"])).first()
    if need is None:
        raise ValueError("need")  # retracted meanwhile: nobody here to tell
    return bool(_publish_once(need.node, payload))


def _publish_once(node, payload: dict) -> int:
    """A report re-delivered (a batch applied again, a feed entry pulled twice) is not passed on twice."""
    if FeedEntry.objects.filter(kind=disaster.DELIVERY_KIND, node=node, payload=payload).exists():
        return 0
    feed_publish(acting_user=None, kind=disaster.DELIVERY_KIND, node=node, payload=payload)
    return 1


def delivery_relay_item(item: FeedItem) -> bool:
    return delivery_relay(payload=item.payload)

