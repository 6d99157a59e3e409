"""The centers' own counts on the hub (統計 › センターの集計値): sent through the real receiver in each
center's aggregate, a center's public programme figures (公表値) shown as they are, everything about
people or private records suppressed and audited, prefecture-wide figures that give nothing back,
and malformed aggregates refused with their code."""

from __future__ import annotations

import re
import uuid

import pytest
from django.contrib.auth import get_user_model

from hub.disclosure import SUPPRESSED, TOTAL, Reason
from hub.disclosure_audit import audit
from hub.models import AggregateSnapshot
from hub.selectors.center_figures import center_figures
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create

from . import payloads
from .test_case_library import send_ok
from .test_case_statistics import csv_of
from .test_receiver import FakeNode

SEED_YEARS = list(range(2012, 2020))
# Seed 001 p.10, 「非営利組織等との協働」実績 over 8 years, as Chigasaki's city printed it.
SEED_001 = {
    "kyosai": [22, 45, 65, 71, 65, 61, 67, 62],
    "jikko_iinkai": [3, 16, 18, 21, 22, 24, 24, 23],
    "jigyo_kyoryoku": [79, 70, 88, 117, 123, 133, 159, 155],
    "shitei_kanri": [11, 9, 14, 14, 24, 23, 23, 22],
    "itaku": [47, 75, 68, 69, 70, 63, 50, 52],
    "kyodo_suishin": [2, 4, 9, 5, 6, 7, 12, 7],
}
SEED_LABELS = {"kyosai": "共催", "jikko_iinkai": "実行委員会", "jigyo_kyoryoku": "事業協力", "shitei_kanri": "指定管理者",
               "itaku": "委託（協働委託）", "kyodo_suishin": "協働推進事業"}
# The same seed's 市民提案型 calls: 意見交換会・申込・採択, H27–R1.
SEED_CYCLE = {2015: (17, 8, 4), 2016: (18, 3, 3), 2017: (10, 1, 0), 2018: (10, 0, 0), 2019: (13, 0, 0)}


@pytest.fixture
def coordinator(db):
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    user = get_user_model().objects.create_user("coordinator", password="x" * 12)
    membership_grant(acting_user=None, user=user, organization=prefecture, role=Role.COORDINATOR)
    return user


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


@pytest.fixture
def odawara(db):
    return FakeNode("odawara", "142069")


def seed_table() -> dict[str, dict[int, int]]:
    return {form: dict(zip(SEED_YEARS, counts, strict=True)) for form, counts in SEED_001.items()}


def aggregate(node: FakeNode, data: dict, *, version: int = 1) -> dict:
    """The center's aggregate entry (one entity per center, as sync.outbox.aggregate_uuid makes it)."""
    return node.entry("aggregate_counts", payloads.counts(node.center, data), version=version,
                      entity_uuid=uuid.uuid5(node.center, "aggregate_counts"))


def send_figures(node: FakeNode, client, data: dict, *, profile: bool = True, version: int = 1) -> None:
    entries = [node.profile()] if profile else []
    entries.append(aggregate(node, data, version=version))
    assert send_ok(node, client, entries)["skipped"] == 0


def table_rows(page: str, slug: str) -> dict[str, list[str]]:
    """A table of the page as label → its cells' texts (suppressed ones as the symbol)."""
    section = page[page.index(f'id="stat-{slug}"'):]
    section = section[:section.index("</section>")]
    rows = {}
    for label, cells in re.findall(r'<th scope="row"[^>]*>([^<]*)</th>(.*?)</tr>', section, flags=re.S):
        rows[label] = re.findall(r"<td[^>]*>([^<]*)</td>", cells)
    return rows


