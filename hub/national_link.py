"""A prefectural hub's live questions to its national hub, asked on behalf of one of its nodes'
staff (事例ライブラリ with 全国): signed with this hub's key, short timeouts, the national hub's
answer passed on as it came. Nothing of it is kept here."""

from __future__ import annotations

from django.conf import settings
from django.http import JsonResponse
from django.utils.http import urlencode

from sync.client import LIVE_TIMEOUT, HubClient, SyncError
from sync.signed_requests import error_json


def has_national_hub() -> bool:
    return bool(settings.KYODO_PARENT_HUB_URL)


def ask_national(path: str, params: dict[str, str], *, client: HubClient | None = None) -> JsonResponse:
    """GET `path` of the national hub with `params` (the asking center among them, as `reader`) and
    answer with what it said: its data, or its refusal with its code and status."""
    if not has_national_hub():
        return error_json("no_national_hub", "this hub has no national hub above it (KYODO_PARENT_HUB_URL)", 409)
    try:
        client = client or HubClient(timeout=LIVE_TIMEOUT)
        answer = client.json("GET", f"{path}?{urlencode(params)}")
    except SyncError as error:
        status = 502 if error.retry or error.code in ("no_key", "unknown_key") else 400
        if error.code in ("case_not_found", "outside_partition"):
            status = 404 if error.code == "case_not_found" else 403
        return error_json(error.code if error.code != "hub_unreachable" else "national_unreachable",
                          error.message, status)
    return JsonResponse({**answer, "national": True})
