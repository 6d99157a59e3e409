"""The center's statistics page (統計): the tables a city reviews its collaboration programme from
(seed 001) and a center's monthly work against its yearly targets (seed 004), each with its
definition, chart, CSV and XLSX. Counts only: no table names a person."""

from __future__ import annotations

import datetime as dt
from collections import Counter
from dataclasses import dataclass, field

from django.db.models import Count, Q
from django.db.models.functions import ExtractMonth
from django.utils import timezone
from django.utils.translation import gettext, gettext_lazy as _

from common.charts import column_chart, pie_chart
from common.japanese import fiscal_year_bounds, fiscal_year_of, wareki_fiscal_year, wareki_fiscal_year_short
from common.vocabulary import (
    KYODO_SUISHIN_FORMS,
    TRACK_FORMS,
    CaseOutcome,
    CollaborationForm,
    ConsultationKind,
    ProgrammeTrack,
    form_family,
)

from . import models as m
from .figures import CYCLE_ROWS, TRACK_ROWS, Source, form_year_table, programme_cycle_counts

FISCAL_MONTHS = (4, 5, 6, 7, 8, 9, 10, 11, 12, 1, 2, 3)
# Outcomes in the order of seed 001's diagram; 縮小 without saying which comes from older records.
FINISHED_OUTCOMES = (CaseOutcome.CONTINUED, CaseOutcome.BUDGET_REDUCED, CaseOutcome.SCOPE_REDUCED,
                     CaseOutcome.REDUCED, CaseOutcome.ENDED)
NO_TRACK = CollaborationForm.KYODO_SUISHIN

TABLES = {
    "forms": _("協働の形態別・年度別の件数"),
    "programme": _("協働推進事業の実施件数"),
    "proposal-cycle": _("協働推進事業の意見交換会・申込・採択件数"),
    "continuation": _("事業期間後の継続状況"),
    "consultations": _("相談とコーディネート提案（月別）"),
    "consultation-kinds": _("相談の種類別の件数（月別）"),
    "proposals": _("協働の種ごとの提案件数"),
}
DEFINITIONS = {
    "forms": _("各年度に実施していた協働事業の件数です。複数年度にわたる事業は年度ごとに数えます。"
               "過去の件数（公表値）を読み込んだ年度はその値を、それ以外の年度は協働事例の記録から数えた値を示します。"
               "協働推進事業は行政提案型・市民提案型をあわせて1行です。"),
    "programme": _("各年度に実施していた協働推進事業の件数です（2年間の事業は両方の年度で数えます）。"
                   "区分（行政提案型・市民提案型）は記録からだけ分かります。読み込んだ過去の件数には区分がありません。"),
    "proposal-cycle": _("募集年度ごとの件数です。意見交換会は募集に結びつけた意見交換会（中止を除く）、"
                        "申込は受け付けた提案（後で取り下げたものを含む）、採択は採択した提案の数です。"),
    "continuation": _("事業期間を終えた協働事例の、その後の状況です（実施中の事例は含みません）。"
                      "継続率は継続の件数を期間を終えた事例の件数で割った割合です。"),
    "consultations": _("年度内の月ごとの件数です。新規相談はインテークの日、各ステップはそのステップに進んだ日で数えます。"
                       "コーディネート提案はセンターが提案したマッチングの数です。目標ペースは年間目標を12か月で割った値の累計です。"),
    "proposals": _("市のメニューに公開した協働の種ごとの、団体からの提案の件数と状況です。"),
    "consultation-kinds": _("年度内の月ごとの新規相談（インテークの日で数えます）を、相談の種類別に数えた件数です。"
                            "件数のない種類の列は省きます。種類をまだ決めていない相談は「未分類」です。"),
}


@dataclass
class Row:
    label: str
    cells: list
    total: int | str | None = None
    indent: bool = False  # a part of the row above (協働推進事業's tracks)


@dataclass
class Table:
    slug: str
    title: str
    corner: str
    columns: list[str]
    rows: list[Row]
    definition: str
    sub_columns: list[str] = field(default_factory=list)  # a second header line (和暦, 出典)
    totals: Row | None = None  # shown on the page and in XLSX, never in the CSV (it reproduces printed tables)
    chart: dict | None = None
    pie: dict | None = None
    summary: list[tuple[str, str]] = field(default_factory=list)

    @property
    def header(self) -> list[dict]:
        subs = self.sub_columns or [""] * len(self.columns)
        return [{"label": label, "sub": sub} for label, sub in zip(self.columns, subs, strict=True)]

    def csv_rows(self) -> list[list]:
        """Header then one row per form/item, without sub-rows or totals: the table as a city prints it."""
        return [[self.corner, *self.columns], *([row.label, *row.cells] for row in self.rows if not row.indent)]


