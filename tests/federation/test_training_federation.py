"""Issue 17 item 4 between real processes: 横浜市市民協働推進センター backs にしく市民活動支援センター
(declared by both); 横浜 opens a 研修 to its backed centers from its node; it reaches にしく, whose staff
register two of their own — only the center and the number of seats reach the hub, never the staff;
a registration over the capacity is refused whole; にしく downloads the training's material through
the hub; after a meeting, 横浜 counts the attendance and にしく sees it. A third node, backed by no
one, sees none of it."""

from __future__ import annotations

import datetime as dt
import subprocess
from zoneinfo import ZoneInfo

import pytest

from .common import login, post, shell, start_federation, wait

pytestmark = [pytest.mark.federation]

CENTERS = {"yokohama": ("横浜市市民協働推進センター", "141003", "横浜市"),
           "nishiku": ("にしく市民活動支援センター", "141038", "横浜市西区"),
           "chigasaki": ("茅ヶ崎市民活動サポートセンター", "142077", "茅ヶ崎市")}
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
    yield from start_federation(tmp_path_factory, base_port=8570, redis_port=6397, prefix="k", centers=CENTERS)


def trainings(fed, node: str) -> list[tuple]:
    return fed.sql(node, "SELECT uuid::text, side, title, status, seats_taken FROM nodes_training ORDER BY starts_at")


def registrations(fed, node: str) -> list[tuple]:
    return fed.sql(node, "SELECT t.title, r.registering_center_name, r.seats, r.attended FROM nodes_trainingregistration r "
                         "JOIN nodes_training t ON t.id = r.training_id ORDER BY t.starts_at")


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(TOKYO).strftime("%Y-%m-%dT%H:%M")


