"""Historical import of collaboration cases from CSV or XLSX: one row per case or per case-year,
validated by the case service, all rows or none; and the template that shows the layout."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils.translation import gettext

from common.japanese import wareki_fiscal_year_short
from common.vocabulary import BudgetSource, CaseOutcome, CollaborationForm, PartyRole
from permissions.models import Organization, OrganizationKind
from permissions.scoping import permissions_read_once

from . import services, tabular
from .models import SharingLevel
from .services.pipeline import require_center_staff
from .tabular import CellError, ImportRejected, ImportResult, RowError

# Column header → field. The first header of each entry is the one the template writes; the others
# are what city lists and spreadsheets commonly call the same column.
CASE_COLUMNS: dict[str, tuple[str, ...]] = {
    "title": ("事業名", "事業名称"),
    "form": ("協働の形態", "形態", "協働形態"),
    "fiscal_year": ("年度", "実施年度"),
    "fiscal_year_start": ("開始年度",),
    "fiscal_year_end": ("終了年度",),
    "total_cost": ("事業額", "事業費", "事業額（円）", "事業費（円）"),
    "city_share": ("市負担額", "うち市負担額", "市負担額（円）"),
    "budget_source": ("予算（市民自治推進課/担当課）", "予算", "予算区分"),
    "responsible_department": ("担当課",),
    "group": ("団体名", "実施団体"),
    "activity_fields": ("活動分野",),
    "summary": ("概要", "事業概要"),
    "outcome": ("期間後の状況", "継続状況"),
    "lessons": ("教訓・課題", "教訓", "課題"),
    "note": ("備考",),
    "sharing_level": ("共有レベル",),
}
# What a case has once however many rows give it: the rows of one case must agree on these.
CASE_FIELDS = ("summary", "activity_fields", "outcome", "lessons", "sharing_level")
# What belongs to one 年度 (a CaseYear): a row that spans several 年度 cannot say these.
PER_YEAR_FIELDS = ("budget_source", "note")

_BUDGET_ALIASES = {"市民自治推進課": BudgetSource.PROGRAMME, "協働推進事業": BudgetSource.PROGRAMME,
                   "担当課": BudgetSource.DEPARTMENT}
_OUTCOME_ALIASES = {"事業終了": CaseOutcome.ENDED, "事業継続": CaseOutcome.CONTINUED, "担当課で継続": CaseOutcome.CONTINUED}
_SHARING_ALIASES = {"非公開": SharingLevel.PRIVATE, "匿名化": SharingLevel.ANONYMIZED, "匿名": SharingLevel.ANONYMIZED,
                    "団体名を出す": SharingLevel.NAMED, "実名": SharingLevel.NAMED}


@dataclass
class CaseImportResult(ImportResult):
    cases: int = 0
    year_lines: int = 0
    new_departments: list[str] = field(default_factory=list)  # created by the import (listed in the preview)
    new_groups: list[str] = field(default_factory=list)


@dataclass
class _Row:
    line: int
    values: dict


@dataclass
class _Case:
    """The rows that make one case."""

    rows: list[_Row]
    whole: bool  # one row for several 年度 (開始年度 to 終了年度, or no 終了年度): money for the case as a whole
    years: dict[int, _Row] = field(default_factory=dict)

    @property
    def line(self) -> int:
        return self.rows[0].line

    def value(self, name: str):
        return next((row.values[name] for row in self.rows if row.values.get(name) not in (None, "", [])), None)


def _aliased_choice(text: str, aliases: dict, choices: list[tuple[str, str]], column: str) -> str:
    value = tabular.normalized(text)
    if value in aliases:
        return aliases[value]
    return tabular.choice(text, choices, column)


def _budget_source(text: str, choices: list[tuple[str, str]], column: str) -> str:
    value = tabular.normalized(text)
    for key, label in choices:
        if value in (key, tabular.normalized(label)):
            return key
    for word, key in _BUDGET_ALIASES.items():  # 「市民自治推進課」「担当課の予算」「予算：担当課」…
        if word in value:
            return key
    return tabular.choice(text, choices, column)


class _Reader:
    """Cells of one file → values per row, with the column headers the file itself uses."""

    def __init__(self, headers: dict[str, str], by_name: dict):
        self.headers = headers
        self.by_name = by_name
        self.choices = {name: tabular.japanese_choices(choices) for name, choices in (
            ("budget_source", BudgetSource.choices), ("outcome", CaseOutcome.choices),
            ("sharing_level", SharingLevel.choices))}

    def column(self, name: str) -> str:
        return self.headers.get(name) or CASE_COLUMNS[name][0]

    def cell(self, name: str, text: str):
        column = self.column(name)
        if name in ("fiscal_year", "fiscal_year_start", "fiscal_year_end"):
            return tabular.fiscal_year(text)
        if name in ("total_cost", "city_share"):
            return tabular.money(text)
        if name == "form":
            return tabular.collaboration_form(text)
        if name == "budget_source":
            return _budget_source(text, self.choices[name], column)
        if name == "outcome":
            return _aliased_choice(text, _OUTCOME_ALIASES, self.choices[name], column)
        if name == "sharing_level":
            return _aliased_choice(text, _SHARING_ALIASES, self.choices[name], column)
        if name == "activity_fields":
            return tabular.activity_fields(text, self.by_name)
        return text

    def row(self, line: int, cells: dict[str, str], errors: list[RowError]) -> _Row | None:
        values: dict = {}
        before = len(errors)
        for name, text in cells.items():
            if not text:
                continue
            try:
                values[name] = self.cell(name, text)
            except ValueError as error:
                message = str(error) if isinstance(error, CellError) else gettext(
                    "「%(value)s」を%(column)sとして読めません。") % {"value": text, "column": self.column(name)}
                errors.append(RowError(line, self.column(name), "invalid_value", message))
        for name, message in (("title", gettext("事業名は必須です。")), ("form", gettext("協働の形態は必須です。"))):
            if not cells.get(name):
                errors.append(RowError(line, self.column(name), "required", message))
        if not cells.get("fiscal_year") and not cells.get("fiscal_year_start"):
            errors.append(RowError(line, self.column("fiscal_year"), "required",
                                   gettext("年度（年度ごとの行）か開始年度（事業全体の行）を入力してください。")))
        share, cost = values.get("city_share"), values.get("total_cost")
        if share is not None and not cells.get("total_cost"):
            errors.append(RowError(line, self.column("total_cost"), "required",
                                   gettext("市負担額があるときは事業額も入力してください。")))
        elif share is not None and cost is not None and share > cost:
            errors.append(RowError(line, self.column("city_share"), "city_share_exceeds_total",
                                   gettext("市負担額は事業額以下にしてください。")))
        return None if len(errors) > before else _Row(line, values)


def _comparable(value):
    return frozenset(item.pk for item in value) if isinstance(value, list) else value


def _group_rows(rows: list[_Row], reader: _Reader, errors: list[RowError]) -> list[_Case]:
    """Rows with 年度 and the same 事業名, 団体名 and 形態 are one case; a row without 年度 is a case."""
    cases: list[_Case] = []
    by_key: dict[tuple, _Case] = {}
    for row in rows:
        values = row.values
        key = (tabular.name_key(values["title"]), tabular.name_key(values.get("group", "")), values["form"])
        year = values.get("fiscal_year")
        if year is None and values.get("fiscal_year_end") == values["fiscal_year_start"]:
            year = values["fiscal_year_start"]  # a whole case of one 年度 is that 年度's budget line
        whole = year is None
        case = by_key.get(key)
        if case is not None and (whole or case.whole):
            errors.append(RowError(row.line, reader.column("title"), "duplicate_case", gettext(
                "同じ事業名・団体名・形態の行が%(line)s行目にもあります。年度ごとの行にするか、事業名を分けてください。")
                % {"line": case.line}))
            continue
        if whole:
            for name in PER_YEAR_FIELDS:
                if name in values:
                    errors.append(RowError(row.line, reader.column(name), "per_year_only", gettext(
                        "%(column)sは年度ごとの行で入力してください（この行は複数の年度にわたります）。")
                        % {"column": reader.column(name)}))
            case = _Case(rows=[row], whole=True)
            cases.append(case)
            by_key[key] = case
            continue
        if case is None:
            case = _Case(rows=[], whole=False)
            cases.append(case)
            by_key[key] = case
        elif year in case.years:
            errors.append(RowError(row.line, reader.column("fiscal_year" if "fiscal_year" in values else "fiscal_year_start"),
                                   "duplicate_year", gettext("%(year)s年度の行が%(line)s行目にもあります。") % {
                                       "year": year, "line": case.years[year].line}))
            continue
        else:
            for name in CASE_FIELDS:
                ours, theirs = values.get(name), case.value(name)
                if ours not in (None, "", []) and theirs not in (None, "", []) and _comparable(ours) != _comparable(theirs):
                    errors.append(RowError(row.line, reader.column(name), "conflict", gettext(
                        "同じ事業の%(line)s行目と%(column)sが違います（空欄にするか、同じにしてください）。")
                        % {"line": case.line, "column": reader.column(name)}))
        case.rows.append(row)
        case.years[year] = row
    return cases


class _Organizations:
    """The center's organizations by name, read once; a name not found becomes a new one (through the
    partner service) the first time a case needs it."""

    def __init__(self, *, acting_user, center: Organization, result: CaseImportResult):
        self.acting_user, self.center, self.result = acting_user, center, result
        self.departments: dict[str, Organization] = {}
        self.others: dict[str, Organization] = {}
        for organization in Organization.objects.filter(Q(center=center) | Q(pk=center.pk)).order_by("pk"):
            table = self.departments if organization.kind == OrganizationKind.CITY_DEPARTMENT else self.others
            table.setdefault(tabular.name_key(organization.name), organization)

    def get(self, name: str, *, kind: str, field_name: str) -> Organization:
        key = tabular.name_key(name)
        if kind == OrganizationKind.CITY_DEPARTMENT:
            table, found = self.departments, self.departments.get(key)
        else:
            table, found = self.others, self.others.get(key) or self.departments.get(key)
        if found is None:
            try:  # the service is atomic: one it refuses is rolled back to its own savepoint
                found = services.partner_create(acting_user=self.acting_user, center=self.center, name=name, kind=kind)
            except ValidationError as error:  # the organization's own rules, reported on the column that named it
                raise ValidationError({field_name: error.messages}, code="invalid") from error
            table[key] = found
            new = self.result.new_departments if kind == OrganizationKind.CITY_DEPARTMENT else self.result.new_groups
            new.append(found.name)
        return found


def _arguments(case: _Case, organizations: _Organizations) -> dict:
    """case_create's arguments for the rows of one case."""
    first = case.rows[0].values
    arguments = {"title": first["title"], "form": first["form"], "summary": case.value("summary") or "",
                 "lessons": case.value("lessons") or "", "sharing_level": case.value("sharing_level") or SharingLevel.PRIVATE}
    if case.value("activity_fields"):
        arguments["activity_fields"] = case.value("activity_fields")
    if case.value("outcome"):
        arguments["outcome"] = case.value("outcome")
    if case.value("group"):
        group = organizations.get(case.value("group"), kind=OrganizationKind.CITIZEN_GROUP, field_name="parties")
        arguments["parties"] = [{"organization": group, "role": PartyRole.LEAD}]
    if case.whole:
        arguments.update(fiscal_year_start=first["fiscal_year_start"], fiscal_year_end=first.get("fiscal_year_end"),
                         total_cost=first.get("total_cost"), city_share=first.get("city_share"))
        if first.get("responsible_department"):
            arguments["responsible_department"] = organizations.get(
                first["responsible_department"], kind=OrganizationKind.CITY_DEPARTMENT, field_name="responsible_department")
        return arguments
    starts = [*case.years, *(r.values["fiscal_year_start"] for r in case.rows if "fiscal_year_start" in r.values)]
    ends = [*case.years, *(r.values["fiscal_year_end"] for r in case.rows if "fiscal_year_end" in r.values)]
    arguments.update(fiscal_year_start=min(starts), fiscal_year_end=max(ends), years=[{
        "fiscal_year": year, "total_cost": row.values.get("total_cost"), "city_share": row.values.get("city_share"),
        "budget_source": row.values.get("budget_source", ""), "note": row.values.get("note", ""),
        "responsible_department": organizations.get(row.values["responsible_department"], kind=OrganizationKind.CITY_DEPARTMENT,
                                                    field_name="responsible_department")
        if row.values.get("responsible_department") else None,
    } for year, row in sorted(case.years.items())])
    return arguments


