"""Item 5 on a node: offers of listed groups leave for the hub (scrubbed, retracted when they stop
qualifying); other centers' offers are ranked for a need; introduction requests go out through the
hub and come in through the feed, for center staff only."""

from __future__ import annotations

import json
import uuid

import httpx
import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone

from nodes import hub_link, introduction_selectors, models as m, outgoing, selectors, services, sharing
from permissions.models import AuditEvent
from sync import client as sync_client, feed
from sync.anonymize import ScrubResult
from sync.keys import _pair
from sync.models import FeedItem, OutboxEntry
from sync.signing import new_key_pair

from .. import factories as f

OFFER_KEYS = {"center", "group", "title", "description", "fields", "area", "capacity", "months", "cost_conditions"}


def entries(offer) -> list[tuple[str, dict]]:
    return [(e.op, e.payload) for e in OutboxEntry.objects.filter(
        entity_type="directory_offer", entity_uuid=offer.uuid).order_by("id")]


def consent(world, given: bool = True, group=None):
    return services.group_set_consent(acting_user=world.staff_a, group=group or world.group_a, consent="hub_listing",
                                      given=given)


class FakeHub:
    """The hub at the network edge: a MockTransport that answers the item-5 endpoints."""

    def __init__(self):
        self.offers: list[dict] = []
        self.requests: list[tuple[str, str, dict | None]] = []
        self.down = False
        self.refuse: dict | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        if self.down:
            raise httpx.ConnectError("connection refused")
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        if self.refuse:
            return httpx.Response(self.refuse["status"], json={"error": self.refuse})
        if request.url.path == "/sync/v1/offers":
            return httpx.Response(200, json={"offers": self.offers})
        if request.url.path == "/sync/v1/introductions":
            return httpx.Response(201, json={"uuid": body["uuid"], "status": "pending", "to_center_name": "茅ヶ崎センター",
                                             "group_name": "海辺の会", "offer_title": "海岸清掃の出前講座"})
        return httpx.Response(200, json={"uuid": "x", "status": body["status"], "answered_at": timezone.now().isoformat()})

    def client(self) -> sync_client.HubClient:
        return sync_client.HubClient(base_url="http://hub.test", key=_pair(new_key_pair()[0]),
                                     transport=httpx.MockTransport(self.handler))


@pytest.fixture
def hub(monkeypatch):
    fake = FakeHub()
    monkeypatch.setattr(hub_link, "hub_client", lambda client=None: client or fake.client())
    return fake


def remote_offer(**extra) -> dict:
    return {"uuid": str(uuid.uuid4()), "title": "地域猫の相談会", "description": "飼い主のいない猫の不妊去勢と地域での見守りの相談にのります。",
            "fields": [7], "area": "小田原市", "capacity": "年2回", "months": [], "cost_conditions": ["transport"],
            "group": {"uuid": str(uuid.uuid4()), "name": "小田原ねこの会", "kind": "citizen_group",
                      "legal_form": "voluntary", "fields": [7], "area": "小田原市"},
            "center": {"uuid": str(uuid.uuid4()), "name": "小田原センター", "municipality_name": "小田原市"}, **extra}


def feed_item(kind: str, payload: dict, seq: int = 1) -> FeedItem:
    return FeedItem.objects.create(seq=seq, kind=kind, payload=payload, published_at=timezone.now())


def received_payload(world, **extra) -> dict:
    return {"uuid": str(uuid.uuid4()), "to_center": str(world.a.uuid), "from_center_name": "小田原センター",
            "from_municipality": "小田原市", "offer": str(world.rec_a.offer.uuid), "offer_title": "譲渡会の開催",
            "group_name": "Chigasaki Cat's Protect", "need_title": "地域猫の相談", "message": "ご紹介いただけますか。",
            "created_at": timezone.now().isoformat(), **extra}


# --- the directory_offer projection ----------------------------------------------------------------


