"""What a prefectural hub sends its national hub for the national statistics: the counts of its
shared cases by 年度 × form family, each cell with the organizations it is about as opaque tokens.

Tokens are keyed hashes, salted afresh for every snapshot and never sent with their salt: within one
snapshot the same organization has the same token in every cell (so the national hub can tell a
row's total is about two organizations, not four), across snapshots and prefectures nothing links.
A snapshot replaces the previous one whole; a retracted case is gone from the next."""

from __future__ import annotations

import re

FORMAT = "kyodo.national.statistics/1"
PATH = "/sync/v1/national/statistics"
KEYS = frozenset({"format", "prefecture", "generated_at", "cells"})
CELL_KEYS = frozenset({"year", "form", "cases", "organizations"})
MAX_CELLS = 2_000  # 20 年度 × every form family, many times over
MAX_ORGANIZATIONS = 100_000
MAX_COUNT = 10**9
YEARS = range(1950, 2101)
TOKEN = re.compile(r"^[0-9a-f]{16}$")
MAX_FORM = 40


def parse(payload: object) -> dict:
    """The snapshot as sent, checked for its shape; ValueError naming the first bad part. The
    receiving hub checks the meaning (its prefecture, its forms)."""
    if not isinstance(payload, dict) or set(payload) != KEYS or payload["format"] != FORMAT:
        raise ValueError("keys")
    prefecture = payload["prefecture"]
    if not (isinstance(prefecture, str) and len(prefecture) == 2 and prefecture.isdigit()):
        raise ValueError("prefecture")
    cells = payload["cells"]
    if not isinstance(cells, list) or len(cells) > MAX_CELLS:
        raise ValueError("cells")
    seen = set()
    for cell in cells:
        if not isinstance(cell, dict) or set(cell) != CELL_KEYS:
            raise ValueError("cells.keys")
        year, form, cases, organizations = cell["year"], cell["form"], cell["cases"], cell["organizations"]
        if not _count(year) or year not in YEARS:
            raise ValueError("cells.year")
        if not isinstance(form, str) or not 0 < len(form) <= MAX_FORM:
            raise ValueError("cells.form")
        if not _count(cases) or cases == 0 or cases > MAX_COUNT:
            raise ValueError("cells.cases")
        if (not isinstance(organizations, list) or not organizations or len(organizations) > MAX_ORGANIZATIONS
                or not all(isinstance(t, str) and TOKEN.match(t) for t in organizations)
                or len(set(organizations)) != len(organizations)):
            raise ValueError("cells.organizations")
        if (year, form) in seen:
            raise ValueError("cells.duplicate")
        seen.add((year, form))
    return payload


def _count(value: object) -> bool:
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
