"""Statistics over shared cases: seed 001's tables reproduced with small cells suppressed so that
no total gives them back (on the page and in the CSV), continuation rates, filters and exports."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from django.contrib.auth import get_user_model

from hub.disclosure import SUPPRESSED, TOTAL, Reason
from hub.disclosure_audit import audit
from hub.models import SharedCase
from hub.selectors.library import case_years
from hub.selectors.statistics import case_organizations, case_statistics
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create

from .test_case_library import case_entry, party, send_ok
from .test_receiver import FakeNode

YEARS = list(range(2013, 2021))
# Seed 001 p.10, "非営利組織等との協働" by form over 8 years, scaled down to a size a test can send;
# the first year of 協働推進事業 keeps the seed's 2, both cases of one group.
# Rows in the order of the forms' choices (as the page and the CSV list them).
SEED_TABLE = {
    "itaku": [5, 8, 7, 7, 7, 6, 5, 5],
    "kyosai": [3, 5, 7, 7, 7, 6, 7, 6],
    "jikko_iinkai": [3, 4, 4, 4, 4, 5, 5, 5],
    "jigyo_kyoryoku": [8, 7, 9, 12, 12, 13, 16, 16],
    "shitei_kanri": [3, 3, 3, 3, 4, 4, 4, 4],
    "kyodo_suishin_gyosei": [2, 4, 9, 5, 6, 7, 12, 7],
}
SENSITIVE_FORM, SENSITIVE_YEAR = "kyodo_suishin_gyosei", 2013
GYOSEI = ("kyodo_suishin", "kyodo_suishin_gyosei")
# 協働推進事業 is one row, its track a sub-row beneath it; both hold the first year's two projects.
SEED_ROWS = {**{form: counts for form, counts in SEED_TABLE.items() if form != "kyodo_suishin_gyosei"},
             "kyodo_suishin": SEED_TABLE["kyodo_suishin_gyosei"], GYOSEI: SEED_TABLE["kyodo_suishin_gyosei"]}
SENSITIVE = {("kyodo_suishin", SENSITIVE_YEAR), (GYOSEI, SENSITIVE_YEAR)}
ONE_GROUP = "00000000000000aa"


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


def single_year_case(node, form, year, *, lead_ref=None, outcome="ended", fields=(7,)):
    return case_entry(node, form=form, fiscal_year_start=year, fiscal_year_end=year, outcome=outcome,
                      fields=list(fields), title=f"{form} {year}",
                      parties=[party(ref=lead_ref), party(kind="city_department", role="government", fields=(),
                                                          size_band=None)])


@pytest.fixture
def seed_table(chigasaki, client):
    entries = [chigasaki.profile()]
    for form, counts in SEED_TABLE.items():
        for year, count in zip(YEARS, counts, strict=True):
            for n in range(count):
                lead = ONE_GROUP if (form, year) == (SENSITIVE_FORM, SENSITIVE_YEAR) else None
                entries.append(single_year_case(chigasaki, form, year, lead_ref=lead, fields=(7 if n % 2 else 13,)))
    send_ok(chigasaki, client, entries)
    return chigasaki


def csv_of(response) -> list[list[str]]:
    body = response.content.decode("utf-8")
    assert body.startswith("\ufeff")  # Excel needs the BOM to read UTF-8
    return list(csv.reader(io.StringIO(body[1:])))


def test_seed_table_is_reproduced_with_the_small_cell_suppressed_and_protected(seed_table):
    stats = case_statistics(first=2013, last=2020)
    table = stats.table("forms").table
    assert table.row_keys == tuple(SEED_ROWS) and table.col_keys == tuple(YEARS)
    assert table.subrows == {"kyodo_suishin": (GYOSEI,)}
    assert [[table.cell(row, year).value for year in YEARS] for row in SEED_ROWS] == list(SEED_ROWS.values())
    assert all(table.suppressed[key] is Reason.FEW_ORGANIZATIONS for key in SENSITIVE)
    # The other cells of the seed are about three or more groups each: only complements join them.
    assert {reason for key, reason in table.suppressed.items() if key not in SENSITIVE} == {Reason.COMPLEMENT}
    # Nobody holding every published figure (and knowing zeros are never hidden, and that the
    # sub-row adds up to its row) can pin it down.
    intervals = table.intervals()
    assert all(interval.width is None or interval.width >= 1 for interval in intervals.values())
    assert all(intervals[key].low <= 2 < (intervals[key].high or 10**9) for key in SENSITIVE)
    # Row and column totals of the lines it sits in stay published, as in the seed.
    assert table.entry(TOTAL, TOTAL).value == sum(map(sum, SEED_TABLE.values()))
    assert table.entry(TOTAL, 2013).value == 24


def test_the_page_and_the_csv_show_one_symbol_and_cannot_be_inverted(seed_table, coordinator, client):
    client.force_login(coordinator)
    query = {"year_from": "2013", "year_to": "2020"}
    page = client.get("/statistics/", query).content.decode()
    section = page[page.index('id="stat-forms"'):page.index('id="stat-fields"')]
    table = case_statistics(first=2013, last=2020, only="forms").table("forms").table
    hidden_cells = re.findall(r'<td class="suppressed"[^>]*>([^<]*)</td>', section)
    assert hidden_cells == [SUPPRESSED] * len(table.suppressed)
    # Primary and complementary cells look the same; only the general footnote is given.
    assert len(set(re.findall(r'<td class="suppressed"[^>]*>', section))) == 1
    for reason in Reason:
        assert reason.label not in page
    assert "2013年度" in section and "平成25年度" in section and "協働推進事業" in section and "行政提案型" in section
    assert '<svg class="chart"' in section

    rows = csv_of(client.get("/statistics/forms.csv", query))
    assert rows[0] == ["協働の形態", *[f"{y}年度（{w}年度）" for y, w in zip(
        YEARS, ["平成25", "平成26", "平成27", "平成28", "平成29", "平成30", "令和元", "令和2"], strict=True)], "合計"]
    by_label = {row[0]: row[1:] for row in rows[1:9]}
    assert by_label["協働推進事業"][0] == SUPPRESSED and by_label["\u3000行政提案型"][0] == SUPPRESSED
    assert any("秘匿" in cell for row in rows[9:] for cell in row)  # the footnote
    assert ["注：字下げした行は上の行の内訳です（合計には含みません）。"] in rows
    # Rebuild what a reader of the CSV knows and audit it independently of the page.
    labels = ["委託（協働委託）", "共催", "実行委員会", "事業協力", "指定管理者", "協働推進事業", "\u3000行政提案型", "合計"]
    assert [row[0] for row in rows[1:9]] == labels
    truth = table.values
    hidden = set()
    for i, label in enumerate(labels):
        for j, text in enumerate(by_label[label]):
            if text == SUPPRESSED:
                hidden.add((i, j))
            else:
                assert int(text) == truth[i][j]  # every published figure is the true one
    assert hidden and {(5, 0), (6, 0)} <= hidden
    for position, interval in audit(truth, hidden, lower=1, subrows={5: (6,)}).items():
        assert interval.high is None or interval.high > interval.low, position


def test_continuation_rates_of_seed_001(chigasaki, coordinator, client):
    """Seed 001's "22 projects: 29% / 71%" only fits 9 of 31 continued and 22 of 31 ended."""
    entries = [chigasaki.profile()]
    entries += [single_year_case(chigasaki, "kyodo_suishin_shimin", 2015 + n % 5, outcome="continued") for n in range(9)]
    entries += [single_year_case(chigasaki, "kyodo_suishin_gyosei", 2015 + n % 5, outcome="ended") for n in range(22)]
    entries += [single_year_case(chigasaki, "kyosai", 2019, outcome="ongoing") for _ in range(4)]  # not decided yet
    send_ok(chigasaki, client, entries)
    rates = case_statistics(first=2013, last=2020).rates
    assert [(s.label, s.count.value, str(s.percent)) for s in rates.shares] == [
        ("継続", 9, "29.0"), ("予算縮小", 0, "0.0"), ("事業縮小", 0, "0.0"), ("縮小（区分なし）", 0, "0.0"),
        ("終了", 22, "71.0")]
    assert rates.total.value == 31

    client.force_login(coordinator)
    page = client.get("/statistics/", {"year_from": "2013", "year_to": "2020"}).content.decode()
    assert "継続: 9件（29.0%）" in page and "終了: 22件（71.0%）" in page and "合計: 31件" in page
    rows = csv_of(client.get("/statistics/continuation.csv", {"year_from": "2013", "year_to": "2020"}))
    assert rows[0] == ["協働の形態", "継続", "予算縮小", "事業縮小", "縮小（区分なし）", "終了", "合計"]
    # By form family, 協働推進事業's tracks beneath it; the whole is the last row.
    assert rows[1:5] == [["協働推進事業", "9", "0", "0", "0", "22", "31"],
                         ["\u3000行政提案型", "0", "0", "0", "0", "22", "22"],
                         ["\u3000市民提案型", "9", "0", "0", "0", "0", "9"],
                         ["全体", "9", "0", "0", "0", "22", "31"]]
    assert ["割合", "29.0%", "0.0%", "0.0%", "0.0%", "71.0%", "100%"] in rows


