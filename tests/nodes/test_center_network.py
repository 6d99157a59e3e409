"""A node's side of issue 17 items 1 and 2: relations mirrored from the feed and declared at the hub;
a consultation referred to another center with a scrubbed summary and question (never the
requester), refused whole when known personal data remains; a received referral taken on in a
consultation of the receiving center, forward only; counts per center and month; staff only."""

from __future__ import annotations

import datetime as dt
import json
import uuid

import httpx
import pytest
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.utils import timezone

from nodes import hub_link, models as m, network_selectors, services, sharing
from permissions.models import AuditEvent
from sync import client as sync_client
from sync.anonymize import ScrubResult
from sync.keys import _pair
from sync.models import FeedItem, OutboxEntry
from sync.signing import new_key_pair
from sync.wire import referrals as wire

OTHER_CENTER = str(uuid.uuid4())


class FakeHub:
    """The hub at the network edge, answering the network endpoints."""

    def __init__(self):
        self.requests: list[tuple[str, str, dict | None]] = []
        self.refuse: dict | None = None

    def handler(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content) if request.content else None
        self.requests.append((request.method, request.url.path, body))
        if self.refuse:
            return httpx.Response(self.refuse["status"], json={"error": self.refuse})
        path = request.url.path
        if path == "/sync/v1/centers":
            return httpx.Response(200, json={"centers": [{"uuid": OTHER_CENTER, "name": "横浜市市民協働推進センター",
                                                          "municipality": "横浜市", "backs_us": True,
                                                          "backed_by_us": False}]})
        if path == "/sync/v1/relations":
            return httpx.Response(201, json={
                "uuid": str(uuid.uuid4()), "backing_center": body["other_center"],
                "backing_center_name": "横浜市市民協働推進センター", "backed_center": body["center"],
                "backed_center_name": "茅ヶ崎", "backing_declared": False, "backed_declared": True, "confirmed_at": None})
        if path == "/sync/v1/referrals":
            return httpx.Response(201, json={"uuid": body["uuid"], "status": "pending",
                                             "to_center_name": "横浜市市民協働推進センター"})
        return httpx.Response(200, json={"uuid": "x", "status": body["status"]})

    def client(self) -> sync_client.HubClient:
        return sync_client.HubClient(base_url="http://hub.test", key=_pair(new_key_pair()[0]),
                                     transport=httpx.MockTransport(self.handler))


@pytest.fixture
def hub(monkeypatch):
    fake = FakeHub()
    monkeypatch.setattr(hub_link, "hub_client", lambda client=None: client or fake.client())
    return fake


def feed_item(kind: str, payload: dict, seq: int = 1) -> FeedItem:
    return FeedItem.objects.create(seq=seq, kind=kind, payload=payload, published_at=timezone.now())


def send(world, **extra) -> m.Referral:
    values = {"to_center_uuid": OTHER_CENTER, "kind": "joint",
              "summary": "岡部 太郎さんからNPO法人の設立の相談。定款の作り方で迷っている。",
              "question": "設立相談の経験がある職員に同席していただけますか。", **extra}
    return services.referral_send(acting_user=world.staff_a, consultation=world.rec_a.consultation, **values)


def received(world, seq: int = 1, **extra) -> m.Referral:
    return services.referral_receive_item(feed_item(wire.REQUEST_KIND, {
        "uuid": str(uuid.uuid4()), "to_center": str(world.a.uuid), "from_center": OTHER_CENTER,
        "from_center_name": "にしく市民活動支援センター", "kind": "joint", "summary": "〔人名〕さんから子ども食堂の相談。",
        "question": "同席をお願いできますか。", "created_at": timezone.now().isoformat(), **extra}, seq=seq))


def test_a_referral_leaves_scrubbed_without_the_requester_and_is_kept_linked(world, hub):
    referral = send(world)
    ((method, path, body),) = hub.requests
    assert (method, path, set(body)) == ("POST", "/sync/v1/referrals", wire.REQUEST_KEYS)
    assert "岡部" not in json.dumps(body, ensure_ascii=False) and "〔人名〕" in body["summary"]
    assert (referral.direction, referral.status, referral.consultation, referral.other_center_name) == (
        "sent", "pending", world.rec_a.consultation, "横浜市市民協働推進センター")
    assert "岡部" not in referral.summary
    assert AuditEvent.objects.filter(action="referral.create").exists()
    assert not OutboxEntry.objects.filter(entity_type__icontains="referral").exists()


def test_known_personal_data_the_scrubber_missed_refuses_the_referral(world, hub, monkeypatch):
    monkeypatch.setattr(sharing, "scrub", lambda text, known: ScrubResult(text, []))
    with pytest.raises(ValidationError) as error:
        send(world)
    assert error.value.error_dict["summary"][0].code == "personal_data"
    assert hub.requests == [] and not m.Referral.objects.exists()


@pytest.mark.parametrize(("extra", "field", "code"), [
    ({"question": "  "}, "question", "required"),
    ({"summary": "あ" * (wire.MAX_SUMMARY + 1)}, "summary", "max_length"),
    ({"kind": "lunch"}, "kind", "invalid"),
    ({"to_center_uuid": "x"}, "to_center", "invalid"),
])
def test_bad_input_is_refused_with_a_code_and_nothing_is_sent(world, hub, extra, field, code):
    with pytest.raises(ValidationError) as error:
        send(world, **extra)
    assert error.value.error_dict[field][0].code == code
    assert hub.requests == [] and not m.Referral.objects.exists()


