"""The national hub's statistics: the prefectural hubs' snapshots (hub.services.national_statistics)
as one table per 年度 — regions (地方), each broken down by its prefectures as sub-rows, by form family —
suppressed again here by hub.disclosure, the same rules and code as a prefecture's own tables.

One table holds both the regions and their prefectures, so the suppression knows that a region is
the sum of its prefectures: a prefecture's hidden figure cannot be had back as the region's minus
the others'. Cells count each prefecture's organizations by their tokens, and a region's or the
whole's by the union, so a cell about one organization in each of two prefectures is about two
organizations and stays hidden although neither prefecture's own figure looked at alone says so.
Only one 年度 at a time: tables over ranges of 年度 could be differenced against each other."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass

from django.db.models import Max
from django.utils.translation import gettext

from common import regions
from common.replicas import read_alias

from .. import disclosure
from ..models import NationalStatisticsCell, Node, NodeKind, NodeStatus
from .statistics import FORM_FAMILIES, StatisticsTable, form_labels, lay_out


@dataclass
class NationalStatistics:
    year: int | None
    years: list[int]
    prefectures: list[dict]  # the enrolled prefectural hubs: code, name, region, received_at
    table: StatisticsTable | None


def national_years() -> list[int]:
    return sorted(NationalStatisticsCell.objects.using(read_alias()).values_list("fiscal_year", flat=True)
                  .distinct(), reverse=True)


def _prefectural_hubs() -> list[Node]:
    hubs = Node.objects.using(read_alias()).filter(kind=NodeKind.PREFECTURAL_HUB).exclude(status=NodeStatus.REVOKED)
    return [hub for hub in hubs.order_by("municipality_code") if hub.municipality_code[:2] in regions.PREFECTURES]


def national_statistics(*, year: int | None = None) -> NationalStatistics:
    """The table of `year` (default: the latest 年度 any prefecture sent)."""
    years = national_years()
    year = year if year is not None else (years[0] if years else None)
    hubs = _prefectural_hubs()
    received = dict(NationalStatisticsCell.objects.using(read_alias()).values_list("hub_id")
                    .annotate(at=Max("received_at")))
    prefectures = [{"code": hub.municipality_code[:2], "name": regions.PREFECTURES[hub.municipality_code[:2]],
                    "region": regions.REGIONS[regions.region_of(hub.municipality_code)],
                    "hub": hub.name, "received_at": received.get(hub.pk)} for hub in hubs]
    if year is None or not hubs:
        return NationalStatistics(year, years, prefectures, None)
    cells = (NationalStatisticsCell.objects.using(read_alias()).filter(fiscal_year=year, hub__in=hubs)
             .values_list("hub_id", "hub__municipality_code", "form", "cases", "organizations"))
    table = _table({hub.municipality_code[:2] for hub in hubs}, cells)
    return NationalStatistics(year, years, prefectures, lay_out(table))


def _table(prefecture_codes: set[str], cells) -> StatisticsTable:
    """Rows: each region with an enrolled prefecture, its prefectures beneath; columns: form families."""
    subrows = {region: [code for code in codes if code in prefecture_codes]
               for region, codes in regions.REGION_PREFECTURES.items()}
    subrows = {region: codes for region, codes in subrows.items() if codes}
    grid: dict[tuple[Hashable, Hashable], disclosure.Cell] = {}
    for hub_id, code, form, cases, organizations in cells:
        prefecture = code[:2]
        # Tokens are a snapshot's own: the hub's id keeps two prefectures' tokens apart.
        cell = disclosure.Cell(cases, frozenset((hub_id, token) for token in organizations), cases)
        region = regions.PREFECTURE_REGION[prefecture]
        for row in (region, prefecture):
            grid[row, form] = grid.get((row, form), disclosure.Cell()) + cell
    row_order = [key for region, codes in subrows.items() for key in (region, *codes)]
    columns = [form for form in FORM_FAMILIES if any(column == form for _row, column in grid)] or list(FORM_FAMILIES)
    table = disclosure.Table(row_order, columns, grid, unit=disclosure.Unit.CASES, subrows=subrows)
    labels: dict[Hashable, str] = {**form_labels(), **{key: name for key, name in regions.REGIONS.items()},
                                   **{code: regions.PREFECTURES[code] for code in prefecture_codes}}
    return StatisticsTable("national", gettext("地方・都道府県別、協働の形態別の件数"), gettext("地方・都道府県"),
                           table, labels, note=gettext("都道府県ハブから届いた集計を全国で改めて秘匿処理しています。"))


def national_document(stats: NationalStatistics) -> dict:
    """The machine-readable form (API): suppressed figures as null with the one symbol, never a value."""
    document: dict = {"fiscal_year": stats.year, "fiscal_years": stats.years, "symbol": disclosure.SUPPRESSED,
                      "prefectures": [{**p, "received_at": p["received_at"].isoformat() if p["received_at"] else None}
                                      for p in stats.prefectures],
                      "columns": [], "rows": [], "total": None}
    if stats.table is None:
        return document
    table = stats.table.table
    document["columns"] = [{"key": key, "label": stats.table.labels.get(key, key)} for key in table.col_keys]

    def entry(e: disclosure.Entry) -> dict:
        return {"value": e.value, "suppressed": e.suppressed}

    for key in table.row_keys:
        row = table.row(key)
        parent = table.parent(key)
        document["rows"].append({"key": key, "level": "prefecture" if parent is not None else "region",
                                 "region": parent if parent is not None else key,
                                 "label": stats.table.labels.get(key, key),
                                 "cells": {col: entry(e) for col, e in zip(table.col_keys, row.cells, strict=True)},
                                 "total": entry(row.total)})
    total = table.total_row
    document["total"] = {"cells": {col: entry(e) for col, e in zip(table.col_keys, total.cells, strict=True)},
                         "total": entry(total.total)}
    return document
