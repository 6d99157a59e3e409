"""The node's CSV exports write formula-like cells as text (common.csv_safe), and the group import
reads them back as they were."""

from __future__ import annotations

import csv
import io

from nodes import csvio, services

from .. import factories as f

HYPERLINK = '=HYPERLINK("http://evil.example/","詳細")'


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"), newline="")))


def test_groups_csv_with_contacts_writes_every_trigger_as_text(world, client):
    f.group(world.staff_a, world.a, HYPERLINK, area="@SUM(A1)", representative_name="+代表",
            contact_phone="0467-11-2222", description="-説明")
    client.force_login(world.staff_a)
    for url in ("/groups/export.csv", "/groups/export.csv?contacts=1"):
        rows = _csv(client.get(url))
        header = rows[0]
        row = next(r for r in rows if r[0].endswith(HYPERLINK))
        assert row[0] == "'" + HYPERLINK  # opens as text in Excel, not as a link that runs
        assert row[header.index("活動地域")] == "'@SUM(A1)"
    with_contacts = _csv(client.get("/groups/export.csv?contacts=1"))
    row = next(r for r in with_contacts if r[0].endswith(HYPERLINK))
    assert row[with_contacts[0].index("代表者氏名")] == "'+代表"
    assert row[with_contacts[0].index("電話番号")] == "0467-11-2222"


def test_an_export_with_formula_like_names_imports_back_unchanged(world, client):
    f.group(world.staff_a, world.a, HYPERLINK, area="@SUM(A1)")
    client.force_login(world.staff_a)
    exported = client.get("/groups/export.csv?contacts=1").content
    result = csvio.import_groups(acting_user=world.staff_b, center=world.b, raw=exported, commit=True)
    by_name = {row["name"]: row for row in result.rows}
    assert by_name[HYPERLINK]["area"] == "@SUM(A1)"


def test_event_exports_write_formula_like_cells_as_text(world, client):
    services.event_update(acting_user=world.staff_a, event=world.rec_a.event, title="=1+1", venue="@会場",
                          theme="-テーマ", is_public=True)
    client.force_login(world.staff_a)
    rows = _csv(client.get("/events/export.csv"))
    row = next(r for r in rows[1:] if r[0] == "'=1+1")
    assert (row[2], row[6]) == ("'-テーマ", "'@会場")
    open_data = _csv(client.get("/events/opendata.csv"))
    row = next(r for r in open_data[1:] if r[4] == "'=1+1")
    assert row[19] == "'@会場" and row[0] == "142077"
