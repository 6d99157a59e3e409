"""Statistics (統計) of the shared case library: tables by form × 年度, by activity field and by
center, and continuation rates; every figure goes through hub.disclosure (small cells suppressed)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field as dataclass_field

from django.db.models import Max, QuerySet
from django.utils.translation import gettext

from common.charts import bar_chart
from common.japanese import fiscal_year_label, wareki_fiscal_year
from permissions.models import OrganizationKind

from .. import disclosure
from ..models import ACTIVITY_FIELDS, CaseOutcome, CollaborationForm, NodeCenter, PartyRole, SharedCase
from .library import case_years, current_fiscal_year, in_fiscal_years

# The city (and the prefecture) and the center itself are parties to most cases; counting them as
# organizations would make every cell look like "three or more organizations" and let cells about
# one or two groups through. Cells count the groups, companies and others the figures are about.
NOT_COUNTED_KINDS = frozenset({OrganizationKind.CITY_DEPARTMENT, OrganizationKind.PREFECTURE, OrganizationKind.CENTER})
MAX_STATISTICS_YEARS = 12  # wider tables make the exact suppression audit slow; seed 001 shows 8 years
DEFAULT_STATISTICS_YEARS = 8
NO_FIELD = 0
ONE_WAY_COLUMN = "件数"


def case_organizations(node_id: int, entity_uuid, parties: list[dict]) -> frozenset:
    """Whom a case's figures are about. Refs are pseudonyms per node, so they are kept with it."""
    refs = frozenset((node_id, party["ref"]) for party in parties
                     if party["role"] != PartyRole.GOVERNMENT and party["kind"] not in NOT_COUNTED_KINDS)
    # A case between the city and the center only is still about someone: count it as its own
    # organization, so it is protected like a case of one group (the disclosure helper refuses none).
    return refs or frozenset({("case", node_id, str(entity_uuid))})


def statistics_default_years(*, center: NodeCenter | None = None) -> tuple[int, int]:
    """The last eight 年度 that have cases (up to this one)."""
    cases = SharedCase.objects.filter(center=center) if center is not None else SharedCase.objects.all()
    found = cases.aggregate(start=Max("fiscal_year_start"), end=Max("fiscal_year_end"))
    today = current_fiscal_year()
    latest = min(max(found["start"] or today, found["end"] or 0), today) if found["start"] else today
    return latest - DEFAULT_STATISTICS_YEARS + 1, latest


@dataclass
class StatisticsTable:
    """One suppressed table ready for a page and a CSV file."""

    slug: str
    title: str
    corner: str
    table: disclosure.Table
    labels: dict[Hashable, str]
    one_way: bool = False
    note: str = ""
    chart: dict = dataclass_field(default_factory=dict)
    header: list[dict] = dataclass_field(default_factory=list)
    rows: list[dict] = dataclass_field(default_factory=list)


@dataclass
class Statistics:
    first: int
    last: int
    center: NodeCenter | None
    case_count: int
    tables: list[StatisticsTable]
    rates: disclosure.ContinuationRates | None

    def table(self, slug: str) -> StatisticsTable | None:
        return next((t for t in self.tables if t.slug == slug), None)


def _chart(entries: list[tuple[str, disclosure.Entry]]) -> dict:
    """Bars of published figures only; a suppressed one gets the symbol and no bar."""
    chart = bar_chart([(label, entry.value or 0) for label, entry in entries])
    for bar, (_label, entry) in zip(chart["bars"], entries, strict=True):
        if entry.suppressed:
            bar["value"], bar["suppressed"] = disclosure.SUPPRESSED, True
    return chart


def lay_out(stat: StatisticsTable) -> StatisticsTable:
    """Header, rows and chart of a suppressed table, as a page shows them (the CSV reads the table)."""
    table = stat.table
    columns = [] if stat.one_way else list(table.col_keys)
    stat.header = [{"key": key, "label": stat.labels.get(key, str(key))} for key in columns]
    stat.rows = [{"label": stat.labels.get(row.key, str(row.key)), "cells": [] if stat.one_way else list(row.cells),
                  "total": row.total, "is_total": row.key is disclosure.TOTAL}
                 for row in [*table.rows, table.total_row]]
    for row in stat.rows:
        if row["is_total"]:
            row["label"] = gettext("合計")
    stat.chart = _chart([(stat.labels.get(row.key, str(row.key)), row.total) for row in table.rows])
    return stat


def statistics_range(*, first: int | None, last: int | None, center: NodeCenter | None = None) -> tuple[int, int]:
    """The 年度 range asked for, filled in: eight 年度 ending with the latest that has cases."""
    span = DEFAULT_STATISTICS_YEARS - 1
    if first is None and last is None:
        return statistics_default_years(center=center)
    if first is None:
        return max(last - span, 1950), last
    if last is None:
        return first, min(first + span, 2100)
    return first, last


STATISTICS_TABLES = ("forms", "fields", "centers", "continuation")


def outcome_labels() -> dict[str, str]:
    """The outcome columns as the page and the CSV head them: the old 縮小, which did not say whether
    budget or scope, reads 縮小（区分なし） beside 予算縮小 and 事業縮小."""
    labels = {outcome: str(CaseOutcome(outcome).label) for outcome in disclosure.OUTCOMES}
    labels[CaseOutcome.REDUCED] = gettext("縮小（区分なし）")
    return labels