def test_a_backing_center_opens_a_training_its_backed_center_registers_and_attendance_flows_back(fed):
    yokohama, nishiku = fed.nodes["k-yokohama"], fed.nodes["k-nishiku"]
    staff_ids = shell(fed, "k-nishiku", STAFF)
    shell(fed, "k-nishiku", AGGREGATES)
    wait(lambda: fed.sql("k-hub", "SELECT count(*) FROM hub_nodecenter")[0][0] >= 3, timeout=90,
         what="the centers' profiles on the hub")
    seki, nishi, sapo = (login(fed.by_name[f"k-{name}"]) for name in ("yokohama", "nishiku", "chigasaki"))
    assert post(seki, "/network/declare/", {"center": yokohama["center"], "other_center": nishiku["center"],
                                             "role": "backing"}).status_code == 302
    assert post(nishi, "/network/declare/", {"center": nishiku["center"], "other_center": yokohama["center"],
                                              "role": "backed"}).status_code == 302
    wait(lambda: fed.sql("k-yokohama", "SELECT count(*) FROM nodes_centerrelation WHERE confirmed_at IS NOT NULL")[0][0],
         timeout=60, what="the confirmed relation at 横浜")

    # 横浜 opens a 研修 to every center it backs, from its form.
    starts = dt.datetime.now(TOKYO).replace(second=0, microsecond=0) + dt.timedelta(days=14)
    opened = post(seki, "/trainings/new/", {
        "center": yokohama["center"], "kind": "kenshu", "title": "区センター職員研修 相談対応の基礎",
        "description": "インテークの聞き取りとコーディネートの進め方を演習で学びます。", "starts_at": _local(starts),
        "ends_at": _local(starts + dt.timedelta(hours=2)), "place": "市民協働推進センター 研修室",
        "capacity_per_center": "3", "capacity_total": "2", "deadline": _local(starts - dt.timedelta(days=7)),
        "audience": "all"})
    assert opened.status_code == 302, opened.text[:2000]
    ((kenshu, side, _title, _status, _taken),) = trainings(fed, "k-yokohama")
    assert side == "organizer"
    wait(lambda: trainings(fed, "k-nishiku"), timeout=60, what="the training at にしく")
    assert trainings(fed, "k-nishiku") == [(kenshu, "invited", "区センター職員研修 相談対応の基礎", "open", 0)]
    assert "区センター職員研修 相談対応の基礎" in nishi.get("/trainings/").text

    # The organizer attaches the slides, confirmed free of personal data.
    attached = seki.post(f"/trainings/{kenshu}/materials/", data={
        "title": "研修スライド", "description": "当日の投影資料", "no_personal_data": "on",
        "csrfmiddlewaretoken": seki.cookies["csrftoken"]}, files={"file": ("slides.pdf", PDF, "application/pdf")})
    assert attached.status_code == 302
    assert fed.sql("k-yokohama", "SELECT confirmed_by_id IS NOT NULL FROM nodes_trainingmaterial") == [(True,)]

    # にしく registers three of its staff: over the capacity in all (2); refused whole, nothing kept.
    over = post(nishi, f"/trainings/{kenshu}/register/", {"staff": [str(i) for i in staff_ids]})
    assert over.status_code == 302
    assert "定員に達しているため" in nishi.get(f"/trainings/{kenshu}/").text
    assert registrations(fed, "k-nishiku") == [] and fed.sql("k-hub", "SELECT count(*) FROM hub_trainingregistration") == [(0,)]
    done = post(nishi, f"/trainings/{kenshu}/register/", {"staff": [str(i) for i in staff_ids[1:]],
                                                          "note": "1名は午後から参加します。"})
    assert done.status_code == 302
    assert registrations(fed, "k-nishiku") == [("区センター職員研修 相談対応の基礎", "にしく市民活動支援センター", 2, None)]
    assert fed.sql("k-hub", "SELECT center_name, seats, note FROM hub_trainingregistration") == [
        ("にしく市民活動支援センター", 2, "1名は午後から参加します。")]
    wait(lambda: registrations(fed, "k-yokohama"), timeout=60, what="the registration at 横浜")
    assert registrations(fed, "k-yokohama") == [("区センター職員研修 相談対応の基礎", "にしく市民活動支援センター", 2, None)]
    assert "1名は午後から参加します。" in seki.get(f"/trainings/{kenshu}/").text

    # The material comes to にしく through the hub, once it has seats.
    wait(lambda: fed.sql("k-nishiku", "SELECT uuid::text FROM nodes_trainingmaterial"), timeout=60,
         what="the material's title at にしく")
    ((material,),) = fed.sql("k-nishiku", "SELECT uuid::text FROM nodes_trainingmaterial")
    download = nishi.get(f"/trainings/materials/{material}/")
    assert download.status_code == 200 and download.content == PDF
    assert "attachment" in download.headers["content-disposition"]

    # A meeting that has begun: にしく registered one, 横浜 counts the attendance; にしく sees it.
    meeting = shell(fed, "k-yokohama", OPEN_SOON)
    wait(lambda: len(trainings(fed, "k-nishiku")) == 2, timeout=30, what="the meeting at にしく")
    assert post(nishi, f"/trainings/{meeting}/register/", {"staff": [str(staff_ids[0])]}).status_code == 302
    wait(lambda: len(registrations(fed, "k-yokohama")) == 2, timeout=60, what="the meeting's registration at 横浜")
    ((registration,),) = fed.sql("k-yokohama", "SELECT r.uuid::text FROM nodes_trainingregistration r JOIN "
                                                "nodes_training t ON t.id = r.training_id WHERE t.uuid = %s", (meeting,))
    wait(lambda: fed.sql("k-yokohama", "SELECT starts_at < now() FROM nodes_training WHERE uuid = %s", (meeting,))[0][0],
         timeout=60, what="the meeting's start")
    counted = post(seki, f"/trainings/{meeting}/attendance/", {f"attended-{registration}": "1"})
    assert counted.status_code == 302
    assert fed.sql("k-hub", "SELECT t.status, r.attended FROM hub_trainingregistration r JOIN hub_training t "
                            "ON t.id = r.training_id WHERE t.uuid = %s", (meeting,)) == [("held", 1)]
    wait(lambda: fed.sql("k-nishiku", "SELECT r.attended FROM nodes_trainingregistration r JOIN nodes_training t "
                                      "ON t.id = r.training_id WHERE t.uuid = %s", (meeting,)) == [(1,)],
         timeout=60, what="the attendance at にしく")
    page = nishi.get("/trainings/").text
    assert "年度ごとの参加（このセンターの職員）" in page and "参加 1人" in page
    assert "年度ごとの参加（主催）" in seki.get("/trainings/").text

    # The staff's names never left にしく: not on the hub, not in its outbox.
    dump = subprocess.run(["pg_dump", "--data-only", fed.by_name["k-hub"].env["DATABASE_URL"]],
                          capture_output=True, text=True, check=True).stdout
    assert "区センター職員研修" in dump
    outbox = str(fed.sql("k-nishiku", "SELECT payload::text FROM sync_outboxentry"))
    for needle in ("戸部", "さくら", "高島", "みなと", "sakura", "minato"):
        assert needle not in dump and needle not in outbox, needle

    # 茅ヶ崎 is backed by no one: it sees none of it and cannot register or download.
    assert "案内を受けた研修・情報共有会議はありません。" in sapo.get("/trainings/").text
    assert fed.sql("k-chigasaki", "SELECT count(*) FROM nodes_training") == [(0,)]
    assert fed.sql("k-chigasaki", "SELECT count(*) FROM sync_feeditem WHERE kind LIKE 'training%%'") == [(0,)]
    assert sapo.get(f"/trainings/{kenshu}/").status_code == 404