def test_public_programme_figures_are_shown_as_they_are(chigasaki, odawara, coordinator, client):
    send_figures(chigasaki, client, {"form_years": payloads.form_years(seed_table(), public=True)})
    send_figures(odawara, client, {"form_years": payloads.form_years(seed_table(), public=False)})
    client.force_login(coordinator)
    query = {"year_from": "2012", "year_to": "2019"}
    page = client.get("/statistics/centers/", query).content.decode()
    mine = f"forms-{chigasaki.center}"
    section = page[page.index(f'id="stat-{mine}"'):]
    assert "公表値" in section[:section.index("</h2>") + 200]
    rows = table_rows(page, mine)
    for form, counts in SEED_001.items():
        # Every figure as printed, 2 and 3 included, and the row totals.
        assert rows[SEED_LABELS[form]] == [*map(str, counts), str(sum(counts))]
    assert rows["区分なし"] == [*map(str, SEED_001["kyodo_suishin"]), "52"]  # no track in the printed table
    assert rows["合計"][:3] == ["164", "219", "262"] and rows["合計"][-1] == str(sum(map(sum, SEED_001.values())))
    assert SUPPRESSED not in "".join(cell for cells in rows.values() for cell in cells)

    csv_rows = csv_of(client.get(f"/statistics/centers/{mine}.csv", query))
    assert csv_rows[0] == ["協働の形態", *[f"{y}年度（{w}年度）" for y, w in zip(SEED_YEARS, [
        "平成24", "平成25", "平成26", "平成27", "平成28", "平成29", "平成30", "令和元"], strict=True)], "合計"]
    by_label = {row[0]: row[1:] for row in csv_rows if row}
    for form, counts in SEED_001.items():
        assert by_label[SEED_LABELS[form]] == [*map(str, counts), str(sum(counts))]
    assert by_label["\u3000区分なし"][0] == "2"
    assert not any(SUPPRESSED in cell for row in csv_rows for cell in row if not cell.startswith("注"))
    assert any("公表値" in cell for row in csv_rows for cell in row)

    # The same table from a center that did not mark it public: the small cells are suppressed.
    theirs = f"forms-{odawara.center}"
    rows = table_rows(page, theirs)
    assert rows["協働推進事業"][0] == SUPPRESSED and rows["区分なし"][0] == SUPPRESSED
    table = center_figures(first=2012, last=2019, only=theirs).table(theirs).table
    primary = {key for key, reason in table.suppressed.items() if reason is Reason.FEW_ORGANIZATIONS}
    assert primary == {("kyodo_suishin", 2012), (("kyodo_suishin", "kyodo_suishin"), 2012)}
    assert all(interval.protects(1) for interval in table.intervals().values())
    csv_rows = csv_of(client.get(f"/statistics/centers/{theirs}.csv", query))
    assert {row[0]: row[1:] for row in csv_rows if row}["協働推進事業"][0] == SUPPRESSED
    assert not any("公表値（" in cell for row in csv_rows for cell in row)

    # Prefecture-wide: the published figures only, saying which center they leave out.
    rows = table_rows(page, "forms-prefecture")
    assert rows["協働推進事業"] == [*map(str, SEED_001["kyodo_suishin"]), "52"]
    section = page[page.index('id="stat-forms-prefecture"'):]
    assert "odawaraセンター" in section[:section.index("</section>")]
    prefecture = csv_of(client.get("/statistics/centers/forms-prefecture.csv", query))
    assert {row[0]: row[1:] for row in prefecture if row}["実行委員会"] == [*map(str, SEED_001["jikko_iinkai"]), "151"]


