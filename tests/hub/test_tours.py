"""Study tours on the hub: a host node's tour and its tour-only case copies arrive signed; visitors
join by invitation and read only inside the reading window (checked in the query), every read
audited; reports go back to the host; copies are purged when reading ends."""

from __future__ import annotations

import datetime as dt
import re
import uuid

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from hub.models import FeedEntry, StudyTour, Tombstone, TourCaseCopy, TourInvitation, TourParticipant
from hub.selectors.tours import READ_ACTION, bundle, readership
from hub.services.tours import invitations_issue, purge_closed
from permissions.models import AuditEvent

from . import payloads
from .test_case_library import CATS, case_payload, party, people, send_ok  # noqa: F401 (fixture)
from .test_receiver import FakeNode

NAMED_GROUP = "チガサキ・キャッツ・プロテクト"


@pytest.fixture
def chigasaki(db):
    node = FakeNode("chigasaki", "142077")
    return node


def tour_payload(node: FakeNode, *, starts: dt.date, ends: dt.date, reading_days: int = 14, stop_key=None,
                 case_ref=None, **overrides) -> dict:
    opens = timezone.make_aware(dt.datetime.combine(starts, dt.time.min))
    reading_ends = timezone.make_aware(dt.datetime.combine(ends + dt.timedelta(days=reading_days + 1), dt.time.min))
    now = timezone.now()
    stop_key = stop_key or str(uuid.uuid4())
    values = {
        "starts_on": starts.isoformat(), "ends_on": ends.isoformat(), "opens_at": opens.isoformat(),
        "reading_ends_at": reading_ends.isoformat(),
        "stops": [payloads.tour_stop(key=stop_key, starts_at=(now - dt.timedelta(minutes=10)).isoformat(),
                                     ends_at=(now + dt.timedelta(hours=1)).isoformat())],
        "cases": [payloads.bundle_entry(ref=case_ref or str(uuid.uuid4()), stop=stop_key,
                                        note="手術費の市負担の仕組み")],
        "named": {"stops": {stop_key: {"title": f"{NAMED_GROUP}の保護猫カフェ訪問"}}},
    }
    return payloads.tour(node.center, **{**values, **overrides})


def publish_tour(node: FakeNode, client, *, starts=None, ends=None, reading_days=14):
    today = timezone.localdate()
    tour_uuid, case_ref = uuid.uuid4(), uuid.uuid4()
    tour = tour_payload(node, starts=starts or today, ends=ends or today + dt.timedelta(days=1),
                        reading_days=reading_days, case_ref=str(case_ref))
    named = case_payload(node, **CATS, level="named", parties=[party(name=NAMED_GROUP, role="lead")])
    send_ok(node, client, [node.profile(), node.entry("study_tour", tour, entity_uuid=tour_uuid),
                           node.entry("tour_case", payloads.tour_case(node.center, tour_uuid, named),
                                      entity_uuid=case_ref)])
    return StudyTour.objects.get(entity_uuid=tour_uuid), case_ref


def invite(tour, count=1, days=14):
    return invitations_issue(acting_user=None, tour=tour, organization_name="小田原市市民活動交流センター UMECO",
                                   count=count, days_valid=days, link_for=lambda token: f"/tours/invite/{token}/")


def join(client, link: str, username: str = "visitor1"):
    return client.post(link, {"display_name": "相模 太郎", "username": username, "password": "kanagawa-tour-2026"})


def test_a_visitor_joins_by_invitation_reads_the_current_stop_and_every_read_is_audited(chigasaki, client):
    tour, case_ref = publish_tour(chigasaki, client)
    assert TourCaseCopy.objects.get(entity_uuid=case_ref).parties[0]["name"] == NAMED_GROUP
    link = invite(tour).links[0]
    response = join(client, link)
    assert response.status_code == 302 and response["Location"] == f"/tours/{tour.pk}/"
    page = client.get(f"/tours/{tour.pk}/").content.decode()
    current = re.search(r'id="current-stop">(.*?)</section>', page, re.S).group(1)
    # Inside the window, the stop names the group that consented for this tour.
    assert f"{NAMED_GROUP}の保護猫カフェ訪問" in current and "茅ヶ崎駅北口から徒歩8分" in current and CATS["title"] in current
    case_page = client.get(f"/tours/{tour.pk}/cases/{case_ref}/").content.decode()
    assert NAMED_GROUP in case_page and "このツアーでは団体名あり" in case_page
    reads = AuditEvent.objects.filter(action=READ_ACTION, target_uuid=tour.entity_uuid)
    assert reads.count() == 1 and reads.get().detail["case"] == str(case_ref)
    assert "相模" not in str(reads.get().detail)
    client.get(f"/tours/{tour.pk}/cases/{case_ref}/")  # the same case again
    # The host sees who read how much: counts only (two reads of one case).
    (row,) = readership(tour)["participants"]
    assert (row["name"], row["cases_read"], row["reads"]) == ("相模 太郎", 1, 2)
    # A visitor holds no hub role: the rest of the hub stays closed.
    assert client.get("/directory/").status_code == 403
    assert client.get("/")["Location"] == "/tours/"


