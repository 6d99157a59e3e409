"""Tables in and out for the all-or-nothing imports: reading an upload (CSV in UTF-8 or CP932, or XLSX),
row errors that name the spreadsheet row and column, the cell readers the imports share, and the
writers of their templates."""

from __future__ import annotations

import csv
import datetime as dt
import functools
import io
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils import translation
from django.utils.translation import gettext
from openpyxl import Workbook, load_workbook

from common import csv_safe
from common.japanese import parse_fiscal_year
from common.vocabulary import CollaborationForm

from . import models as m

MAX_IMPORT_BYTES = 5 * 1024 * 1024
MAX_IMPORT_ROWS = 5000


@dataclass
class RowError:
    line: int  # the row in the spreadsheet (the header is row 1)
    column: str
    code: str
    message: str

    def as_dict(self) -> dict:
        return {"line": self.line, "column": self.column, "code": self.code, "message": self.message}


@dataclass
class ImportResult:
    encoding: str = ""
    rows: list[dict] = field(default_factory=list)  # parsed values per row, for the preview
    errors: list[RowError] = field(default_factory=list)
    ignored_columns: list[str] = field(default_factory=list)
    created: int = 0

    @property
    def ok(self) -> bool:
        return not self.errors


class ImportRejected(Exception):
    """The whole file is refused; nothing was written."""

    def __init__(self, result: ImportResult):
        super().__init__("import_invalid")
        self.result = result


class CellError(ValueError):
    """A cell that cannot be read, with the message for the person importing (any other ValueError
    gets the generic one: the message's language cannot tell them apart)."""


def decode_csv(raw: bytes) -> tuple[str, str]:
    """UTF-8 (with or without BOM) first, then CP932 (Excel and kintone on Japanese Windows)."""
    for encoding in ("utf-8-sig", "cp932"):
        try:
            return raw.decode(encoding), encoding
        except UnicodeDecodeError:
            continue
    raise ValidationError(gettext("文字コードを判別できません。UTF-8 または Shift_JIS (CP932) で保存してください。"), code="encoding")


# --- the table -------------------------------------------------------------------------------

XLSX = "xlsx"


@dataclass
class Table:
    encoding: str  # utf-8-sig, cp932 or xlsx
    header: list[str]
    rows: list[tuple[int, list[str]]]  # (spreadsheet row, cells as text), blank rows left out
    truncated_at: int | None = None  # the row past MAX_IMPORT_ROWS data rows, when the file had more


def _cell_text(value) -> str:
    """An XLSX cell as the text a CSV would hold: 1187000.0 → "1187000", a date → 2016-04-01."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def _csv_rows(raw: bytes):
    text, encoding = decode_csv(raw)
    # A spreadsheet shows one row per record, a quoted line break included: count records, not lines.
    rows = ([csv_safe.restore((cell or "").strip()) for cell in record]
            for record in csv.reader(io.StringIO(text, newline="")))
    return encoding, rows


def _unreadable_xlsx() -> ValidationError:
    return ValidationError(gettext("Excelファイル（.xlsx）として読めません。"), code="unreadable")


def _xlsx_rows(raw: bytes):
    # A damaged or foreign zip fails inside openpyxl with whatever its parser raises (KeyError,
    # BadZipFile, an XML error …): to the person uploading it is one thing, a file we cannot read.
    try:
        workbook = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
        sheet = workbook.worksheets[0]
        sheet.reset_dimensions()  # some writers record a wrong size; read every row that is there
    except Exception as error:
        raise _unreadable_xlsx() from error

    def rows():
        try:
            for values in sheet.iter_rows(min_row=1, values_only=True):
                yield [_cell_text(value) for value in values]
        except Exception as error:
            raise _unreadable_xlsx() from error
        finally:
            workbook.close()

    return XLSX, rows()


def read_table(raw: bytes) -> Table:
    """The first sheet of an XLSX file (told by its zip signature) or a CSV file, header first.

    Raises ValidationError (code too_large, encoding, unreadable or empty) for a file that cannot be read."""
    if len(raw) > MAX_IMPORT_BYTES:
        raise ValidationError(gettext("ファイルが大きすぎます（5MBまで）。"), code="too_large")
    encoding, records = _xlsx_rows(raw) if raw.startswith(b"PK\x03\x04") else _csv_rows(raw)
    header: list[str] | None = None
    rows: list[tuple[int, list[str]]] = []
    truncated_at = None
    try:
        for line, cells in enumerate(records, start=1):
            if header is None:
                header = cells
                continue
            if not any(cells):
                continue
            if len(rows) >= MAX_IMPORT_ROWS:
                truncated_at = line
                break
            rows.append((line, cells))
    except csv.Error as error:
        raise ValidationError(gettext("CSVとして読めません（%(error)s）。") % {"error": error}, code="unreadable") from error
    if not header or not any(header):
        raise ValidationError(gettext("見出しの行がありません。"), code="empty")
    return Table(encoding=encoding, header=header, rows=rows, truncated_at=truncated_at)


def table_errors(table: Table) -> list[RowError]:
    """What every import refuses alike: too many rows, or none."""
    if table.truncated_at is not None:
        return [RowError(table.truncated_at, "", "too_many_rows",
                         gettext("%(limit)s行までです。") % {"limit": MAX_IMPORT_ROWS})]
    if not table.rows:
        return [RowError(2, "", "empty", gettext("データ行がありません。"))]
    return []


def refuse(result: ImportResult, error: ValidationError) -> ImportRejected:
    """A file refused as a whole (unreadable, too large …): one error with the ValidationError's code."""
    result.errors.append(RowError(0, "", error.code or "invalid", error.messages[0]))
    return ImportRejected(result)


