"""Statistics one tier up: a prefectural hub's snapshot of its cases by 年度 × form (organizations as
salted tokens), sent signed to the national hub, which shows regions and prefectures by form with
the suppression done again there — a figure hidden in one prefecture is not given back by its
region's total, and a cell about one organization in each of two prefectures stays hidden."""

from __future__ import annotations

import base64
import csv
import io
import itertools
import random

import httpx
import pytest
from django.contrib.auth import get_user_model
from django.core.management import CommandError, call_command

from hub.disclosure import SUPPRESSED, TOTAL, Reason
from hub.models import NationalStatisticsCell
from hub.selectors.national_statistics import _table, national_document, national_statistics
from hub.services import enrollment, national_statistics as services
from permissions.models import OrganizationKind, Role
from permissions.services import membership_grant, organization_create
from sync.client import HubClient
from sync.keys import NodeKeyPair
from sync.outbox import canonical_json
from sync.signing import new_key_pair, sign_request
from sync.wire import national_statistics as wire

from .test_case_library import case_entry, party, send_ok
from .test_receiver import HOST, FakeNode

YEAR = 2024
ITAKU, SUISHIN, GYOSEI = "itaku", "kyodo_suishin", "kyodo_suishin_gyosei"


class PrefecturalHub:
    """A prefectural hub enrolled at the national hub, signing with its own key."""

    def __init__(self, prefecture: str, check_digit: str):
        self.private_key, public_key = new_key_pair()
        self.node = enrollment.prefectural_hub_enroll(
            acting_user=None, name=f"{prefecture} ハブ", prefecture_code=f"{prefecture}000{check_digit}",
            public_key=base64.b64encode(public_key).decode())
        self.key = NodeKeyPair(self.node.keys.get().key_id, self.private_key, public_key)
        self.prefecture = prefecture
        self._tokens = itertools.count(1)

    def post(self, client, payload) -> object:
        body = canonical_json(payload)
        headers = sign_request(method="POST", url=f"{HOST}{wire.PATH}", body=body, key_id=self.key.key_id,
                               private_key=self.private_key)
        return client.generic("POST", wire.PATH, body, content_type="application/json",
                              **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in headers.items()})

    def organizations(self, n: int) -> list[str]:
        return [f"{next(self._tokens):016x}" for _ in range(n)]

    def snapshot(self, cells: list[tuple[int, str, int, list[str]]]) -> dict:
        return {"format": wire.FORMAT, "prefecture": self.prefecture, "generated_at": "2026-12-03T00:00:00+09:00",
                "cells": [{"year": year, "form": form, "cases": cases, "organizations": orgs}
                          for year, form, cases, orgs in cells]}

    def send(self, client, cells) -> None:
        response = self.post(client, self.snapshot(cells))
        assert response.status_code == 200, response.content


@pytest.fixture
def national(db, settings):
    settings.KYODO_HUB_LEVEL = "national"


@pytest.fixture
def kanagawa(national):
    return PrefecturalHub("14", "7")


@pytest.fixture
def tokyo(national):
    return PrefecturalHub("13", "1")


@pytest.fixture
def shizuoka(national):
    return PrefecturalHub("22", "1")


@pytest.fixture
def coordinator(db):
    organization = organization_create(acting_user=None, name="全国協働ネットワーク", kind=OrganizationKind.PREFECTURE,
                                       municipality_code="140007")
    user = get_user_model().objects.create_user("national-coordinator", password="x" * 12)
    membership_grant(acting_user=None, user=user, organization=organization, role=Role.COORDINATOR)
    return user


def _entries(table):
    """Every position as published: (row, col) → value or None."""
    return {(row, col): table.entry(row, col).value
            for row in (*table.row_keys, TOTAL) for col in (*table.col_keys, TOTAL)}


# --- the prefectural hub's side ---------------------------------------------------------------------


