"""The demo across two prefectures, started as `make demo` starts it (config.cli.start_demo) but on
PostgreSQL and with one center of each: 茅ヶ崎 (神奈川県) and 静岡市 (静岡県), seeded from deploy/demo,
their hubs enrolled at the national hub. The case 茅ヶ崎's file shares 全国 is found by 静岡's staff on
their own node with their demo login; its 県内のみ cases are not; every site answers its demo logins."""

from __future__ import annotations

import pytest

from config.cli import DEMO_CENTERS, start_demo
from deploy import federation
from deploy.demo.base import DEMO_PASSWORD

from .common import federation_environment, login, wait

pytestmark = [pytest.mark.federation]

BASE_PORT, REDIS_PORT = 9470, 6435
NATIONAL_CASE = "海岸清掃ボランティア育成事業"  # chigasaki.yaml: sharing_reach national
PREFECTURE_CASE = "地域の防災リーダー養成講座"  # chigasaki.yaml: anonymized, 県内のみ


@pytest.fixture(scope="module")
def demo(tmp_path_factory):
    with federation_environment(tmp_path_factory, REDIS_PORT, "demo") as (_redis_server, offset):
        centers = [center for center in DEMO_CENTERS if center[0] in ("chigasaki", "shizuoka")]
        deployments, logins = start_demo(centers, seed=True, base_port=BASE_PORT + offset, fresh=True,
                                         extra_env={"KYODO_SYNC_INTERVAL": "3"})
        try:
            yield {d.name: d for d in deployments}, logins
        finally:
            federation.stop(deployments, grace=0)


def _library(session, q: str, scope: str | None = None) -> str:
    response = session.get("/library/", params={"q": q, **({"scope": scope} if scope else {})})
    assert response.status_code == 200, response.text[:500]
    return response.text


def test_the_demos_national_case_from_kanagawa_is_found_from_shizuokas_node(demo):
    deployments, logins = demo
    assert [(d.name, d.role) for d in deployments.values()] == [
        ("hub", "hub"), ("node-chigasaki", "node"), ("national", "national"), ("hub-shizuoka", "hub"),
        ("node-shizuoka", "node")]
    # A login for every site, printed with its address.
    assert {login_["url"] for login_ in logins} == {d.url for d in deployments.values()}
    for name, username in (("national", "national-admin"), ("hub-shizuoka", "shizuoka-hub-admin"),
                           ("hub", "hub-admin")):
        login(deployments[name], username, DEMO_PASSWORD).close()

    staff = login(deployments["node-shizuoka"], "shizuoka-staff", DEMO_PASSWORD)
    found = wait(lambda: NATIONAL_CASE in (text := _library(staff, "海岸清掃", "national")) and text, timeout=240,
                 what="茅ヶ崎's 全国 case in the national library, searched from 静岡's node")
    assert "茅ヶ崎市民活動サポートセンター" in found
    assert NATIONAL_CASE not in _library(staff, "海岸清掃")  # not one of 静岡県's
    assert PREFECTURE_CASE not in _library(staff, "防災リーダー", "national")
    # And the other way: 静岡's 全国 cases reach 茅ヶ崎's staff.
    chigasaki = login(deployments["node-chigasaki"], "chigasaki-staff", DEMO_PASSWORD)
    wait(lambda: "多言語の津波避難マップ" in _library(chigasaki, "津波避難", "national"), timeout=240,
         what="静岡's 全国 case from 茅ヶ崎's node")
