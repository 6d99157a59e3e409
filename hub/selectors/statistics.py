"""Statistics (統計) of the shared case library: tables by form × 年度, by activity field and by
center, and continuation rates; every figure goes through hub.disclosure (small cells suppressed)."""

from __future__ import annotations

from collections.abc import Hashable
from dataclasses import dataclass, field as dataclass_field

from django.db.models import Max, QuerySet
from django.utils.translation import gettext

from common.charts import bar_chart
from common.japanese import fiscal_year_label, wareki_fiscal_year
from common.replicas import read_alias
from common.vocabulary import KYODO_SUISHIN_FORMS, form_family
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

# Rows by form family, in the order of the choices: either track of 協働推進事業 counts in its one row,
# and the tracks sit beneath it as sub-rows keyed (family, form) — the form without a track is 区分なし.
KYODO_SUISHIN = CollaborationForm.KYODO_SUISHIN.value
FORM_FAMILIES = tuple(form for form in CollaborationForm.values if form_family(form) == form)
TRACK_SUBROWS = tuple((KYODO_SUISHIN, form) for form in (
    CollaborationForm.KYODO_SUISHIN_GYOSEI.value, CollaborationForm.KYODO_SUISHIN_SHIMIN.value, KYODO_SUISHIN))


def form_labels() -> dict[Hashable, str]:
    """Row labels of tables by form family, the tracks' sub-rows included."""
    labels: dict[Hashable, str] = {value: str(label) for value, label in CollaborationForm.choices
                                   if value in FORM_FAMILIES}
    labels.update(dict(zip(TRACK_SUBROWS, (gettext("行政提案型"), gettext("市民提案型"), gettext("区分なし")),
                           strict=True)))
    return labels


def form_rows(form: str) -> list[Hashable]:
    """The rows a case of `form` counts in: its family, and for 協働推進事業 its track beneath."""
    family = form_family(form)
    return [family, (family, form)] if form in KYODO_SUISHIN_FORMS else [family]


def form_row_order(forms: set[str], *, with_rows: tuple[Hashable, ...] = ()) -> tuple[list[Hashable], dict]:
    """Rows and sub-rows for the forms found (and `with_rows`, even if empty): the order of the
    choices, the tracks found right under 協働推進事業."""
    present = {row for form in forms for row in form_rows(form)} | set(with_rows)
    present |= {row[0] for row in present if isinstance(row, tuple)}
    order: list[Hashable] = []
    subrows: dict[Hashable, list[Hashable]] = {}
    for family in FORM_FAMILIES:
        if family in present:
            order.append(family)
            if family == KYODO_SUISHIN:
                subrows[family] = [row for row in TRACK_SUBROWS if row in present]
                order += subrows[family]
    return order, subrows


def case_organizations(node_id: int, entity_uuid, parties: list[dict]) -> frozenset:
    """Whom a case's figures are about. Refs are pseudonyms per node, so they are kept with it."""
    refs = frozenset((node_id, party["ref"]) for party in parties
                     if party["role"] != PartyRole.GOVERNMENT and party["kind"] not in NOT_COUNTED_KINDS)
    # A case between the city and the center only is still about someone: count it as its own
    # organization, so it is protected like a case of one group (the disclosure helper refuses none).
    return refs or frozenset({("case", node_id, str(entity_uuid))})


def statistics_default_years(*, center: NodeCenter | None = None, using: str | None = None) -> tuple[int, int]:
    """The last eight 年度 that have cases (up to this one)."""
    cases = SharedCase.objects.using(using or read_alias())
    cases = cases.filter(center=center) if center is not None else cases
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
    # Which rows to show, in order (TOTAL: the totals row); None: every row, then the totals.
    show: list[Hashable] | None = None
    total_label: str = ""
    public: bool = False  # 公表値: figures their center published itself, shown as they are

    @property
    def shown(self) -> list[Hashable]:
        return [*self.table.row_keys, disclosure.TOTAL] if self.show is None else self.show

    @property
    def has_subrows(self) -> bool:
        return any(self.table.parent(key) is not None for key in self.shown if key is not disclosure.TOTAL)


@dataclass
class Statistics:
    first: int
    last: int
    center: NodeCenter | None
    case_count: int
    tables: list[StatisticsTable]
    rates: disclosure.ContinuationRates | None
    focus: Hashable = disclosure.TOTAL  # the continuation row whose shares are shown
    focus_label: str = ""

    def table(self, slug: str) -> StatisticsTable | None:
        return next((t for t in self.tables if t.slug == slug), None)


