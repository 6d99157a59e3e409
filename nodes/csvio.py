"""CSV import of groups (UTF-8 or CP932, all or nothing) and CSV / iCalendar / open-data exports."""

from __future__ import annotations

import csv
import datetime as dt
import io
import re
import unicodedata

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext

from common import csv_safe
from common.japanese import ERAS
from permissions.models import Organization, OrganizationKind

from . import models as m, services
from .outgoing import Door
from .selectors import audit_personal_read
from .tabular import (
    MAX_IMPORT_BYTES,
    MAX_IMPORT_ROWS,
    CellError,
    ImportRejected,
    ImportResult,
    RowError,
    activity_field_lookup,
    activity_fields,
    choice,
    decode_csv,
    service_error_rows,
)

# Column header → service argument. The first header of each entry is the one we write;
# the others are what kintone or spreadsheet exports commonly call the same column.
GROUP_COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("団体名", "団体名称", "名称"),
    "name_kana": ("フリガナ", "団体名フリガナ", "ふりがな", "団体名（フリガナ）"),
    "kind": ("種別", "団体種別"),
    "legal_form": ("法人格",),
    "activity_fields": ("活動分野",),
    "area": ("活動地域",),
    "member_count": ("会員数", "構成員数"),
    "description": ("活動内容",),
    "representative_name": ("代表者氏名", "代表者名", "代表者"),
    "representative_kana": ("代表者フリガナ",),
    "contact_name": ("連絡担当者", "担当者名"),
    "contact_phone": ("電話番号", "連絡先電話番号", "TEL"),
    "contact_email": ("メールアドレス", "E-mail", "メール"),
    "contact_postal_code": ("郵便番号",),
    "contact_address": ("住所", "所在地"),
    "corporate_number": ("法人番号",),
    "registered_on": ("登録日",),
    "renewal_due": ("更新期限",),
    "status": ("状態",),
    "consent_hub_listing": ("ハブ掲載同意",),
}
PERSONAL_COLUMNS = {"representative_name", "representative_kana", "contact_name", "contact_phone", "contact_email",
                    "contact_postal_code", "contact_address"}


def column_header(name: str) -> str:
    return GROUP_COLUMNS[name][0]


_WAREKI_DATE = re.compile(r"^(令和|平成|昭和|R|H|S)\s*(元|\d{1,2})[年.\-/](\d{1,2})[月.\-/](\d{1,2})日?$")
_ERA_START = {name: start for start, name in ERAS} | {"R": ERAS[0][0], "H": ERAS[1][0], "S": ERAS[2][0]}


def parse_date(text: str) -> dt.date:
    """2021-04-01, 2021/4/1, 2021年4月1日, 令和3年4月1日, R3.4.1."""
    value = unicodedata.normalize("NFKC", text).strip()
    match = _WAREKI_DATE.match(value)
    if match:
        era, year, month, day = match.groups()
        year = 1 if year == "元" else int(year)
        return dt.date(_ERA_START[era].year + year - 1, int(month), int(day))
    match = re.match(r"^(\d{4})[年/\-.](\d{1,2})[月/\-.](\d{1,2})日?$", value)
    if match:
        return dt.date(*map(int, match.groups()))
    raise ValueError(value)


def _truthy(text: str) -> bool:
    return unicodedata.normalize("NFKC", text).strip().lower() in {"1", "はい", "有", "あり", "同意", "○", "〇", "yes", "true"}


def _parse_row(raw: dict[str, str], line: int, by_name: dict, errors: list[RowError]) -> dict:
    values: dict = {}
    for name, text in raw.items():
        text = csv_safe.restore((text or "").strip())  # our own exports protect formula-like cells
        if not text:
            continue
        column = column_header(name)
        try:
            if name in ("registered_on", "renewal_due"):
                values[name] = parse_date(text)
            elif name == "member_count":
                values[name] = int(unicodedata.normalize("NFKC", text).replace(",", ""))
                if values[name] < 0:
                    raise CellError(gettext("会員数は0以上の整数で入力してください。"))
            elif name == "kind":
                values[name] = choice(text, [(k, lbl) for k, lbl in OrganizationKind.choices
                                             if k in services.GROUP_ORGANIZATION_KINDS], column)
            elif name == "legal_form":
                values[name] = choice(text, m.LegalForm.choices, column)
            elif name == "status":
                values[name] = choice(text, m.GroupStatus.choices, column)
            elif name == "activity_fields":
                values[name] = activity_fields(text, by_name)
            elif name == "consent_hub_listing":
                if _truthy(text):
                    values.setdefault("consents", []).append("hub_listing")
            elif name == "corporate_number":
                values[name] = re.sub(r"\D", "", unicodedata.normalize("NFKC", text))
            else:
                values[name] = text
        except ValueError as error:
            message = str(error) if isinstance(error, CellError) else gettext("「%(value)s」を%(column)sとして読めません。") % {
                "value": text, "column": column}
            errors.append(RowError(line, column, "invalid_value", message))
    if not values.get("name"):
        errors.append(RowError(line, column_header("name"), "required", gettext("団体名は必須です。")))
    return values


