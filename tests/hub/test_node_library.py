"""The shared library read from a node (事例ライブラリ（県）), the hub's side: signed endpoints for
case search, one case, statistics and the directory that answer what a coordinator's pages show
(no more), refuse bad filters with a code, and count each read for the reading center."""

from __future__ import annotations

import csv
import io
from urllib.parse import urlencode

import pytest
from django.contrib.auth import get_user_model

from hub.models import LibraryRead, SharedCase
from hub.selectors.library import case_library
from permissions.models import AuditEvent, OrganizationKind, Role
from permissions.services import membership_grant, organization_create

from .payloads import party
from .test_case_library import CATS, case_entry, cats_parties, send_ok
from .test_receiver import FakeNode

ROW_KEYS = {"uuid", "title", "level", "form", "fields", "fiscal_year_start", "fiscal_year_end", "outcome", "center"}
CASE_KEYS = ROW_KEYS | {"summary", "lessons", "total_cost", "city_share", "published_month", "parties"}
PARTY_KEYS = {"name", "kind", "role", "fields", "size_band", "contribution"}


@pytest.fixture
def chigasaki(db):
    return FakeNode("chigasaki", "142077")


@pytest.fixture
def odawara(db, client):
    node = FakeNode("odawara", "142069")
    send_ok(node, client, [node.profile()])
    return node


@pytest.fixture
def shared(chigasaki, client):
    """Chigasaki's cats case (anonymized) and a named one."""
    named = [party(name="小田原ネコ友の会", contribution="譲渡会の運営"),
             party(kind="city_department", role="government", name="環境保全課", fields=(), size_band=None)]
    send_ok(chigasaki, client, [chigasaki.profile(), case_entry(chigasaki, **CATS, parties=cats_parties()),
                                case_entry(chigasaki, level="named", title="譲渡会の共催", fiscal_year_start=2016,
                                           fiscal_year_end=2017, parties=named)])
    return {case.title: case for case in SharedCase.objects.all()}


@pytest.fixture
def coordinator(db):
    prefecture = organization_create(acting_user=None, name="神奈川県", kind=OrganizationKind.PREFECTURE,
                                     municipality_code="140007")
    user = get_user_model().objects.create_user("coordinator", password="x" * 12)
    membership_grant(acting_user=None, user=user, organization=prefecture, role=Role.COORDINATOR)
    return user


def ask(node: FakeNode, client, path: str, **params):
    return node.get(client, f"{path}?{urlencode({'reader': str(node.center), **params})}")


def reads(node: FakeNode) -> dict[str, int]:
    return dict(LibraryRead.objects.filter(center__center_uuid=node.center).values_list("kind", "count"))


@pytest.mark.parametrize("path", ["/sync/v1/library/cases", "/sync/v1/library/statistics",
                                  "/sync/v1/library/directory",
                                  "/sync/v1/library/cases/6f1c1d4e-0000-4000-8000-000000000000"])
def test_every_endpoint_needs_a_signature(client, odawara, path):
    response = client.get(f"{path}?reader={odawara.center}")
    assert response.status_code == 401
    assert not LibraryRead.objects.exists()


def test_the_reader_must_be_a_center_of_the_signing_node(client, odawara, chigasaki, shared):
    response = odawara.get(client, "/sync/v1/library/cases")
    assert response.status_code == 400 and response.json()["error"]["code"] == "reader_required"
    response = odawara.get(client, f"/sync/v1/library/cases?reader={chigasaki.center}")
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"
    assert not LibraryRead.objects.exists()


def test_search_counts_up_to_the_cap_and_says_so(client, odawara, shared, settings):
    settings.KYODO_SEARCH_COUNT_CAP = 1
    answer = ask(odawara, client, "/sync/v1/library/cases").json()
    assert (answer["count"], answer["count_capped"], answer["num_pages"], len(answer["cases"])) == (1, True, 1, 1)
    assert ask(odawara, client, "/sync/v1/library/cases", q="猫").json()["count_capped"] is False


