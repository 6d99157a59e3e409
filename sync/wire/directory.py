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

# `national`: true only when the group consented to 全国掲載 (the key is left out otherwise, so the
# payloads of groups that did not are as before); a prefectural hub passes such entries up.
NATIONAL = "national"

GROUP = Contract(
    DIRECTORY_GROUP,
    keys=frozenset({"center", "name", "name_kana", "kind", "legal_form", "fields", "area", "description", NATIONAL}),
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
    DIRECTORY_OFFER, keys=_OFFER_KEYS | {NATIONAL}, required=_OFFER_KEYS,
    text_limits={"title": 400, "description": 20000, "area": 200, "capacity": 200},
    # At most one entry per cost item as well (common.vocabulary.CostItem).
    list_limits={"fields": 20, "months": 12},
)

# Counts only: every value a count or an object of counts, keyed by short names.
MAX_COUNT_KEY = 20
COUNTS = Contract(AGGREGATE_COUNTS, keys=frozenset({"center", "data"}))

# What `data` may hold, each key optional (a node sends what it has; snapshots of older nodes, with
# the first four only, stay valid) and nothing else:
#   groups_total            n (active groups)
#   groups_by_field         {activity field code "1".."20": n}
#   events_per_month        {"YYYY-MM": n}
#   consultations_per_step  {step: n}
#   form_years              the center's collaborations by form × 年度 (FORM_YEARS_KEYS)
#   programme_cycle         {募集年度 "YYYY": {CYCLE_KEYS: n}} — 協働推進事業's calls
COUNTS_DATA_KEYS = frozenset({"groups_total", "groups_by_field", "events_per_month", "consultations_per_step",
                              "form_years", "programme_cycle"})
# form_years, every key required:
#   public   true when the center marked these counts public (公表値: its city prints them itself)
#   counts   {form family: {"YYYY": n}} (協働推進事業 one family, both tracks in it)
#   sources  {"YYYY": FORM_YEAR_SOURCES} — every 年度 of the table, counted from records or loaded history
#   tracks   {form of 協働推進事業: {"YYYY": n}} — for 年度 counted from records only, where they add
#            up to that 年度's 協働推進事業 (the form without a track counts as 区分なし)
FORM_YEARS_KEYS = frozenset({"public", "counts", "sources", "tracks"})
FORM_YEAR_SOURCES = frozenset({"records", "history"})
CYCLE_KEYS = frozenset({"exchange_meetings", "applications", "adopted"})  # 意見交換会, 申込, 採択
MAX_AGGREGATE_YEARS = 20  # 年度 in form_years and in programme_cycle: the latest ones
MAX_AGGREGATE_MONTHS = 1200  # events_per_month: a century of months
MAX_AGGREGATE_COUNT = 10**9