def _form_label(form: str) -> str:
    return str(CollaborationForm(form).label)


def _year_columns(years: list[int]) -> tuple[list[str], list[str]]:
    return [wareki_fiscal_year_short(y) for y in years], [gettext("%(year)s年度") % {"year": y} for y in years]


def forms_table(center, *, first: int | None = None, last: int | None = None) -> Table:
    data = form_year_table(center, first=first, last=last)
    columns, western = _year_columns(data.years)
    source_label = {Source.HISTORY: gettext("公表値"), Source.RECORDS: gettext("記録")}
    rows = []
    for form in data.rows:
        rows.append(Row(_form_label(form), [data.count(form, y) for y in data.years], data.row_total(form)))
        if form == CollaborationForm.KYODO_SUISHIN:
            rows.extend(_track_rows(data))
    series = [(_form_label(form), [data.count(form, y) for y in data.years]) for form in data.rows]
    return Table(
        "forms", str(TABLES["forms"]), gettext("協働の形態"), columns, rows, str(DEFINITIONS["forms"]),
        sub_columns=[f"{w}・{source_label[data.sources[y]]}" for w, y in zip(western, data.years, strict=True)],
        totals=Row(gettext("合計"), [data.year_total(y) for y in data.years], data.total),
        chart=column_chart(columns, series) if data.years else None,
        summary=[(gettext("合計（延べ件数）"), f"{data.total:,}")],
    )


def _track_rows(data) -> list[Row]:
    """協働推進事業 by track where records say it; a 年度 of loaded history has no track."""
    rows = []
    for track in (*TRACK_ROWS, NO_TRACK):
        cells = [data.tracks.get((track, y), 0) if data.sources[y] == Source.RECORDS else ""
                 for y in data.years]
        if any(cells):
            label = gettext("うち区分の記載なし") if track == NO_TRACK else gettext("うち%(track)s") % {
                "track": _form_label(track).split("（")[-1].rstrip("）")}
            rows.append(Row(label, cells, sum(c for c in cells if c != ""), indent=True))
    return rows


def programme_table(center, *, first: int | None = None, last: int | None = None) -> Table:
    data = form_year_table(center, first=first, last=last)
    columns, western = _year_columns(data.years)
    total = [data.count(CollaborationForm.KYODO_SUISHIN, y) for y in data.years]
    rows = [Row(gettext("協働推進事業数"), total, sum(total)), *_track_rows(data)]
    return Table("programme", str(TABLES["programme"]), gettext("区分"), columns, rows,
                 str(DEFINITIONS["programme"]), sub_columns=western,
                 chart=column_chart(columns, [(gettext("協働推進事業数"), total)]) if data.years else None)


def proposal_cycle_table(center, *, track: str | None = None) -> Table:
    counts = programme_cycle_counts(center, track=track or None)
    years = list(counts)
    columns, western = _year_columns(years)
    labels = {"exchange_meetings": gettext("意見交換会"), "applications": gettext("申込"), "adopted": gettext("採択")}
    rows = [Row(labels[key], [counts[y][key] for y in years], sum(counts[y][key] for y in years)) for key in CYCLE_ROWS]
    title = str(TABLES["proposal-cycle"])
    if track:
        title = f"{ProgrammeTrack(track).label}{title}"
    return Table("proposal-cycle", title, gettext("区分"), columns, rows, str(DEFINITIONS["proposal-cycle"]),
                 sub_columns=western,
                 chart=column_chart(columns, [(row.label, row.cells) for row in rows], stacked=False) if years else None)


