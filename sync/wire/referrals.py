"""Centers working as a network: which center backs which (支援する / 支援を受ける), declared by both
sides at the hub, and referrals between centers (他センターへの相談・同席の依頼). The node → hub requests
and the feed entries through which the hub passes them on, as data both sides read."""

from __future__ import annotations

# --- Center relations -------------------------------------------------------------------------------
RELATION_KIND = "center_relation"  # hub → the nodes of both centers, after every declaration
# node → hub, POST /sync/v1/relations: one of the node's centers declares its side of a relation.
RELATION_KEYS = frozenset({"center", "other_center", "role"})
ROLE_BACKS = "backs"  # `center` backs `other_center`
ROLE_BACKED = "backed_by"  # `center` is backed by `other_center`
ROLES = (ROLE_BACKS, ROLE_BACKED)
RELATION_FEED_KEYS = frozenset({"uuid", "backing_center", "backing_center_name", "backed_center",
                                "backed_center_name", "backing_declared", "backed_declared", "confirmed_at"})

# --- Referrals --------------------------------------------------------------------------------------
REQUEST_KIND = "referral_request"  # hub → the receiving center's node
STATUS_KIND = "referral_status"  # hub → the asking center's node
# node → hub, POST /sync/v1/referrals: exactly these keys. `summary` and `question` were scrubbed
# through the asking node's one door; a requester's name or contact is never among them.
REQUEST_KEYS = frozenset({"uuid", "center", "to_center", "kind", "summary", "question"})
KINDS = ("advice", "joint")  # 助言の依頼 / 同席の依頼
MAX_SUMMARY = 2000
MAX_QUESTION = 4000
MAX_MESSAGE = 4000
# node → hub, POST /sync/v1/referrals/<uuid>/status: the receiving center moves the status forward.
STATUS_KEYS = frozenset({"status", "message", "joint_on"})
# Forward only, as tiers: 回答待ち → 受けた → 回答した / 同席する / お断り.
STATUS_ORDER = (("pending",), ("accepted",), ("answered", "joining", "declined"))
STATUSES = tuple(status for tier in STATUS_ORDER for status in tier)
FINAL_STATUSES = STATUS_ORDER[-1]
JOINING = "joining"


def may_move(old: str, new: str) -> bool:
    """A status may only move to a later tier; repeating the same status changes nothing."""
    tier = {status: rank for rank, statuses in enumerate(STATUS_ORDER) for status in statuses}
    return old in tier and new in tier and tier[new] > tier[old]


REQUEST_FEED_KEYS = frozenset({"uuid", "to_center", "from_center", "from_center_name", "kind", "summary",
                               "question", "created_at"})
STATUS_FEED_KEYS = frozenset({"uuid", "status", "message", "joint_on", "changed_at"})

# hub → node, GET /sync/v1/relations/figures: the backed centers' aggregate counts (never records).
FIGURES_KEYS = frozenset({"backing_center", "backed_center", "backed_center_name", "data", "received_at"})