def normalized(text: str) -> str:
    return unicodedata.normalize("NFKC", text or "").strip()


def header_map(headers: list[str], columns: dict[str, tuple[str, ...]]) -> tuple[dict[int, str], list[str]]:
    """Column index → field name for the headers that are known (the first of repeats wins), and the
    headers left unused."""
    aliases = {normalized(alias): name for name, names in columns.items() for alias in names}
    mapping: dict[int, str] = {}
    ignored = []
    for index, header in enumerate(headers):
        name = aliases.get(normalized(header))
        if name is None:
            if header:
                ignored.append(header)
        elif name not in mapping.values():
            mapping[index] = name
    return mapping, ignored


def service_error_rows(error: ValidationError, line: int, field_columns: dict[str, str]) -> list[RowError]:
    """A service's ValidationError as row errors, each field named by its column header."""
    rows = []
    items = error.error_dict.items() if hasattr(error, "error_dict") else [("__all__", error.error_list)]
    for field_name, errors in items:
        for item in errors:
            for message in item.messages:
                rows.append(RowError(line, field_columns.get(field_name, ""), item.code or "invalid", message))
    return rows


# --- cells -----------------------------------------------------------------------------------


def japanese_choices(choices) -> list[tuple[str, str]]:
    """Choices with their Japanese labels, whatever language the person importing reads the site in:
    the files are written in Japanese."""
    with translation.override("ja"):
        return [(key, str(label)) for key, label in choices]


def choice(text: str, choices, column: str) -> str:
    value = normalized(text)
    for key, label in choices:
        if value in (key, unicodedata.normalize("NFKC", str(label))):
            return key
    raise CellError(gettext("「%(value)s」は%(column)sの選択肢にありません（%(choices)s）。") % {
        "value": text, "column": column, "choices": "、".join(str(label) for _k, label in choices)})


_FIELD_SPLIT = re.compile(r"[、,;；|｜/／\n]+")


def activity_field_lookup() -> dict:
    """Code, name and short name → ActivityField, read once per import."""
    by_name = {}
    for activity_field in m.ActivityField.objects.all():
        by_name.update({str(activity_field.code): activity_field, activity_field.name: activity_field,
                        activity_field.short_name: activity_field})
    return by_name


def activity_fields(text: str, by_name: dict) -> list[m.ActivityField]:
    found = []
    for part in _FIELD_SPLIT.split(unicodedata.normalize("NFKC", text)):
        part = part.strip()
        if not part:
            continue
        activity_field = by_name.get(part) or by_name.get(part.lstrip("第").rstrip("号"))
        if activity_field is None:
            raise CellError(gettext("活動分野「%(value)s」が分かりません（1〜20の号か分野名で指定してください）。") % {
                "value": part})
        found.append(activity_field)
    return found