SUBROW_INDENT = "\u3000"  # a sub-row's label in a chart or a CSV file: indented by one full-width space


def published_chart(entries: list[tuple[str, disclosure.Entry]], *, sub: set[int] = frozenset()) -> dict:
    """Bars of published figures only; a suppressed one gets the symbol and no bar. `sub`: the
    indexes of sub-rows, drawn indented and lighter."""
    chart = bar_chart([((SUBROW_INDENT if index in sub else "") + label, entry.value or 0)
                       for index, (label, entry) in enumerate(entries)])
    for index, (bar, (_label, entry)) in enumerate(zip(chart["bars"], entries, strict=True)):
        if entry.suppressed:
            bar["value"], bar["suppressed"] = disclosure.SUPPRESSED, True
        bar["sub"] = index in sub
    return chart


def lay_out(stat: StatisticsTable) -> StatisticsTable:
    """Header, rows and chart of a suppressed table, as a page shows them (the CSV reads the table)."""
    table = stat.table
    columns = [] if stat.one_way else list(table.col_keys)
    stat.header = [{"key": key, "label": stat.labels.get(key, str(key))} for key in columns]
    stat.rows = []
    for key in stat.shown:
        row = table.row(key)
        is_total = key is disclosure.TOTAL
        stat.rows.append({"label": (stat.total_label or gettext("合計")) if is_total else stat.labels.get(key, str(key)),
                          "cells": [] if stat.one_way else list(row.cells), "total": row.total, "is_total": is_total,
                          "is_subrow": row.parent is not None})
    bars = [row for row in stat.rows if not row["is_total"]]
    stat.chart = published_chart([(row["label"], row["total"]) for row in bars],
                        sub={index for index, row in enumerate(bars) if row["is_subrow"]})
    return stat


def statistics_range(*, first: int | None, last: int | None, center: NodeCenter | None = None,
                     using: str | None = None) -> tuple[int, int]:
    """The 年度 range asked for, filled in: eight 年度 ending with the latest that has cases."""
    span = DEFAULT_STATISTICS_YEARS - 1
    if first is None and last is None:
        return statistics_default_years(center=center, using=using)
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


def continuation_focus(*, form: str | None = None, track_form: str | None = None) -> Hashable:
    """The continuation row a filter asks for: a track's sub-row, a form family's row, or the whole."""
    if track_form:
        return form_family(track_form), track_form
    return form_family(form) if form else disclosure.TOTAL


