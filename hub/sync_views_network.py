"""The hub's signed endpoints for centers working as a network: the directory of centers, relations
declared by both sides, the backed centers' figures, referrals and their status."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

from sync.signed_requests import error_json

from .models import Node
from .services import referrals as network
from .sync_views import _json_body, signed


def _refused(refused: network.NetworkRefused) -> JsonResponse:
    return error_json(refused.code, refused.message, refused.status)


def _body(request):
    payload = _json_body(request)
    if payload is None:
        return None, error_json("body_unreadable", "the body is not a JSON document", 400)
    return payload, None


@require_http_methods(["GET"])
@signed
def centers(request, node: Node):
    """Every other center (name and municipality), marked where a confirmed relation joins it to the node."""
    return JsonResponse({"centers": network.centers_for_node(node=node)})


@require_http_methods(["POST"])
@signed
def relations(request, node: Node):
    payload, error = _body(request)
    if error:
        return error
    try:
        relation, created = network.relation_declare(node=node, payload=payload)
    except network.NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse(network.relation_payload(relation), status=201 if created else 200)


@require_http_methods(["GET"])
@signed
def backed_figures(request, node: Node):
    return JsonResponse({"centers": network.backed_figures(node=node)})


@require_http_methods(["POST"])
@signed
def referrals(request, node: Node):
    payload, error = _body(request)
    if error:
        return error
    try:
        referral, created = network.referral_create(node=node, payload=payload)
    except network.NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse({"uuid": str(referral.uuid), "status": referral.status,
                         "to_center_name": network.center_name(referral.to_center_uuid)},
                        status=201 if created else 200)


@require_http_methods(["POST"])
@signed
def referral_status(request, node: Node, uuid):
    payload, error = _body(request)
    if error:
        return error
    try:
        referral, _changed = network.referral_status(node=node, referral_uuid=uuid, payload=payload)
    except network.NetworkRefused as refused:
        return _refused(refused)
    return JsonResponse({"uuid": str(referral.uuid), "status": referral.status})
