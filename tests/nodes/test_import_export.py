"""CSV import (UTF-8 and CP932, all or nothing) and the CSV, open-data and iCalendar exports."""

from __future__ import annotations

import csv
import io

import pytest
from icalendar import Calendar

from nodes import csvio, models as m
from permissions.models import AuditEvent

HEADER = "団体名,フリガナ,法人格,活動分野,活動地域,会員数,代表者氏名,電話番号,メールアドレス,登録日,ハブ掲載同意,レコード番号\n"
GOOD_ROWS = (
    "海辺のごみ拾い隊,ウミベノゴミヒロイタイ,任意団体,環境保全、まちづくり,茅ヶ崎市南部,25,浜辺 一郎,0467-11-2222,umi@example.jp,令和3年4月1日,はい,1\n"
    "子ども食堂ひまわり,こどもしょくどうひまわり,NPO法人,\"13,1\",茅ヶ崎市全域,12,日向 葵,0467-33-4444,,2021/06/15,,2\n"
)


def _import(world, text: str, *, encoding="utf-8", commit=True):
    return csvio.import_groups(acting_user=world.staff_a, center=world.a, raw=text.encode(encoding), commit=commit)


def test_utf8_import_registers_every_row(world):
    result = _import(world, HEADER + GOOD_ROWS)
    assert result.created == 2 and result.encoding == "utf-8-sig"
    assert result.ignored_columns == ["レコード番号"]
    group = m.GroupRegistration.objects.get(organization__name="子ども食堂ひまわり")
    assert group.organization.name_kana == "コドモショクドウヒマワリ"  # hiragana typed, katakana kept
    assert sorted(f.code for f in group.activity_fields.all()) == [1, 13]
    assert group.legal_form == "npo" and group.renewal_due.isoformat() == "2024-03-31"
    hub = m.GroupRegistration.objects.get(organization__name="海辺のごみ拾い隊")
    assert hub.consent_hub_listing_at is not None and hub.registered_on.isoformat() == "2021-04-01"


def test_cp932_import_from_excel_or_kintone(world):
    result = _import(world, (HEADER + GOOD_ROWS).replace("\n", "\r\n"), encoding="cp932")
    assert result.created == 2 and result.encoding == "cp932"


def test_one_bad_row_imports_nothing_and_names_row_and_column(world):
    bad = GOOD_ROWS + "猫の手,ネコノテ,株式会社的な何か,環境保全,茅ヶ崎市,たくさん,,,,2021-13-01,,3\n"
    before = m.GroupRegistration.objects.count(), AuditEvent.objects.count()
    with pytest.raises(csvio.ImportRejected) as rejected:
        _import(world, HEADER + bad)
    errors = {(e.line, e.column, e.code) for e in rejected.value.result.errors}
    assert (4, "法人格", "invalid_value") in errors
    assert (4, "会員数", "invalid_value") in errors
    assert (4, "登録日", "invalid_value") in errors
    assert (m.GroupRegistration.objects.count(), AuditEvent.objects.count()) == before


def test_service_rules_apply_per_row(world):
    rows = "団体名,法人番号,メールアドレス\nよい団体,,ok@example.jp\n悪い団体,1234567890123,bad@\n"
    with pytest.raises(csvio.ImportRejected) as rejected:
        _import(world, rows)
    errors = {(e.line, e.column, e.code) for e in rejected.value.result.errors}
    assert errors == {(3, "法人番号", "invalid_corporate_number"), (3, "メールアドレス", "invalid")}
    assert not m.GroupRegistration.objects.filter(organization__name="よい団体").exists()


def test_duplicates_in_file_and_against_registered_groups(world):
    rows = "団体名\n新しい会\n新しい会\nChigasaki Cat's Protect\n"
    with pytest.raises(csvio.ImportRejected) as rejected:
        _import(world, rows)
    assert {(e.line, e.code) for e in rejected.value.result.errors} == {(3, "duplicate"), (4, "duplicate")}


def test_preview_validates_but_writes_nothing(world):
    result = _import(world, HEADER + GOOD_ROWS, commit=False)
    assert len(result.rows) == 2 and result.created == 0
    assert not m.GroupRegistration.objects.filter(organization__name="海辺のごみ拾い隊").exists()


@pytest.mark.parametrize("raw, code", [
    (b"\xff\xfe\x00\x00garbage\x81", "encoding"),
    ("名前,電話\n山田,000\n".encode(), "missing_column"),
    ("団体名\n".encode(), "empty"),
])
def test_unreadable_files_are_refused_with_a_code(world, raw, code):
    with pytest.raises(csvio.ImportRejected) as rejected:
        csvio.import_groups(acting_user=world.staff_a, center=world.a, raw=raw, commit=True)
    assert rejected.value.result.errors[0].code == code


