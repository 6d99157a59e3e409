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
from .signed_requests import error_json, signed_request
from .tasks import pull_on_poke
from .upstream import upstream_url

logger = logging.getLogger(__name__)


def _within_rate() -> bool:
    """At most SYNC_POKES_PER_MINUTE accepted pokes per minute (a fixed window in the shared cache)."""
    key = f"kyodo:sync:pokes:{int(time.time() // 60)}"
    cache.add(key, 0, timeout=120)
    try:
        count = cache.incr(key)
    except ValueError:  # the window expired between add and incr
        count = 1
    return count <= settings.SYNC_POKES_PER_MINUTE


def _poke_nonce(verified):
    """Nonces live as long as the signature could be valid; the cache is shared by every web worker."""
    timeout = max(verified.expires - int(time.time()), 1)
    return verified if cache.add(f"kyodo:sync:poke-nonce:{verified.nonce}", 1, timeout=timeout) else None


@signed_request(public_key_for=hub_public_key, accept_nonce=_poke_nonce, max_body=MAX_POKE_BODY,
                too_large=("body_too_large", f"a poke is at most {MAX_POKE_BODY} bytes"), logger=logger, what="poke")
def _signed_poke(request, verified):
    if not _within_rate():
        return error_json("rate_limited", "too many pokes; the feed is pulled on schedule", 429,
                          headers={"Retry-After": "60"})
    try:
        seq = json.loads(request.body or b"{}").get("seq")
    except (ValueError, AttributeError):
        seq = None
    if isinstance(seq, int) and not isinstance(seq, bool) and seq <= sync_state().feed_cursor:
        return JsonResponse({"status": "up_to_date"}, status=202)
    return JsonResponse({"status": pull_on_poke()}, status=202)


@csrf_exempt
@require_http_methods(["POST"])
def poke(request):
    # A node's hub pokes it; a national hub pokes its prefectural hubs the same way.
    if not upstream_url():
        return error_json("no_hub", "this deployment has no hub", 404)
    return _signed_poke(request)
