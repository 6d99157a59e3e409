"""The canonical form of a payload and its digest: the bytes both sides hash (pure, no Django)."""

from __future__ import annotations

import hashlib
import json

import orjson


def canonical_json(payload) -> bytes:
    """Sorted keys, no spaces, UTF-8 unescaped: what `payload_sha256` is taken over, on both sides.

    orjson writes these bytes for strings, integers, lists and objects exactly as `json.dumps` with
    these options does (checked code point by code point); payloads carry no floats, whose exponents
    the two would write differently. What orjson refuses (integers beyond 64 bits, non-string keys)
    goes through `json`, as before."""
    try:
        return orjson.dumps(payload, option=orjson.OPT_SORT_KEYS)
    except TypeError:  # orjson.JSONEncodeError
        return json.dumps(payload, ensure_ascii=False, sort_keys=True, separators=(",", ":")).encode()


def payload_digest(payload) -> str:
    return hashlib.sha256(canonical_json(payload)).hexdigest()
