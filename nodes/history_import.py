"""Loading a center's yearly counts by form when its case records are gone: a table laid out like its
published paper (seed 001 p.10), the form's name first and one column per 年度, all cells or none."""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.utils.translation import gettext

from common.japanese import normalize_dashes
from common.vocabulary import CollaborationForm, form_family

from . import services, tabular
from .services.pipeline import require_center_staff
from .tabular import CellError, ImportRejected, ImportResult, RowError

TEMPLATE = "form_counts_template.csv"  # seed 001 p.10: six forms × H24〜R1
TOTALS = frozenset({"合計", "計", "総数", "総計"})  # a paper's total row or column: derived, not loaded
_COUNT = re.compile(r"^(\d+)件?$")


@dataclass
class HistoryResult(ImportResult):
    counts: dict[tuple[str, int], int] = field(default_factory=dict)
    years: list[int] = field(default_factory=list)
    replaced: int = 0

    @property
    def total(self) -> int:
        return sum(self.counts.values())


def _count(text: str) -> int:
    value = normalize_dashes(tabular.normalized(text)).replace(",", "").replace(" ", "")
    if value == "-":  # how Japanese tables print 0 (該当なし)
        return 0
    match = _COUNT.match(value)
    if not match:
        raise CellError(gettext("「%(value)s」は件数として読めません（0以上の整数で入力してください）。") % {"value": text})
    return int(match.group(1))


def _year_columns(header: list[str], errors: list[RowError]) -> dict[int, int]:
    """Column index → 年度 (a 合計 column and blank headers left out)."""
    columns: dict[int, int] = {}
    seen: dict[int, str] = {}
    for index, text in enumerate(header[1:], start=1):
        if not text or tabular.normalized(text) in TOTALS:
            continue
        try:
            year = tabular.fiscal_year(text)
        except CellError as error:
            errors.append(RowError(1, text, "invalid_year", str(error)))
            continue
        if year in seen:
            errors.append(RowError(1, text, "duplicate_year", gettext("%(year)s年度の列が「%(column)s」と重複しています。") % {
                "year": year, "column": seen[year]}))
            continue
        seen[year] = text
        columns[index] = year
    if not columns and not errors:
        errors.append(RowError(1, "", "missing_column", gettext(
            "年度の列がありません（2列目から見出しに年度を書いてください。例: H24、平成24年度、R1、2012）。")))
    return columns


def read_form_counts(raw: bytes) -> HistoryResult:
    """The counts {(form, 年度): count} of a table, or ImportRejected naming every bad cell.

    A blank cell is not covered by the file (what is stored for it stays); 「-」 is 0."""
    result = HistoryResult()
    try:
        table = tabular.read_table(raw)
    except ValidationError as error:
        raise tabular.refuse(result, error) from error
    result.encoding = table.encoding
    columns = _year_columns(table.header, result.errors)
    result.errors.extend(tabular.table_errors(table))
    if result.errors:
        raise ImportRejected(result)
    form_column = table.header[0] or gettext("協働の形態")
    total_columns = {index for index, text in enumerate(table.header) if index and tabular.normalized(text) in TOTALS}
    form_lines: dict[str, int] = {}
    for line, cells in table.rows:
        name = cells[0] if cells else ""
        if tabular.normalized(name) in TOTALS:
            continue
        if any(cells[index] for index in range(1, len(cells)) if index not in columns and index not in total_columns):
            result.errors.append(RowError(line, "", "extra_cells", gettext("見出しに年度のない列に値があります。")))
        try:
            form = tabular.collaboration_form(name) if name else None
        except CellError as error:
            result.errors.append(RowError(line, form_column, "invalid_form", str(error)))
            continue
        if form is None:
            result.errors.append(RowError(line, form_column, "required", gettext("協働の形態を入力してください。")))
            continue
        if form_family(form) != form:
            result.errors.append(RowError(line, form_column, "track_not_loaded", gettext(
                "協働推進事業は行政提案型・市民提案型を分けずに1行（協働推進事業）で入力してください。")))
            continue
        if form in form_lines:
            result.errors.append(RowError(line, form_column, "duplicate_form", gettext(
                "「%(form)s」の行が%(line)s行目にもあります。") % {"form": CollaborationForm(form).label, "line": form_lines[form]}))
            continue
        form_lines[form] = line
        for index, year in columns.items():
            text = cells[index] if index < len(cells) else ""
            if not text:
                continue
            try:
                result.counts[(form, year)] = _count(text)
            except CellError as error:
                result.errors.append(RowError(line, table.header[index], "invalid_count", str(error)))
    if not result.counts and not result.errors:
        result.errors.append(RowError(2, "", "empty", gettext("読み込む件数がありません。")))
    if result.errors:
        raise ImportRejected(result)
    result.years = sorted({year for _form, year in result.counts})
    return result


def load_form_counts(*, acting_user, center, raw: bytes, source: str = "") -> HistoryResult:
    """Read the table and store its counts through the service, all or none."""
    require_center_staff(acting_user, center.pk)
    result = read_form_counts(raw)
    try:
        result.replaced = services.historical_counts_load(acting_user=acting_user, center=center,
                                                          counts=result.counts, source=source)
    except ValidationError as error:
        result.errors.extend(tabular.service_error_rows(error, 0, {"source": gettext("出典")}))
        raise ImportRejected(result) from error
    result.created = len(result.counts)
    return result


def template_rows() -> list[list[str]]:
    return tabular.sample_rows(TEMPLATE)
