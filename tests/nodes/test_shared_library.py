"""事例ライブラリ（県） on a node: center staff search the hub's library, read a case, the statistics
and the directory, rendered here from the hub's JSON; the hub is mocked at the HTTP client only;
a hub that is down or refuses gets a clear Japanese message; only center staff may ask."""

from __future__ import annotations

from urllib.parse import parse_qs

import httpx
import pytest

from nodes import hub_link
from sync import client as sync_client
from sync.keys import _pair
from sync.signing import new_key_pair

CENTER = {"uuid": "6f1c2b9e-4d0a-4b8e-9a51-0c7d2e3f4a5b", "name": "小田原センター", "municipality_name": "小田原市"}
ROW = {"uuid": "2d9e8f7a-1b3c-4e5d-8f60-7a1b2c3d4e5f", "title": "地域猫の〔人名〕さんとの協働", "level": "named", "form": "kyodo_suishin_gyosei",
       "fields": [7], "fiscal_year_start": 2014, "fiscal_year_end": 2015, "outcome": "continued", "center": CENTER}
CASE = {**ROW, "summary": "野良猫の不妊去勢手術を実施。", "lessons": "住民への丁寧な説明が欠かせない。", "total_cost": 1732180,
        "city_share": 1694000, "published_month": "2021-07", "parties": [
            {"name": "小田原ネコ友の会", "kind": "citizen_group", "role": "lead", "fields": [7], "size_band": "10-29",
             "contribution": "譲渡会の運営"}]}
STATISTICS = {"first": 2014, "last": 2015, "center": None, "case_count": 1, "symbol": "X", "tables": [
    {"slug": "centers", "title": "センター別の件数", "note": "", "rows": [["センター", "件数"], ["小田原センター", "X"], ["合計", "X"]]},
    {"slug": "continuation", "title": "継続状況", "note": "", "rows": [["形態", "継続"], ["事業協力", "X"]]}],
    "continuation": {"row": "事業協力", "total": "X", "shares": [{"label": "継続", "count": "X", "percent": None}]}}
GROUP = {"name": "めだかサポーターの会", "name_kana": "メダカサポーターノカイ", "fields": [7], "area": "小田原市", "center": CENTER}


class FakeHub:
    """The hub at the network edge: a MockTransport answering the library endpoints."""

    def __init__(self):
        self.requests: list[tuple[str, dict]] = []
        self.down = False
        self.refuse: dict | None = None
        self.capped = False

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        self.requests.append((request.url.path, {k: v[0] for k, v in parse_qs(request.url.query.decode()).items()}))
        if self.refuse:
            return httpx.Response(self.refuse["status"], json={"error": self.refuse})
        paging = {"count": 1, "page": 1, "num_pages": 1, "per_page": 30, "centers": [CENTER]}
        cases = {**paging, "count": 1000, "count_capped": True} if self.capped else paging
        answers = {"/sync/v1/library/cases": {**cases, "cases": [ROW]},
                   f"/sync/v1/library/cases/{ROW['uuid']}": {"case": CASE},
                   "/sync/v1/library/statistics": {"statistics": STATISTICS, "centers": [CENTER], "max_years": 12},
                   "/sync/v1/library/directory": {**paging, "groups": [GROUP]}}
        return httpx.Response(200, json=answers[request.url.path])

    def client(self) -> sync_client.HubClient:
        return sync_client.HubClient(base_url="http://hub.test", key=_pair(new_key_pair()[0]),
                                     transport=httpx.MockTransport(self.handler))


@pytest.fixture
def hub(monkeypatch):
    fake = FakeHub()
    monkeypatch.setattr(hub_link, "hub_client", lambda client=None: client or fake.client())
    return fake


def page(client, path: str, **params) -> str:
    response = client.get(path, params)
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def test_staff_search_the_hubs_library_with_its_filters_as_their_center(world, hub, client):
    client.force_login(world.staff_a)
    html = page(client, "/library/", q="猫", form="kyodo_suishin_gyosei", fiscal_year="2014", page="1", secret="x")
    (path, params), = hub.requests
    assert path == "/sync/v1/library/cases"
    assert params == {"q": "猫", "form": "kyodo_suishin_gyosei", "fiscal_year": "2014", "page": "1",
                      "reader": str(world.a.uuid)}  # only the library's filters, and who reads
    assert f'href="/library/cases/{ROW["uuid"]}/"' in html and "団体名あり" in html
    assert 'class="badge off placeholder"' in html  # 〔人名〕 shown as a placeholder
    assert "協働推進事業" in html and "小田原センター" in html and "継続" in html
    assert "事例ライブラリ（県）" in html and 'href="/library/"' in html  # the menu item