def continuation_table(center, *, form: str | None = None, track: str | None = None) -> Table:
    """Finished cases by form (協働推進事業 one row, its tracks beneath) × outcome, with the 継続 rate."""
    cases = m.CollaborationCase.objects.filter(center=center, outcome__in=FINISHED_OUTCOMES)
    if form:
        cases = cases.filter(form__in=KYODO_SUISHIN_FORMS if form == CollaborationForm.KYODO_SUISHIN else [form])
    if track:
        cases = cases.filter(form=TRACK_FORMS[track])
    by_form = Counter()
    for case_form, outcome in cases.values_list("form", "outcome"):
        by_form[(form_family(case_form), outcome)] += 1
        if case_form in KYODO_SUISHIN_FORMS:
            by_form[(f"track:{case_form}", outcome)] += 1
    outcomes = [o for o in FINISHED_OUTCOMES if o != CaseOutcome.REDUCED or any(k[1] == o for k in by_form)]
    columns = [str(CaseOutcome(o).label) for o in outcomes] + [gettext("継続率")]

    def row(label: str, key: str, indent: bool = False) -> Row:
        cells = [by_form[(key, o)] for o in outcomes]
        total = sum(cells)
        rate = f"{round(100 * by_form[(key, CaseOutcome.CONTINUED)] / total, 1)}%" if total else ""
        return Row(label, [*cells, rate], total, indent)

    families = [f for f in (*[f for f in CollaborationForm.values if f not in KYODO_SUISHIN_FORMS],
                            CollaborationForm.KYODO_SUISHIN) if any(k[0] == f for k in by_form)]
    rows = []
    for family in families:
        rows.append(row(_form_label(family), family))
        if family == CollaborationForm.KYODO_SUISHIN:
            for track_form in (*TRACK_ROWS, NO_TRACK):
                if any(k[0] == f"track:{track_form}" for k in by_form):
                    name = gettext("区分の記載なし") if track_form == NO_TRACK else _form_label(track_form).split("（")[-1].rstrip("）")
                    rows.append(row(gettext("うち%(track)s") % {"track": name}, f"track:{track_form}", indent=True))
    all_cells = [sum(by_form[(f, o)] for f in families) for o in outcomes]
    finished = sum(all_cells)
    continued = sum(by_form[(f, CaseOutcome.CONTINUED)] for f in families)
    totals = Row(gettext("合計"), [*all_cells, f"{round(100 * continued / finished, 1)}%" if finished else ""], finished)
    pie_key = CollaborationForm.KYODO_SUISHIN if CollaborationForm.KYODO_SUISHIN in families else None
    pie_items = [(str(CaseOutcome(o).label), by_form[(pie_key, o)] if pie_key else all_cells[i])
                 for i, o in enumerate(outcomes)]
    return Table("continuation", str(TABLES["continuation"]), gettext("協働の形態"), columns, rows,
                 str(DEFINITIONS["continuation"]), totals=totals, pie=pie_chart(pie_items) if finished else None,
                 summary=[(gettext("円グラフ"), gettext("協働推進事業") if pie_key else gettext("すべての形態"))])


def _per_month(queryset, field_name: str, first: dt.date, last: dt.date) -> dict[int, int]:
    return dict(queryset.filter(**{f"{field_name}__date__gte": first, f"{field_name}__date__lte": last})
                .annotate(month=ExtractMonth(field_name)).values_list("month").annotate(n=Count("id")).order_by())


def consultations_table(center, *, fiscal_year: int | None = None) -> Table:
    """Consultations by the month each step was reached, and coordination proposals, against targets."""
    fiscal_year = fiscal_year or fiscal_year_of(timezone.localdate())
    first, last = fiscal_year_bounds(fiscal_year)
    consultations = m.Consultation.objects.filter(center=center)
    steps = {
        gettext("新規相談"): _per_month(consultations, "intake_at", first, last),
        gettext("コーディネート"): _per_month(consultations, "coordinate_at", first, last),
        gettext("クロージング"): _per_month(consultations, "closing_at", first, last),
        gettext("完了"): _per_month(consultations, "closed_at", first, last),
        gettext("コーディネート提案"): _per_month(m.Match.objects.filter(center=center), "created_at", first, last),
    }
    figures = m.CenterFigures.objects.filter(center=center).first()
    consultation_target = figures.consultation_target if figures else None
    coordination_target = figures.coordination_target if figures else None
    columns = [*steps, gettext("相談の累計")]
    if consultation_target:
        columns.append(gettext("目標ペース"))
    rows, running = [], 0
    for index, month in enumerate(FISCAL_MONTHS, start=1):
        cells = [counts.get(month, 0) for counts in steps.values()]
        running += cells[0]
        cells.append(running)
        if consultation_target:
            cells.append(round(consultation_target * index / 12))
        rows.append(Row(gettext("%(month)s月") % {"month": month}, cells))
    sums = [sum(counts.values()) for counts in steps.values()]
    consultations_total, proposals_total = sums[0], sums[-1]
    summary = [(gettext("年度"), f"{fiscal_year}年度（{wareki_fiscal_year(fiscal_year)}）")]
    for label, done, target in ((gettext("相談"), consultations_total, consultation_target),
                                (gettext("コーディネート提案"), proposals_total, coordination_target)):
        if target:
            summary.append((label, gettext("%(done)s件 ／ 年間目標 %(target)s件（達成率 %(rate)s%%）") % {
                "done": done, "target": target, "rate": round(100 * done / target, 1)}))
        else:
            summary.append((label, gettext("%(done)s件（年間目標は未設定）") % {"done": done}))
    month_labels = [row.label for row in rows]
    return Table(
        "consultations", str(TABLES["consultations"]), gettext("月"), columns, rows, str(DEFINITIONS["consultations"]),
        totals=Row(gettext("合計"), [*sums, consultations_total, *([consultation_target] if consultation_target else [])]),
        chart=column_chart(month_labels, [(gettext("新規相談"), [r.cells[0] for r in rows])],
                           target=consultation_target / 12 if consultation_target else None),
        summary=summary,
    )