def _header_map(headers: list[str]) -> tuple[dict[str, str], list[str]]:
    aliases = {unicodedata.normalize("NFKC", alias): name for name, names in GROUP_COLUMNS.items() for alias in names}
    mapping, ignored = {}, []
    for header in headers:
        name = aliases.get(unicodedata.normalize("NFKC", (header or "").strip()))
        if name is None:
            ignored.append(header)
        elif name not in mapping.values():
            mapping[header] = name
    return mapping, ignored


def _service_error_rows(error: ValidationError, line: int) -> list[RowError]:
    return service_error_rows(error, line, {name: column_header(name) for name in GROUP_COLUMNS})


def import_groups(*, acting_user, center: Organization, raw: bytes, commit: bool) -> ImportResult:
    """Validate every row through the same service a form uses; write all rows or none.

    The rows run inside one transaction; a preview (commit=False) or any error rolls it back.
    """
    result = ImportResult()
    if len(raw) > MAX_IMPORT_BYTES:
        result.errors.append(RowError(0, "", "too_large", gettext("ファイルが大きすぎます（5MBまで）。")))
        raise ImportRejected(result)
    try:
        text, result.encoding = decode_csv(raw)
    except ValidationError as error:
        result.errors.append(RowError(0, "", "encoding", error.messages[0]))
        raise ImportRejected(result) from error
    reader = csv.DictReader(io.StringIO(text, newline=""))
    mapping, result.ignored_columns = _header_map(reader.fieldnames or [])
    if "name" not in mapping.values():
        result.errors.append(RowError(1, column_header("name"), "missing_column", gettext("「団体名」の列がありません。")))
        raise ImportRejected(result)
    by_name = activity_field_lookup()
    existing = set(Organization.objects.filter(center=center, registration__isnull=False).values_list("name", flat=True))
    seen: dict[str, int] = {}
    try:
        with transaction.atomic():
            for index, raw_row in enumerate(reader):
                line = reader.line_num
                if index >= MAX_IMPORT_ROWS:
                    result.errors.append(RowError(line, "", "too_many_rows",
                                                  gettext("%(limit)s行までです。") % {"limit": MAX_IMPORT_ROWS}))
                    break
                if None in raw_row:
                    result.errors.append(RowError(line, "", "extra_cells", gettext("見出しより多くの列があります。")))
                    continue
                row_errors: list[RowError] = []
                values = _parse_row({mapping[h]: v for h, v in raw_row.items() if h in mapping}, line, by_name, row_errors)
                name = values.get("name", "")
                if name in existing:
                    row_errors.append(RowError(line, column_header("name"), "duplicate",
                                               gettext("「%(name)s」はすでに登録されています。") % {"name": name}))
                elif name in seen:
                    row_errors.append(RowError(line, column_header("name"), "duplicate",
                                               gettext("「%(name)s」は%(line)s行目と重複しています。") % {
                                                   "name": name, "line": seen[name]}))
                seen.setdefault(name, line)
                result.rows.append({"line": line, **{k: v for k, v in values.items() if k not in PERSONAL_COLUMNS}})
                if row_errors:
                    result.errors.extend(row_errors)
                    continue
                try:
                    with transaction.atomic():
                        services.group_register(acting_user=acting_user, center=center, **values)
                except ValidationError as error:
                    result.errors.extend(_service_error_rows(error, line))
                except PermissionDenied:
                    result.errors.append(RowError(line, "", "permission_denied", gettext("このセンターに登録する権限がありません。")))
                    break
            if not result.rows and not result.errors:
                result.errors.append(RowError(2, "", "empty", gettext("データ行がありません。")))
            if result.errors:
                raise ImportRejected(result)
            result.created = len(result.rows)
            if not commit:
                transaction.set_rollback(True)
    except ImportRejected:
        result.created = 0
        raise
    if not commit:
        result.created = 0
    return result


# --- exports ----------------------------------------------------------------------------------

GROUP_EXPORT_COLUMNS = ("name", "name_kana", "kind", "legal_form", "activity_fields", "area", "member_count",
                        "corporate_number", "registered_on", "renewal_due", "status", "consent_hub_listing")


def _group_cell(group: m.GroupRegistration, name: str) -> str:
    if name in ("name", "name_kana"):
        return getattr(group.organization, name)
    if name == "kind":
        return group.organization.get_kind_display()
    if name == "activity_fields":
        return "、".join(f.short_name for f in group.activity_fields.all())
    if name == "consent_hub_listing":
        return "はい" if group.consent_hub_listing_at else "いいえ"
    if name in ("legal_form", "status"):
        return getattr(group, f"get_{name}_display")()
    value = getattr(group, name)
    return "" if value is None else str(value)


