"""Introductions across centers (他センターへの紹介の依頼): a node's request and answer to the hub, and
the feed entries through which the hub passes them on."""

from __future__ import annotations

REQUEST_KIND = "introduction_request"  # hub → the node owning the offer
ANSWER_KIND = "introduction_answer"  # hub → the asking node

# node → hub, POST /sync/v1/introductions and …/<uuid>/answer: exactly these keys.
REQUEST_KEYS = frozenset({"uuid", "center", "offer", "need_title", "message"})
ANSWER_KEYS = frozenset({"status", "message"})
ANSWER_STATUSES = ("accepted", "declined")
MAX_MESSAGE = 4000
MAX_NEED_TITLE = 400

# hub → node, through the feed.
REQUEST_FEED_KEYS = frozenset({"uuid", "to_center", "from_center_name", "from_municipality", "offer", "offer_title",
                               "group_name", "need_title", "message", "created_at"})
ANSWER_FEED_KEYS = frozenset({"uuid", "status", "message", "answered_at"})