def test_a_small_outcome_is_suppressed_with_its_percentage(chigasaki, coordinator, client):
    entries = [chigasaki.profile()]
    entries += [single_year_case(chigasaki, "itaku", 2019, outcome="continued") for _ in range(5)]
    entries += [single_year_case(chigasaki, "itaku", 2019, outcome="ended") for _ in range(6)]
    entries += [single_year_case(chigasaki, "itaku", 2019, outcome="reduced", lead_ref=ONE_GROUP)]
    send_ok(chigasaki, client, entries)
    rates = case_statistics(first=2019, last=2019).rates
    reduced = next(s for s in rates.shares if s.outcome == "reduced")
    assert reduced.count.suppressed and reduced.percent is None
    # One other outcome goes with it, or the total would give it back.
    assert sum(s.count.suppressed for s in rates.shares) == 2 and rates.total.value == 12
    client.force_login(coordinator)
    rows = csv_of(client.get("/statistics/continuation.csv", {"year_from": "2019", "year_to": "2019"}))
    shares = next(row for row in rows if row and row[0] == "割合")
    assert shares.count(SUPPRESSED) == 2 and "8.3%" not in shares


def test_organizations_are_the_non_government_parties(chigasaki, client):
    # Three cases of one group with three different city departments: still one organization.
    entries = [chigasaki.profile()]
    for _ in range(3):
        entries.append(case_entry(chigasaki, form="hojo", fiscal_year_start=2018, fiscal_year_end=2018, parties=[
            party(ref=ONE_GROUP), party(kind="city_department", role="government", fields=(), size_band=None),
            party(kind="city_department", role="partner", fields=(), size_band=None),
            party(kind="center", role="coordinator", fields=(), size_band=None)]))
    # A case between the city and the center only still counts as being about someone.
    entries.append(case_entry(chigasaki, form="hojo", fiscal_year_start=2018, fiscal_year_end=2018, parties=[
        party(kind="city_department", role="government", fields=(), size_band=None)]))
    send_ok(chigasaki, client, entries)
    table = case_statistics(first=2018, last=2018, only="forms").table("forms").table
    assert len(table.cell("hojo", 2018).organizations) == 2
    assert table.suppressed["hojo", 2018] is Reason.FEW_ORGANIZATIONS
    # Refs are pseudonyms per node: the same ref from another node is another organization.
    case = SharedCase.objects.first()
    assert case_organizations(1, case.entity_uuid, case.parties) != case_organizations(
        2, case.entity_uuid, case.parties)


