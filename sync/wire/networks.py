"""Intermediate support networks (中間支援組織のネットワーク) on the hub: a network's name, fields and
member counts by kind — counts only, never a member's name."""

from __future__ import annotations

from .contract import Contract

NETWORK_LISTING = "network_listing"

# The kinds a member organization is counted under; individuals are counted apart, never named.
MEMBER_KINDS = ("npo", "voluntary", "company", "neighborhood", "school", "social_welfare_council", "government",
                "other")
MAX_MEMBERS = 100_000

_KEYS = frozenset({"center", "name", "fields", "members", "individuals"})
# `members`: {member kind: count}, only kinds with members; `individuals`: the count of individual members.
LISTING = Contract(
    NETWORK_LISTING, keys=_KEYS, required=_KEYS,
    text_limits={"name": 200}, list_limits={"fields": 20},
)