def test_more_cases_than_the_hub_counts_read_as_at_least_that_many(world, hub, client):
    client.force_login(world.staff_a)
    assert 'id="case-count">1件<' in page(client, "/library/", q="猫")
    hub.capped = True
    assert 'id="case-count">1,000件以上' in page(client, "/library/", q="猫")


def test_a_case_is_read_from_the_hub_as_its_page_there(world, hub, client):
    client.force_login(world.staff_a)
    html = page(client, f"/library/cases/{ROW['uuid']}/")
    assert hub.requests == [(f"/sync/v1/library/cases/{ROW['uuid']}", {"reader": str(world.a.uuid)})]
    for text in ("小田原ネコ友の会", "譲渡会の運営", "住民への丁寧な説明", "1,732,180円", "2021年7月", "団体名あり（全団体の同意あり）"):
        assert text in html, text


def test_statistics_and_directory_are_rendered_from_the_hubs_answer(world, hub, client):
    client.force_login(world.staff_a)
    html = page(client, "/library/statistics/", year_from="2014", year_to="2015")
    assert hub.requests[-1] == ("/sync/v1/library/statistics", {"year_from": "2014", "year_to": "2015",
                                                               "reader": str(world.a.uuid)})
    assert 'id="table-centers"' in html and '<td style="text-align:right" class="suppressed">X</td>' in html
    assert "事業協力の事例" in html and '<li>継続: <span class="suppressed">X</span></li>' in html
    page(client, "/library/statistics/", form="kyodo_suishin", track="shimin", outcome="ignored")
    assert hub.requests[-1][1] == {"form": "kyodo_suishin", "track": "shimin", "reader": str(world.a.uuid)}
    html = page(client, "/library/directory/", field="7")
    assert hub.requests[-1] == ("/sync/v1/library/directory", {"field": "7", "reader": str(world.a.uuid)})
    assert "めだかサポーターの会" in html and "メダカサポーターノカイ" in html


@pytest.mark.parametrize("path", ["/library/", "/library/statistics/", "/library/directory/",
                                  f"/library/cases/{ROW['uuid']}/"])
def test_a_hub_that_is_down_gets_a_clear_message(world, hub, client, path):
    hub.down = True
    client.force_login(world.staff_a)
    assert "ハブに接続できませんでした。しばらくしてからもう一度お試しください。" in page(client, path)


def test_the_hubs_refusals_read_in_japanese(world, hub, client):
    client.force_login(world.staff_a)
    hub.refuse = {"status": 400, "code": "invalid_filter", "message": "form: invalid_choice"}
    assert "検索・集計の条件に誤りがあります。" in page(client, "/library/", form="kyoryoku")
    hub.refuse = {"status": 403, "code": "outside_partition", "message": "..."}
    assert "このセンターはまだハブに登録されていません。" in page(client, "/library/directory/")
    hub.refuse = {"status": 404, "code": "case_not_found", "message": "..."}
    assert client.get(f"/library/cases/{ROW['uuid']}/").status_code == 404


def test_a_node_without_hub_settings_says_so(world, monkeypatch, client, settings):
    settings.KYODO_HUB_URL = ""
    client.force_login(world.staff_a)
    assert "このノードはハブに接続する設定がありません" in page(client, "/library/")


@pytest.mark.parametrize("user", ["dept_staff", "member_a"])
def test_only_center_staff_read_the_library(world, hub, client, user):
    client.force_login(getattr(world, user))
    for path in ("/library/", "/library/statistics/", "/library/directory/", f"/library/cases/{ROW['uuid']}/"):
        assert client.get(path).status_code == 403, path
    assert hub.requests == []
    assert 'href="/library/"' not in client.get("/").content.decode()


def test_the_library_needs_a_login(hub, client, db):
    assert client.get("/library/").status_code == 302 and hub.requests == []