def test_fields_and_centers_tables_filters_and_csv(seed_table, coordinator, client):
    odawara = FakeNode("odawara", "142069")
    entries = [odawara.profile()] + [single_year_case(odawara, "kyosai", 2016) for _ in range(4)]
    send_ok(odawara, client, entries)
    stats = case_statistics(first=2013, last=2020)
    centers = stats.table("centers").table
    assert sorted(entry.value for entry in (row.total for row in centers.rows)) == [4, 305]
    fields = stats.table("fields").table
    assert {key: fields.cell(key, "件数").value for key in fields.row_keys} == {7: 139 + 4, 13: 166}

    client.force_login(coordinator)
    center = seed_table.center
    only_odawara = {"center": str(odawara.center), "year_from": "2013", "year_to": "2020"}
    page = client.get("/statistics/", only_odawara).content.decode()
    assert "対象の事例 4件" in page and "odawaraセンター" in page
    rows = csv_of(client.get("/statistics/centers.csv", {"year_from": "2013", "year_to": "2020"}))
    assert rows[0] == ["センター", "件数"] and ["chigasakiセンター", "305"] in rows and ["合計", "309"] in rows
    rows = csv_of(client.get("/statistics/fields.csv", {"center": str(center), "year_from": "2016", "year_to": "2016"}))
    assert rows[0] == ["活動分野", "件数"] and ["7 環境保全", "17"] in rows and ["13 子どもの健全育成", "21"] in rows
    response = client.get("/statistics/forms.csv", {"year_from": "2016", "year_to": "2016"})
    assert response["Content-Disposition"] == 'attachment; filename="kyodo-forms-2016-2016.csv"'
    assert ["合計", "42", "42"] in csv_of(response)
    assert client.get("/statistics/nothing.csv").status_code == 404


