"""Issue 17 items 1 and 2 between real processes: 横浜市市民協働推進センター and にしく市民活動支援センター
declare, each from its own node, that the first backs the second; the relation reaches both nodes
and the backing node shows the ward center's figures (counts only). にしく refers a consultation to its
backing center; the summary and the question travel scrubbed, the requester never; 横浜 takes it on
in a consultation of its own and says it will sit in (同席) on a date; にしく sees the answer on its
consultation. The hub's pg_dump holds no requester data, and a third node's staff see neither."""

from __future__ import annotations

import datetime as dt
import json
import subprocess

import pytest

from tests.browser.chromium import screenshot

from .common import PASSWORD, login, post, shared_federation, shell, wait

# On the network federation it shares (common.py): 横浜 also backs 港北 there (the training module).
pytestmark = [pytest.mark.federation, pytest.mark.xdist_group("network")]
SEKI, NISHI = "横浜市市民協働推進センター", "にしく市民活動支援センター"
REQUESTER, PHONE, NOTE = "港 はるみ", "045-312-9876", "夫の転勤で来年春には引っ越す予定"

NISHIKU_SETUP = f"""
import json
from django.contrib.auth import get_user_model
from nodes import services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
center = Organization.objects.get(kind="center")
consultation = services.consultation_open(acting_user=staff, center=center, topic="子ども食堂の立ち上げ",
    channel="counter", requester_name={REQUESTER!r}, requester_contact={PHONE!r}, intake_note={NOTE!r})
print(json.dumps({{"consultation": str(consultation.uuid)}}))
"""
AGGREGATES = """
import json
from nodes import publishing
print(json.dumps(publishing.publish_aggregates()))
"""
STRANGER_ANSWERS = """
import json
from sync.client import HubClient, SyncError
try:
    HubClient().json("POST", "/sync/v1/referrals/{uuid}/status", {{"status": "answered", "message": "x", "joint_on": None}})
    print(json.dumps("accepted"))
except SyncError as error:
    print(json.dumps(error.code))
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    return shared_federation("network", tmp_path_factory)


def referrals(fed, node: str) -> list[tuple]:
    return fed.sql(node, "SELECT uuid::text, direction, kind, status, answer_message, joint_on::text, "
                         "consultation_id IS NOT NULL FROM nodes_referral")


def relations(fed, node: str, other: str) -> list[tuple]:
    return fed.sql(node, "SELECT role, other_center_name, we_declared, they_declared, confirmed_at IS NOT NULL "
                         "FROM nodes_centerrelation WHERE other_center_name = %s", (other,))


def test_a_ward_center_refers_a_consultation_to_its_backing_center_and_gets_an_answer(fed):
    yokohama, nishiku = fed.nodes["net-yokohama"], fed.nodes["net-nishiku"]
    # Both centers must be known to the hub (their profiles go before any record).
    shell(fed, "net-nishiku", AGGREGATES)
    wait(lambda: fed.sql("net-hub", "SELECT count(*) FROM hub_nodecenter")[0][0] >= 2, timeout=90,
         what="the centers' profiles on the hub")
    wait(lambda: fed.sql("net-hub", "SELECT count(*) FROM hub_aggregatesnapshot s JOIN hub_node n ON n.id = s.node_id "
                                  "WHERE n.slug = 'net-nishiku'")[0][0] >= 1, timeout=90, what="にしく's figures on the hub")

    # Item 1: 横浜 declares that it backs にしく; にしく sees the declaration and confirms it.
    seki = login(fed.by_name["net-yokohama"])
    assert post(seki, "/network/declare/", {"center": yokohama["center"], "other_center": nishiku["center"],
                                             "role": "backing"}).status_code == 302
    assert relations(fed, "net-yokohama", NISHI) == [("backing", "にしく市民活動支援センター", True, False, False)]
    wait(lambda: relations(fed, "net-nishiku", SEKI), timeout=60, what="the declaration at にしく")
    assert relations(fed, "net-nishiku", SEKI) == [("backed", "横浜市市民協働推進センター", False, True, False)]
    nishi = login(fed.by_name["net-nishiku"])
    assert "確認してください" in nishi.get("/network/").text
    assert post(nishi, "/network/declare/", {"center": nishiku["center"], "other_center": yokohama["center"],
                                              "role": "backed"}).status_code == 302
    assert relations(fed, "net-nishiku", SEKI) == [("backed", "横浜市市民協働推進センター", True, True, True)]
    wait(lambda: relations(fed, "net-yokohama", NISHI)[0][4], timeout=60, what="the confirmation at 横浜")
    assert fed.sql("net-hub", "SELECT confirmed_at IS NOT NULL FROM hub_centerrelation WHERE backing_center_uuid = %s "
                            "AND backed_center_uuid = %s", (yokohama["center"], nishiku["center"])) == [(True,)]
    # The backing node shows the backed center with its figures, not its records.
    page = seki.get("/network/").text
    assert "にしく市民活動支援センター" in page and "支援先のセンターの集計" in page and "未受信" not in page

    # Item 2: にしく refers a consultation; the requester's name in the summary leaves as a placeholder.
    consultation = shell(fed, "net-nishiku", NISHIKU_SETUP)["consultation"]
    form = nishi.get(f"/consultations/{consultation}/refer/")
    assert form.status_code == 200 and "横浜市市民協働推進センター" in form.text and "★" in form.text
    sent = post(nishi, f"/consultations/{consultation}/refer/", {
        "to_center": yokohama["center"], "kind": "joint",
        "summary": f"{REQUESTER}さんが地域で子ども食堂を始めたいとのこと。会場と食品衛生の相談。",
        "question": "同様の立ち上げ支援の経験があれば、コーディネートに同席していただけますか。"})
    assert sent.status_code == 302, sent.text[:2000]
    (referral_uuid, direction, kind, status, _answer, _on, linked), = referrals(fed, "net-nishiku")
    assert (direction, kind, status, linked) == ("sent", "joint", "pending", True)

    # It reaches 横浜 only; 横浜 takes it on in a consultation of its own and will sit in on a date.
    wait(lambda: referrals(fed, "net-yokohama"), timeout=60, what="the referral at 横浜")
    inbox = seki.get("/referrals/").text
    assert "子ども食堂" in inbox and "にしく市民活動支援センター" in inbox and "はるみ" not in inbox
    joint_on = (dt.date.today() + dt.timedelta(days=10)).isoformat()
    answered = post(seki, f"/referrals/{referral_uuid}/respond/", {
        "status": "joining", "joint_on": joint_on, "message": "立ち上げ支援の担当が同席します。"})
    assert answered.status_code == 302
    assert referrals(fed, "net-yokohama") == [(referral_uuid, "received", "joint", "joining",
                                             "立ち上げ支援の担当が同席します。", joint_on, True)]
    assert fed.sql("net-yokohama", "SELECT topic, requester_name FROM nodes_consultation") == [
        ("にしく市民活動支援センターからの相談", "")]

    # The status and the answer flow back to にしく, on its consultation and in its counts.
    wait(lambda: referrals(fed, "net-nishiku")[0][3] == "joining", timeout=60, what="the answer at にしく")
    assert referrals(fed, "net-nishiku")[0][4:6] == ("立ち上げ支援の担当が同席します。", joint_on)
    detail = nishi.get(f"/consultations/{consultation}/").text
    assert "同席する" in detail and "立ち上げ支援の担当が同席します。" in detail
    counts = nishi.get("/referrals/").text
    assert "センター・月ごとの件数" in counts and dt.date.today().strftime("%Y-%m") in counts

    # Nothing of the requester on the hub, in its database dump, or in にしく's outbox.
    hub_row = fed.sql("net-hub", "SELECT summary, question, status FROM hub_referral")
    assert hub_row[0][2] == "joining" and "〔人名〕" in hub_row[0][0]
    dump = subprocess.run(["pg_dump", "--data-only", fed.by_name["net-hub"].env["DATABASE_URL"]],
                          capture_output=True, text=True, check=True).stdout
    assert "子ども食堂を始めたい" in dump  # the referral's summary (a shared case elsewhere speaks of 子ども食堂 too)
    outbox = json.dumps(fed.sql("net-nishiku", "SELECT payload::text FROM sync_outboxentry"), ensure_ascii=False)
    for needle in ("港 はるみ", "港はるみ", "はるみ", PHONE, "3129876", "転勤"):
        assert needle not in dump, f"{needle} in the hub's pg_dump"
        assert needle not in outbox, f"{needle} in にしく's outbox"

    # A third node's staff see neither the relation nor the referral, and cannot answer it.
    sapo = login(fed.by_name["net-chigasaki"])
    assert "子ども食堂" not in sapo.get("/referrals/").text
    network = sapo.get("/network/").text  # the directory of centers to declare with, and no relation
    assert "まだ支援関係はありません。" in network and "支援しているセンターはありません。" in network
    assert fed.sql("net-chigasaki", "SELECT count(*) FROM nodes_referral") == [(0,)]
    assert fed.sql("net-chigasaki", "SELECT count(*) FROM sync_feeditem WHERE kind LIKE 'referral%%' "
                                  "OR kind = 'center_relation'") == [(0,)]
    assert shell(fed, "net-chigasaki", STRANGER_ANSWERS.format(uuid=referral_uuid)) == "not_found"


SECOND_CONSULTATION = """
import json
from django.contrib.auth import get_user_model
from nodes import services
from permissions.models import Organization
staff = get_user_model().objects.get(username="staff")
consultation = services.consultation_open(acting_user=staff, center=Organization.objects.get(kind="center"),
    topic="自治会のデジタル回覧板", channel="phone", requester_name="戸部 みどり", requester_contact="045-311-0000")