def test_a_snapshot_counts_cases_by_year_and_form_family_with_one_token_per_organization(db, client, settings):
    chigasaki = FakeNode("chigasaki", "142077")
    group = party()  # one group in three cases: one token wherever it appears
    entries = [chigasaki.profile()]
    entries += [case_entry(chigasaki, form=GYOSEI, fiscal_year_start=2023, fiscal_year_end=2024, outcome="continued",
                           parties=[group]),
                case_entry(chigasaki, form="kyodo_suishin_shimin", fiscal_year_start=2024, fiscal_year_end=2024,
                           outcome="ended", parties=[group, party()], reach="prefecture"),
                case_entry(chigasaki, form=ITAKU, fiscal_year_start=2024, fiscal_year_end=2024, outcome="ended",
                           parties=[group])]
    send_ok(chigasaki, client, entries)
    snapshot = services.statistics_snapshot(salt=b"s" * 32)
    assert wire.parse(snapshot) is snapshot and snapshot["prefecture"] == settings.KYODO_PREFECTURE_CODE
    cells = {(c["year"], c["form"]): c for c in snapshot["cells"]}
    # Both tracks of 協働推進事業 in its family; a 県内のみ case counts too (a count names no case).
    assert {key: c["cases"] for key, c in cells.items()} == {(2023, SUISHIN): 1, (2024, SUISHIN): 2, (2024, ITAKU): 1}
    assert len(cells[2024, SUISHIN]["organizations"]) == 2
    token = cells[2023, SUISHIN]["organizations"]
    assert token == cells[2024, ITAKU]["organizations"] and set(token) < set(cells[2024, SUISHIN]["organizations"])
    # Salted per snapshot: another snapshot's tokens link to nothing of this one's.
    again = services.statistics_snapshot()
    assert not set(token) & {t for c in again["cells"] for t in c["organizations"]}
    # Nothing of a case but its year and form: no titles, no refs, no centers.
    text = canonical_json(snapshot).decode()
    assert group["ref"] not in text and str(chigasaki.center) not in text and "title" not in text


def test_the_prefectural_hub_pushes_its_snapshot_signed_and_the_national_hub_keeps_it(db, client, settings):
    chigasaki = FakeNode("chigasaki", "142077")
    send_ok(chigasaki, client, [chigasaki.profile(), *(
        case_entry(chigasaki, form=ITAKU, fiscal_year_start=YEAR, fiscal_year_end=YEAR, outcome="ended",
                   parties=[party()]) for _ in range(4))])
    settings.KYODO_HUB_LEVEL = "national"  # one database plays both hubs: the counting reads cases only
    settings.KYODO_PARENT_HUB_URL = HOST
    kanagawa = PrefecturalHub("14", "7")

    def forward(request: httpx.Request) -> httpx.Response:
        answer = client.generic(request.method, request.url.raw_path.decode(), request.content,
                                content_type=request.headers["content-type"],
                                **{f"HTTP_{k.upper().replace('-', '_')}": v for k, v in request.headers.items()
                                   if k.lower() not in ("content-type", "content-length", "host")})
        return httpx.Response(answer.status_code, content=answer.content)

    hub_client = HubClient(base_url=HOST, key=kanagawa.key, transport=httpx.MockTransport(forward))
    assert services.statistics_push(client=hub_client) == 1
    cell = NationalStatisticsCell.objects.get()
    assert (cell.hub, cell.fiscal_year, cell.form, cell.cases, len(cell.organizations)) == (
        kanagawa.node, YEAR, ITAKU, 4, 4)


def test_without_a_national_hub_nothing_is_sent(db, settings):
    settings.KYODO_PARENT_HUB_URL = ""
    assert services.statistics_push() is None
    with pytest.raises(CommandError, match="no national hub"):
        call_command("hub_push_national_statistics")


# --- the national hub's side ------------------------------------------------------------------------


def test_the_national_hub_takes_snapshots_from_prefectural_hubs_only(kanagawa, client, settings):
    center = FakeNode("chigasaki", "142077")
    response = center.post(client, wire.PATH, canonical_json(kanagawa.snapshot([])), gzip_it=False)
    assert response.status_code == 403 and response.json()["error"]["code"] == "not_a_prefectural_hub"
    other = kanagawa.snapshot([(YEAR, ITAKU, 3, kanagawa.organizations(3))]) | {"prefecture": "22"}
    assert kanagawa.post(client, other).json()["error"]["code"] == "outside_partition"
    bad = kanagawa.snapshot([(YEAR, "no_such_form", 3, kanagawa.organizations(3))])
    assert kanagawa.post(client, bad).status_code == 400
    repeated = kanagawa.snapshot([(YEAR, ITAKU, 3, ["00000000000000aa"] * 3)])
    assert kanagawa.post(client, repeated).json()["error"]["code"] == "snapshot_invalid"
    assert not NationalStatisticsCell.objects.exists()
    settings.KYODO_HUB_LEVEL = "prefecture"
    assert kanagawa.post(client, kanagawa.snapshot([])).status_code == 409


def test_a_new_snapshot_replaces_the_last_one_whole(kanagawa, client):
    kanagawa.send(client, [(YEAR, ITAKU, 5, kanagawa.organizations(4)), (YEAR - 1, ITAKU, 3, kanagawa.organizations(3))])
    kanagawa.send(client, [(YEAR, ITAKU, 6, kanagawa.organizations(5))])  # a case retracted, one added
    assert list(NationalStatisticsCell.objects.values_list("fiscal_year", "cases")) == [(YEAR, 6)]