def test_referrals_are_for_the_consultations_center_staff_and_hub_refusals_change_nothing(world, hub):
    for user, refusal in ((world.dept_staff, ObjectDoesNotExist), (world.member_a, ObjectDoesNotExist),
                          (world.staff_b, ObjectDoesNotExist)):
        with pytest.raises((refusal, PermissionDenied)):
            services.referral_send(acting_user=user, consultation=world.rec_a.consultation, to_center_uuid=OTHER_CENTER,
                                   kind="advice", summary="相談", question="教えてください。")
    hub.refuse = {"status": 404, "code": "center_not_found", "message": "no center"}
    with pytest.raises(ValidationError) as error:
        send(world)
    assert error.value.messages == ["このセンターはハブに登録されていません。"]
    assert not m.Referral.objects.exists()


def test_a_received_referral_is_taken_on_in_a_consultation_of_this_center_forward_only(world, hub):
    referral = received(world)
    assert received(world, seq=2, uuid=str(referral.uuid)).pk == referral.pk  # re-delivered: once
    with pytest.raises(ValidationError) as error:
        services.referral_respond(acting_user=world.staff_a, referral=referral, status="joining", message="伺います。")
    assert error.value.error_dict["joint_on"][0].code == "required"
    with pytest.raises(ValidationError) as error:
        services.referral_respond(acting_user=world.staff_a, referral=referral, status="answered")
    assert error.value.error_dict["message"][0].code == "required"
    assert hub.requests == []
    with pytest.raises(ObjectDoesNotExist):
        services.referral_respond(acting_user=world.staff_b, referral=referral, status="accepted")
    on = dt.date(2027, 1, 15)
    referral = services.referral_respond(acting_user=world.staff_a, referral=referral, status="joining",
                                         message="伺います。", joint_on=on)
    assert (referral.status, referral.joint_on, referral.answered_by) == ("joining", on, world.staff_a)
    assert referral.consultation.center == world.a and referral.consultation.requester_name == ""
    assert referral.consultation.topic == "にしく市民活動支援センターからの相談"
    assert hub.requests[-1][2] == {"status": "joining", "message": "伺います。", "joint_on": "2027-01-15"}
    with pytest.raises(ValidationError) as error:
        services.referral_respond(acting_user=world.staff_a, referral=referral, status="accepted")
    assert error.value.code == "status_backwards"


def test_the_answer_reaches_the_sent_referral_forward_only(world, hub):
    referral = send(world)
    status = {"uuid": str(referral.uuid), "message": "", "joint_on": None, "changed_at": timezone.now().isoformat()}
    services.referral_status_receive_item(feed_item(wire.STATUS_KIND, {**status, "status": "answered",
                                                                       "message": "事例をお送りします。"}, seq=1))
    services.referral_status_receive_item(feed_item(wire.STATUS_KIND, {**status, "status": "accepted"}, seq=2))
    referral.refresh_from_db()
    assert (referral.status, referral.answer_message) == ("answered", "事例をお送りします。")
    assert referral.answered_at is not None


def test_relations_arrive_in_the_feed_and_a_declaration_goes_to_the_hub(world, hub):
    payload = {"uuid": str(uuid.uuid4()), "backing_center": str(world.a.uuid), "backing_center_name": "茅ヶ崎",
               "backed_center": OTHER_CENTER, "backed_center_name": "にしく市民活動支援センター",
               "backing_declared": False, "backed_declared": True, "confirmed_at": None}
    (relation,) = services.relation_receive_item(feed_item(wire.RELATION_KIND, payload))
    assert (relation.role, relation.we_declared, relation.they_declared, relation.confirmed_at) == (
        "backing", False, True, None)
    confirmed = {**payload, "backing_declared": True, "confirmed_at": timezone.now().isoformat()}
    (relation,) = services.relation_receive_item(feed_item(wire.RELATION_KIND, confirmed, seq=2))
    assert relation.confirmed_at is not None and m.CenterRelation.objects.count() == 1
    declared = services.relation_declare(acting_user=world.staff_a, center=world.a, other_center_uuid=OTHER_CENTER,
                                         role="backed")
    assert hub.requests[-1][2] == {"center": str(world.a.uuid), "other_center": OTHER_CENTER, "role": "backed_by"}
    assert declared.role == "backed" and declared.we_declared and not declared.confirmed_at
    with pytest.raises(PermissionDenied):
        services.relation_declare(acting_user=world.staff_b, center=world.a, other_center_uuid=OTHER_CENTER,
                                  role="backing")


def test_counts_per_center_and_month_and_the_pages_for_staff_only(world, hub, client):
    send(world)
    received(world)
    (row,) = network_selectors.referral_counts(user=world.staff_a)
    assert (row.center, row.sent, row.received, row.answered) == (world.a.name, 1, 1, 0)
    assert network_selectors.referral_counts(user=world.staff_b) == []
    client.force_login(world.staff_a)
    page = client.get("/referrals/").content.decode()
    assert "センター・月ごとの件数" in page and "にしく市民活動支援センター" in page
    refused = client.post(f"/consultations/{world.rec_a.consultation.uuid}/refer/", {
        "to_center": OTHER_CENTER, "kind": "advice", "summary": "相談", "question": ""})
    assert refused.status_code == 400 and "聞きたいことを入力してください。" in refused.content.decode()
    assert m.Referral.objects.count() == 2
    client.force_login(world.member_a)
    assert client.get("/referrals/").status_code == 403
    client.force_login(world.staff_b)
    assert client.get(f"/consultations/{world.rec_a.consultation.uuid}/refer/").status_code == 404