def consultation_kinds_table(center, *, fiscal_year: int | None = None) -> Table:
    """New consultations per fiscal month and kind (seed 004's kinds; 未分類 for cards not yet classified)."""
    fiscal_year = fiscal_year or fiscal_year_of(timezone.localdate())
    first, last = fiscal_year_bounds(fiscal_year)
    counts = Counter()
    rows_found = (m.Consultation.objects.filter(center=center, intake_at__date__gte=first, intake_at__date__lte=last)
                  .annotate(month=ExtractMonth("intake_at")).values_list("kind", "month").annotate(n=Count("id"))
                  .order_by())
    for kind, month, n in rows_found:
        counts[(kind, month)] += n
    kinds = [(value, str(label)) for value, label in ConsultationKind.choices] + [("", gettext("未分類"))]
    shown = [(value, label) for value, label in kinds if any(counts[(value, month)] for month in FISCAL_MONTHS)]
    shown = shown or kinds[-1:]  # a 年度 without consultations still shows its months
    rows = [Row(gettext("%(month)s月") % {"month": month}, [counts[(value, month)] for value, _label in shown],
                sum(counts[(value, month)] for value, _label in shown)) for month in FISCAL_MONTHS]
    totals = [sum(counts[(value, month)] for month in FISCAL_MONTHS) for value, _label in shown]
    return Table(
        "consultation-kinds", str(TABLES["consultation-kinds"]), gettext("月"), [label for _value, label in shown],
        rows, str(DEFINITIONS["consultation-kinds"]),
        totals=Row(gettext("合計"), totals, sum(totals)),
        chart=column_chart([row.label for row in rows],
                           [(label, [row.cells[index] for row in rows]) for index, (_value, label) in enumerate(shown)])
        if shown else None,
        summary=[(gettext("年度"), f"{fiscal_year}年度（{wareki_fiscal_year(fiscal_year)}）"),
                 (gettext("新規相談"), gettext("%(n)s件") % {"n": sum(totals)})],
    )


def proposals_table(center) -> Table:
    """Each need of the city with how many proposals it drew and where they stand."""
    statuses = list(m.ProposalStatus)
    counts = {f"n_{status.value}": Count("proposals", filter=Q(proposals__status=status.value)) for status in statuses}
    needs = (m.Need.objects.filter(center=center).annotate(total=Count("proposals"), **counts).filter(total__gt=0)
             .select_related("requester").order_by("-total", "title"))
    rows = [Row(f"{need.title}（{need.requester.name if need.requester else ''}）".replace("（）", ""),
                [getattr(need, f"n_{status.value}") for status in statuses], need.total) for need in needs]
    return Table("proposals", str(TABLES["proposals"]), gettext("協働の種（担当課）"),
                 [str(status.label) for status in statuses], rows, str(DEFINITIONS["proposals"]),
                 totals=Row(gettext("合計"), [sum(r.cells[i] for r in rows) for i in range(len(statuses))],
                            sum(r.total for r in rows)))


def center_statistics(center, *, first: int | None = None, last: int | None = None, track: str | None = None,
                      fiscal_year: int | None = None, continuation_form: str | None = None,
                      continuation_track: str | None = None, only: str | None = None) -> list[Table]:
    """Every table of the page (or `only` one), in the page's order."""
    builders = {
        "forms": lambda: forms_table(center, first=first, last=last),
        "programme": lambda: programme_table(center, first=first, last=last),
        "proposal-cycle": lambda: proposal_cycle_table(center, track=track),
        "continuation": lambda: continuation_table(center, form=continuation_form, track=continuation_track),
        "consultations": lambda: consultations_table(center, fiscal_year=fiscal_year),
        "consultation-kinds": lambda: consultation_kinds_table(center, fiscal_year=fiscal_year),
        "proposals": lambda: proposals_table(center),
    }
    return [builders[slug]() for slug in builders if only in (None, slug)]
