"""The hub's sync endpoints. Every request must carry a valid signature of an active node key,
with a nonce never seen before; answers are JSON, errors as {"error": {"code", "message"}}."""

from __future__ import annotations

import logging
import zlib

import orjson
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from sync.signed_requests import error_json, signed_request
from sync.signing import VerifiedSignature
from sync.wire import batch as wire_batch, restore as wire_restore
from sync.wire.batch import MAX_BYTES as BATCH_MAX_BYTES

from .models import FeedEntry, FeedSequence, Node, NodeCenter
from .selectors import tours as tour_selectors
from .selectors.directory import offers_for_node
from .selectors.library import case_library_results
from .services import enrollment, introductions as introduction_services, receiver, tours as tour_services

logger = logging.getLogger(__name__)
# A batch is at most 4 MB of entries; the envelope gets 1 MB of headroom. Anything bigger is refused
# before it is read (on the wire) or inflated (decompression bombs).
MAX_BATCH_DOCUMENT = BATCH_MAX_BYTES + 1024 * 1024


class BatchTooLarge(ValueError):
    pass


class BatchTooDeep(ValueError):
    pass


TOO_LARGE = ("batch_too_large", f"at most {BATCH_MAX_BYTES} bytes of entries per batch")
TOO_DEEP = ("batch_too_deep", f"objects and lists nest at most {wire_batch.MAX_DEPTH} levels deep")


def _signing_node(verified: VerifiedSignature) -> Node | None:
    """The node whose key signed, once per nonce (None: a replay)."""
    key = enrollment.nonce_record(key_id=verified.key_id, nonce=verified.nonce, expires=verified.expires)
    return key.node if key is not None else None


# Every request must carry a valid signature of an active node key, with a nonce never seen before;
# the view receives the signing node.
signed = signed_request(public_key_for=enrollment.active_public_key, accept_nonce=_signing_node,
                        max_body=MAX_BATCH_DOCUMENT, too_large=TOO_LARGE, logger=logger, what="sync request")


@require_http_methods(["GET"])
@signed
def checkpoint(request, node: Node):
    return JsonResponse({"node": node.slug, "last_applied_seq": node.last_applied_seq})


def _decoded(request) -> dict:
    body = request.body
    if request.headers.get("Content-Encoding", "") == "gzip":
        inflater = zlib.decompressobj(wbits=31)
        body = inflater.decompress(body, MAX_BATCH_DOCUMENT)
        if inflater.unconsumed_tail:
            raise BatchTooLarge()
    elif len(body) > MAX_BATCH_DOCUMENT:
        raise BatchTooLarge()
    try:
        document = orjson.loads(body)
    except orjson.JSONDecodeError as error:
        # orjson itself stops at 1,024 levels; only its message tells that from broken JSON.
        if "depth limit" in str(error) or "ecursion" in str(error):
            raise BatchTooDeep() from error
        raise
    # Before anything walks it: the digest and the field checks recurse and would run out of stack.
    if wire_batch.nesting_exceeds(document):
        raise BatchTooDeep()
    return document


@require_http_methods(["POST"])
@signed
def batches(request, node: Node):
    try:
        batch = _decoded(request)
    except BatchTooLarge:
        return error_json(*TOO_LARGE, 413)
    except BatchTooDeep:
        return error_json(*TOO_DEEP, 400)
    except (ValueError, zlib.error, UnicodeDecodeError) as error:
        return error_json("batch_unreadable", f"{type(error).__name__}", 400)
    try:
        outcome = receiver.batch_apply(node=node, batch=batch)
    except receiver.BatchRejected as rejected:
        logger.warning("batch from %s refused: %s at seq %s", node.slug, rejected.code, rejected.seq)
        return JsonResponse({"error": {"code": rejected.code, "message": rejected.message, "seq": rejected.seq}},
                            status=rejected.status)
    # batch_apply has committed by now: acknowledging before commit could lose a batch.
    return JsonResponse({"last_applied_seq": outcome.last_applied_seq, "applied": outcome.applied,
                         "skipped": outcome.skipped})


@require_http_methods(["GET"])
@signed
def feed(request, node: Node):
    try:
        after = max(int(request.GET.get("after", "0")), 0)
        limit = min(max(int(request.GET.get("limit", "500")), 1), 500)
    except ValueError:
        return error_json("invalid_cursor", "after and limit must be integers", 400)
    # The parts of a union carry no ORDER BY (the model's ordering): SQLite refuses one there.
    entries = list(FeedEntry.objects.filter(seq__gt=after, node__isnull=True).order_by().union(
        FeedEntry.objects.filter(seq__gt=after, node=node).order_by()).order_by("seq")[:limit])
    # The node asks for entries after its cursor, so everything up to `after` has arrived there.
    Node.objects.filter(pk=node.pk, feed_cursor__lt=after).update(feed_cursor=after)
    # The head and the epoch let a node notice that this hub was restored from an older backup.
    counter = FeedSequence.objects.filter(pk=1).first() or FeedSequence()
    return JsonResponse({"entries": [
        {"seq": e.seq, "kind": e.kind, "payload": e.payload, "published_at": e.published_at.isoformat()}
        for e in entries], wire_restore.FEED_HEAD: counter.last_seq, wire_restore.FEED_EPOCH: counter.epoch,
        wire_restore.FEED_EPOCH_AFTER: counter.epoch_after})