def test_bad_statistics_filters_are_explained(seed_table, coordinator, client):
    client.force_login(coordinator)
    response = client.get("/statistics/", {"year_from": "2020", "year_to": "2013"})
    assert response.status_code == 400 and "終了年度は開始年度以降にしてください。" in response.content.decode()
    response = client.get("/statistics/", {"year_from": "2000", "year_to": "2020"})
    assert response.status_code == 400 and "一度に集計できるのは12年度までです。" in response.content.decode()
    assert client.get("/statistics/forms.csv", {"center": "nope"}).status_code == 400
    # Without a range, the eight 年度 ending with the latest that has cases.
    page = client.get("/statistics/").content.decode()
    assert "2013年度（平成25年度）〜2020年度（令和2年度）" in page


def test_a_case_counts_in_each_of_its_years(chigasaki, client):
    send_ok(chigasaki, client, [chigasaki.profile(), case_entry(
        chigasaki, form="itaku", fiscal_year_start=2016, fiscal_year_end=2017, entity_uuid=uuid.uuid4())])
    table = case_statistics(first=2015, last=2018, only="forms").table("forms").table
    assert [table.cell("itaku", year).value for year in range(2015, 2019)] == [0, 1, 1, 0]
    assert list(case_years(2019, None, "ongoing", today_fy=2022)) == [2019, 2020, 2021, 2022]
    assert list(case_years(2019, None, "ended", today_fy=2022)) == [2019]