@pytest.mark.parametrize("when", ["before", "after"])
def test_outside_the_window_a_participant_gets_403_and_nothing_is_read(chigasaki, client, when):
    today = timezone.localdate()
    tour, case_ref = publish_tour(chigasaki, client)
    join(client, invite(tour).links[0])
    if when == "before":
        StudyTour.objects.filter(pk=tour.pk).update(opens_at=timezone.now() + dt.timedelta(days=3),
                                                    starts_on=today + dt.timedelta(days=3),
                                                    ends_on=today + dt.timedelta(days=4))
    else:
        StudyTour.objects.filter(pk=tour.pk).update(opens_at=timezone.now() - dt.timedelta(days=30),
                                                    reading_ends_at=timezone.now() - dt.timedelta(seconds=1))
    for path in (f"/tours/{tour.pk}/", f"/tours/{tour.pk}/cases/{case_ref}/", f"/tours/{tour.pk}/report/"):
        response = client.get(path)
        assert response.status_code == 403, path
        assert NAMED_GROUP not in response.content.decode() and CATS["title"] not in response.content.decode()
    assert not AuditEvent.objects.filter(action=READ_ACTION).exists()


def test_a_non_participant_never_sees_the_tour(chigasaki, client, people):  # noqa: F811
    tour, case_ref = publish_tour(chigasaki, client)
    coordinator, outsider = people
    client.force_login(outsider)
    for path in (f"/tours/{tour.pk}/", f"/tours/{tour.pk}/cases/{case_ref}/", f"/tours/{tour.pk}/report/"):
        assert client.get(path).status_code == 404
    assert tour.title not in client.get("/tours/").content.decode()
    # A coordinator manages tours (counts, invitations) but reads a bundle only as a participant.
    client.force_login(coordinator)
    assert client.get(f"/tours/{tour.pk}/manage/").status_code == 200
    assert client.get(f"/tours/{tour.pk}/cases/{case_ref}/").status_code == 404


def test_an_expired_or_used_invitation_does_nothing(chigasaki, client):
    tour, _ = publish_tour(chigasaki, client)
    expired, used = invite(tour, count=2).links
    TourInvitation.objects.filter(pk=TourInvitation.objects.order_by("pk").first().pk).update(
        expires_at=timezone.now() - dt.timedelta(seconds=1))
    users = get_user_model().objects.count()
    for _ in range(2):
        response = join(client, expired, username="late")
        assert response.status_code == 404 and "無効" in response.content.decode()
    assert get_user_model().objects.count() == users and not TourParticipant.objects.exists()
    assert join(client, used).status_code == 302
    client.logout()
    response = join(client, used, username="second")
    assert response.status_code == 404
    assert TourParticipant.objects.count() == 1 and not get_user_model().objects.filter(username="second").exists()


def test_bad_input_on_joining_changes_nothing(chigasaki, client):
    tour, _ = publish_tour(chigasaki, client)
    link = invite(tour).links[0]
    response = client.post(link, {"display_name": "", "username": "v", "password": "short"})
    assert response.status_code == 400
    assert not TourParticipant.objects.exists() and not get_user_model().objects.filter(username="v").exists()
    assert TourInvitation.objects.get().used_at is None


