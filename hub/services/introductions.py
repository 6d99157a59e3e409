"""Introductions across centers (他センターへの紹介の依頼): a node asks, for one of its centers, the
node owning a listed offer to introduce its group; the owning node answers once. The hub
passes both on through the feed."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from permissions.audit import audit_record
from sync.wire import introductions as wire

from ..models import DirectoryGroup, IntroductionRequest, IntroductionStatus, Node, NodeCenter
from ..selectors.directory import listed_offers
from . import checks
from .feed import feed_publish


class IntroductionRefused(Exception):
    def __init__(self, code: str, message: str, *, status: int = 422):
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def _introduction_payload(request: IntroductionRequest, from_center: NodeCenter) -> dict:
    """The feed payload of `introduction_request` (sync.wire.introductions.REQUEST_FEED_KEYS)."""
    return {"uuid": str(request.uuid), "to_center": str(request.to_center_uuid),
            "from_center_name": request.from_center_name, "from_municipality": from_center.municipality_name,
            "offer": str(request.offer_uuid), "offer_title": request.offer_title, "group_name": request.group_name,
            "need_title": request.need_title, "message": request.message, "created_at": request.created_at.isoformat()}


@transaction.atomic
def introduction_create(*, node: Node, payload) -> tuple[IntroductionRequest, bool]:
    """A node asks, for one of its centers, the owning node to introduce a listed offer's group.
    Idempotent by the request's uuid (the asking node may send it again after a lost answer)."""
    if not isinstance(payload, dict) or set(payload) != wire.REQUEST_KEYS:
        raise IntroductionRefused("payload_invalid", f"expected exactly the keys {sorted(wire.REQUEST_KEYS)}")
    try:
        request_uuid, center_uuid, offer_uuid = (checks.uuid(payload[name], name) for name in ("uuid", "center", "offer"))
        need_title = checks.text(payload, "need_title", wire.MAX_NEED_TITLE, required=True)
        message = checks.text(payload, "message", wire.MAX_MESSAGE, required=True)
    except ValueError as error:
        raise IntroductionRefused("payload_invalid", f"field {error} is not acceptable") from error
    from_center = NodeCenter.objects.filter(center_uuid=center_uuid, node=node).first()
    if from_center is None:
        raise IntroductionRefused("outside_partition", "the asking center does not belong to the signing node",
                                  status=403)
    existing = IntroductionRequest.objects.filter(uuid=request_uuid).first()
    if existing is not None:
        if existing.from_node_id != node.pk or existing.offer_uuid != offer_uuid:
            raise IntroductionRefused("uuid_conflict", "this request uuid is already used", status=409)
        return existing, False
    offer = listed_offers().filter(entity_uuid=offer_uuid).select_related("center").first()
    if offer is None:
        raise IntroductionRefused("offer_not_found", "no listed offer has this uuid", status=404)
    if offer.node_id == node.pk:
        raise IntroductionRefused("own_offer", "an offer of the asking node's own centers needs no introduction")
    group = DirectoryGroup.objects.filter(node=offer.node_id, entity_uuid=offer.group_uuid).first()
    request = IntroductionRequest.objects.create(
        uuid=request_uuid, from_node=node, from_center_uuid=center_uuid, from_center_name=from_center.name,
        to_node_id=offer.node_id, to_center_uuid=offer.center.center_uuid, offer_uuid=offer_uuid,
        offer_title=offer.title, group_name=group.name if group else "", need_title=need_title, message=message)
    audit_record(actor=None, action="hub.introduction_request", target=request,
                 detail={"uuid": str(request.uuid), "from_node": node.slug, "to_node": offer.node.slug})
    feed_publish(acting_user=None, kind=wire.REQUEST_KIND, node=offer.node,
                 payload=_introduction_payload(request, from_center))
    return request, True


@transaction.atomic
def introduction_answer(*, node: Node, request_uuid, payload) -> tuple[IntroductionRequest, bool]:
    """The owning node answers once (accepted or declined, with a message); the asking node learns
    it through the feed. Repeating the same answer changes nothing; another answer is refused."""
    request = IntroductionRequest.objects.select_for_update().filter(uuid=request_uuid).first()
    if request is None or request.to_node_id != node.pk:
        # Only the owning node answers; to any other node the request does not exist.
        raise IntroductionRefused("not_found", "no introduction request of this node has this uuid", status=404)
    if not isinstance(payload, dict) or set(payload) != wire.ANSWER_KEYS:
        raise IntroductionRefused("payload_invalid", f"expected exactly the keys {sorted(wire.ANSWER_KEYS)}")
    try:
        status = checks.choice(payload["status"], "status", wire.ANSWER_STATUSES)
        message = checks.text(payload, "message", wire.MAX_MESSAGE)
    except ValueError as error:
        raise IntroductionRefused("payload_invalid", f"field {error} is not acceptable") from error
    if request.status != IntroductionStatus.PENDING:
        if request.status == status and request.answer_message == message:
            return request, False
        raise IntroductionRefused("already_answered", "this request was already answered", status=409)
    request.status, request.answer_message, request.answered_at = status, message, timezone.now()
    request.save(update_fields=["status", "answer_message", "answered_at"])
    audit_record(actor=None, action="hub.introduction_answer", target=request,
                 detail={"uuid": str(request.uuid), "status": status})
    feed_publish(acting_user=None, kind=wire.ANSWER_KIND, node=request.from_node, payload={
        "uuid": str(request.uuid), "status": status, "message": message,
        "answered_at": request.answered_at.isoformat()})
    return request, True
