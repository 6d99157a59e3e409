"""The node's one signed endpoint: a poke from its hub (see sync.poke)."""

from __future__ import annotations

import json
import logging
import time

from django.conf import settings
from django.core.cache import cache
from django.http import JsonResponse
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_http_methods

from .poke import MAX_POKE_BODY, hub_public_key
from .relay import sync_state
from .signing import SignatureError, verify_request
from .tasks import pull_on_poke

logger = logging.getLogger(__name__)


def _error(code: str, message: str, status: int, **headers) -> JsonResponse:
    response = JsonResponse({"error": {"code": code, "message": message}}, status=status)
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def _within_rate() -> bool:
    """At most SYNC_POKES_PER_MINUTE accepted pokes per minute (a fixed window in the shared cache)."""
    key = f"kyodo:sync:pokes:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        count = 1
    return count <= settings.SYNC_POKES_PER_MINUTE


@csrf_exempt
@require_http_methods(["POST"])
def poke(request):
    if settings.KYODO_ROLE != "node" or not settings.KYODO_HUB_URL:
        return _error("no_hub", "this deployment has no hub", 404)
    try:
        length = int(request.META.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length > MAX_POKE_BODY:
        return _error("body_too_large", f"a poke is at most {MAX_POKE_BODY} bytes", 413)
    try:
        verified = verify_request(method=request.method, url=request.build_absolute_uri(), headers=request.headers,
                                  body=request.body, public_key_for=hub_public_key)
    except SignatureError as error:
        logger.warning("poke refused: %s", error.code)
        return _error(error.code, str(error), 401)
    # Nonces live as long as the signature could be valid; the cache is shared by every web worker.
    if not cache.add(f"kyodo:sync:poke-nonce:{verified.nonce}", 1, timeout=max(verified.expires - int(time.time()), 1)):
        return _error("replayed_nonce", "this signature's nonce was already used", 409)
    if not _within_rate():
        return _error("rate_limited", "too many pokes; the feed is pulled on schedule", 429, Retry_After="60")
    try:
        seq = json.loads(request.body or b"{}").get("seq")
    except (ValueError, AttributeError):
        seq = None
    if isinstance(seq, int) and not isinstance(seq, bool) and seq <= sync_state().feed_cursor:
        return JsonResponse({"status": "up_to_date"}, status=202)
    return JsonResponse({"status": pull_on_poke()}, status=202)