def _preview(case: _Case, arguments: dict) -> dict:
    if case.whole:
        end = arguments["fiscal_year_end"]
        label = f"{wareki_fiscal_year_short(arguments['fiscal_year_start'])}〜{wareki_fiscal_year_short(end) if end else ''}"
    else:
        label = "・".join(wareki_fiscal_year_short(year) for year in sorted(case.years))
    parties = arguments.get("parties") or [{}]
    department = arguments.get("responsible_department") or next(
        (y["responsible_department"] for y in reversed(arguments.get("years") or []) if y["responsible_department"]), None)
    costs = [y["total_cost"] for y in arguments.get("years") or [] if y["total_cost"] is not None]
    return {"line": case.line, "lines": len(case.rows), "title": arguments["title"],
            "form": CollaborationForm(arguments["form"]).label, "years": label,
            "total_cost": sum(costs) if costs else arguments.get("total_cost"),
            "group": getattr(parties[0].get("organization"), "name", ""), "department": getattr(department, "name", ""),
            "sharing_level": SharingLevel(arguments["sharing_level"]).label}


def _field_columns(reader: _Reader) -> dict[str, str]:
    columns = {name: reader.column(name) for name in CASE_COLUMNS}
    columns.update(parties=reader.column("group"), years=reader.column("fiscal_year"))
    return columns


