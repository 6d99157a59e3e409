"""Disaster coordination (みんかな) on the wire: what centers report for a declaration (status, needs,
offers, commitment reports, contacts, survey counts) and the hub's commitments sent back to them.

The vocabulary itself (sectors, statuses with their labels, lines, questions) is sync.disaster;
this module holds the key sets, limits and status orders as plain data.
"""

from __future__ import annotations

import uuid as uuid_module

from .contract import Contract

CENTER_STATUS = "center_status"
DISASTER_NEED = "disaster_need"
DISASTER_OFFER = "disaster_offer"
COMMITMENT_REPORT = "commitment_report"
DISASTER_CONTACT = "disaster_contact"
SURVEY_COUNTS = "survey_counts"

MAX_NOTE = 500
MAX_VEHICLES = 10_000
MAX_RESPONDENTS = 100_000  # groups answering a survey at one center
# A need must be confirmed again within this many days of its last confirmation.
MAX_NEED_VALIDITY_DAYS = 7
# How far ahead of the hub's clock a reported time may lie (clocks drift): a time from further in
# the future would keep a record "fresh" forever.
CLOCK_SKEW_MINUTES = 10

_STATUS_KEYS = frozenset({"center", "declaration", "status", "as_of", "note"})
STATUS = Contract(CENTER_STATUS, keys=_STATUS_KEYS, required=_STATUS_KEYS, text_limits={"note": MAX_NOTE})

# open → partly_met → met; expired and withdrawn end an unmet need.
NEED_STATUS_ORDER = (("open",), ("partly_met",), ("met", "expired", "withdrawn"))
_NEED_KEYS = frozenset({"center", "declaration", "sector", "lines", "priority", "needed_by", "municipality_code",
                        "place_name", "status", "last_confirmed_at", "expires_at", "created_at"})
NEED = Contract(DISASTER_NEED, keys=_NEED_KEYS, required=_NEED_KEYS, text_limits={"place_name": 200},
                status_order=NEED_STATUS_ORDER)

_OFFER_KEYS = frozenset({"center", "declaration", "group_name", "sector", "volunteers", "skills", "supplies",
                         "vehicles", "municipality_code", "area_served", "valid_until", "status", "created_at"})
OFFER = Contract(DISASTER_OFFER, keys=_OFFER_KEYS, required=_OFFER_KEYS,
                 text_limits={"group_name": 200, "skills": 400, "area_served": 200})

# committed (the hub) → acknowledged → delivered (the committing node reports).
COMMITMENT_STATUS_ORDER = (("committed",), ("acknowledged",), ("delivered",))
REPORTED_STATUSES = ("acknowledged", "delivered")  # what a node may report; "committed" is the hub's
_REPORT_KEYS = frozenset({"center", "declaration", "commitment", "status", "delivered", "reached", "reported_at"})
REPORT = Contract(COMMITMENT_REPORT, keys=_REPORT_KEYS, required=_REPORT_KEYS,
                  status_order=COMMITMENT_STATUS_ORDER)

# The one entity type that carries personal data off a node: a group's disaster contact, sent only
# while an open declaration covers its center and the group consented.
_CONTACT_KEYS = frozenset({"center", "declaration", "group_name", "contact_name", "phone", "email", "shared_at"})
CONTACT = Contract(DISASTER_CONTACT, keys=_CONTACT_KEYS, required=_CONTACT_KEYS,
                   text_limits={"group_name": 200, "contact_name": 100, "phone": 40, "email": 254}, personal=True)

# Counts per question: {"options": {option: groups}} or {"sum", "answered"} for a number.
_COUNTS_KEYS = frozenset({"center", "survey", "declaration", "respondents", "questions"})
COUNTS = Contract(SURVEY_COUNTS, keys=_COUNTS_KEYS, required=_COUNTS_KEYS)
NUMBER_COUNT_KEYS = frozenset({"sum", "answered"})
CHOICE_COUNT_KEYS = frozenset({"options"})

# hub → the committing node, feed kind `disaster_commitment`.
COMMITMENT_FEED_KEYS = frozenset({"uuid", "declaration", "center", "need", "offer", "sector", "need_center_name",
                                  "place", "quantity", "instructions", "created_at"})
MAX_INSTRUCTIONS = 500


def commitment_feed_ids(payload) -> tuple[uuid_module.UUID, uuid_module.UUID, uuid_module.UUID | None]:
    """The commitment's, the need's and the offer's uuids from a `disaster_commitment` feed payload, read
    the same way by a node and by a prefectural hub mirroring a 広域 commitment. ValueError names what
    is wrong ("keys" or "uuid")."""
    if not isinstance(payload, dict) or not COMMITMENT_FEED_KEYS <= set(payload):
        raise ValueError("keys")
    try:
        return (uuid_module.UUID(str(payload["uuid"])), uuid_module.UUID(str(payload["need"])),
                uuid_module.UUID(str(payload["offer"])) if payload["offer"] else None)
    except ValueError as error:
        raise ValueError("uuid") from error