_MONEY = re.compile(r"^[¥\\]?(\d+)円?$")


def money(text: str) -> int:
    """An amount in yen as papers print it: 1,187,000 / 1,187,000円 / １１８７０００ / ¥1187000."""
    value = re.sub(r"[,\s]", "", normalized(text))
    match = _MONEY.match(value)
    if not match:
        raise CellError(gettext("「%(value)s」は金額として読めません（例: 1,187,000 または 1187000円）。") % {"value": text})
    return int(match.group(1))


def fiscal_year(text: str) -> int:
    """A 年度 in 和暦 or 西暦 (H27, 平成27年度, R元, 2015年度), within what the records accept."""
    try:
        year = parse_fiscal_year(text)
    except ValueError:
        year = None
    if year is None or not 1950 <= year <= 2100:
        raise CellError(gettext("「%(value)s」は年度として読めません（例: H27、平成27年度、R元、2015）。") % {"value": text})
    return year


_FORM_PUNCTUATION = re.compile(r"[\s()（）「」・･]+")
_FORM_ALIASES = {
    "委託": CollaborationForm.ITAKU, "協働委託": CollaborationForm.ITAKU,
    "指定管理": CollaborationForm.SHITEI_KANRI,
    "企業連携": CollaborationForm.CORPORATE,
}
_KYODO_SUISHIN = "協働推進"


def _form_key(text: str) -> str:
    return _FORM_PUNCTUATION.sub("", normalized(text))


@functools.cache
def _form_names() -> dict[str, str]:
    return {_form_key(label): value for value, label in japanese_choices(CollaborationForm.choices)}


def collaboration_form(text: str) -> str:
    """A form by its Japanese name, as lists and papers write it: 委託（協働委託） / 委託 / 協働委託,
    指定管理者 / 指定管理, 協働推進事業（市民提案型） / 市民提案型協働推進事業 / 市民提案型,
    協働推進事業 / 協働推進事業数 (track unknown)."""
    key = _form_key(text)
    if _KYODO_SUISHIN in key or "提案型" in key:
        if "行政提案" in key:
            return CollaborationForm.KYODO_SUISHIN_GYOSEI
        if "市民提案" in key:
            return CollaborationForm.KYODO_SUISHIN_SHIMIN
        if key in ("協働推進事業", "協働推進事業数", "協働推進"):
            return CollaborationForm.KYODO_SUISHIN
    known = _form_names()
    found = known.get(key) or _FORM_ALIASES.get(key) or (key if key in CollaborationForm.values else None)
    if found is None and key.endswith("数"):
        found = known.get(key[:-1]) or _FORM_ALIASES.get(key[:-1])
    if found is None:
        raise CellError(gettext("「%(value)s」は協働の形態として読めません（%(choices)s）。") % {
            "value": text, "choices": "、".join(label for _value, label in japanese_choices(CollaborationForm.choices))})
    return found


_QUOTES = str.maketrans({"’": "'", "‘": "'", "“": '"', "”": '"'})


def name_key(text: str) -> str:
    """How names are compared when a file names an organization: NFKC, quotes and spaces folded
    (「Chigasaki Cat’s Protect」 is the registered 「Chigasaki Cat's Protect」)."""
    return re.sub(r"\s+", "", normalized(text).translate(_QUOTES)).casefold()


# --- writing (the templates) -----------------------------------------------------------------

SAMPLES = Path(__file__).resolve().parent / "fixtures"


def sample_rows(name: str) -> list[list[str]]:
    """A template's header and example rows, kept as data in nodes/fixtures (UTF-8 CSV)."""
    with (SAMPLES / name).open(encoding="utf-8", newline="") as sample:
        return list(csv.reader(sample))


def rows_csv(rows: list[list]) -> str:
    out = io.StringIO()
    csv_safe.writer(out, lineterminator="\r\n").writerows(rows)
    return out.getvalue()


def rows_xlsx(rows: list[list], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = title
    for row in rows:
        sheet.append([csv_safe.cell(value) for value in row])  # a cell starting with = stays text here too
    out = io.BytesIO()
    workbook.save(out)
    return out.getvalue()