def test_api_import_dry_run_then_commit(world, api):
    client = api(world.staff_a)
    upload = io.BytesIO((HEADER + GOOD_ROWS).encode("cp932"))
    upload.name = "groups.csv"
    response = client.post("/api/v1/groups/import/", {"file": upload, "dry_run": "true"}, format="multipart")
    assert response.status_code == 200, response.content
    assert response.json()["rows"] == 2 and response.json()["created"] == 0
    upload.seek(0)
    response = client.post("/api/v1/groups/import/", {"file": upload}, format="multipart")
    assert response.status_code == 201 and response.json()["created"] == 2
    upload = io.BytesIO("団体名,会員数\n会A,-1\n".encode())
    upload.name = "bad.csv"
    response = client.post("/api/v1/groups/import/", {"file": upload}, format="multipart")
    assert response.status_code == 400
    body = response.json()["error"]
    assert body["code"] == "import_invalid" and body["rows"][0]["line"] == 2 and body["rows"][0]["column"] == "会員数"


def test_import_into_another_center_is_refused(world, api):
    upload = io.BytesIO("団体名\n会A\n".encode())
    upload.name = "x.csv"
    response = api(world.staff_b).post("/api/v1/groups/import/", {"file": upload, "center": str(world.a.uuid)},
                                       format="multipart")
    assert response.status_code == 400
    assert response.json()["error"]["fields"]["center"][0]["code"] == "does_not_exist"


def _csv(response) -> list[list[str]]:
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def test_group_export_has_no_personal_data_unless_asked_and_audits_when_asked(world, client):
    client.force_login(world.staff_a)
    rows = _csv(client.get("/groups/export.csv"))
    assert rows[0][0] == "団体名" and {r[0] for r in rows[1:]} == {"Chigasaki Cat's Protect", world.group_a2.name}
    flat = repr(rows)
    assert "杉浦 花子" not in flat and "0467-00-0000" not in flat and "めだか" not in flat
    audits = AuditEvent.objects.filter(action="groupregistration.read_personal").count()
    with_contacts = _csv(client.get("/groups/export.csv?contacts=1"))
    assert "杉浦 花子" in repr(with_contacts)
    event = AuditEvent.objects.filter(action="groupregistration.read_personal").latest("at")
    assert AuditEvent.objects.filter(action="groupregistration.read_personal").count() == audits + 1
    assert event.detail["count"] == 2 and "杉浦" not in repr(event.detail)


def test_an_exported_csv_imports_again(world, client):
    client.force_login(world.staff_a)
    exported = client.get("/groups/export.csv?contacts=1").content
    result = csvio.import_groups(acting_user=world.staff_b, center=world.b, raw=exported, commit=False)
    assert len(result.rows) == 2


def test_events_csv_open_data_and_ical(world, client):
    from nodes import services

    services.event_update(acting_user=world.staff_a, event=world.rec_a.event, is_public=True, venue="茅ヶ崎市役所")
    cancelled = services.event_create(acting_user=world.staff_a, center=world.a, title="スプリングフェスティバル",
                                      kind="festival", starts_at=world.rec_a.event.starts_at, is_public=True,
                                      status="cancelled", cancellation_reason="コロナ中止")
    client.force_login(world.staff_a)
    rows = _csv(client.get("/events/export.csv"))
    by_title = {row[0]: row for row in rows[1:]}
    assert (by_title["スプリングフェスティバル"][10], by_title["スプリングフェスティバル"][11]) == ("中止", "コロナ中止")
    open_data = _csv(client.get("/events/opendata.csv"))
    assert tuple(open_data[0]) == csvio.OPEN_DATA_EVENT_COLUMNS
    assert [r[4] for r in open_data[1:]] == ["団体交流会"]  # public and not cancelled only
    assert open_data[1][0] == "142077" and open_data[1][19] == "茅ヶ崎市役所"
    calendar = Calendar.from_ical(client.get("/events/calendar.ics").content)
    statuses = {str(e["summary"]): str(e["status"]) for e in calendar.walk("VEVENT")}
    assert statuses == {"団体交流会": "CONFIRMED", "スプリングフェスティバル": "CANCELLED"}
    public = Calendar.from_ical(client.get(f"/feeds/{world.a.uuid}/events.ics").content)
    assert {str(e["uid"]) for e in public.walk("VEVENT")} == {f"{world.rec_a.event.uuid}@kyodo", f"{cancelled.uuid}@kyodo"}


def test_public_feed_shows_only_public_events_of_that_center(world, client):
    calendar = Calendar.from_ical(client.get(f"/feeds/{world.b.uuid}/events.ics").content)
    assert calendar.walk("VEVENT") == []
    assert client.get("/feeds/00000000-0000-0000-0000-000000000000/events.ics").status_code == 404