def test_kyodo_suishin_is_one_row_with_its_tracks_beneath(chigasaki, coordinator, client):
    entries = [chigasaki.profile()]
    entries += [single_year_case(chigasaki, "kyodo_suishin_gyosei", 2018) for _ in range(3)]
    entries += [single_year_case(chigasaki, "kyodo_suishin_shimin", 2018) for _ in range(4)]
    entries += [single_year_case(chigasaki, "kyodo_suishin", 2019) for _ in range(5)]  # track not known
    entries += [single_year_case(chigasaki, "kyodo_suishin_shimin", 2019, lead_ref=ONE_GROUP)]
    entries += [single_year_case(chigasaki, "kyosai", year) for year in (2018, 2019) for _ in range(4)]
    send_ok(chigasaki, client, entries)
    table = case_statistics(first=2018, last=2019, only="forms").table("forms").table
    shimin, unknown = ("kyodo_suishin", "kyodo_suishin_shimin"), ("kyodo_suishin", "kyodo_suishin")
    assert table.row_keys == ("kyosai", "kyodo_suishin", GYOSEI, shimin, unknown)
    assert [table.cell("kyodo_suishin", year).value for year in (2018, 2019)] == [7, 6]
    assert [table.cell(row, 2019).value for row in (GYOSEI, shimin, unknown)] == [0, 1, 5]
    # The totals count 協働推進事業 once, not again through its tracks.
    assert table.cell(TOTAL, 2019).value == 10 and table.cell(TOTAL, TOTAL).value == 21
    # One group's project of 2019 is hidden in its sub-row, and nothing published gives it back.
    assert table.suppressed[shimin, 2019] is Reason.FEW_ORGANIZATIONS
    assert all(interval.protects(1) for interval in table.intervals().values())

    client.force_login(coordinator)
    query = {"year_from": "2018", "year_to": "2019"}
    page = client.get("/statistics/", query).content.decode()
    section = page[page.index('id="stat-forms"'):page.index('id="stat-fields"')]
    labels = re.findall(r'<tr( class="subrow")?[^>]*><th scope="row"[^>]*>([^<]*)</th>', section)
    assert labels == [("", "共催"), ("", "協働推進事業"), (' class="subrow"', "行政提案型"),
                      (' class="subrow"', "市民提案型"), (' class="subrow"', "区分なし"), ("", "合計")]
    assert "字下げした行は上の行の内訳です" in section
    # The chart draws the tracks as lighter bars under the row.
    bars = re.findall(r'<rect class="bar( alt)?"', section)
    assert bars == ["", "", " alt", " alt", " alt"]

    rows = csv_of(client.get("/statistics/forms.csv", query))
    assert [row[0] for row in rows[1:7]] == ["共催", "協働推進事業", "\u3000行政提案型", "\u3000市民提案型",
                                             "\u3000区分なし", "合計"]
    by_label = {row[0]: row[1:] for row in rows[1:7]}
    assert by_label["\u3000市民提案型"][1] == SUPPRESSED
    # What a reader of the CSV holds, audited with the sub-rows adding up to their row.
    truth, hidden = table.values, set()
    for i, row in enumerate(rows[1:7]):
        hidden |= {(i, j) for j, text in enumerate(row[1:]) if text == SUPPRESSED}
        assert all(int(text) == truth[i][j] for j, text in enumerate(row[1:]) if text != SUPPRESSED)
    assert (3, 1) in hidden
    assert all(interval.protects(1) for interval in audit(truth, hidden, lower=1, subrows={1: (2, 3, 4)}).values())


@pytest.fixture
def outcomes(chigasaki, client):
    entries = [chigasaki.profile()]
    for form, outcome, count in [("kyodo_suishin_gyosei", "continued", 4), ("kyodo_suishin_gyosei", "budget_reduced", 3),
                                 ("kyodo_suishin_shimin", "scope_reduced", 3), ("kyodo_suishin_shimin", "ended", 5),
                                 ("kyodo_suishin", "reduced", 3), ("itaku", "ended", 6), ("itaku", "continued", 4),
                                 ("itaku", "ongoing", 2)]:
        entries += [single_year_case(chigasaki, form, 2017 + n % 3, outcome=outcome) for n in range(count)]
    send_ok(chigasaki, client, entries)
    return chigasaki


