"""Emergency mode across real processes (hub + two nodes, PostgreSQL, a private Redis): a declaration
switches the covered node and no other, its center status reaches the hub board, a drill never
becomes a real emergency, and closing returns the node to normal."""

from __future__ import annotations

import json
import re
from pathlib import Path

import httpx
import pytest

from deploy import federation

from .common import PASSWORD, start_federation, wait

pytestmark = [pytest.mark.federation]

# Ports and a prefix of our own: another federation module in the same session never meets ours.
BASE_PORT, REDIS_PORT, PREFIX = 8410, 6392, "d"
HUB, CHIGASAKI, ODAWARA = f"{PREFIX}-hub", f"{PREFIX}-chigasaki", f"{PREFIX}-odawara"

HUB_SETUP = """
from django.contrib.auth import get_user_model
from permissions.services import organization_create, membership_grant
prefecture = organization_create(acting_user=None, name="神奈川県", kind="prefecture", municipality_code="140007")
user = get_user_model().objects.create_user("coordinator", password={password!r})
membership_grant(acting_user=None, user=user, organization=prefecture, role="hub_admin")
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    yield from start_federation(tmp_path_factory, base_port=BASE_PORT, redis_port=REDIS_PORT, prefix=PREFIX)


def login(deployment, username: str) -> httpx.Client:
    """A browser-like session: the CSRF cookie, then the login form."""
    session = httpx.Client(base_url=deployment.url, timeout=20, follow_redirects=False)
    session.get("/login/")
    response = session.post("/login/", data={"username": username, "password": PASSWORD,
                                             "csrfmiddlewaretoken": session.cookies["csrftoken"]})
    assert response.status_code == 302, response.text[:500]
    return session


def post(session: httpx.Client, path: str, data: dict) -> httpx.Response:
    return session.post(path, data={**data, "csrfmiddlewaretoken": session.cookies["csrftoken"]})


def banners(session: httpx.Client) -> dict[str, str]:
    """declaration uuid → "1" for a drill, "0" for a real disaster, as the node's pages show them."""
    page = session.get("/emergency/").text
    return dict(re.findall(r'data-declaration="([0-9a-f-]+)" data-exercise="([01])"', page))


def hub_declare(fed, **values) -> str:
    script = ("import json; from hub.services import disaster_declare; "
              f"d = disaster_declare(acting_user=None, **json.loads({json.dumps(values, ensure_ascii=False)!r})); "
              "print(d.uuid)")
    return federation.manage(fed.by_name[HUB], "shell", "-c", script, capture=True).strip().splitlines()[-1]


def test_declaration_status_drill_and_close_across_the_federation(fed):
    federation.manage(fed.by_name[HUB], "shell", "-c", HUB_SETUP.format(password=PASSWORD))
    hub = login(fed.by_name[HUB], "coordinator")
    chigasaki, odawara = login(fed.by_name[CHIGASAKI], "staff"), login(fed.by_name[ODAWARA], "staff")

    # A real disaster in 茅ヶ崎市 (142077) only, declared through the coordinator's form.
    response = post(hub, "/disasters/new/", {"name": "相模湾地震", "hazard": "earthquake",
                                             "municipality_codes": "142077"})
    assert response.status_code == 302, response.text[:500]
    real = response.headers["location"].strip("/").split("/")[-1]
    wait(lambda: banners(chigasaki).get(real) == "0", timeout=30, what="茅ヶ崎 to enter emergency mode")
    # 小田原 received the same declaration (the feed goes to every node) but is not covered.
    wait(lambda: fed.sql(ODAWARA, "SELECT 1 FROM emergency_disasterdeclaration WHERE uuid = %s", (real,)),
         timeout=30, what="the declaration to reach 小田原 too")
    assert banners(odawara) == {}

    # 茅ヶ崎's staff report the center's status; it reaches the hub board as disaster traffic.
    center = fed.nodes[CHIGASAKI]["center"]
    response = post(chigasaki, f"/emergency/{real}/centers/{center}/status/", {"status": "partial",
                                                                                "note": "1階のみ開館"})
    assert response.status_code == 302, response.text[:500]
    board_row = re.compile(rf'data-center="{center}" data-status="([a-z_]+)"')
    wait(lambda: (m := board_row.search(hub.get(f"/disasters/{real}/").text)) and m[1] == "partial",
         timeout=30, what="the center status on the hub board")
    assert "1階のみ開館" in hub.get(f"/disasters/{real}/").text
    assert fed.sql(CHIGASAKI, "SELECT priority FROM sync_outboxentry WHERE entity_type = 'center_status'") == [(1,)]
    # While covered, the node runs the fast tick on the disaster queue.
    worker_log = Path(fed.by_name[CHIGASAKI].data_dir) / "worker.log"
    wait(lambda: "'emergency: " in worker_log.read_text(errors="replace"), timeout=30, what="the emergency tick")

    # A drill for the whole prefecture: both nodes show it as a drill; 小田原 is in no real emergency.
    drill = hub_declare(fed, name="県域防災訓練", hazard="earthquake", municipality_codes=[], whole_prefecture=True,
                        exercise=True)
    wait(lambda: banners(odawara) == {drill: "1"}, timeout=30, what="the drill banner at 小田原")
    wait(lambda: banners(chigasaki) == {real: "0", drill: "1"}, timeout=30,
         what="茅ヶ崎 to show the disaster and the drill apart")

    # Closing the real disaster returns 茅ヶ崎 to its drill only; closing the drill, to normal.
    assert post(hub, f"/disasters/{real}/close/", {}).status_code == 302
    wait(lambda: banners(chigasaki) == {drill: "1"}, timeout=30, what="the close to reach 茅ヶ崎")
    assert post(hub, f"/disasters/{drill}/close/", {}).status_code == 302
    wait(lambda: banners(chigasaki) == {} and banners(odawara) == {}, timeout=30, what="both nodes back to normal")
    assert "通常の運用" in chigasaki.get("/emergency/").text
    actions = fed.sql(HUB, "SELECT action FROM permissions_auditevent WHERE action LIKE 'hub.disaster_%%' ORDER BY id")
    assert [a for (a,) in actions] == ["hub.disaster_declare", "hub.disaster_declare", "hub.disaster_close",
                                       "hub.disaster_close"]