def test_a_public_center_with_tracks_and_records_shows_its_tracks_beneath(chigasaki, coordinator, client):
    table = {"itaku": {2018: 5, 2019: 6}, "kyodo_suishin": {2018: 3, 2019: 2}}
    data = {"form_years": payloads.form_years(
        table, public=True, sources={2018: "records", 2019: "records"},
        tracks={"kyodo_suishin_gyosei": {2018: 2, 2019: 1}, "kyodo_suishin_shimin": {2018: 1, 2019: 1}})}
    send_figures(chigasaki, client, data)
    client.force_login(coordinator)
    page = client.get("/statistics/centers/", {"year_from": "2018", "year_to": "2019"}).content.decode()
    rows = table_rows(page, f"forms-{chigasaki.center}")
    assert list(rows) == ["委託（協働委託）", "協働推進事業", "行政提案型", "市民提案型", "合計"]
    assert rows["行政提案型"] == ["2", "1", "3"] and rows["市民提案型"] == ["1", "1", "2"]
    assert rows["合計"] == ["8", "8", "16"]
    assert "2018〜2019年度は協働事例の記録から数えた件数です。" in page


def test_consultations_per_step_keep_suppression(chigasaki, odawara, coordinator, client):
    # Chigasaki's programme figures are public; its consultations are about people all the same.
    send_figures(chigasaki, client, {"form_years": payloads.form_years(seed_table(), public=True),
                                     "consultations_per_step": {"intake": 4, "coordinate": 12, "closing": 7,
                                                                "closed": 30}})
    send_figures(odawara, client, {"consultations_per_step": {"intake": 9, "coordinate": 6, "closing": 8,
                                                              "closed": 2}})
    figures = center_figures(only="consultations")
    table = figures.table("consultations").table
    # Rows in the centers' order (by municipality code): 小田原 142069, then 茅ヶ崎 142077.
    odawara_row, chigasaki_row = table.row_keys
    assert [s.center.name for s in figures.snapshots] == ["odawaraセンター", "chigasakiセンター"]
    assert table.suppressed[chigasaki_row, "intake"] is Reason.SMALL_COUNT
    assert table.suppressed[odawara_row, "closed"] is Reason.SMALL_COUNT
    assert not any(entry.public for row in table.rows for entry in row.cells)
    assert all(interval.protects(1) for interval in table.intervals().values())

    client.force_login(coordinator)
    page = client.get("/statistics/centers/").content.decode()
    rows = table_rows(page, "consultations")
    assert rows["chigasakiセンター"][0] == SUPPRESSED and rows["odawaraセンター"][3] == SUPPRESSED
    assert "県全体" in rows
    csv_rows = csv_of(client.get("/statistics/centers/consultations.csv"))
    assert csv_rows[0] == ["センター", "インテーク", "コーディネート", "クロージング", "完了", "合計"]
    # Rebuild what a reader of the CSV holds and audit it independently of the page.
    truth, hidden = table.values, set()
    assert [row[0] for row in csv_rows[1:4]] == ["odawaraセンター", "chigasakiセンター", "県全体"]
    for i, row in enumerate(csv_rows[1:4]):
        for j, text in enumerate(row[1:]):
            if text == SUPPRESSED:
                hidden.add((i, j))
            else:
                assert int(text) == truth[i][j]
    assert {(1, 0), (0, 3)} <= hidden
    assert all(interval.protects(1) for interval in audit(truth, hidden, lower=1).values())
    assert any("5未満の人数・件数" in cell for row in csv_rows for cell in row)

    # One center picked: its row from the same table, with the prefecture's; nothing else to subtract.
    picked = client.get("/statistics/centers/", {"center": str(odawara.center)}).content.decode()
    rows = table_rows(picked, "consultations")
    assert list(rows) == ["odawaraセンター", "県全体"]
    assert rows["odawaraセンター"] == [str(e.text()) for e in table.row(odawara_row).cells] + [
        table.row(odawara_row).total.text()]