def case_statistics(*, first: int, last: int, center: NodeCenter | None = None, only: str | None = None,
                    form: str | None = None, track_form: str | None = None, using: str | None = None) -> Statistics:
    """Counts by form × 年度, by activity field and by center, and continuation rates, for the cases
    active in first..last; every figure goes through hub.disclosure. Nothing is cached here (the pages
    read it through hub.figures_cache). `only` builds one table (suppression is the costly part);
    `using`: the database alias to read (a read replica's, by default in turn).

    `form` (a family) or `track_form` (a form of 協働推進事業) picks the continuation row shown. The
    table behind it is the same whatever is picked — rows by form family, the tracks beneath — so
    that reading one row after another, or after the whole, gives back nothing a single view hides."""
    using = using or read_alias()
    cases = SharedCase.objects.using(using).filter(in_fiscal_years(first, last))
    if center is not None:
        cases = cases.filter(center=center)
    records = _statistics_records(cases, first, last)
    wanted = set(STATISTICS_TABLES) if only is None else {only}
    one_way = {"col_order": [ONE_WAY_COLUMN]}
    tables = []
    if "forms" in wanted:
        years = list(range(first, last + 1))
        row_order, subrows = form_row_order({r["form"] for r in records})
        labels = {**form_labels(), **{y: fiscal_year_label(y) for y in years}}
        stat = lay_out(StatisticsTable(
            "forms", gettext("協働の形態別・年度別の件数"), gettext("協働の形態"),
            disclosure.counts_by(records, lambda r: form_rows(r["form"]), "years", row_order=row_order,
                                 col_order=years, subrows=subrows), labels,
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
        centers_found = list(NodeCenter.objects.using(using).filter(pk__in={r["center_id"] for r in records}))
        tables.append(lay_out(StatisticsTable(
            "centers", gettext("センター別の件数"), gettext("センター"),
            disclosure.counts_by(records, "center_id", lambda r: ONE_WAY_COLUMN,
                                 row_order=[c.pk for c in centers_found], **one_way),
            {c.pk: c.name for c in centers_found}, one_way=True)))
    rates = None
    focus = continuation_focus(form=form, track_form=track_form)
    focus_label = ""
    if "continuation" in wanted:
        finished = {r["form"] for r in records if r["outcome"] in disclosure.OUTCOMES}
        # The row asked for is there even when no case is in it (a row of zeros changes no suppression).
        row_order, subrows = form_row_order(finished, with_rows=() if focus is disclosure.TOTAL else (focus,))
        rates = disclosure.continuation_rates(records, row_key=lambda r: form_rows(r["form"]), row_order=row_order,
                                              subrows=subrows)
        labels = {**form_labels(), **outcome_labels()}
        if focus is disclosure.TOTAL:
            show = [*row_order, disclosure.TOTAL]
        else:
            show = [focus, *subrows.get(focus, [])]
            focus_label = (f"{labels[focus[0]]}（{labels[focus]}）" if isinstance(focus, tuple) else labels[focus])
        stat = lay_out(StatisticsTable("continuation", gettext("事業期間後の継続状況"), gettext("協働の形態"),
                                        rates.table, labels, note=gettext("実施中の事例は含みません。"), show=show,
                                        total_label=gettext("全体")))
        stat.chart = published_chart([(labels[share.outcome], share.count) for share in rates.shares_of(focus)])
        tables.append(stat)
    return Statistics(first=first, last=last, center=center, case_count=len(records), tables=tables, rates=rates,
                      focus=focus, focus_label=focus_label)


def continuation_shares(stats: Statistics) -> tuple[disclosure.Share, ...]:
    """The shares of the continuation row the filter picked (the whole by default)."""
    return stats.rates.shares_of(stats.focus) if stats.rates is not None else ()


def labelled_shares(stats: Statistics) -> list[dict]:
    """The picked row's shares with their outcomes labelled for the page (disclosure has no gettext)."""
    labels = outcome_labels()
    return [{"label": labels[share.outcome], "count": share.count, "percent": share.percent}
            for share in continuation_shares(stats)]


def continuation_total(stats: Statistics) -> disclosure.Entry | None:
    """How many finished cases the picked row has (suppressed with the row if need be)."""
    return stats.rates.table.entry(stats.focus, disclosure.TOTAL) if stats.rates is not None else None


def statistics_csv_rows(stats: Statistics, slug: str) -> list[list[str]] | None:
    """One table as CSV rows: suppressed cells as the one symbol, then the general footnote."""
    stat = stats.table(slug)
    if stat is None:
        return None
    rows = table_csv_rows(stat, footnote=False)
    if slug == "continuation" and stats.rates is not None:
        # Percentages of published counts only: a suppressed count has no percentage either.
        shares = continuation_shares(stats)
        focus_total = continuation_total(stats)
        percents = [disclosure.SUPPRESSED if share.count.suppressed else "" if share.percent is None
                    else f"{share.percent}%" for share in shares]
        label = gettext("割合") if not stats.focus_label else gettext("割合（%(row)s）") % {"row": stats.focus_label}
        rows.append([label, *percents, "100%" if focus_total.value else ""])
    return with_note(stat, rows + table_footnote_rows(stat))


def table_csv_rows(stat: StatisticsTable, *, footnote: bool = True) -> list[list[str]]:
    """A laid-out table as CSV rows, suppressed cells as the one symbol."""
    rows = disclosure.to_csv_rows(stat.table, labels=stat.labels, corner=stat.corner, total_label=gettext("合計"),
                                  total_row_label=stat.total_label or None, rows=stat.shown,
                                  subrow_prefix=SUBROW_INDENT, footnote=footnote)
    if stat.one_way:
        # A one-column table's total column repeats it (same value, same suppression).
        rows = [row[:-1] if len(row) == 3 else row for row in rows]
    return rows


def table_footnote_rows(stat: StatisticsTable) -> list[list[str]]:
    """The suppression footnote, when a shown figure is suppressed."""
    shown = [stat.table.row(key) for key in stat.shown]
    if any(entry.suppressed for row in shown for entry in (*row.cells, row.total)):
        return disclosure.footnote_rows(stat.table)
    return []


def with_note(stat: StatisticsTable, rows: list[list[str]]) -> list[list[str]]:
    """The table's footnotes under its rows: what its sub-rows are, and its own note."""
    notes = []
    if stat.has_subrows:
        notes.append([gettext("注：字下げした行は上の行の内訳です（合計には含みません）。")])
    if stat.note:
        notes.append([gettext("注：%(note)s") % {"note": stat.note}])
    return [*rows, *notes]
