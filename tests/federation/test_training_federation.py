"""Issue 17 item 4 between real processes: 横浜市市民協働推進センター backs 港北区区民活動支援センター
(declared by both); 横浜 opens a 研修 to its backed centers from its node; it reaches 港北, whose staff
register two of their own — only the center and the number of seats reach the hub, never the staff;
a registration over the capacity is refused whole; 港北 downloads the training's material through
the hub; after a meeting, 横浜 counts the attendance and 港北 sees it. A third node, backed by no
one, sees none of it. (On the network federation it shares, 横浜 also backs にしく: the referral module.)"""

from __future__ import annotations

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import pytest

from .common import login, post, shared_federation, shell, wait

pytestmark = [pytest.mark.federation, pytest.mark.xdist_group("network")]

WARD = "港北区区民活動支援センター"
TOKYO = ZoneInfo("Asia/Tokyo")
PDF = b"%PDF-1.4\n% kenshu slides\n"

STAFF = """
import json
from django.contrib.auth import get_user_model
from permissions.models import Organization
from permissions.services import membership_grant
center = Organization.objects.get(kind="center")
ids = [get_user_model().objects.get(username="staff").pk]
for username, last, first in (("sakura", "戸部", "さくら"), ("minato", "高島", "みなと")):
    user = get_user_model().objects.create_user(username, password="x", last_name=last, first_name=first)
    membership_grant(acting_user=None, user=user, organization=center, role="center_staff")
    ids.append(user.pk)
print(json.dumps(ids))
"""
AGGREGATES = """
import json
from nodes import publishing
print(json.dumps(publishing.publish_aggregates()))
"""
OPEN_SOON = """
import datetime as dt, json
from django.contrib.auth import get_user_model
from django.utils import timezone
from nodes import services
from permissions.models import Organization
now = timezone.now()
training = services.training_open(acting_user=get_user_model().objects.get(username="staff"),
    center=Organization.objects.get(kind="center"), kind="joho_kyoyu", title="区センター情報共有会議（12月）",
    description="各区の相談の傾向を共有します。", starts_at=now + dt.timedelta(seconds=40), ends_at=None, place="",
    online=True, capacity_per_center=None, capacity_total=None, deadline=now + dt.timedelta(seconds=30))
print(json.dumps(str(training.uuid)))
"""


@pytest.fixture(scope="module")
def fed(tmp_path_factory):
    return shared_federation("network", tmp_path_factory)


def trainings(fed, node: str) -> list[tuple]:
    return fed.sql(node, "SELECT uuid::text, side, title, status, seats_taken FROM nodes_training ORDER BY starts_at")