def test_a_report_goes_to_the_host_node_through_the_feed(chigasaki, client):
    tour, _ = publish_tour(chigasaki, client)
    join(client, invite(tour).links[0])
    response = client.post(f"/tours/{tour.pk}/report/", {"saw": "市の負担で手術費を賄う仕組みが印象的だった。",
                                                         "transfer": "小田原でも獣医師会と話してみたい。", "questions": ""})
    assert response.status_code == 302
    entry = FeedEntry.objects.get(kind="tour_report")
    assert entry.node == chigasaki.node
    assert entry.payload["tour"] == str(tour.entity_uuid) and entry.payload["author_name"] == "相模 太郎"
    # Rewriting keeps one report (the node takes the newer version by uuid).
    client.post(f"/tours/{tour.pk}/report/", {"saw": "書き直し", "transfer": "", "questions": ""})
    assert tour.reports.count() == 1
    assert FeedEntry.objects.filter(kind="tour_report").values("payload__uuid").distinct().count() == 1
    # An empty report is refused and sends nothing.
    assert client.post(f"/tours/{tour.pk}/report/", {"saw": ""}).status_code == 400
    assert FeedEntry.objects.filter(kind="tour_report").count() == 2


def test_reading_end_purges_tour_copies_and_a_late_redelivery_stays_buried(chigasaki, client):
    tour, case_ref = publish_tour(chigasaki, client)
    copy = TourCaseCopy.objects.get(entity_uuid=case_ref)
    assert purge_closed() == 0
    StudyTour.objects.filter(pk=tour.pk).update(opens_at=timezone.now() - dt.timedelta(days=20),
                                                reading_ends_at=timezone.now() - dt.timedelta(minutes=1))
    assert purge_closed() == 1
    assert not TourCaseCopy.objects.exists()
    assert Tombstone.objects.get(entity_uuid=case_ref).version == copy.version
    # The same version sent again (a node catching up) does not come back.
    named = case_payload(chigasaki, **CATS, level="named", parties=[party(name=NAMED_GROUP)])
    send_ok(chigasaki, client, [chigasaki.entry("tour_case", payloads.tour_case(chigasaki.center,
                                                                                tour.entity_uuid, named), entity_uuid=case_ref, version=copy.version)])
    assert not TourCaseCopy.objects.exists()


def test_a_node_cannot_put_a_case_into_another_nodes_tour(chigasaki, client):
    tour, case_ref = publish_tour(chigasaki, client)
    other = FakeNode("odawara", "142069")
    payload = case_payload(other, title="割り込みの事例")
    # The same uuid as the tour's own case: stored under the other node, never read by this tour.
    send_ok(other, client, [other.profile(), other.entry("tour_case", payloads.tour_case(
        other.center, tour.entity_uuid, payload), entity_uuid=case_ref)])
    assert TourCaseCopy.objects.filter(entity_uuid=case_ref).count() == 2
    (entry,) = bundle(tour)
    assert entry.case.node_id == chigasaki.node.pk and entry.case.title == CATS["title"]
    # And a node cannot send a tour of a center it does not own.
    foreign = tour_payload(chigasaki, starts=timezone.localdate(), ends=timezone.localdate())
    response = other.send(client, [other.entry("study_tour", foreign)])
    assert response.status_code == 403 and response.json()["error"]["code"] == "outside_partition"


@pytest.mark.parametrize("broken", [
    {"stops": "not a list"}, {"ends_on": "2020-13-01"}, {"capacity": True},
    {"organizations": [{"name": "", "kind": "center", "seats": 1}]},
    {"cases": [payloads.bundle_entry(ref="x")]},
    {"named": {"stops": {str(uuid.uuid4()): {"title": "どこにもない訪問先"}}}},
    {"reading_ends_at": "2099-01-01T00:00:00+09:00"},
])
def test_a_bad_tour_payload_is_refused_and_nothing_is_applied(chigasaki, client, broken):
    send_ok(chigasaki, client, [chigasaki.profile()])
    today = timezone.localdate()
    payload = tour_payload(chigasaki, starts=today, ends=today, **broken)
    response = chigasaki.send(client, [chigasaki.entry("study_tour", payload)])
    assert response.status_code == 422 and response.json()["error"]["code"] == "payload_invalid"
    assert not StudyTour.objects.exists()


