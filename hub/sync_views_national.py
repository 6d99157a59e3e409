"""Signed endpoints of a national hub for its prefectural hubs, beside the record sync: the
statistics snapshot (counts, replaced whole)."""

from __future__ import annotations

from django.http import JsonResponse
from django.views.decorators.http import require_http_methods

from sync.signed_requests import error_json

from .models import Node
from .services import national_statistics
from .sync_views import _json_body, signed


@require_http_methods(["POST"])
@signed
def statistics(request, node: Node):
    payload = _json_body(request)
    if payload is None:
        return error_json("body_unreadable", "the body is not a JSON document", 400)
    try:
        cells = national_statistics.statistics_receive(hub=node, payload=payload)
    except national_statistics.StatisticsRefused as refused:
        return error_json(refused.code, refused.message, refused.status)
    return JsonResponse({"cells": cells})