def test_figures_by_region_prefecture_and_form_for_an_example(kanagawa, tokyo, shizuoka, client):
    kanagawa.send(client, [(YEAR, ITAKU, 7, kanagawa.organizations(5)), (YEAR, SUISHIN, 4, kanagawa.organizations(3))])
    tokyo.send(client, [(YEAR, ITAKU, 10, tokyo.organizations(8)), (YEAR, SUISHIN, 6, tokyo.organizations(4))])
    shizuoka.send(client, [(YEAR, ITAKU, 3, shizuoka.organizations(3)), (YEAR, SUISHIN, 5, shizuoka.organizations(3)),
                           (YEAR - 1, ITAKU, 9, shizuoka.organizations(9))])
    stats = national_statistics()
    assert stats.year == YEAR and stats.years == [YEAR, YEAR - 1]
    table = stats.table.table
    # Regions with their prefectures beneath, in JIS order; columns the form families found.
    assert table.row_keys == ("kanto", "13", "14", "chubu", "22") and table.col_keys == (ITAKU, SUISHIN)
    assert table.suppressed == {}
    assert _entries(table) == {
        ("kanto", ITAKU): 17, ("kanto", SUISHIN): 10, ("kanto", TOTAL): 27,
        ("13", ITAKU): 10, ("13", SUISHIN): 6, ("13", TOTAL): 16,
        ("14", ITAKU): 7, ("14", SUISHIN): 4, ("14", TOTAL): 11,
        ("chubu", ITAKU): 3, ("chubu", SUISHIN): 5, ("chubu", TOTAL): 8,
        ("22", ITAKU): 3, ("22", SUISHIN): 5, ("22", TOTAL): 8,
        (TOTAL, ITAKU): 20, (TOTAL, SUISHIN): 15, (TOTAL, TOTAL): 35}
    labels = [row["label"] for row in stats.table.rows]
    assert labels == ["関東", "東京都", "神奈川県", "中部", "静岡県", "合計"]
    assert [p["name"] for p in stats.prefectures] == ["東京都", "神奈川県", "静岡県"]
    assert national_statistics(year=YEAR - 1).table.table.entry(TOTAL, TOTAL).value == 9


def test_a_figure_hidden_in_one_prefecture_cannot_be_had_back_from_the_totals(kanagawa, tokyo, shizuoka, client):
    # 東京都's 協働推進事業 is one group's; 神奈川県's, with three groups, is safe on its own — but 関東's
    # figure minus 神奈川県's would give 東京都's back, so one of them must go too.
    one_group = tokyo.organizations(1)
    kanagawa.send(client, [(YEAR, ITAKU, 9, kanagawa.organizations(6)), (YEAR, SUISHIN, 3, kanagawa.organizations(3))])
    tokyo.send(client, [(YEAR, ITAKU, 12, tokyo.organizations(7)), (YEAR, SUISHIN, 2, one_group)])
    shizuoka.send(client, [(YEAR, ITAKU, 8, shizuoka.organizations(5)), (YEAR, SUISHIN, 6, shizuoka.organizations(4))])
    stats = national_statistics()
    table = stats.table.table
    assert table.suppressed[("13", SUISHIN)] == Reason.FEW_ORGANIZATIONS
    published = _entries(table)
    assert published["13", SUISHIN] is None
    # The differencing attack: region minus the other prefectures, or the prefecture's row total minus
    # its other forms — each needs a figure that is not published.
    assert None in (published["kanto", SUISHIN], published["14", SUISHIN])
    assert None in (published["13", TOTAL], published["13", ITAKU])
    # And the exact audit over every published figure (zeros known, hidden ones at least 1): each
    # hidden figure can still take two values or more.
    intervals = table.intervals()
    assert set(intervals) == set(table.suppressed)
    assert all(interval.protects(1) for interval in intervals.values()), intervals
    # The page, the CSV and the API publish the same, and never a hidden value.
    document = national_document(stats)
    tokyo_row = next(row for row in document["rows"] if row["key"] == "13")
    assert tokyo_row["cells"][SUISHIN] == {"value": None, "suppressed": True}
    assert tokyo_row["region"] == "kanto" and tokyo_row["level"] == "prefecture"


