"""Pokes: the hub tells a node "pull your feed now", signed with the hub's own key.

A poke carries no data, only the feed seq that prompted it: the node answers by pulling its feed
on the disaster queue, so a declaration reaches it in seconds instead of at the next pull interval.
The node verifies a poke like the hub verifies a node (sync.signing, RFC 9421) against the hub keys
that came through the feed itself (kind `hub_key`): the channel the node already trusts for the
declarations a poke announces. A forged or replayed poke gets 401/409; a valid one at worst
causes an extra pull, and pulls are coalesced and rate-limited.
"""

from __future__ import annotations

import base64
import binascii
import re

from .models import FeedItem

HUB_KEY_KIND = "hub_key"
POKE_PATH = "/sync/v1/poke"
MAX_POKE_BODY = 1024
MAX_HUB_KEYS = 2  # current and next, during a rotation
_KEY_ID = re.compile(r"^[A-Za-z0-9_\-:.]{1,100}$")


def hub_keys_payload(pairs) -> dict:
    """The feed payload of `hub_key`: the hub's active public keys (the one it signs with first)."""
    return {"keys": [{"keyid": pair.key_id, "public_key": pair.public_key_b64} for pair in pairs]}


def parse_hub_keys(payload) -> dict[str, bytes]:
    """keyid → raw Ed25519 public key; ValueError when the payload is not a `hub_key` entry."""
    if not isinstance(payload, dict) or set(payload) != {"keys"} or not isinstance(payload["keys"], list):
        raise ValueError("keys")
    if not 1 <= len(payload["keys"]) <= MAX_HUB_KEYS:
        raise ValueError("keys")
    found = {}
    for key in payload["keys"]:
        if not isinstance(key, dict) or set(key) != {"keyid", "public_key"} or not isinstance(key["keyid"], str) \
                or not _KEY_ID.match(key["keyid"]) or not isinstance(key["public_key"], str):
            raise ValueError("keys")
        try:
            raw = base64.b64decode(key["public_key"], validate=True)
        except (binascii.Error, ValueError) as error:
            raise ValueError("public_key") from error
        if len(raw) != 32:
            raise ValueError("public_key")
        found[key["keyid"]] = raw
    return found


def hub_public_key(key_id: str) -> bytes | None:
    """On a node: the hub's public key with this id, from the newest `hub_key` feed entry."""
    item = FeedItem.objects.filter(kind=HUB_KEY_KIND).order_by("-seq").first()
    if item is None:
        return None
    try:
        return parse_hub_keys(item.payload).get(key_id)
    except ValueError:
        return None


def hub_keys_receive_item(item: FeedItem) -> None:
    """Feed handler: check the entry now, so a bad one shows in the log rather than at the first poke."""
    parse_hub_keys(item.payload)