def test_an_offer_leaves_only_once_its_group_consents_and_without_contacts(world):
    offer = world.rec_a.offer
    assert entries(offer) == []
    consent(world)
    (op, payload), = entries(offer)
    assert op == "upsert" and set(payload) == OFFER_KEYS
    assert payload["group"] == str(world.group_a.uuid) and payload["center"] == str(world.a.uuid)
    assert payload["fields"] == [7]  # the group's fields: the offer has none of its own
    dumped = json.dumps(payload, ensure_ascii=False)
    for personal in ("杉浦 花子", "0467-00-0000", "cats@example.jp"):
        assert personal not in dumped


def test_unpublishing_withdrawing_consent_and_deleting_retract_and_purge(world):
    offer = world.rec_a.offer
    consent(world)
    services.offer_update(acting_user=world.staff_a, offer=offer, is_published=False)
    assert [op for op, _ in entries(offer)] == ["upsert", "retract"]
    services.offer_update(acting_user=world.staff_a, offer=offer, is_published=True)
    consent(world, given=False)
    assert [op for op, _ in entries(offer)] == ["upsert", "retract", "upsert", "retract"]
    consent(world)
    versions = list(OutboxEntry.objects.filter(entity_uuid=offer.uuid).order_by("id").values_list("version", flat=True))
    assert versions == sorted(versions) and versions[-1] > versions[-2]  # re-listed under a newer version
    services.record_delete(acting_user=world.admin_a, record=m.Offer.objects.get(pk=offer.pk))
    assert entries(offer)[-1][0] == "purge"


def test_a_suspended_group_retracts_and_a_deleted_group_purges_its_offers(world):
    consent(world)
    offer = world.rec_a.offer
    services.group_update(acting_user=world.staff_a, group=world.group_a, status=m.GroupStatus.SUSPENDED)
    assert entries(offer)[-1][0] == "retract"
    services.group_renew(acting_user=world.staff_a, group=world.group_a)
    assert entries(offer)[-1][0] == "upsert"
    group = f.group(world.staff_a, world.a, "海辺の会", consents=["hub_listing"])
    other = services.offer_create(acting_user=world.staff_a, group=group, title="海岸清掃", description="ごみ拾い")
    assert entries(other)[-1][0] == "upsert"
    services.group_delete(acting_user=world.admin_a, group=group)
    assert entries(other)[-1][0] == "purge"


def test_the_description_is_scrubbed_and_a_miss_keeps_the_offer_home(world, monkeypatch):
    consent(world)
    offer = services.offer_update(acting_user=world.staff_a, offer=world.rec_a.offer,
                                  description="代表の杉浦 花子さん（0467-00-0000）が説明します。")
    payload = entries(offer)[-1][1]
    assert "〔人名〕" in payload["description"] and "〔電話番号〕" in payload["description"]
    assert "花子" not in payload["description"] and "0467" not in payload["description"]
    monkeypatch.setattr(outgoing, "scrub", lambda text, known: ScrubResult(text, []))
    services.offer_update(acting_user=world.staff_a, offer=offer, title="譲渡会（説明: 杉浦 花子）")
    assert entries(offer)[-1][0] == "retract"


# --- 他センターのできること --------------------------------------------------------------------------


def test_other_centers_offers_are_ranked_for_a_need_with_reasons(world, hub, client):
    need = services.need_update(acting_user=world.staff_a, need=world.rec_a.need, activity_fields=f.fields(7),
                                description="飼い主のいない猫を減らすため、不妊去勢と地域の見守りを進めたい。")
    cats, unrelated = remote_offer(), remote_offer(title="郷土料理教室", description="干物づくり", fields=[3],
                                                  group={**remote_offer()["group"], "fields": [3]})
    hub.offers = [unrelated, cats]
    page = introduction_selectors.remote_offer_suggestions(user=world.staff_a, uuid=need.uuid, q="猫", field_code=7)
    assert hub.requests[0][1] == "/sync/v1/offers"
    assert [item.offer["uuid"] for item in page.ranked] == [cats["uuid"]]
    reasons = [r.text for r in page.ranked[0].suggestion.reasons]
    assert "活動分野が一致: 環境の保全" in reasons and any(t.startswith("内容が近い: ") for t in reasons)
    assert [item.offer["uuid"] for item in page.others] == [unrelated["uuid"]]
    client.force_login(world.staff_a)
    response = client.get(f"/matching/needs/{need.uuid}/elsewhere/")
    assert response.status_code == 200
    assert "小田原ねこの会" in response.content.decode() and "小田原センターに紹介を依頼する" in response.content.decode()
    assert "他センターのできること" in client.get(f"/matching/needs/{need.uuid}/").content.decode()