def _statistics_records(cases: QuerySet, first: int, last: int) -> list[dict]:
    today_fy = current_fiscal_year()
    records = []
    for row in cases.values("node_id", "entity_uuid", "center_id", "form", "field_codes", "fiscal_year_start",
                            "fiscal_year_end", "outcome", "parties").iterator(chunk_size=1000):
        years = [y for y in case_years(row["fiscal_year_start"], row["fiscal_year_end"], row["outcome"],
                                       today_fy=today_fy) if first <= y <= last]
        records.append({**row, "years": years, "fields": row["field_codes"] or [NO_FIELD],
                        "organizations": case_organizations(row["node_id"], row["entity_uuid"], row["parties"])})
    return records


def case_statistics(*, first: int, last: int, center: NodeCenter | None = None, only: str | None = None) -> Statistics:
    """Counts by form × 年度, by activity field and by center, and continuation rates, for the cases
    active in first..last; every figure goes through hub.disclosure. Nothing is cached: a retracted
    case is gone from the next page. `only` builds one table (suppression is the costly part)."""
    cases = SharedCase.objects.filter(in_fiscal_years(first, last))
    if center is not None:
        cases = cases.filter(center=center)
    records = _statistics_records(cases, first, last)
    wanted = set(STATISTICS_TABLES) if only is None else {only}
    one_way = {"col_order": [ONE_WAY_COLUMN]}
    tables = []
    if "forms" in wanted:
        years = list(range(first, last + 1))
        forms = [f for f in CollaborationForm.values if any(r["form"] == f for r in records)]
        labels = {**{value: str(label) for value, label in CollaborationForm.choices},
                  **{y: fiscal_year_label(y) for y in years}}
        stat = lay_out(StatisticsTable(
            "forms", gettext("協働の形態別・年度別の件数"), gettext("協働の形態"),
            disclosure.counts_by(records, "form", "years", row_order=forms, col_order=years), labels,
            note=gettext("複数年度にわたる事例は年度ごとに数えます（合計は延べ件数）。")))
        # Years head the columns as 西暦 with the 和暦 under it; the CSV spells both out.
        stat.header = [{"key": y, "label": gettext("%(year)s年度") % {"year": y}, "sub": wareki_fiscal_year(y)}
                       for y in years]
        tables.append(stat)
    if "fields" in wanted:
        fields = sorted({code for r in records for code in r["fields"]})
        labels = {code: f"{code} {ACTIVITY_FIELDS[code]}" for code in fields if code != NO_FIELD}
        labels[NO_FIELD] = gettext("（分野の記載なし）")
        tables.append(lay_out(StatisticsTable(
            "fields", gettext("活動分野別の件数"), gettext("活動分野"),
            disclosure.counts_by(records, "fields", lambda r: ONE_WAY_COLUMN, row_order=fields, **one_way),
            labels, one_way=True, note=gettext("複数の分野にまたがる事例は分野ごとに数えます（合計は延べ件数）。"))))
    if "centers" in wanted:
        centers_found = list(NodeCenter.objects.filter(pk__in={r["center_id"] for r in records}))
        tables.append(lay_out(StatisticsTable(
            "centers", gettext("センター別の件数"), gettext("センター"),
            disclosure.counts_by(records, "center_id", lambda r: ONE_WAY_COLUMN,
                                 row_order=[c.pk for c in centers_found], **one_way),
            {c.pk: c.name for c in centers_found}, one_way=True)))
    rates = None
    if "continuation" in wanted:
        rates = disclosure.continuation_rates(records)
        # disclosure is pure (no Django): its outcome labels are the same words, translated here.
        labels = outcome_labels()
        stat = lay_out(StatisticsTable("continuation", gettext("事業期間後の継続状況"), "", rates.table,
                                        labels, note=gettext("実施中の事例は含みません。")))
        stat.chart = _chart([(labels[share.outcome], share.count) for share in rates.shares])
        tables.append(stat)
    return Statistics(first=first, last=last, center=center, case_count=len(records), tables=tables, rates=rates)


def statistics_csv_rows(stats: Statistics, slug: str) -> list[list[str]] | None:
    """One table as CSV rows: suppressed cells as the one symbol, then the general footnote."""
    stat = stats.table(slug)
    if stat is None:
        return None
    rows = table_csv_rows(stat)
    if slug == "continuation" and stats.rates is not None:
        # Percentages of published counts only: a suppressed count has no percentage either.
        percents = [disclosure.SUPPRESSED if share.count.suppressed else "" if share.percent is None
                    else f"{share.percent}%" for share in stats.rates.shares]
        rows.insert(len(stat.table.row_keys) + 2, [gettext("割合"), *percents, "100%" if stats.rates.total.value else ""])
    return with_note(stat, rows)


def table_csv_rows(stat: StatisticsTable) -> list[list[str]]:
    """A laid-out table as CSV rows, suppressed cells as the one symbol."""
    rows = disclosure.to_csv_rows(stat.table, labels=stat.labels, corner=stat.corner, total_label=gettext("合計"))
    if stat.one_way:
        # A one-column table's total column repeats it (same value, same suppression).
        rows = [row[:-1] if len(row) == 3 else row for row in rows]
    return rows


def with_note(stat: StatisticsTable, rows: list[list[str]]) -> list[list[str]]:
    """The table's footnote under its rows, if it has one."""
    return [*rows, [gettext("注：%(note)s") % {"note": stat.note}]] if stat.note else rows