def test_one_organization_in_each_of_two_prefectures_stays_hidden_in_their_region(kanagawa, tokyo, client):
    # Each prefecture's 協働推進事業 is about one group; 関東's, adding them, about two: still few.
    kanagawa.send(client, [(YEAR, ITAKU, 9, kanagawa.organizations(6)), (YEAR, SUISHIN, 4, kanagawa.organizations(1))])
    tokyo.send(client, [(YEAR, ITAKU, 12, tokyo.organizations(7)), (YEAR, SUISHIN, 5, tokyo.organizations(1))])
    table = national_statistics().table.table
    assert table.suppressed[("kanto", SUISHIN)] == Reason.FEW_ORGANIZATIONS
    assert table.suppressed[(TOTAL, SUISHIN)] == Reason.FEW_ORGANIZATIONS
    # Tokens of two prefectures never merge, even when the strings are equal.
    kanagawa.send(client, [(YEAR, ITAKU, 9, ["00000000000000aa"]), (YEAR, SUISHIN, 4, kanagawa.organizations(3))])
    tokyo.send(client, [(YEAR, ITAKU, 12, ["00000000000000aa"]), (YEAR, SUISHIN, 5, tokyo.organizations(3))])
    table = national_statistics().table.table
    assert table.suppressed[("kanto", ITAKU)] == Reason.FEW_ORGANIZATIONS and table.cell("kanto", ITAKU).organizations \
        and len(table.cell("kanto", ITAKU).organizations) == 2
    assert all(interval.protects(1) for interval in table.intervals().values())


def test_a_region_of_one_prefecture_hides_with_it(national, client):
    hokkaido = PrefecturalHub("01", "6")
    kanagawa = PrefecturalHub("14", "7")
    hokkaido.send(client, [(YEAR, ITAKU, 2, hokkaido.organizations(2)), (YEAR, SUISHIN, 7, hokkaido.organizations(5))])
    kanagawa.send(client, [(YEAR, ITAKU, 9, kanagawa.organizations(6)), (YEAR, SUISHIN, 4, kanagawa.organizations(3))])
    table = national_statistics().table.table
    published = _entries(table)
    assert published["hokkaido", ITAKU] is None and published["01", ITAKU] is None
    assert all(interval.protects(1) for interval in table.intervals().values())


def test_the_page_csv_and_api_for_national_coordinators(kanagawa, tokyo, coordinator, client, settings):
    kanagawa.send(client, [(YEAR, ITAKU, 9, kanagawa.organizations(6)), (YEAR, SUISHIN, 3, kanagawa.organizations(3))])
    tokyo.send(client, [(YEAR, ITAKU, 12, tokyo.organizations(7)), (YEAR, SUISHIN, 2, tokyo.organizations(1))])
    client.force_login(coordinator)
    page = client.get("/national/statistics/")
    assert page.status_code == 200
    text = page.content.decode()
    assert 'id="stat-national"' in text and "<svg" in text and "神奈川県" in text and SUPPRESSED in text
    assert 'id="link-national-statistics"' in client.get("/statistics/").content.decode()
    rows = list(csv.reader(io.StringIO(client.get("/national/statistics.csv", {"year": YEAR}).content.decode()
                                        .lstrip("\ufeff"))))
    assert rows[0][0] == "地方・都道府県" and any(SUPPRESSED in row for row in rows)
    answer = client.get("/api/v1/national/statistics/", {"year": YEAR})
    assert answer.status_code == 200
    document = answer.json()
    assert document["fiscal_year"] == YEAR and [c["key"] for c in document["columns"]] == [ITAKU, SUISHIN]
    values = [cell["value"] for row in document["rows"] for cell in (*row["cells"].values(), row["total"])]
    assert 2 not in values  # 東京都's one-group figure
    assert client.get("/api/v1/national/statistics/", {"year": 1999}).status_code == 404
    settings.KYODO_HUB_LEVEL = "prefecture"
    assert client.get("/national/statistics/").status_code == 404
    assert client.get("/api/v1/national/statistics/").json()["error"]["code"] == "not_national"


@pytest.mark.parametrize("seed", range(6))
def test_no_hidden_figure_is_given_back_in_random_tables_of_three_prefectures(seed):
    rng = random.Random(seed)
    cells = []
    for hub_id, code in enumerate(("13", "14", "22")):
        for form in (ITAKU, SUISHIN, "hojo"):
            cases = rng.choice([0, 1, 2, 3, 4, 6, 9])
            if cases:
                organizations = [f"{hub_id:02d}{form[:4]}{i:010d}"[:16] for i in range(rng.randint(1, cases))]
                cells.append((hub_id, f"{code}0000", form, cases, organizations))
    table = _table({"13", "14", "22"}, cells).table
    for (row, col), reason in table.suppressed.items():
        assert table.entry(row, col).value is None, (row, col, reason)
    assert all(interval.protects(1) for interval in table.intervals().values()), (seed, table.suppressed)
    # Every figure about one or two organizations is hidden, whatever the prefecture or region.
    for row in (*table.row_keys, TOTAL):
        for col in (*table.col_keys, TOTAL):
            if 1 <= len(table.cell(row, col).organizations) <= 2:
                assert table.entry(row, col).suppressed, (seed, row, col)
