"""The hub's CSV exports write formula-like cells as text (common.csv_safe): a group name planted at
one center must not run in a coordinator's Excel."""

from __future__ import annotations

import csv
import io

from .test_disaster import declare, nodes, people  # noqa: F401  (fixtures)
from .test_disaster_board import need_entry, offer_entry

HYPERLINK = '=HYPERLINK("http://evil.example/","詳細")'


def _csv(response) -> list[list[str]]:
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    text = response.content.decode("utf-8")
    assert text.startswith("\ufeff")  # still the BOM Excel needs
    return list(csv.reader(io.StringIO(text[1:], newline="")))


def test_disaster_exports_write_a_planted_hyperlink_as_text(people, nodes, client):  # noqa: F811
    chigasaki, odawara = nodes
    declaration = declare(people[0], whole_prefecture=True, municipality_codes=[])
    assert chigasaki.send(client, [need_entry(chigasaki, declaration, place_name="@避難所")]).status_code == 200
    assert odawara.send(client, [offer_entry(odawara, declaration, group_name=HYPERLINK)]).status_code == 200
    client.force_login(people[1])
    for fmt in ("export.csv", "export-hxl.csv"):
        rows = _csv(client.get(f"/disasters/{declaration.uuid}/{fmt}"))
        cells = [cell for row in rows for cell in row]
        assert "'" + HYPERLINK in cells and HYPERLINK not in cells
        assert "'@避難所" in cells
        assert "300" in cells  # the requested quantity stays a number
    # JSON is no spreadsheet: it carries the name as it is.
    rows = client.get(f"/disasters/{declaration.uuid}/export.json").json()["rows"]
    assert HYPERLINK in {row["organization"] for row in rows}