@require_http_methods(["POST"])
@signed
def digest(request, node: Node):
    asked = _json_body(request) if request.body else {}
    if not isinstance(asked, dict) or not isinstance(asked.get(wire_restore.LIST, False), bool):
        return error_json("body_invalid", f"the body is a JSON object; {wire_restore.LIST} is true or false", 400)
    answer = {"digest": receiver.node_digest(node), "last_applied_seq": node.last_applied_seq}
    if asked.get(wire_restore.LIST):
        answer.update(receiver.node_holdings(node))
    return JsonResponse(answer)


@require_http_methods(["GET"])
@signed
def offers(request, node: Node):
    """Other centers' listed offers (never the asking node's own), for its staff to rank against a need."""
    try:
        field = int(request.GET.get("field") or 0)
    except ValueError:
        return error_json("invalid_field", "field must be an activity field code (1-20)", 400)
    if not 0 <= field <= 20:
        return error_json("invalid_field", "field must be an activity field code (1-20)", 400)
    rows = offers_for_node(node=node, q=request.GET.get("q", "")[:200], field=field or None)
    return JsonResponse({"offers": rows})


def _json_body(request):
    try:
        return _decoded(request)
    except (BatchTooLarge, ValueError, zlib.error, UnicodeDecodeError):
        return None


@require_http_methods(["POST"])
@signed
def introductions(request, node: Node):
    payload = _json_body(request)
    if payload is None:
        return error_json("body_unreadable", "the body is not a JSON document", 400)
    try:
        introduction, created = introduction_services.introduction_create(node=node, payload=payload)
    except introduction_services.IntroductionRefused as refused:
        return error_json(refused.code, refused.message, refused.status)
    return JsonResponse({"uuid": str(introduction.uuid), "status": introduction.status,
                         "to_center_name": _center_name(introduction.to_center_uuid),
                         "group_name": introduction.group_name, "offer_title": introduction.offer_title},
                        status=201 if created else 200)


@require_http_methods(["POST"])
@signed
def introduction_answer(request, node: Node, uuid):
    payload = _json_body(request)
    if payload is None:
        return error_json("body_unreadable", "the body is not a JSON document", 400)
    try:
        introduction, _changed = introduction_services.introduction_answer(node=node, request_uuid=uuid, payload=payload)
    except introduction_services.IntroductionRefused as refused:
        return error_json(refused.code, refused.message, refused.status)
    return JsonResponse({"uuid": str(introduction.uuid), "status": introduction.status,
                         "answered_at": introduction.answered_at.isoformat()})


def _center_name(center_uuid) -> str:
    return NodeCenter.objects.filter(center_uuid=center_uuid).values_list("name", flat=True).first() or ""


@require_http_methods(["POST"])
@signed
def tour_invitations(request, node: Node, uuid):
    """Invitation links for a tour of the signing node (its staff send them on)."""
    tour = tour_selectors.node_tour(node, uuid)
    if tour is None:
        return _tour_not_found()
    payload = _json_body(request)
    if not isinstance(payload, dict) or set(payload) != {"organization", "count", "days_valid"} or not isinstance(
            payload["organization"], str):
        return error_json("payload_invalid", "expected organization, count and days_valid", 400)
    try:
        issued = tour_services.invitations_issue(
            acting_user=None, tour=tour, organization_name=payload["organization"], count=payload["count"],
            days_valid=payload["days_valid"],
            link_for=lambda token: request.build_absolute_uri(reverse("hub-tour-invitation", args=[token])))
    except ValidationError as error:
        code = getattr(error, "code", None) or next(
            (e.code for errors in getattr(error, "error_dict", {}).values() for e in errors), "invalid")
        return error_json(code or "invalid", " ".join(error.messages), 422)
    return JsonResponse({"links": issued.links, "expires_at": issued.expires_at.isoformat()}, status=201)


@require_http_methods(["GET"])
@signed
def tour_readership(request, node: Node, uuid):
    tour = tour_selectors.node_tour(node, uuid)
    if tour is None:
        return _tour_not_found()
    return JsonResponse(tour_selectors.readership(tour))


def _tour_not_found() -> JsonResponse:
    return error_json("tour_not_found", "no tour of this node has this uuid (not synced yet?)", 404)


@require_http_methods(["GET"])
@signed
def library(request, node: Node):
    """The shared case library searched for a host node curating a study tour (titles, no texts)."""
    cases = case_library_results(q=request.GET.get("q", "")[:200])[:20]
    return JsonResponse({"cases": [
        {"uuid": str(c.entity_uuid), "center_uuid": str(c.center.center_uuid), "title": c.title,
         "center": c.center.name, "level": c.level,
         "fiscal_year_start": c.fiscal_year_start, "own": c.node_id == node.pk} for c in cases]})
