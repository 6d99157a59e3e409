"""Study tours (スタディツアー) on the wire: the host's tour, its case copies for the tour and the
lessons it took, and the visit reports the hub sends back to the host."""

from __future__ import annotations

from .cases import CASE
from .contract import Contract

STUDY_TOUR = "study_tour"
TOUR_CASE = "tour_case"
TOUR_LESSON = "tour_lesson"
REPORT_KIND = "tour_report"  # hub → host node, through the feed

MAX_STOPS, MAX_CASES, MAX_ORGANIZATIONS = 40, 100, 60
MAX_CAPACITY = 10000
MAX_SEATS = 1000  # per participating organization
MAX_READING_DAYS = 92  # after the last day; the node allows 90
ORGANIZATION_KINDS = frozenset({"center", "npo", "company", "university", "prefecture", "municipality", "other"})
CASE_SOURCES = frozenset({"host", "library"})

# The tour's texts and each stop's: the only texts that may read differently with consented
# organizations named (the payload's `named` part holds those versions).
TOUR_TEXT_LIMITS = {"title": 200, "theme": 200, "description": 4000}
STOP_TEXT_LIMITS = {"title": 200, "place": 200, "directions": 2000}
ORGANIZATION_KEYS = frozenset({"name", "kind", "seats"})
STOP_KEYS = frozenset({"key", "title", "starts_at", "ends_at", "place", "directions"})
BUNDLE_KEYS = frozenset({"ref", "stop", "source", "library", "library_center", "title", "note"})
NAMED_KEYS = frozenset({*TOUR_TEXT_LIMITS, "stops"})

_TOUR_KEYS = frozenset({"center", "title", "theme", "description", "fields", "starts_on", "ends_on", "opens_at",
                        "reading_ends_at", "capacity", "closed", "organizations", "stops", "cases", "named"})
TOUR = Contract(
    STUDY_TOUR, keys=_TOUR_KEYS, required=_TOUR_KEYS,
    text_limits={**TOUR_TEXT_LIMITS, "organizations.name": 200,
                 **{f"stops.{name}": limit for name, limit in STOP_TEXT_LIMITS.items()},
                 "cases.title": 400, "cases.note": 400},
    list_limits={"organizations": MAX_ORGANIZATIONS, "stops": MAX_STOPS, "cases": MAX_CASES},
    nested={"organizations": ORGANIZATION_KEYS, "stops": STOP_KEYS, "cases": BUNDLE_KEYS, "named": NAMED_KEYS},
)

# One of the host's cases for one tour: the shared-case payload inside the tour's envelope.
CASE_COPY = Contract(TOUR_CASE, keys=frozenset({"center", "tour", "case"}), nested={"case": CASE.keys})

LESSON = Contract(
    TOUR_LESSON, keys=frozenset({"center", "tour", "tour_title", "title", "text", "cases"}),
    text_limits={"tour_title": 200, "title": 200, "text": 20000}, list_limits={"cases": MAX_CASES},
)

REPORT_FEED_KEYS = frozenset({"uuid", "tour", "author_name", "organization_name", "saw", "transfer", "questions",
                              "submitted_at"})