def test_search_answers_the_library_pages_rows_with_its_filters_and_counts_the_search(client, odawara, shared):
    response = ask(odawara, client, "/sync/v1/library/cases")
    assert response.status_code == 200, response.content
    answer = response.json()
    assert (answer["count"], answer["page"], answer["num_pages"], answer["per_page"]) == (2, 1, 1, 30)
    assert answer["count_capped"] is False
    assert [row["uuid"] for row in answer["cases"]] == [str(c.entity_uuid) for c in case_library()]
    cats = next(row for row in answer["cases"] if row["title"] == CATS["title"])
    assert set(cats) == ROW_KEYS
    assert cats == {"uuid": cats["uuid"], "title": CATS["title"], "level": "anonymized", "form": CATS["form"],
                    "fields": [1, 7], "fiscal_year_start": 2014, "fiscal_year_end": 2014, "outcome": "continued",
                    "center": {"uuid": str(shared[CATS["title"]].center.center_uuid), "name": "chigasakiセンター",
                               "municipality_name": cats["center"]["municipality_name"]}}
    assert {c["name"] for c in answer["centers"]} == {"chigasakiセンター", "odawaraセンター"}
    # The same filters as the library page.
    assert [r["title"] for r in ask(odawara, client, "/sync/v1/library/cases", q="共催").json()["cases"]] == [
        "譲渡会の共催"]
    assert [r["title"] for r in ask(odawara, client, "/sync/v1/library/cases", level="named",
                                    fiscal_year="2017").json()["cases"]] == ["譲渡会の共催"]
    assert ask(odawara, client, "/sync/v1/library/cases", field="3").json()["cases"] == []
    assert reads(odawara) == {"search": 4}


@pytest.mark.parametrize(("params", "code", "fields"), [
    ({"form": "kyoryoku"}, "invalid_filter", {"form": ["invalid_choice"]}),
    ({"fiscal_year": "3000"}, "invalid_filter", {"fiscal_year": ["max_value"]}),
    ({"field": "x"}, "invalid_filter", {"field": ["invalid_choice"]}),
    ({"center": "not-a-uuid"}, "invalid_filter", {"center": ["invalid"]}),
    ({"page": "x"}, "invalid_page", None),
    ({"page": "0"}, "invalid_page", None),
])
def test_bad_search_parameters_are_refused_with_a_code_and_not_counted(client, odawara, shared, params, code, fields):
    response = ask(odawara, client, "/sync/v1/library/cases", **params)
    assert response.status_code == 400
    error = response.json()["error"]
    assert error["code"] == code and error.get("fields") == fields
    assert not LibraryRead.objects.exists()


def test_a_case_reads_as_its_page_names_only_on_a_named_case_and_each_read_is_counted_and_audited(
        client, odawara, shared):
    cats, named = shared[CATS["title"]], shared["譲渡会の共催"]
    document = ask(odawara, client, f"/sync/v1/library/cases/{cats.entity_uuid}").json()["case"]
    assert set(document) == CASE_KEYS
    assert (document["summary"], document["lessons"], document["total_cost"], document["city_share"],
            document["published_month"]) == (CATS["summary"], CATS["lessons"], 1732180, 1694000, "2021-07")
    assert [set(p) for p in document["parties"]] == [PARTY_KEYS, PARTY_KEYS]  # no pseudonym (ref)
    assert [p["name"] for p in document["parties"]] == [None, None]
    assert [p["contribution"] for p in document["parties"]] == [p["contribution"] for p in cats.parties]
    document = ask(odawara, client, f"/sync/v1/library/cases/{named.entity_uuid}").json()["case"]
    assert [p["name"] for p in document["parties"]] == ["小田原ネコ友の会", "環境保全課"]
    assert reads(odawara) == {"case": 2}
    audits = AuditEvent.objects.filter(action="hub.library_read").order_by("id")
    assert [(a.detail["center"], a.detail["kind"], a.detail["case"]) for a in audits] == [
        (str(odawara.center), "case", str(cats.entity_uuid)), (str(odawara.center), "case", str(named.entity_uuid))]


def test_a_case_not_there_is_404_and_not_counted(client, odawara, shared):
    response = ask(odawara, client, "/sync/v1/library/cases/6f1c1d4e-0000-4000-8000-000000000000")
    assert response.status_code == 404 and response.json()["error"]["code"] == "case_not_found"
    assert not LibraryRead.objects.exists()


