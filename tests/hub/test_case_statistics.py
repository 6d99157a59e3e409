"""Statistics over shared cases: seed 001's tables reproduced with small cells suppressed so that
no total gives them back (on the page and in the CSV), continuation rates, filters and exports."""

from __future__ import annotations

import csv
import io
import re
import uuid

import pytest
from django.contrib.auth import get_user_model

from hub.disclosure import SUPPRESSED, TOTAL, Reason, audit
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
SENSITIVE = ("kyodo_suishin_gyosei", 2013)
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
                lead = ONE_GROUP if (form, year) == SENSITIVE else None
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
    assert table.row_keys == tuple(SEED_TABLE) and table.col_keys == tuple(YEARS)
    assert [[table.cell(form, year).value for year in YEARS] for form in SEED_TABLE] == list(SEED_TABLE.values())
    assert table.suppressed[SENSITIVE] is Reason.FEW_ORGANIZATIONS
    # The other cells of the seed are about three or more groups each: only complements join it.
    assert {reason for key, reason in table.suppressed.items() if key != SENSITIVE} == {Reason.COMPLEMENT}
    # Nobody holding every published figure (and knowing zeros are never hidden) can pin it down.
    intervals = table.intervals()
    assert all(interval.width is None or interval.width >= 1 for interval in intervals.values())
    assert intervals[SENSITIVE].low <= 2 < (intervals[SENSITIVE].high or 10**9)
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
    assert "2013年度" in section and "平成25年度" in section and "協働推進事業（行政提案型）" in section
    assert '<svg class="chart"' in section

    rows = csv_of(client.get("/statistics/forms.csv", query))
    assert rows[0] == ["協働の形態", *[f"{y}年度（{w}年度）" for y, w in zip(
        YEARS, ["平成25", "平成26", "平成27", "平成28", "平成29", "平成30", "令和元", "令和2"], strict=True)], "合計"]
    by_label = {row[0]: row[1:] for row in rows[1:8]}
    assert by_label["協働推進事業（行政提案型）"][0] == SUPPRESSED
    assert any("秘匿" in cell for row in rows[8:] for cell in row)  # the footnote
    # Rebuild what a reader of the CSV knows and audit it independently of the page.
    labels = ["委託（協働委託）", "共催", "実行委員会", "事業協力", "指定管理者", "協働推進事業（行政提案型）", "合計"]
    assert [row[0] for row in rows[1:8]] == labels
    truth = table.values
    hidden = set()
    for i, label in enumerate(labels):
        for j, text in enumerate(by_label[label]):
            if text == SUPPRESSED:
                hidden.add((i, j))
            else:
                assert int(text) == truth[i][j]  # every published figure is the true one
    assert hidden and (5, 0) in hidden
    for position, interval in audit(truth, hidden, lower=1).items():
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
    assert rows[0] == ["", "継続", "予算縮小", "事業縮小", "縮小（区分なし）", "終了", "合計"]
    assert ["全体", "9", "0", "0", "0", "22", "31"] in rows
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
    assert csv_of(response)[-2] == ["合計", "42", "42"]
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
