"""Item 5 between real processes: an offer of a consented group at 茅ヶ崎 is visible to 小田原's
staff through the hub (never to 茅ヶ崎 itself); 小田原 asks 茅ヶ崎 to introduce the group, 茅ヶ崎
answers, 小田原 sees the answer; withdrawing the group's hub-listing consent takes the offer off the hub."""

from __future__ import annotations

import json
import re

import pytest

from deploy import federation

from .common import login, post, shared_federation, shell, wait

pytestmark = [pytest.mark.federation, pytest.mark.xdist_group("network")]

CHIGASAKI_SETUP = """
import json
from django.contrib.auth import get_user_model
from nodes import models as m, services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
fields = list(m.ActivityField.objects.filter(code=7))
group = services.group_register(acting_user=staff, center=center, name="湘南ねこの会", name_kana="ショウナンネコノカイ",
                                representative_name="猫田 花子", contact_phone="0467-11-2233", activity_fields=fields,
                                consents=["hub_listing"])
offer = services.offer_create(acting_user=staff, group=group, title="地域猫の相談会",
                              description="飼い主のいない猫の不妊去勢と、地域での見守りの進め方を一緒に考えます。",
                              activity_fields=fields, area="茅ヶ崎市内")
print(json.dumps({"group": str(group.uuid), "offer": str(offer.uuid)}))
"""
ODAWARA_SETUP = """
import json
from django.contrib.auth import get_user_model
from nodes import models as m, services
from permissions.models import Organization
from permissions.services import organization_create
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
department = organization_create(acting_user=staff, name="環境保護課", kind="city_department", center=center)
need = services.need_create(acting_user=staff, center=center, title="飼い主のいない猫対策", requester=department,
                            description="飼い主のいない猫を減らすため、不妊去勢と地域の見守りに取り組む団体を探している。",
                            activity_fields=list(m.ActivityField.objects.filter(code=7)))
print(json.dumps({"need": str(need.uuid)}))
"""
OWN_OFFERS = """
import json
from sync.client import HubClient
print(json.dumps([o["uuid"] for o in HubClient().json("GET", "/sync/v1/offers")["offers"]]))
"""
WITHDRAW = """
from django.contrib.auth import get_user_model
from nodes import models as m, services
staff = get_user_model().objects.get(username="staff")
services.group_set_consent(acting_user=staff, group=m.GroupRegistration.objects.get(uuid={group!r}),
                           consent="hub_listing", given=False)
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    return shared_federation("network", tmp_path_factory)


def hub_offers(fed) -> set[str]:
    return {row[0] for row in fed.sql("net-hub", "SELECT entity_uuid::text FROM hub_sharedoffer")}


def introductions(fed, node: str) -> list[tuple]:
    return fed.sql(node, "SELECT uuid::text, direction, status, answer_message FROM nodes_introductionrequest")


def test_an_introduction_request_flows_through_the_hub_and_consent_withdrawal_unlists(fed):
    chigasaki = shell(fed, "net-chigasaki", CHIGASAKI_SETUP)
    odawara = shell(fed, "net-odawara", ODAWARA_SETUP)
    wait(lambda: chigasaki["offer"] in hub_offers(fed), timeout=90, what="the offer on the hub")
    row = fed.sql("net-hub", "SELECT title, description FROM hub_sharedoffer WHERE entity_uuid = %s",
                  (chigasaki["offer"],))[0]
    assert row[0] == "地域猫の相談会" and "猫田" not in json.dumps(row, ensure_ascii=False)

    # 小田原's staff see it, ranked for their need with reasons; 茅ヶ崎 never gets its own offer back.
    umeco = login(fed.by_name["net-odawara"])
    page = umeco.get(f"/matching/needs/{odawara['need']}/elsewhere/")
    assert page.status_code == 200
    assert "地域猫の相談会" in page.text and "湘南ねこの会" in page.text and "活動分野が一致" in page.text
    assert "0467-11-2233" not in page.text and "猫田" not in page.text
    assert chigasaki["offer"] not in shell(fed, "net-chigasaki", OWN_OFFERS)

    # 小田原 asks; 茅ヶ崎's staff find it in their inbox and answer; 小田原 sees the answer.
    response = post(umeco, f"/matching/needs/{odawara['need']}/elsewhere/request/", {
        "offer": chigasaki["offer"], "message": "小田原でも地域猫の取り組みを始めたく、ご紹介をお願いできますか。"})
    assert response.status_code == 302
    (request_uuid, direction, status, _answer), = introductions(fed, "net-odawara")
    assert (direction, status) == ("sent", "pending")
    wait(lambda: introductions(fed, "net-chigasaki"), timeout=60, what="the request in 茅ヶ崎's inbox")
    assert introductions(fed, "net-chigasaki") == [(request_uuid, "received", "pending", "")]
    sapo = login(fed.by_name["net-chigasaki"])
    inbox = sapo.get("/introductions/").text
    assert "飼い主のいない猫対策" in inbox and "小田原市市民活動交流センター UMECO" in inbox
    assert re.search(r'id="introductions".*?badge warn">1<', sapo.get("/").text, re.S)
    answered = post(sapo, f"/introductions/{request_uuid}/answer/", {
        "decision": "accept", "message": "会にお伝えしました。センター同士で日程を調整しましょう。"})
    assert answered.status_code == 302
    wait(lambda: introductions(fed, "net-odawara")[0][2] == "accepted", timeout=60, what="the answer at 小田原")
    assert introductions(fed, "net-odawara")[0][3] == "会にお伝えしました。センター同士で日程を調整しましょう。"
    assert "紹介できる" in umeco.get("/introductions/").text
    assert fed.sql("net-hub", "SELECT status FROM hub_introductionrequest") == [("accepted",)]

    # Withdrawing the group's hub-listing consent takes its offer off the hub.
    federation.manage(fed.by_name["net-chigasaki"], "shell", "-c", WITHDRAW.format(group=chigasaki["group"]))
    wait(lambda: chigasaki["offer"] not in hub_offers(fed), timeout=60, what="the offer to leave the hub")
    assert "地域猫の相談会" not in umeco.get(f"/matching/needs/{odawara['need']}/elsewhere/").text
