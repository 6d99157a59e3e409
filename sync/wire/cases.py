"""Shared collaboration cases (協働事例): the payload of `shared_case`, also the case inside a study
tour's `tour_case`."""

from __future__ import annotations

import re

from .contract import Contract

SHARED_CASE = "shared_case"

PARTY_KEYS = frozenset({"ref", "kind", "role", "name", "fields", "size_band", "contribution"})
MAX_PARTIES = 50
MAX_FIELDS = 20  # activity fields are coded 1..20
YEARS = (1950, 2100)  # the 年度 a case may name, first and last
MAX_AMOUNT = 10**15  # yen
# A party's pseudonym: 16 hex digits (a keyed hash on the node, so the hub can count without knowing).
PARTY_REF = re.compile(r"[0-9a-f]{16}")
# Member counts leave a node banded: 1-9, 100+.
SIZE_BAND = re.compile(r"[0-9]{1,6}(-[0-9]{1,6}|\+)")
# Dates leave a node as months.
MONTH = re.compile(r"([0-9]{4})-(0[1-9]|1[0-2])")

_KEYS = frozenset({"center", "level", "title", "summary", "lessons", "form", "fields", "fiscal_year_start",
                   "fiscal_year_end", "outcome", "total_cost", "city_share", "published_month", "parties"})

# 共有範囲: how far a case may travel. Optional on the wire (a case from an older node stays in its
# prefecture); a prefectural hub passes only `national` cases up to the national hub.
REACH_PREFECTURE, REACH_NATIONAL = "prefecture", "national"
REACHES = (REACH_PREFECTURE, REACH_NATIONAL)

CASE = Contract(
    SHARED_CASE, keys=_KEYS | {"reach"}, required=_KEYS,
    # The title is twice the node's 200: placeholders such as 〔電話番号〕 can be longer than what they replace.
    text_limits={"title": 400, "summary": 20000, "lessons": 20000, "parties.name": 200,
                 "parties.contribution": 20000},
    list_limits={"parties": MAX_PARTIES, "fields": MAX_FIELDS},
    nested={"parties": PARTY_KEYS},
)
