"""The cross-center directory: each center's profile, listed groups, public events, offers of listed
groups (できることメニュー) and counts."""

from __future__ import annotations

from .contract import Contract

NODE_PROFILE = "node_profile"
DIRECTORY_GROUP = "directory_group"
PUBLIC_EVENT = "public_event"
DIRECTORY_OFFER = "directory_offer"
AGGREGATE_COUNTS = "aggregate_counts"

# A profile names its own center: the entity's uuid is the center's.
PROFILE = Contract(
    NODE_PROFILE, keys=frozenset({"center", "name", "municipality_code", "municipality_name"}),
    text_limits={"name": 200, "municipality_code": 6, "municipality_name": 60},
)

GROUP = Contract(
    DIRECTORY_GROUP,
    keys=frozenset({"center", "name", "name_kana", "kind", "legal_form", "fields", "area", "description"}),
    text_limits={"name": 200, "name_kana": 200, "kind": 40, "legal_form": 30, "area": 200, "description": 4000},
)

EVENT = Contract(
    PUBLIC_EVENT,
    keys=frozenset({"center", "title", "kind", "theme", "fields", "starts_at", "ends_at", "venue", "status",
                    "cancellation_reason"}),
    text_limits={"title": 400, "kind": 30, "theme": 200, "venue": 200, "status": 20, "cancellation_reason": 200},
)

_OFFER_KEYS = frozenset({"center", "group", "title", "description", "fields", "area", "capacity", "months",
                         "cost_conditions"})
# No contacts, no people: the group is named through its own (listed) directory entry.
OFFER = Contract(
    DIRECTORY_OFFER, keys=_OFFER_KEYS, required=_OFFER_KEYS,
    text_limits={"title": 400, "description": 20000, "area": 200, "capacity": 200},
    # At most one entry per cost item as well (common.vocabulary.CostItem).
    list_limits={"fields": 20, "months": 12},
)

# Counts only: every value a count or an object of counts, keyed by short names.
MAX_COUNT_KEY = 20
COUNTS = Contract(AGGREGATE_COUNTS, keys=frozenset({"center", "data"}))