def test_an_unreachable_hub_gives_a_clear_message(world, hub, client):
    hub.down = True
    client.force_login(world.staff_a)
    response = client.get(f"/matching/needs/{world.rec_a.need.uuid}/elsewhere/")
    assert response.status_code == 200
    assert "ハブに接続できませんでした。しばらくしてからもう一度お試しください。" in response.content.decode()


def test_remote_offers_are_for_center_staff_of_the_needs_center(world, hub, client):
    with pytest.raises(ObjectDoesNotExist):
        introduction_selectors.remote_offer_suggestions(user=world.staff_b, uuid=world.rec_a.need.uuid)
    client.force_login(world.staff_b)
    assert client.get(f"/matching/needs/{world.rec_a.need.uuid}/elsewhere/").status_code == 404
    client.force_login(world.dept_staff)
    assert client.get(f"/matching/needs/{world.rec_a.need.uuid}/elsewhere/").status_code == 403
    assert hub.requests == []


# --- introduction requests --------------------------------------------------------------------------


def test_a_request_goes_to_the_hub_scrubbed_and_is_kept_as_sent(world, hub, client):
    offer_uuid = uuid.uuid4()
    client.force_login(world.staff_a)
    response = client.post(f"/matching/needs/{world.rec_a.need.uuid}/elsewhere/request/", {
        "offer": str(offer_uuid), "message": "猫対策の団体をご紹介ください。担当は0467-00-0000まで。"})
    assert response.status_code == 302
    (method, path, body), = hub.requests
    assert (method, path) == ("POST", "/sync/v1/introductions")
    assert set(body) == {"uuid", "center", "offer", "need_title", "message"}
    assert body["center"] == str(world.a.uuid) and body["offer"] == str(offer_uuid)
    assert "〔電話番号〕" in body["message"] and "0467" not in body["message"]
    sent = m.IntroductionRequest.objects.get()
    assert (str(sent.uuid), sent.direction, sent.status, sent.other_center_name, sent.need) == (
        body["uuid"], "sent", "pending", "茅ヶ崎センター", world.rec_a.need)
    assert AuditEvent.objects.filter(action="introductionrequest.create").exists()
    page = client.get("/introductions/").content.decode()
    assert "海岸清掃の出前講座" in page and "回答待ち" in page


def test_known_personal_data_the_scrubber_missed_refuses_the_request(world, hub, monkeypatch):
    monkeypatch.setattr(sharing, "scrub", lambda text, known: ScrubResult(text, []))
    with pytest.raises(ValidationError) as error:
        services.introduction_request(acting_user=world.staff_a, need=world.rec_a.need, offer_uuid=uuid.uuid4(),
                                      message="代表の杉浦 花子さんに連絡を。")
    assert error.value.error_dict["message"][0].code == "personal_data"
    assert "登録済みの個人情報（人名）が含まれているため送れません" in error.value.messages[0]
    assert hub.requests == [] and not m.IntroductionRequest.objects.exists()


def test_requests_are_for_center_staff_and_hub_errors_change_nothing(world, hub):
    # The department sees its need but does not ask other centers; a group's member does not see the need.
    for user, refusal in ((world.dept_staff, PermissionDenied), (world.member_a, ObjectDoesNotExist),
                          (world.staff_b, ObjectDoesNotExist)):
        with pytest.raises(refusal):
            services.introduction_request(acting_user=user, need=world.rec_a.need, offer_uuid=uuid.uuid4(),
                                          message="ご紹介ください。")
    hub.refuse = {"status": 404, "code": "offer_not_found", "message": "no listed offer"}
    with pytest.raises(ValidationError) as error:
        services.introduction_request(acting_user=world.staff_a, need=world.rec_a.need, offer_uuid=uuid.uuid4(),
                                      message="ご紹介ください。")
    assert error.value.messages == ["このメニューはハブから取り下げられました。"]
    with pytest.raises(ValidationError):
        services.introduction_request(acting_user=world.staff_a, need=world.rec_a.need, offer_uuid="x", message="a")
    assert not m.IntroductionRequest.objects.exists()


