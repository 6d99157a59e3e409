"""Receiving what became of a need on a 広域 declaration: the committing center of another
prefecture reports to the national hub, which sends the report to the need's hub, which passes it
to us (feed kind `disaster_delivery`). Kept per commitment, newest status only."""

from __future__ import annotations

import uuid as uuid_module

from django.db import transaction
from django.utils.dateparse import parse_datetime

from permissions.audit import audit_record
from sync import disaster
from sync.models import FeedItem

from .models import DisasterNeed, NeedDelivery


def _count(value) -> int:
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= disaster.MAX_QUANTITY:
        raise ValueError("count")
    return value


@transaction.atomic
def delivery_receive(*, payload: dict, feed_seq: int) -> NeedDelivery | None:
    """Keep a delivery report on one of our needs; a report older in the status order than the one held
    changes nothing (re-delivered or overtaken feed entries). ValueError names what is wrong."""
    if not isinstance(payload, dict) or set(payload) != disaster.DELIVERY_KEYS:
        raise ValueError("keys")
    try:
        commitment_uuid = uuid_module.UUID(str(payload["commitment"]))
        need_uuid = uuid_module.UUID(str(payload["need"]))
    except ValueError as error:
        raise ValueError("uuid") from error
    if payload["status"] not in disaster.COMMITMENT_ORDER or payload["status"] == disaster.CommitmentStatus.COMMITTED:
        raise ValueError("status")
    reported_at = parse_datetime(str(payload["reported_at"]))
    if reported_at is None:
        raise ValueError("reported_at")
    delivered, reached = _count(payload["delivered"]), _count(payload["reached"])
    need = DisasterNeed.objects.select_related("center").filter(uuid=need_uuid).first()
    if need is None:
        raise ValueError("need")
    values = {"status": payload["status"], "delivered": delivered, "reached": reached, "reported_at": reported_at,
              "committed_center_name": str(payload["center_name"])[:200], "feed_seq": feed_seq}
    current = NeedDelivery.objects.select_for_update().filter(commitment_uuid=commitment_uuid).first()
    if current is None:
        current = NeedDelivery.objects.create(commitment_uuid=commitment_uuid, need=need, center=need.center, **values)
    elif disaster.commitment_rank(values["status"]) > disaster.commitment_rank(current.status):
        for name, value in values.items():
            setattr(current, name, value)
        current.save()
    else:
        return None
    audit_record(actor=None, action="emergency.delivery_receive", target=current, organization=need.center,
                 detail={"seq": feed_seq, "status": current.status, "need": str(need.uuid)})
    return current


def delivery_receive_item(item: FeedItem) -> NeedDelivery | None:
    """The feed handler for `disaster_delivery` (see sync.feed)."""
    return delivery_receive(payload=item.payload, feed_seq=item.seq)