def registrations(fed, node: str) -> list[tuple]:
    return fed.sql(node, "SELECT t.title, r.registering_center_name, r.seats, r.attended FROM nodes_trainingregistration r "
                         "JOIN nodes_training t ON t.id = r.training_id ORDER BY t.starts_at")


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def test_a_backing_center_opens_a_training_its_backed_center_registers_and_attendance_flows_back(fed):
    yokohama, kohoku = fed.nodes["net-yokohama"], fed.nodes["net-kohoku"]
    staff_ids = shell(fed, "net-kohoku", STAFF)
    shell(fed, "net-kohoku", AGGREGATES)
    wait(lambda: fed.sql("net-hub", "SELECT count(*) FROM hub_nodecenter")[0][0] >= 3, timeout=90,
         what="the centers' profiles on the hub")
    seki, kou, sapo = (login(fed.by_name[f"net-{name}"]) for name in ("yokohama", "kohoku", "chigasaki"))
    assert post(seki, "/network/declare/", {"center": yokohama["center"], "other_center": kohoku["center"],
                                             "role": "backing"}).status_code == 302
    assert post(kou, "/network/declare/", {"center": kohoku["center"], "other_center": yokohama["center"],
                                              "role": "backed"}).status_code == 302
    wait(lambda: fed.sql("net-yokohama", "SELECT count(*) FROM nodes_centerrelation WHERE confirmed_at IS NOT NULL "
                                       "AND other_center_name = %s", (WARD,))[0][0], timeout=60,
         what="the confirmed relation at 横浜")

    # 横浜 opens a 研修 to every center it backs, from its form.
    starts = dt.datetime.now(TOKYO).replace(second=0, microsecond=0) + dt.timedelta(days=14)
    opened = post(seki, "/trainings/new/", {
        "center": yokohama["center"], "kind": "kenshu", "title": "区センター職員研修 相談対応の基礎",
        "description": "インテークの聞き取りとコーディネートの進め方を演習で学びます。", "starts_at": _local(starts),
        "ends_at": _local(starts + dt.timedelta(hours=2)), "place": "市民協働推進センター 研修室",
        "capacity_per_center": "3", "capacity_total": "2", "deadline": _local(starts - dt.timedelta(days=7)),
        "audience": "all"})
    assert opened.status_code == 302, opened.text[:2000]
    ((kenshu, side, _title, _status, _taken),) = trainings(fed, "net-yokohama")
    assert side == "organizer"
    wait(lambda: trainings(fed, "net-kohoku"), timeout=60, what="the training at 港北")
    assert trainings(fed, "net-kohoku") == [(kenshu, "invited", "区センター職員研修 相談対応の基礎", "open", 0)]
    assert "区センター職員研修 相談対応の基礎" in kou.get("/trainings/").text

    # The organizer attaches the slides, confirmed free of personal data.
    attached = seki.post(f"/trainings/{kenshu}/materials/", data={
        "title": "研修スライド", "description": "当日の投影資料", "no_personal_data": "on",
        "csrfmiddlewaretoken": seki.cookies["csrftoken"]}, files={"file": ("slides.pdf", PDF, "application/pdf")})
    assert attached.status_code == 302
    assert fed.sql("net-yokohama", "SELECT confirmed_by_id IS NOT NULL FROM nodes_trainingmaterial") == [(True,)]

    # 港北 registers three of its staff: over the capacity in all (2); refused whole, nothing kept.
    over = post(kou, f"/trainings/{kenshu}/register/", {"staff": [str(i) for i in staff_ids]})
    assert over.status_code == 302
    assert "定員に達しているため" in kou.get(f"/trainings/{kenshu}/").text
    assert registrations(fed, "net-kohoku") == [] and fed.sql("net-hub", "SELECT count(*) FROM hub_trainingregistration") == [(0,)]
    done = post(kou, f"/trainings/{kenshu}/register/", {"staff": [str(i) for i in staff_ids[1:]],
                                                          "note": "1名は午後から参加します。"})
    assert done.status_code == 302
    assert registrations(fed, "net-kohoku") == [("区センター職員研修 相談対応の基礎", WARD, 2, None)]
    assert fed.sql("net-hub", "SELECT center_name, seats, note FROM hub_trainingregistration") == [
        (WARD, 2, "1名は午後から参加します。")]
    wait(lambda: registrations(fed, "net-yokohama"), timeout=60, what="the registration at 横浜")
    assert registrations(fed, "net-yokohama") == [("区センター職員研修 相談対応の基礎", WARD, 2, None)]
    assert "1名は午後から参加します。" in seki.get(f"/trainings/{kenshu}/").text

    # The material comes to 港北 through the hub, once it has seats.
    wait(lambda: fed.sql("net-kohoku", "SELECT uuid::text FROM nodes_trainingmaterial"), timeout=60,
         what="the material's title at 港北")
    ((material,),) = fed.sql("net-kohoku", "SELECT uuid::text FROM nodes_trainingmaterial")
    download = kou.get(f"/trainings/materials/{material}/")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download.headers["content-disposition"]

    # A meeting that has begun: 港北 registered one, 横浜 counts the attendance; 港北 sees it.
    meeting = shell(fed, "net-yokohama", OPEN_SOON)
    wait(lambda: len(trainings(fed, "net-kohoku")) == 2, timeout=30, what="the meeting at 港北")
    assert post(kou, f"/trainings/{meeting}/register/", {"staff": [str(staff_ids[0])]}).status_code == 302
    wait(lambda: len(registrations(fed, "net-yokohama")) == 2, timeout=60, what="the meeting's registration at 横浜")
    ((registration,),) = fed.sql("net-yokohama", "SELECT r.uuid::text FROM nodes_trainingregistration r JOIN "
                                                "nodes_training t ON t.id = r.training_id WHERE t.uuid = %s", (meeting,))
    wait(lambda: fed.sql("net-yokohama", "SELECT starts_at < now() FROM nodes_training WHERE uuid = %s", (meeting,))[0][0],
         timeout=60, what="the meeting's start")
    counted = post(seki, f"/trainings/{meeting}/attendance/", {f"attended-{registration}": "1"})
    assert counted.status_code == 302
    assert fed.sql("net-hub", "SELECT t.status, r.attended FROM hub_trainingregistration r JOIN hub_training t "
                            "ON t.id = r.training_id WHERE t.uuid = %s", (meeting,)) == [("held", 1)]
    wait(lambda: fed.sql("net-kohoku", "SELECT r.attended FROM nodes_trainingregistration r JOIN nodes_training t "
                                      "ON t.id = r.training_id WHERE t.uuid = %s", (meeting,)) == [(1,)],
         timeout=60, what="the attendance at 港北")
    page = kou.get("/trainings/").text
    assert "年度ごとの参加（このセンターの職員）" in page and "参加 1人" in page
    assert "年度ごとの参加（主催）" in seki.get("/trainings/").text

    # The staff's names never left 港北: not on the hub, not in its outbox.
    dump = subprocess.run(["pg_dump", "--data-only", fed.by_name["net-hub"].env["DATABASE_URL"]],
                          capture_output=True, text=True, check=True).stdout
    assert "区センター職員研修" in dump
    outbox = str(fed.sql("net-kohoku", "SELECT payload::text FROM sync_outboxentry"))
    for needle in ("戸部", "さくら", "高島", "みなと", "sakura", "minato"):
        assert needle not in dump and needle not in outbox, needle

    # 茅ヶ崎 is backed by no one: it sees none of it and cannot register or download.
    assert "案内を受けた研修・情報共有会議はありません。" in sapo.get("/trainings/").text
    assert fed.sql("net-chigasaki", "SELECT count(*) FROM nodes_training") == [(0,)]
    assert fed.sql("net-chigasaki", "SELECT count(*) FROM sync_feeditem WHERE kind LIKE 'training%%'") == [(0,)]
    assert sapo.get(f"/trainings/{kenshu}/").status_code == 404