print(json.dumps({"consultation": str(consultation.uuid)}))
"""


def _browser_login(browser, deployment):
    context = browser.new_context(viewport={"width": 1180, "height": 820}, locale="ja-JP", timezone_id="Asia/Tokyo")
    page = context.new_page()
    page.goto(f"{deployment.url}/login/")
    page.fill("#id_username", "staff")
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url(lambda url: "/login/" not in url)
    return page


@pytest.mark.browser
def test_in_the_browser_a_referral_is_sent_answered_and_shown_on_both_nodes(fed, browser):
    """Staff of にしく send a referral from the consultation's page; 横浜's staff answer it from their
    list; both consultations show the answer. Screenshots in test-artifacts/screenshots/referral-*."""
    consultation = shell(fed, "net-nishiku", SECOND_CONSULTATION)["consultation"]
    ward = _browser_login(browser, fed.by_name["net-nishiku"])
    ward.goto(f"{fed.by_name['net-nishiku'].url}/consultations/{consultation}/")
    ward.click("#consultation-referrals a.btn")
    ward.wait_for_selector("#referral-form")
    ward.select_option("#to_center", fed.nodes["net-yokohama"]["center"])
    ward.select_option("#kind", "advice")
    ward.fill("#summary", "町内会から回覧板をデジタル化したいという相談。高齢の会員への配慮が課題。")
    ward.fill("#question", "他区でのデジタル回覧板の導入例と、紙との併用の工夫を教えてください。")
    ward.click("#referral-form button[type=submit]")
    ward.wait_for_selector("#consultation-referrals .badge")
    assert "回答待ち" in ward.inner_text("#consultation-referrals")
    screenshot(ward, "referral-1-sent-from-the-ward-center")

    backing = _browser_login(browser, fed.by_name["net-yokohama"])
    wait(lambda: fed.sql("net-yokohama", "SELECT count(*) FROM nodes_referral WHERE question LIKE '%%回覧板%%'")[0][0],
         timeout=60, what="the referral at 横浜")
    backing.goto(f"{fed.by_name['net-yokohama'].url}/referrals/")
    row = backing.locator("#referrals-received tr", has_text="回覧板")
    row.locator("textarea[name=message]").fill("港北区の事例を紹介します。紙との併用を1年続けた例です。")
    row.locator("button[value=answered]").click()
    backing.wait_for_selector("#referrals-received")
    assert "回答した" in backing.locator("#referrals-received tr", has_text="回覧板").inner_text()
    screenshot(backing, "referral-2-answered-by-the-backing-center")
    backing.locator("#referrals-received tr", has_text="回覧板").locator("a", has_text="関わりカード").click()
    backing.wait_for_selector("#consultation-referrals")
    assert "にしく市民活動支援センター" in backing.inner_text("#consultation-referrals")
    assert "戸部" not in backing.content() and "045-311" not in backing.content()
    screenshot(backing, "referral-3-on-the-backing-centers-consultation")

    wait(lambda: fed.sql("net-nishiku", "SELECT status FROM nodes_referral WHERE question LIKE '%%回覧板%%'")
         == [("answered",)], timeout=60, what="the answer at にしく")
    ward.goto(f"{fed.by_name['net-nishiku'].url}/consultations/{consultation}/")
    shown = ward.inner_text("#consultation-referrals")
    assert "回答した" in shown and "港北区の事例を紹介します。" in shown
    screenshot(ward, "referral-4-answer-on-the-ward-centers-consultation")
    ward.goto(f"{fed.by_name['net-nishiku'].url}/referrals/")
    screenshot(ward, "referral-5-ward-centers-referral-list")
    ward.context.close()
    backing.context.close()