def groups_csv(*, user, queryset, with_contacts: bool) -> str:
    """Groups as CSV in the import's own columns, so an export can be edited and imported elsewhere."""
    columns = [*GROUP_EXPORT_COLUMNS, *(sorted(PERSONAL_COLUMNS, key=list(GROUP_COLUMNS).index) if with_contacts else ())]
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow([column_header(c) for c in columns])
    groups = list(queryset)
    for group in groups:
        writer.writerow([_group_cell(group, c) for c in columns])
    if with_contacts:
        audit_personal_read(user=user, records=groups, purpose="csv_export")
    return out.getvalue()


def events_csv(*, queryset) -> str:
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(["イベント名", "種類", "テーマ", "活動分野", "開始日時", "終了日時", "会場", "主催・共催",
                     "参加団体", "参加者数", "状態", "中止理由", "成果"])
    for event in queryset:
        writer.writerow([
            event.title, event.get_kind_display(), event.theme,
            "、".join(f.short_name for f in event.activity_fields.all()),
            timezone.localtime(event.starts_at).strftime("%Y-%m-%d %H:%M"),
            timezone.localtime(event.ends_at).strftime("%Y-%m-%d %H:%M") if event.ends_at else "",
            event.venue, "、".join(o.name for o in event.organizers.all()),
            "、".join(o.name for o in event.participants.all()),
            "" if event.attendance is None else event.attendance, event.get_status_display(),
            event.cancellation_reason, event.outcome_note,
        ])
    return out.getvalue()


# 自治体標準オープンデータセット「イベント一覧」 columns, in order.
OPEN_DATA_EVENT_COLUMNS = (
    "都道府県コード又は市区町村コード", "NO", "都道府県名", "市区町村名", "イベント名", "イベント名_カナ", "イベント名_英語",
    "開始日", "終了日", "開始時間", "終了時間", "開始日時特記事項", "説明", "料金(基本)", "料金(詳細)", "連絡先名称",
    "連絡先電話番号", "連絡先内線番号", "主催者", "場所名称", "住所", "方書", "緯度", "経度", "アクセス方法", "駐車場情報",
    "定員", "参加申込終了日", "参加申込終了時間", "参加申込方法", "URL", "備考",
)


def events_open_data_csv(*, queryset, door: Door) -> str:
    """Public, not cancelled events in the national standard 「イベント一覧」 layout: published, so every
    text passes the door (nodes.outgoing)."""
    out = io.StringIO()
    writer = csv_safe.writer(out, lineterminator="\r\n")
    writer.writerow(OPEN_DATA_EVENT_COLUMNS)
    for event in queryset:
        starts = timezone.localtime(event.starts_at)
        ends = timezone.localtime(event.ends_at) if event.ends_at else None
        center = event.center
        row = dict.fromkeys(OPEN_DATA_EVENT_COLUMNS, "")
        row.update({
            "都道府県コード又は市区町村コード": center.municipality_code,
            "NO": str(event.uuid),
            "都道府県名": "神奈川県" if center.municipality_code.startswith("14") else "",
            "市区町村名": center.municipality_name,
            "イベント名": door.public_text(event.title),
            "開始日": starts.date().isoformat(),
            "終了日": (ends or starts).date().isoformat(),
            "開始時間": starts.strftime("%H:%M"),
            "終了時間": ends.strftime("%H:%M") if ends else "",
            "説明": door.public_text(event.description or event.theme),
            "連絡先名称": center.name,
            "主催者": "、".join(o.name for o in event.organizers.all()) or center.name,
            "場所名称": door.public_text(event.venue),
            "定員": "" if event.capacity is None else str(event.capacity),
            "備考": event.get_kind_display(),
        })
        writer.writerow(row.values())
    return out.getvalue()


def events_ical(*, queryset, calendar_name: str, door: Door | None = None) -> str:
    """An RFC 5545 calendar of the events (cancelled ones marked STATUS:CANCELLED). A public feed
    passes `door`: its texts then leave scrubbed and checked (nodes.outgoing)."""

    def text(value: str) -> str:
        return door.public_text(value) if door is not None else value

    from icalendar import Calendar, Event as IcsEvent

    calendar = Calendar()
    calendar.add("prodid", "-//Kyodo//civic center events//JA")
    calendar.add("version", "2.0")
    calendar.add("x-wr-calname", calendar_name)
    calendar.add("x-wr-timezone", "Asia/Tokyo")
    stamp = timezone.now()
    for event in queryset:
        item = IcsEvent()
        item.add("uid", f"{event.uuid}@kyodo")
        item.add("dtstamp", stamp)
        item.add("dtstart", event.starts_at)
        item.add("dtend", event.ends_at or event.starts_at + dt.timedelta(hours=2))
        item.add("summary", text(event.title))
        if event.venue:
            item.add("location", text(event.venue))
        description = "\n".join(filter(None, [event.get_kind_display(), text(event.theme), text(event.description)]))
        if description:
            item.add("description", description)
        item.add("status", "CANCELLED" if event.status == m.EventStatus.CANCELLED else "CONFIRMED")
        item.add("last-modified", event.updated_at)
        item.add("sequence", event.version)
        calendar.add_component(item)
    return calendar.to_ical().decode()