def test_continuation_is_filtered_by_form_and_by_track(outcomes, coordinator, client):
    client.force_login(coordinator)
    query = {"year_from": "2017", "year_to": "2019"}
    page = client.get("/statistics/", query).content.decode()
    assert "継続: 8件（28.6%）" in page and "合計: 28件" in page  # 実施中 is not counted
    rows = csv_of(client.get("/statistics/continuation.csv", query))
    assert rows[0] == ["協働の形態", "継続", "予算縮小", "事業縮小", "縮小（区分なし）", "終了", "合計"]
    assert rows[1:7] == [["委託（協働委託）", "4", "0", "0", "0", "6", "10"],
                         ["協働推進事業", "4", "3", "3", "3", "5", "18"],
                         ["\u3000行政提案型", "4", "3", "0", "0", "0", "7"],
                         ["\u3000市民提案型", "0", "0", "3", "0", "5", "8"],
                         ["\u3000区分なし", "0", "0", "0", "3", "0", "3"],
                         ["全体", "8", "3", "3", "3", "11", "28"]]
    assert rows[7] == ["割合", "28.6%", "10.7%", "10.7%", "10.7%", "39.3%", "100%"]

    family = {**query, "form": "kyodo_suishin"}
    page = client.get("/statistics/", family).content.decode()
    assert "協働推進事業の事例" in page
    assert "継続: 4件（22.2%）" in page and "予算縮小: 3件（16.7%）" in page and "事業縮小: 3件（16.7%）" in page
    assert "縮小（区分なし）: 3件（16.7%）" in page and "終了: 5件（27.8%）" in page and "合計: 18件" in page
    rows = csv_of(client.get("/statistics/continuation.csv", family))
    assert [row[0] for row in rows[1:5]] == ["協働推進事業", "\u3000行政提案型", "\u3000市民提案型", "\u3000区分なし"]
    assert rows[5] == ["割合（協働推進事業）", "22.2%", "16.7%", "16.7%", "16.7%", "27.8%", "100%"]
    assert not any(row and row[0] in ("全体", "委託（協働委託）") for row in rows)

    track = {**query, "track": "gyosei"}
    page = client.get("/statistics/", track).content.decode()
    assert "協働推進事業（行政提案型）の事例" in page
    assert "継続: 4件（57.1%）" in page and "予算縮小: 3件（42.9%）" in page and "合計: 7件" in page
    rows = csv_of(client.get("/statistics/continuation.csv", track))
    assert rows[1] == ["\u3000行政提案型", "4", "3", "0", "0", "0", "7"]
    assert rows[2] == ["割合（協働推進事業（行政提案型））", "57.1%", "42.9%", "0.0%", "0.0%", "0.0%", "100%"]
    rows = csv_of(client.get("/statistics/continuation.csv", {**query, "track": "none", "form": "kyodo_suishin"}))
    assert rows[1] == ["\u3000区分なし", "0", "0", "0", "3", "0", "3"]

    rows = csv_of(client.get("/statistics/continuation.csv", {**query, "form": "itaku"}))
    assert rows[1] == ["委託（協働委託）", "4", "0", "0", "0", "6", "10"]
    # A form without cases is a row of zeros, not an error.
    page = client.get("/statistics/", {**query, "form": "koen"}).content.decode()
    assert "後援の事例" in page and "継続: 0件" in page


def test_a_track_filter_needs_the_programme(outcomes, coordinator, client):
    client.force_login(coordinator)
    response = client.get("/statistics/", {"form": "itaku", "track": "shimin"})
    assert response.status_code == 400 and "区分は協働推進事業にだけあります。" in response.content.decode()
    assert client.get("/statistics/continuation.csv", {"track": "nope"}).status_code == 400


def test_filtered_continuation_rows_come_from_one_suppressed_table(outcomes, client):
    # One group's budget cut: hidden in its track, its row and the whole, whichever row is asked for.
    send_ok(outcomes, client, [single_year_case(outcomes, "kyodo_suishin_shimin", 2018, outcome="budget_reduced",
                                                lead_ref=ONE_GROUP)])
    whole = case_statistics(first=2017, last=2019, only="continuation")
    by_track = case_statistics(first=2017, last=2019, only="continuation", track_form="kyodo_suishin_shimin")
    assert whole.rates.table.suppressed == by_track.rates.table.suppressed
    shimin = ("kyodo_suishin", "kyodo_suishin_shimin")
    assert by_track.rates.table.entry(shimin, "budget_reduced").suppressed
    assert all(interval.protects(1) for interval in whole.rates.table.intervals().values())