def test_statistics_are_the_coordinators_tables_as_suppressed(client, odawara, shared, coordinator):
    answer = ask(odawara, client, "/sync/v1/library/statistics", year_from="2014", year_to="2017").json()["statistics"]
    assert (answer["first"], answer["last"], answer["case_count"]) == (2014, 2017, 2)
    assert [t["slug"] for t in answer["tables"]] == ["forms", "fields", "centers", "continuation"]
    client.force_login(coordinator)
    for table in answer["tables"]:
        response = client.get(f"/statistics/{table['slug']}.csv?year_from=2014&year_to=2017")
        coordinators = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
        assert table["rows"] == coordinators, table["slug"]
    assert answer["symbol"] in {cell for t in answer["tables"] for row in t["rows"] for cell in row}  # two cases only
    assert reads(odawara) == {"statistics": 1}


def test_the_continuation_row_is_picked_as_on_the_coordinators_page(client, odawara, shared, coordinator):
    client.force_login(coordinator)
    for params in ({"form": "jigyo_kyoryoku"}, {"form": "kyodo_suishin", "track": "shimin"}, {}):
        query = {"year_from": "2014", "year_to": "2017", **params}
        answer = ask(odawara, client, "/sync/v1/library/statistics", **query).json()["statistics"]
        page = client.get("/statistics/", query).context
        shares = [{"label": str(s["label"]), "count": "秘匿" if s["count"].suppressed else s["count"].value,
                   "percent": s["percent"]} for s in page["shares"]]
        assert answer["continuation"]["shares"] == shares, params
        assert answer["continuation"]["row"] == page["stats"].focus_label, params
    assert reads(odawara) == {"statistics": 3}


@pytest.mark.parametrize(("params", "fields"), [
    ({"year_from": "2017", "year_to": "2014"}, {"year_to": ["years_reversed"]}),
    ({"form": "jigyo_kyoryoku", "track": "shimin"}, {"track": ["track_outside_programme"]}),
    ({"form": "kyodo_suishin_shimin"}, {"form": ["invalid_choice"]}),
    ({"year_from": "2000", "year_to": "2020"}, {"year_to": ["too_many_years"]}),
    ({"year_from": "zwei"}, {"year_from": ["invalid"]}),
])
def test_bad_statistics_filters_are_refused_with_a_code(client, odawara, shared, params, fields):
    response = ask(odawara, client, "/sync/v1/library/statistics", **params)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "invalid_filter" and response.json()["error"]["fields"] == fields


def test_the_directory_answers_the_directory_pages_columns(client, odawara, chigasaki, shared):
    send_ok(chigasaki, client, [chigasaki.group("海辺の会", name_kana="ウミベノカイ")])
    answer = ask(odawara, client, "/sync/v1/library/directory", q="海辺").json()
    assert answer["count"] == 1 and answer["groups"] == [{
        "name": "海辺の会", "name_kana": "ウミベノカイ", "fields": [7], "area": "茅ヶ崎市",
        "center": {"uuid": str(chigasaki.center), "name": "chigasakiセンター",
                   "municipality_name": answer["groups"][0]["center"]["municipality_name"]}}]
    assert ask(odawara, client, "/sync/v1/library/directory", field="3").json()["groups"] == []
    response = ask(odawara, client, "/sync/v1/library/directory", field="99")
    assert response.status_code == 400 and response.json()["error"]["fields"] == {"field": ["invalid_choice"]}
    assert reads(odawara) == {"directory": 2}


def test_the_hub_shows_reads_per_center_and_month(client, odawara, shared, coordinator):
    ask(odawara, client, "/sync/v1/library/cases")
    ask(odawara, client, f"/sync/v1/library/cases/{shared[CATS['title']].entity_uuid}")
    ask(odawara, client, f"/sync/v1/library/cases/{shared[CATS['title']].entity_uuid}")
    assert client.get("/cases/reads/").status_code == 302  # login first
    client.force_login(coordinator)
    page = client.get("/cases/reads/").content.decode()
    row = page[page.index("odawaraセンター"):]
    row = row[:row.index("</tr>")]
    assert [cell.split(">")[-1] for cell in row.split("</td>")[1:-1]] == ["1", "2", "0", "0", "3"]