def test_a_coordinator_creates_a_hub_tour_from_a_collection(client, people):  # noqa: F811
    from hub.models import CaseCollection

    coordinator, _ = people
    client.force_login(coordinator)
    collection = CaseCollection.objects.create(title="川崎の協働事例", created_by=coordinator)
    today = timezone.localdate()
    response = client.post("/tours/new/", {
        "title": "県域スタディツアー", "host_name": "神奈川県", "starts_on": today.isoformat(),
        "ends_on": today.isoformat(), "reading_days": "7", "collection": collection.pk,
        "stops-TOTAL_FORMS": "1", "stops-INITIAL_FORMS": "0", "stops-MIN_NUM_FORMS": "0", "stops-MAX_NUM_FORMS": "40",
        "stops-0-title": "かわさき市民活動センター", "stops-0-starts_at": f"{today}T10:00", "stops-0-place": "中原区"})
    tour = StudyTour.objects.get()
    assert response.status_code == 302 and tour.node is None and tour.host == "神奈川県"
    assert tour.reading_ends_at == timezone.make_aware(dt.datetime.combine(today + dt.timedelta(days=8), dt.time.min))
    assert [s["title"] for s in tour.stops] == ["かわさき市民活動センター"]
    # Reversed dates: a Japanese error, no tour.
    response = client.post("/tours/new/", {
        "title": "逆", "host_name": "神奈川県", "starts_on": today.isoformat(),
        "ends_on": (today - dt.timedelta(days=1)).isoformat(), "reading_days": "7",
        "stops-TOTAL_FORMS": "0", "stops-INITIAL_FORMS": "0", "stops-MIN_NUM_FORMS": "0", "stops-MAX_NUM_FORMS": "40"})
    assert response.status_code == 400 and "終了日は開始日以降" in response.content.decode()
    assert StudyTour.objects.count() == 1


def test_a_library_entry_resolves_to_its_centers_copy_only(chigasaki, client):
    """Library copies are unique per node: another node sending a case under the same uuid cannot
    take the place of the one the host chose."""
    from hub.models import SharedCase

    other = FakeNode("odawara", "142069")
    library_uuid = uuid.uuid4()
    send_ok(chigasaki, client, [chigasaki.profile(), chigasaki.entry(
        "shared_case", case_payload(chigasaki, **CATS), entity_uuid=library_uuid)])
    send_ok(other, client, [other.profile(), other.entry(
        "shared_case", case_payload(other, title="なりすましの事例"), entity_uuid=library_uuid)])
    assert SharedCase.objects.filter(entity_uuid=library_uuid).count() == 2
    today = timezone.localdate()
    payload = tour_payload(chigasaki, starts=today, ends=today, cases=[payloads.bundle_entry(
        ref=uuid.uuid4(), source="library", library=str(library_uuid), library_center=str(chigasaki.center),
        title=CATS["title"])], named={})
    send_ok(chigasaki, client, [chigasaki.entry("study_tour", payload)])
    (entry,) = bundle(StudyTour.objects.get())
    assert entry.case.title == CATS["title"]


def test_a_tour_removed_by_its_node_takes_its_copies_and_named_texts_end_with_reading(chigasaki, client):
    tour, case_ref = publish_tour(chigasaki, client)
    assert tour.named_texts["stops"]
    StudyTour.objects.filter(pk=tour.pk).update(opens_at=timezone.now() - dt.timedelta(days=20),
                                                reading_ends_at=timezone.now() - dt.timedelta(minutes=1))
    purge_closed()
    tour.refresh_from_db()
    assert tour.named_texts == {} and NAMED_GROUP not in str(tour.stops)
    # A tour retracted at its node: copies (here a fresh one) go with it.
    fresh, fresh_ref = publish_tour(chigasaki, client)
    assert TourCaseCopy.objects.filter(entity_uuid=fresh_ref).exists()
    send_ok(chigasaki, client, [chigasaki.entry("study_tour", payloads.removal(chigasaki.center), op="purge",
                                                version=2, entity_uuid=fresh.entity_uuid)])
    assert not StudyTour.objects.filter(pk=fresh.pk).exists() and not TourCaseCopy.objects.exists()
    # A copy of an ended tour sent late is kept nowhere.
    named = case_payload(chigasaki, **CATS, level="named", parties=[party(name=NAMED_GROUP)])
    send_ok(chigasaki, client, [chigasaki.entry("tour_case", payloads.tour_case(chigasaki.center,
                                                                                tour.entity_uuid, named), entity_uuid=uuid.uuid4(), version=9)])
    assert not TourCaseCopy.objects.exists()