def import_cases(*, acting_user, center: Organization, raw: bytes, commit: bool) -> CaseImportResult:
    """Validate every case through case_create inside one transaction; write all of them or none.

    A preview (commit=False) or any error rolls the transaction back; new departments and groups
    are created in it too, so a refused file leaves none behind."""
    require_center_staff(acting_user, center.pk)
    result = CaseImportResult()
    try:
        table = tabular.read_table(raw)
    except ValidationError as error:
        raise tabular.refuse(result, error) from error
    result.encoding = table.encoding
    mapping, result.ignored_columns = tabular.header_map(table.header, CASE_COLUMNS)
    reader = _Reader({name: table.header[index] for index, name in mapping.items()}, tabular.activity_field_lookup())
    for name in ("title", "form"):
        if name not in mapping.values():
            result.errors.append(RowError(1, reader.column(name), "missing_column",
                                          gettext("「%(column)s」の列がありません。") % {"column": reader.column(name)}))
    if not {"fiscal_year", "fiscal_year_start"} & set(mapping.values()):
        result.errors.append(RowError(1, reader.column("fiscal_year"), "missing_column",
                                      gettext("「年度」か「開始年度」の列が必要です。")))
    result.errors.extend(tabular.table_errors(table))
    if result.errors:
        raise ImportRejected(result)
    rows = []
    for line, cells in table.rows:
        if any(cells[index] for index in range(len(table.header), len(cells))):
            result.errors.append(RowError(line, "", "extra_cells", gettext("見出しより多くの列があります。")))
            continue
        row = reader.row(line, {name: cells[index] if index < len(cells) else "" for index, name in mapping.items()},
                         result.errors)
        if row is not None:
            rows.append(row)
    cases = _group_rows(rows, reader, result.errors)
    field_columns = _field_columns(reader)
    try:
        with transaction.atomic(), permissions_read_once():
            organizations = _Organizations(acting_user=acting_user, center=center, result=result)
            for case in cases:
                try:
                    arguments = _arguments(case, organizations)
                    result.rows.append(_preview(case, arguments))
                    # The service is atomic: nested here, a case it refuses rolls back to its own savepoint
                    # and the next case goes on (every error is reported, then the whole file is refused).
                    services.case_create(acting_user=acting_user, center=center, **arguments)
                except ValidationError as error:
                    result.errors.extend(tabular.service_error_rows(error, case.line, field_columns))
                except PermissionDenied:
                    result.errors.append(RowError(case.line, "", "permission_denied",
                                                  gettext("このセンターに登録する権限がありません。")))
                    break
            if result.errors:
                raise ImportRejected(result)
            result.cases = len(cases)
            result.year_lines = sum(len(case.years) for case in cases)
            if not commit:
                transaction.set_rollback(True)
    except ImportRejected:
        result.errors.sort(key=lambda error: error.line)
        result.new_departments, result.new_groups = [], []
        raise
    result.created = result.cases if commit else 0
    return result


# --- the template ------------------------------------------------------------------------------

TEMPLATE = "case_import_template.csv"  # seed 001: みるっこ as two case-year rows, the cat TNR case as one row


def template_rows() -> list[list[str]]:
    return tabular.sample_rows(TEMPLATE)