def test_groups_events_and_calls_by_center(chigasaki, odawara, coordinator, client):
    send_figures(chigasaki, client, {
        "groups_total": 40, "groups_by_field": {"7": 12, "13": 2}, "events_per_month": {"2019-04": 6, "2020-01": 1},
        "programme_cycle": payloads.programme_cycle(SEED_CYCLE)})
    send_figures(odawara, client, {"groups_by_field": {"7": 5, "3": 9}, "events_per_month": {"2019-05": 4}})
    client.force_login(coordinator)
    query = {"year_from": "2015", "year_to": "2019"}
    page = client.get("/statistics/centers/", query).content.decode()
    groups = table_rows(page, "groups")  # fields 3, 7, 13
    assert groups["chigasakiセンター"][2] == SUPPRESSED  # two groups
    assert groups["odawaraセンター"][0] == "9" and "県全体" in groups
    events = table_rows(page, "events")  # April 2019 … March 2020
    assert events["chigasakiセンター"][9] == SUPPRESSED  # one event
    assert len(events["chigasakiセンター"]) == 13
    for slug in ("groups", "events"):
        table = center_figures(first=2015, last=2019, only=slug).table(slug).table
        assert all(interval.protects(1) for interval in table.intervals().values())
    meetings = table_rows(page, "meetings")
    assert meetings["chigasakiセンター"] == ["17", "18", "10", "10", "13", "68"]
    applications = table_rows(page, "applications")
    assert list(applications) == ["chigasakiセンター 申込", "採択", "採択以外（不採択・取り下げ・審査中）", "県全体"]
    # H29: one application, not adopted — one organization, hidden with what would give it back.
    assert applications["chigasakiセンター 申込"][2] == SUPPRESSED
    assert applications["採択以外（不採択・取り下げ・審査中）"][2] == SUPPRESSED
    table = center_figures(first=2015, last=2019, only="applications").table("applications").table
    assert all(interval.protects(1) for interval in table.intervals().values())
    rows = csv_of(client.get("/statistics/centers/applications.csv", query))
    assert rows[2][0] == "\u3000採択" and rows[4][0] == "県全体"
    assert client.get("/statistics/centers/nothing.csv").status_code == 404
    assert client.get(f"/statistics/centers/forms-{uuid.uuid4()}.csv").status_code == 404


def test_old_snapshots_without_the_new_keys_stay_valid(chigasaki, coordinator, client):
    send_figures(chigasaki, client, {"groups_total": 12, "groups_by_field": {"7": 3},
                                     "consultations_per_step": {"intake": 4}})
    assert AggregateSnapshot.objects.get().data["groups_total"] == 12
    client.force_login(coordinator)
    page = client.get("/statistics/centers/")
    assert page.status_code == 200
    assert 'id="stat-forms-' not in page.content.decode() and 'id="stat-consultations"' in page.content.decode()
    # The shared-case statistics link here.
    assert 'href="/statistics/centers/"' in client.get("/statistics/").content.decode()


def test_bad_filters_are_explained(coordinator, client):
    client.force_login(coordinator)
    response = client.get("/statistics/centers/", {"year_from": "2020", "year_to": "2013"})
    assert response.status_code == 400 and "終了年度は開始年度以降にしてください。" in response.content.decode()
    assert client.get("/statistics/centers/events.csv", {"year_from": "2000", "year_to": "2020"}).status_code == 400
    assert "まだ届いていません" in client.get("/statistics/centers/").content.decode()


def test_a_newer_snapshot_replaces_the_figures(chigasaki, client):
    data = {"form_years": payloads.form_years({"kyodo_suishin": {2019: 3}}, public=True, sources={2019: "records"},
                                              tracks={"kyodo_suishin_gyosei": {2019: 1},
                                                      "kyodo_suishin_shimin": {2019: 2}})}
    send_figures(chigasaki, client, data)
    assert center_figures(first=2019, last=2019).table("forms-prefecture") is not None
    data["form_years"]["public"] = False
    send_figures(chigasaki, client, data, profile=False, version=2)
    figures = center_figures(first=2019, last=2019)
    assert figures.table("forms-prefecture") is None and figures.left_out and not figures.public_centers
    assert figures.table(f"forms-{chigasaki.center}").table.entry(TOTAL, 2019).suppressed is False