def test_a_received_request_lands_in_the_inbox_once(world):
    payload = received_payload(world)
    first = services.introduction_receive_item(feed_item("introduction_request", payload, seq=1))
    again = services.introduction_receive_item(feed_item("introduction_request", payload, seq=2))
    assert first.pk == again.pk and m.IntroductionRequest.objects.count() == 1
    assert (first.direction, first.center, first.offer, first.status) == ("received", world.a, world.rec_a.offer, "pending")
    assert AuditEvent.objects.filter(action="introductionrequest.receive").count() == 1
    # Through the registered handler too; a request for a center this node does not hold is refused and logged.
    feed.dispatch(feed_item("introduction_request", received_payload(world, to_center=str(uuid.uuid4())), seq=3))
    assert m.IntroductionRequest.objects.count() == 1
    assert selectors.dashboard(user=world.staff_a)["introductions_pending"] == 1


def test_only_the_owning_centers_staff_see_and_answer_a_request_once(world, hub, client):
    received = services.introduction_receive_item(feed_item("introduction_request", received_payload(world)))
    for outsider in (world.staff_b, world.member_a, world.dept_staff):
        assert introduction_selectors.introductions(user=outsider)["received"] == []
        with pytest.raises(ObjectDoesNotExist):
            services.introduction_answer(acting_user=outsider, request=received, accept=True)
    client.force_login(world.staff_b)
    assert client.post(f"/introductions/{received.uuid}/answer/", {"decision": "accept"}).status_code == 404
    client.force_login(world.member_a)
    assert client.get("/introductions/").status_code == 403
    assert hub.requests == []
    with pytest.raises(ValidationError) as error:
        services.introduction_answer(acting_user=world.staff_a, request=received, accept=False, message="")
    assert error.value.error_dict["message"][0].code == "required"
    client.force_login(world.staff_a)
    response = client.post(f"/introductions/{received.uuid}/answer/", {
        "decision": "decline", "message": "今期は難しいとのことです（杉浦 花子）。"})
    assert response.status_code == 302
    (method, path, body), = hub.requests
    assert path == f"/sync/v1/introductions/{received.uuid}/answer" and body["status"] == "declined"
    assert "〔人名〕" in body["message"] and "花子" not in body["message"]
    received.refresh_from_db()
    assert (received.status, received.answered_by) == ("declined", world.staff_a)
    with pytest.raises(ValidationError) as error:
        services.introduction_answer(acting_user=world.staff_a, request=received, accept=True)
    assert error.value.messages == ["この依頼にはすでに回答しています。"]


def test_an_answer_reaches_the_sent_request_once_and_only_forward(world, hub):
    sent = services.introduction_request(acting_user=world.staff_a, need=world.rec_a.need, offer_uuid=uuid.uuid4(),
                                         message="ご紹介ください。")
    answer = {"uuid": str(sent.uuid), "status": "accepted", "message": "紹介します。",
              "answered_at": timezone.now().isoformat()}
    services.introduction_answer_receive_item(feed_item("introduction_answer", answer, seq=1))
    services.introduction_answer_receive_item(feed_item("introduction_answer", {**answer, "status": "declined"}, seq=2))
    sent.refresh_from_db()
    assert (sent.status, sent.answer_message) == ("accepted", "紹介します。")
    assert AuditEvent.objects.filter(action="introductionrequest.answered").count() == 1
    with pytest.raises(ValidationError):
        services.introduction_answer(acting_user=world.staff_a, request=sent, accept=True)