def _dump() -> str:
    """The hub's whole database as pg_dump writes it (what a backup or a leak would hold)."""
    import subprocess

    from django.db import connection

    db = connection.settings_dict
    env = {"PGPASSWORD": db.get("PASSWORD") or "", "PATH": "/usr/bin:/bin"}
    return subprocess.run(["pg_dump", "--data-only", "-h", db["HOST"] or "127.0.0.1", "-p", str(db["PORT"] or 5432),
                           "-U", db["USER"], db["NAME"]], capture_output=True, text=True, env=env, check=True).stdout


@pytest.mark.django_db(transaction=True)
def test_after_reading_ends_no_visitor_name_report_or_account_is_left_and_their_token_ends(chigasaki, client, api):
    from rest_framework.test import APIClient

    from hub.services.tours import visitors_forget

    tour, _ = publish_tour(chigasaki, client)
    join(client, invite(tour).links[0], username="sagami-visit")
    client.post(f"/tours/{tour.pk}/report/", {"saw": "譲渡会の段取りが参考になった。", "transfer": "小田原の獣医師会と相談したい",
                                              "questions": ""})
    token = APIClient().post("/api/v1/auth/token/", {"username": "sagami-visit", "password": "kanagawa-tour-2026"},
                             format="json").json()["token"]
    visitor = APIClient(HTTP_AUTHORIZATION=f"Token {token}")
    probe = f"/api/v1/disasters/{uuid.uuid4()}/contacts/"
    assert visitor.get(probe).status_code != 401  # authenticated (no hub role: refused later, not here)
    dump = _dump()
    assert "相模 太郎" in dump and "譲渡会の段取り" in dump and "sagami-visit" in dump
    StudyTour.objects.filter(pk=tour.pk).update(reading_ends_at=timezone.now() - dt.timedelta(minutes=1),
                                                opens_at=timezone.now() - dt.timedelta(days=20))
    # Reading is over: the token is refused at once, before the beat task runs.
    response = visitor.get(probe)
    assert response.status_code == 401 and response.json()["error"]["code"] == "account_ended"
    counts = visitors_forget()
    assert counts["participants"] == 1 and counts["reports"] == 1 and counts["accounts"] == 1
    assert counts["feed_entries"] == 1
    dump = _dump()
    for leftover in ("相模 太郎", "譲渡会の段取り", "小田原の獣医師会と相談したい", "sagami-visit", token):
        assert leftover not in dump, leftover
    assert not get_user_model().objects.filter(username="sagami-visit").exists()
    assert FeedEntry.objects.get(kind="tour_report").payload == {"uuid": ANY_UUID, "tour": str(tour.entity_uuid)}
    assert AuditEvent.objects.filter(action="tour.visitors_forgotten").count() == 1
    assert visitors_forget() == {"reports": 0, "feed_entries": 0, "invitations": 0, "participants": 0, "accounts": 0}


class _AnyUuid:
    def __eq__(self, other) -> bool:
        try:
            uuid.UUID(str(other))
        except ValueError:
            return False
        return True


ANY_UUID = _AnyUuid()


def test_an_api_token_expires_after_the_configured_days_and_a_new_one_is_issued(db, settings):
    from rest_framework.authtoken.models import Token
    from rest_framework.test import APIClient

    settings.KYODO_API_TOKEN_DAYS = 30
    get_user_model().objects.create_user("coordinator-x", password="kanagawa-hub-2026")
    first = APIClient().post("/api/v1/auth/token/", {"username": "coordinator-x", "password": "kanagawa-hub-2026"},
                             format="json").json()["token"]
    Token.objects.filter(key=first).update(created=timezone.now() - dt.timedelta(days=31))
    response = APIClient(HTTP_AUTHORIZATION=f"Token {first}").get(f"/api/v1/disasters/{uuid.uuid4()}/contacts/")
    assert response.status_code == 401 and response.json()["error"]["code"] == "token_expired"
    second = APIClient().post("/api/v1/auth/token/", {"username": "coordinator-x", "password": "kanagawa-hub-2026"},
                              format="json").json()["token"]
    assert second != first and not Token.objects.filter(key=first).exists()
