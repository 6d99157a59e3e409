"""The centers' own counts (統計 › センターの集計値): what each node sends per center (AggregateSnapshot,
sync.wire.directory.COUNTS_DATA_KEYS), per center and prefecture-wide — collaborations by form × 年度,
協働推進事業's calls, groups by activity field, events per month and consultations per step.

Counts of a center's own collaboration projects by form × 年度 that the center marked public
(公表値: its city prints them itself) are shown as they are, labelled — 協働推進事業's tracks with
them, being the same counts broken down by form. Everything else (groups, events, consultations,
the calls' meetings and applications, and the form counts of a center that did not mark them) is
about people or private records and goes through hub.disclosure's primary and secondary suppression.

Prefecture-wide figures, and why they are safe:
- Groups, events, consultations and 協働推進事業's calls are one table each with a row per center:
  the prefecture-wide figures are that table's totals row, so each center's figures and the
  prefecture's are suppressed together and audited together. A center filter only picks the rows
  shown from the same table, so comparing a filtered page with the whole gives nothing back.
- Collaborations by form × 年度 are one table per center (its 公表値 as they are, or its counts
  suppressed), and the prefecture-wide table sums the published ones only (公表値の合計). Adding the
  other centers in would not be safe: the reader holds every public center's table, so a combined
  cell minus the public ones is the sum of the others — a figure of one private center whenever
  only one is private — and that sum would be suppressed apart from each private center's own table
  (a second table over the same cells). The page says how many centers the sum leaves out.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Mapping
from dataclasses import dataclass

from django.utils.translation import gettext

from common.japanese import fiscal_year_label, wareki_fiscal_year
from common.replicas import read_alias
from common.vocabulary import ConsultationStep

from .. import disclosure
from ..models import ACTIVITY_FIELDS, AggregateSnapshot, NodeCenter
from .library import current_fiscal_year
from .statistics import (
    DEFAULT_STATISTICS_YEARS,
    KYODO_SUISHIN,
    MAX_STATISTICS_YEARS,
    TRACK_SUBROWS,
    StatisticsTable,
    form_labels,
    form_row_order,
    lay_out,
    published_chart,
    table_csv_rows,
    table_footnote_rows,
    with_note,
)

GYOSEI, SHIMIN, NO_TRACK = (form for _family, form in TRACK_SUBROWS)
PREFECTURE_FORMS = "forms-prefecture"
CENTER_FORMS = "forms-"  # + the center's uuid
# Applications of one center: the row, and beneath it those adopted and the rest.
APPLICATIONS, ADOPTED, NOT_ADOPTED = "applications", "adopted", "not_adopted"
MONTHS_OF_FISCAL_YEAR = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
MAX_CENTER_FIGURES_YEARS = MAX_STATISTICS_YEARS


@dataclass
class CenterSnapshot:
    """One center's counts as received, read defensively: snapshots taken before the wire contract
    named every key (and checked its shape) may hold less, or other shapes, which read as nothing."""

    center: NodeCenter
    data: dict

    def counts(self, key: str) -> dict[str, int]:
        return _counts(self.data.get(key))

    @property
    def form_years(self) -> dict | None:
        value = self.data.get("form_years")
        return value if isinstance(value, dict) and isinstance(value.get("counts"), dict) else None

    @property
    def public(self) -> bool:
        return bool(self.form_years and self.form_years.get("public") is True)

    def sources(self) -> dict[int, str]:
        found = (self.form_years or {}).get("sources")
        return {int(year): source for year, source in found.items() if str(year).isdigit()} \
            if isinstance(found, dict) else {}

    def form_cells(self, years: Iterable[int]) -> dict[tuple[Hashable, int], int]:
        """(form row or track sub-row, 年度) → count; a 年度 whose tracks are not given counts as 区分なし."""
        form_years = self.form_years or {}
        families = form_labels()
        counts = {family: _counts(by_year) for family, by_year in form_years.get("counts", {}).items()
                  if family in families}
        tracks = form_years.get("tracks") if isinstance(form_years.get("tracks"), dict) else {}
        gyosei, shimin = _counts(tracks.get(GYOSEI)), _counts(tracks.get(SHIMIN))
        cells: dict[tuple[Hashable, int], int] = {}
        for year in years:
            for family, by_year in counts.items():
                if family != KYODO_SUISHIN and (n := by_year.get(str(year), 0)):
                    cells[family, year] = n
            programme = counts.get(KYODO_SUISHIN, {}).get(str(year), 0)
            known = {GYOSEI: gyosei.get(str(year), 0), SHIMIN: shimin.get(str(year), 0)}
            if sum(known.values()) > programme:
                known = {GYOSEI: 0, SHIMIN: 0}  # never sub-rows larger than their row
            known[NO_TRACK] = programme - sum(known.values())
            if programme:
                cells[KYODO_SUISHIN, year] = programme
            for form, n in known.items():
                if n:
                    cells[(KYODO_SUISHIN, form), year] = n
        return cells

    def cycle(self) -> dict[int, dict[str, int]]:
        found = self.data.get("programme_cycle")
        if not isinstance(found, dict):
            return {}
        return {int(year): _counts(counts) for year, counts in found.items() if str(year).isdigit()}


def _counts(value) -> dict[str, int]:
    if not isinstance(value, Mapping):
        return {}
    return {str(key): n for key, n in value.items() if isinstance(n, int) and not isinstance(n, bool) and n >= 0}


@dataclass
class CenterFigures:
    first: int
    last: int
    events_year: int
    center: NodeCenter | None
    snapshots: list[CenterSnapshot]
    tables: list[StatisticsTable]
    left_out: list[NodeCenter]  # centers whose form counts the prefecture-wide 公表値 leave out

    def table(self, slug: str) -> StatisticsTable | None:
        return next((t for t in self.tables if t.slug == slug), None)

    @property
    def public_centers(self) -> list[NodeCenter]:
        return [s.center for s in self.snapshots if s.form_years and s.public]


def center_snapshots(*, using: str | None = None) -> list[CenterSnapshot]:
    """Every center's latest counts, in the centers' order."""
    rows = AggregateSnapshot.objects.using(using or read_alias()).select_related("center").order_by("center__municipality_code", "center__name",
                                                                       "center_id")
    return [CenterSnapshot(row.center, row.data if isinstance(row.data, dict) else {}) for row in rows]


def center_figures_range(*, first: int | None, last: int | None,
                         snapshots: list[CenterSnapshot]) -> tuple[int, int]:
    """The 年度 asked for, filled in: eight ending with the latest any center has a figure for."""
    span = DEFAULT_STATISTICS_YEARS - 1
    if first is not None and last is not None:
        return first, last
    if first is not None:
        return first, min(first + span, 2100)
    if last is None:
        years = [year for s in snapshots for year in (*s.sources(), *s.cycle())]
        last = min(max(years), current_fiscal_year()) if years else current_fiscal_year()
    return max(last - span, 1950), last


CENTER_FIGURES_TABLES = ("forms", "cycle", "groups", "events", "consultations")


def center_figures(*, first: int | None = None, last: int | None = None, center: NodeCenter | None = None,
                   only: str | None = None, using: str | None = None) -> CenterFigures:
    """The centers' counts for first..last, filled in as center_figures_range does (events: the
    months of the last). `center` picks the rows shown, never the tables (see the module's note);
    `only` builds the table of one slug."""
    snapshots = center_snapshots(using=using)
    first, last = center_figures_range(first=first, last=last, snapshots=snapshots)
    years = list(range(first, last + 1))
    wanted = set(CENTER_FIGURES_TABLES) if only is None else {_group_of(only)}
    tables: list[StatisticsTable] = []
    left_out: list[NodeCenter] = []
    if "forms" in wanted:
        form_tables, left_out = _form_tables(snapshots, years, center)
        tables += form_tables
    if "cycle" in wanted:
        tables += _cycle_tables(snapshots, years, center)
    if "groups" in wanted:
        codes = sorted({int(code) for s in snapshots for code in s.counts("groups_by_field")
                        if code.isdigit() and int(code) in ACTIVITY_FIELDS})
        labels = {code: f"{code} {ACTIVITY_FIELDS[code]}" for code in codes}
        tables += _by_center("groups", gettext("登録団体の活動分野別の数"), gettext("センター"), snapshots, center,
                             "groups_by_field", codes, labels, key=str, unit=disclosure.Unit.ORGANIZATIONS,
                             note=gettext("複数の分野で活動する団体は分野ごとに数えます（合計は延べ数）。"))
    if "events" in wanted:
        year = last
        months = [f"{year + (month < 4)}-{month:02d}" for month in MONTHS_OF_FISCAL_YEAR]
        labels = {key: gettext("%(month)d月") % {"month": int(key[5:])} for key in months}
        tables += _by_center("events", gettext("%(year)sのイベントの月別件数") % {"year": fiscal_year_label(year)},
                             gettext("センター"), snapshots, center, "events_per_month", months, labels, key=str,
                             unit=disclosure.Unit.ORGANIZATIONS, note=gettext("中止したイベントは含みません。"))
    if "consultations" in wanted:
        steps = list(ConsultationStep.values)
        labels = {value: str(label) for value, label in ConsultationStep.choices}
        tables += _by_center("consultations", gettext("相談のステップ別件数"), gettext("センター"), snapshots, center,
                             "consultations_per_step", steps, labels, key=str, unit=disclosure.Unit.CONSULTATIONS,
                             note=gettext("相談はいまのステップで数えます。5件未満の値も秘匿しています。"))
    if only is not None:
        tables = [t for t in tables if t.slug == only]
    return CenterFigures(first=first, last=last, events_year=last, center=center, snapshots=snapshots,
                         tables=tables, left_out=left_out)


def _group_of(slug: str) -> str:
    if slug.startswith(CENTER_FORMS):
        return "forms"
    return {"meetings": "cycle", "applications": "cycle"}.get(slug, slug)


def is_center_figures_slug(slug: str) -> bool:
    return _group_of(slug) in CENTER_FIGURES_TABLES


# --- collaborations by form × 年度 --------------------------------------------------------------------------


def _form_tables(snapshots: list[CenterSnapshot], years: list[int],
                 center: NodeCenter | None) -> tuple[list[StatisticsTable], list[NodeCenter]]:
    labels = {**form_labels(), **{year: fiscal_year_label(year) for year in years}}
    with_forms = [s for s in snapshots if s.form_years is not None]
    tables = []
    public = [s for s in with_forms if s.public]
    left_out = [s.center for s in with_forms if not s.public]
    if public and center is None:
        summed: dict[tuple[Hashable, int], int] = {}
        for snapshot in public:
            for key, n in snapshot.form_cells(years).items():
                summed[key] = summed.get(key, 0) + n
        stat = _form_stat(PREFECTURE_FORMS, gettext("県全体の協働の形態別・年度別の件数（公表値の合計）"), summed, years,
                          labels, public=True)
        if stat is not None:
            names = "、".join(c.name for c in left_out)
            stat.note = gettext("公表値としているセンター（%(n)d）の合計です。") % {"n": len(public)} + (
                gettext("公表値としていないセンター（%(names)s）の件数は含みません。各センターの表をご覧ください。")
                % {"names": names} if left_out else "")
            tables.append(stat)
    for snapshot in with_forms:
        if center is not None and snapshot.center.pk != center.pk:
            continue
        title = gettext("%(center)sの協働の形態別・年度別の件数") % {"center": snapshot.center.name}
        stat = _form_stat(f"{CENTER_FORMS}{snapshot.center.center_uuid}", title, snapshot.form_cells(years), years,
                          labels, public=snapshot.public)
        if stat is not None:
            stat.note = _sources_note(snapshot.sources(), years)
            tables.append(stat)
    return tables, left_out


def _form_stat(slug: str, title: str, cells: dict, years: list[int], labels: dict, *,
               public: bool) -> StatisticsTable | None:
    # The forms found: a track's sub-row stands for its form; 協働推進事業's row comes with its sub-rows.
    forms = {row[1] if isinstance(row, tuple) else row for row, _year in cells if row != KYODO_SUISHIN}
    if not forms:
        return None
    rows, subrows = form_row_order(forms)
    if public:
        # 公表値: published by the center's city itself; a Table all the same, never suppressed.
        table = disclosure.public_table(rows, years, cells, subrows=subrows)
    else:
        # Counts of collaborations with the organizations behind them unknown here: one or two is
        # about one or two organizations at most, as with cases.
        table = disclosure.count_table(rows, years, cells, unit=disclosure.Unit.ORGANIZATIONS, subrows=subrows)
    stat = lay_out(StatisticsTable(slug, title, gettext("協働の形態"), table, labels, public=public))
    stat.header = [{"key": year, "label": gettext("%(year)s年度") % {"year": year}, "sub": wareki_fiscal_year(year)}
                   for year in years]
    return stat


def _sources_note(sources: dict[int, str], years: list[int]) -> str:
    """Which 年度 come from loaded yearly counts and which from the case records."""
    history = [year for year in years if sources.get(year) == "history"]
    records = [year for year in years if sources.get(year) == "records"]
    parts = []
    if history:
        parts.append(gettext("%(years)sは読み込んだ過去の件数（集計値）です。") % {"years": _year_spans(history)})
    if records:
        parts.append(gettext("%(years)sは協働事例の記録から数えた件数です。") % {"years": _year_spans(records)})
    return "".join(parts)


def _year_spans(years: list[int]) -> str:
    spans: list[list[int]] = []
    for year in years:
        if spans and spans[-1][1] == year - 1:
            spans[-1][1] = year
        else:
            spans.append([year, year])
    return "・".join(gettext("%(year)s年度") % {"year": a} if a == b else
                    gettext("%(first)s〜%(last)s年度") % {"first": a, "last": b} for a, b in spans)


# --- tables with a row per center -------------------------------------------------------------------------


def _by_center(slug: str, title: str, corner: str, snapshots: list[CenterSnapshot], center: NodeCenter | None,
               data_key: str, columns: list, labels: dict, *, key, unit: disclosure.Unit,
               note: str = "") -> list[StatisticsTable]:
    """One table: a row per center that sent `data_key`, the prefecture-wide figures its totals row."""
    having = [s for s in snapshots if data_key in s.data]
    if not having or not columns or (center is not None and center.pk not in {s.center.pk for s in having}):
        return []
    cells = {(s.center.pk, column): n for s in having
             for column in columns if (n := s.counts(data_key).get(key(column), 0))}
    table = disclosure.count_table([s.center.pk for s in having], columns, cells, unit=unit)
    return [_center_rows_stat(slug, title, corner, table, {**labels, **{s.center.pk: s.center.name for s in having}},
                              center, note=note)]


def _center_rows_stat(slug: str, title: str, corner: str, table: disclosure.Table, labels: dict,
                      center: NodeCenter | None, *, note: str = "", rows_of=None) -> StatisticsTable:
    """A table by center, laid out with the chosen center's rows (or all) and the prefecture-wide
    totals; its chart is by column, for the chosen center or the prefecture."""
    mine = [key for key in table.row_keys if center is not None and (rows_of(key) if rows_of else key) == center.pk]
    show = None if center is None else [*mine, disclosure.TOTAL]
    stat = lay_out(StatisticsTable(slug, title, corner, table, labels, note=note, show=show,
                                   total_label=gettext("県全体")))
    chart_row = table.row(mine[0]) if mine else table.total_row
    stat.chart = published_chart([(labels.get(col, str(col)), entry) for col, entry in zip(table.col_keys, chart_row.cells,
                                                                                  strict=True)])
    return stat


# --- 協働推進事業's calls ------------------------------------------------------------------------------------


def _cycle_tables(snapshots: list[CenterSnapshot], years: list[int],
                  center: NodeCenter | None) -> list[StatisticsTable]:
    having = [s for s in snapshots if s.cycle()]
    if not having or (center is not None and center.pk not in {s.center.pk for s in having}):
        return []
    year_labels = {year: fiscal_year_label(year) for year in years}
    names = {s.center.pk: s.center.name for s in having}
    meetings = disclosure.count_table(
        list(names), years, {(s.center.pk, year): n for s in having for year, counts in s.cycle().items()
                             if year in years and (n := counts.get("exchange_meetings", 0))})
    # 申込 of each center with 採択 and the rest beneath it: the audit knows that 採択 is part of
    # 申込, so a published 申込 cannot narrow a hidden 採択 (nor the reverse) beyond what it shows.
    rows, subrows, cells = [], {}, {}
    for s in having:
        pk = s.center.pk
        mine = [(pk, APPLICATIONS), (pk, ADOPTED), (pk, NOT_ADOPTED)]
        rows += mine
        subrows[mine[0]] = mine[1:]
        for year, counts in s.cycle().items():
            if year not in years:
                continue
            applications, adopted = counts.get("applications", 0), counts.get("adopted", 0)
            adopted = min(adopted, applications)
            for row, n in zip(mine, (applications, adopted, applications - adopted), strict=True):
                if n:
                    cells[row, year] = n
    applications = disclosure.count_table(rows, years, cells, subrows=subrows)
    labels = {**year_labels, **{(pk, APPLICATIONS): gettext("%(center)s 申込") % {"center": name}
                                for pk, name in names.items()},
              **{(pk, ADOPTED): gettext("採択") for pk in names},
              **{(pk, NOT_ADOPTED): gettext("採択以外（不採択・取り下げ・審査中）") for pk in names}}
    return [
        _center_rows_stat("meetings", gettext("協働推進事業の意見交換会の回数（募集年度別）"), gettext("センター"), meetings,
                          {**year_labels, **names}, center, note=gettext("中止した意見交換会は含みません。")),
        _center_rows_stat("applications", gettext("協働推進事業の申込と採択（募集年度別）"), gettext("センター"),
                          applications, labels, center, rows_of=lambda key: key[0],
                          note=gettext("県全体の行は申込の合計です。")),
    ]


def center_figures_csv_rows(figures: CenterFigures, slug: str) -> list[list[str]] | None:
    """One table as CSV rows, like the shared-case statistics; a 公表値 table says so."""
    stat = figures.table(slug)
    if stat is None:
        return None
    rows = table_csv_rows(stat, footnote=False) + table_footnote_rows(stat)
    if stat.public:
        rows.append([gettext("注：公表値（センターの市が公表している件数）です。秘匿処理はしていません。")])
    return with_note(stat, rows)
