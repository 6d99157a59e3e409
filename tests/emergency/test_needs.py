"""Disaster needs, offers and commitments on a node: needs with sectors and lines into the outbox as
disaster traffic (no personal data), forward-only statuses (service and database), expiry by the
beat task, offers from the center's groups, commitments from the feed acknowledged and reported; and
a catch-up that yields to disaster traffic while the node is in emergency mode."""

from __future__ import annotations

import datetime as dt
import uuid

import httpx
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError, transaction
from django.utils import timezone

from emergency import services
from emergency.models import Commitment, DisasterNeed
from sync import client as sync_client, disaster
from sync.keys import NodeKeyPair
from sync.models import FeedItem, OutboxEntry, Priority
from sync.outbox import payload_digest
from sync.signing import new_key_pair
from tests import factories as f

from .test_emergency import centers, payload, receive  # noqa: F401  (fixtures and helpers)

LINES = [{"kind": "item", "description": "飲料水", "quantity": 200, "unit": "本"},
         {"kind": "skill", "description": "看護", "quantity": 2, "unit": "人"}]


@pytest.fixture
def declared(centers):  # noqa: F811
    return receive(payload(whole=True, codes=())), *centers


def new_need(declared, **extra):
    declaration, chigasaki, _odawara, staff_a, _staff_b = declared
    values = {"sector": "food", "lines": LINES, "municipality_code": "142077", "place_name": "第一避難所",
              "priority": "high", **extra}
    return services.need_create(acting_user=staff_a, center=chigasaki, declaration=declaration, **values)


def error_codes(error: ValidationError) -> dict:
    return {field: [e.code for e in errors] for field, errors in error.error_dict.items()}


def test_a_need_enters_the_outbox_as_disaster_traffic_without_people(declared):
    declaration, chigasaki = declared[0], declared[1]
    need = new_need(declared)
    entry = OutboxEntry.objects.get(entity_type="disaster_need")
    assert entry.priority == Priority.DISASTER and entry.entity_uuid == need.uuid
    assert set(entry.payload) == {"center", "declaration", "sector", "lines", "priority", "needed_by",
                                  "municipality_code", "place_name", "status", "last_confirmed_at", "expires_at",
                                  "created_at"}
    assert (entry.payload["center"], entry.payload["declaration"], entry.payload["lines"]) == (
        str(chigasaki.uuid), str(declaration.uuid), LINES)
    assert need.expires_at - need.last_confirmed_at == dt.timedelta(hours=disaster.NEED_EXPIRY_HOURS)
    assert need.get_sector_display() == "食料"


@pytest.mark.parametrize(("extra", "expected"), [
    ({"sector": "fire"}, {"sector": ["invalid_choice"]}),
    ({"lines": [{"kind": "item", "description": "水", "quantity": 0, "unit": ""}]}, {"lines": ["invalid_lines"]}),
    ({"lines": [{"kind": "item", "description": "山田さんへ 090-1234-5678", "quantity": 1, "unit": ""}]},
     {"lines": ["contact_in_text"]}),
    ({"municipality_code": "131016"}, {"municipality_code": ["outside_declaration"]}),
])
def test_a_bad_need_is_refused_and_nothing_leaves(declared, extra, expected):
    with pytest.raises(ValidationError) as caught:
        new_need(declared, **extra)
    assert error_codes(caught.value) == expected
    assert not DisasterNeed.objects.exists() and not OutboxEntry.objects.filter(entity_type="disaster_need").exists()


def test_only_the_centers_own_staff_record_its_needs(declared):
    declaration, chigasaki, _odawara, _staff_a, staff_b = declared
    with pytest.raises(PermissionDenied):
        services.need_create(acting_user=staff_b, center=chigasaki, declaration=declaration, sector="food",
                             lines=LINES, municipality_code="142077")
    need = new_need(declared)
    with pytest.raises(PermissionDenied):
        services.need_set_status(acting_user=staff_b, need=need, status="withdrawn")


def test_need_statuses_only_move_forward(declared):
    staff_a = declared[3]
    need = new_need(declared)
    need = services.need_set_status(acting_user=staff_a, need=need, status="partly_met")
    with pytest.raises(ValidationError) as caught:
        services.need_set_status(acting_user=staff_a, need=need, status="open")
    assert error_codes(caught.value) == {"status": ["status_backwards"]}
    need = services.need_set_status(acting_user=staff_a, need=need, status="met")
    with pytest.raises(DatabaseError), transaction.atomic():
        DisasterNeed.objects.filter(pk=need.pk).update(status="open")
    assert list(OutboxEntry.objects.filter(entity_type="disaster_need").order_by("id")
                .values_list("version", "payload__status")) == [(1, "open"), (2, "partly_met"), (3, "met")]


def test_a_need_not_reconfirmed_expires_and_a_reconfirmed_one_stays(declared):
    staff_a = declared[3]
    stale, fresh = new_need(declared), new_need(declared, place_name="第二避難所")
    later = timezone.now() + dt.timedelta(hours=disaster.NEED_EXPIRY_HOURS + 1)
    DisasterNeed.objects.filter(pk=fresh.pk).update(last_confirmed_at=later - dt.timedelta(hours=1),
                                                    expires_at=later + dt.timedelta(hours=1))
    assert services.needs_expire(now=later) == 1 and services.needs_expire(now=later) == 0
    stale.refresh_from_db()
    assert stale.status == "expired"
    assert OutboxEntry.objects.filter(entity_uuid=stale.uuid).order_by("-id").first().payload["status"] == "expired"
    with pytest.raises(ValidationError) as caught:
        services.need_confirm(acting_user=staff_a, need=stale)
    assert caught.value.error_list[0].code == "need_not_live"
    confirmed = services.need_confirm(acting_user=staff_a, need=new_need(declared))
    assert confirmed.version == 2 and confirmed.expires_at > timezone.now()


def test_an_offer_from_a_group_names_it_only_with_its_hub_listing_consent(declared):
    declaration, chigasaki, odawara, staff_a, _staff_b = declared
    listed = f.group(staff_a, chigasaki, "海辺の炊き出し隊", consents=["hub_listing"])
    unlisted = f.group(staff_a, chigasaki, "ひっそり会")
    valid_until = timezone.now() + dt.timedelta(days=2)
    for group in (listed, unlisted):
        services.offer_create(acting_user=staff_a, center=chigasaki, declaration=declaration, group=group,
                              sector="food", volunteers=10, vehicles=1, municipality_code="142077",
                              area_served="市南部", valid_until=valid_until,
                              supplies=[{"kind": "item", "description": "米", "quantity": 30, "unit": "kg"}])
    names = list(OutboxEntry.objects.filter(entity_type="disaster_offer").order_by("id")
                 .values_list("payload__group_name", flat=True))
    assert names == ["海辺の炊き出し隊", ""]
    assert OutboxEntry.objects.filter(entity_type="disaster_offer", priority=Priority.DISASTER).count() == 2
    other = f.group(staff_a, chigasaki, "よその会")
    other.center = odawara  # not this center's group
    with pytest.raises(ValidationError) as caught:
        services.offer_create(acting_user=staff_a, center=chigasaki, declaration=declaration, group=other,
                              sector="food", volunteers=1, municipality_code="142077", valid_until=valid_until)
    assert error_codes(caught.value) == {"group": ["group_of_other_center"]}


def commitment_item(declaration, center, *, seq=50, commitment_uuid=None):
    body = {"uuid": str(commitment_uuid or uuid.uuid4()), "declaration": str(declaration.uuid),
            "center": str(center.uuid), "need": str(uuid.uuid4()), "offer": None, "sector": "food",
            "need_center_name": "小田原市市民活動交流センター", "place": "142069 第三避難所", "quantity": 100,
            "instructions": "14時に搬入", "created_at": timezone.now().isoformat()}
    return FeedItem.objects.create(seq=seq, kind=disaster.COMMITMENT_KIND, payload=body,
                                   published_at=timezone.now())


def test_a_commitment_from_the_feed_is_acknowledged_then_reported_delivered(declared, client):
    declaration, chigasaki, _odawara, staff_a, staff_b = declared
    item = commitment_item(declaration, chigasaki)
    commitment = services.commitment_receive_item(item)
    assert services.commitment_receive_item(item) == commitment and Commitment.objects.count() == 1
    assert commitment.uuid == disaster.commitment_report_uuid(commitment.commitment_uuid)
    assert not OutboxEntry.objects.filter(entity_type="commitment_report").exists()  # nothing to say yet
    with pytest.raises(PermissionDenied):
        services.commitment_report(acting_user=staff_b, commitment=commitment, status="acknowledged")
    client.force_login(staff_a)
    page = client.get(f"/emergency/{declaration.uuid}/centers/{chigasaki.uuid}/needs/").content.decode()
    assert "14時に搬入" in page and f'data-commitment="{commitment.commitment_uuid}" data-status="committed"' in page
    assert client.post(f"/emergency/commitments/{commitment.uuid}/report/",
                       {"status": "acknowledged"}).status_code == 302
    commitment = services.commitment_report(acting_user=staff_a, commitment=commitment, status="delivered",
                                            delivered=100, reached=80)
    with pytest.raises(ValidationError) as caught:
        services.commitment_report(acting_user=staff_a, commitment=commitment, status="acknowledged")
    assert error_codes(caught.value) == {"status": ["status_backwards"]}
    with pytest.raises(DatabaseError), transaction.atomic():
        Commitment.objects.filter(pk=commitment.pk).update(status="committed")
    reports = list(OutboxEntry.objects.filter(entity_type="commitment_report").order_by("id"))
    assert [(e.version, e.payload["status"], e.payload["reached"], e.priority) for e in reports] == [
        (1, "acknowledged", 0, Priority.DISASTER), (2, "delivered", 80, Priority.DISASTER)]
    assert reports[0].payload["commitment"] == str(commitment.commitment_uuid)


def test_a_commitment_for_a_center_of_another_node_is_refused(declared):
    declaration = declared[0]
    with pytest.raises(ValueError):
        services.commitment_receive_item(commitment_item(declaration, type("Other", (), {"uuid": uuid.uuid4()})))
    assert not Commitment.objects.exists()


def delivery_item(need, *, seq, status, delivered=0, reached=0, commitment_uuid):
    body = {"commitment": str(commitment_uuid), "declaration": str(need.declaration.uuid), "need": str(need.uuid),
            "center_name": "静岡市市民活動センター", "status": status, "delivered": delivered, "reached": reached,
            "reported_at": timezone.now().isoformat()}
    return FeedItem.objects.create(seq=seq, kind=disaster.DELIVERY_KIND, payload=body, published_at=timezone.now())


def test_a_delivery_from_another_prefecture_shows_on_the_needs_page_and_only_moves_forward(declared, client):
    """A 広域 commitment's report, relayed national hub → our hub → us: kept on the need, newest status
    only (a late `acknowledged` after `delivered` changes nothing), shown to the center's staff."""
    from emergency.deliveries import delivery_receive_item
    from emergency.models import NeedDelivery

    declaration, chigasaki, _odawara, staff_a, _staff_b = declared
    need = new_need(declared)
    commitment = uuid.uuid4()
    assert delivery_receive_item(delivery_item(need, seq=60, status="acknowledged", commitment_uuid=commitment))
    assert delivery_receive_item(delivery_item(need, seq=61, status="delivered", delivered=150, reached=120,
                                               commitment_uuid=commitment))
    late = delivery_item(need, seq=62, status="acknowledged", commitment_uuid=commitment)
    assert delivery_receive_item(late) is None
    assert list(NeedDelivery.objects.values_list("status", "delivered", "reached", "center")) == [
        ("delivered", 150, 120, chigasaki.pk)]
    with pytest.raises(ValueError, match="need"):
        delivery_receive_item(delivery_item(type(need)(uuid=uuid.uuid4(), declaration=declaration), seq=63,
                                            status="delivered", commitment_uuid=uuid.uuid4()))
    client.force_login(staff_a)
    page = client.get(f"/emergency/{declaration.uuid}/centers/{chigasaki.uuid}/needs/").content.decode()
    assert (f'data-delivery="{commitment}" data-status="delivered">静岡市市民活動センターが150を提供（120人に届いた）<br>'
            in page)


def test_staff_record_a_need_on_the_tablet_page(declared, client):
    declaration, chigasaki, _odawara, staff_a, _staff_b = declared
    client.force_login(staff_a)
    url = f"/emergency/{declaration.uuid}/centers/{chigasaki.uuid}/needs/"
    assert "ニーズを登録" in client.get(url).content.decode()
    form = {"sector": "wash", "priority": "high", "municipality_code": "142077", "place_name": "市民体育館",
            "kind_1": "item", "description_1": "簡易トイレ", "quantity_1": "20", "unit_1": "基"}
    assert client.post(url, form).status_code == 302
    need = DisasterNeed.objects.get()
    assert (need.get_sector_display(), need.lines[0]["description"]) == ("水・衛生", "簡易トイレ")
    assert client.post(url, {**form, "quantity_1": "0"}).status_code == 400
    assert client.post(f"/emergency/needs/{need.uuid}/", {"action": "met"}).status_code == 302
    need.refresh_from_db()
    assert need.status == "met"


def test_free_texts_of_disaster_records_leave_scrubbed(declared):
    """Found by review: only a contact regex guarded these; a person's name went through."""
    declaration, chigasaki, _odawara, staff_a, _staff_b = declared
    services.center_status_report(acting_user=staff_a, center=chigasaki, declaration=declaration, status="partial",
                                  note="受付は山田太郎さんが担当")
    note = OutboxEntry.objects.filter(entity_type="center_status").latest("id").payload["note"]
    assert "山田" not in note and "〔人名〕" in note
    new_need(declared, place_name="鈴木花子さん宅の前", lines=[
        {"kind": "item", "description": "佐藤一郎さんが必要な毛布", "quantity": 3, "unit": "枚"}])
    payload = OutboxEntry.objects.filter(entity_type="disaster_need").latest("id").payload
    assert "鈴木" not in payload["place_name"] and "佐藤" not in payload["lines"][0]["description"]


class _RecordingHub:
    """The hub at the network edge: acknowledges every batch and keeps (entries, pipelined) of each."""

    def __init__(self):
        self.applied, self.batches = 0, []

    def __call__(self, request):
        if request.url.path == "/sync/v1/checkpoint":
            return httpx.Response(200, json={"last_applied_seq": self.applied})
        batch = sync_client.decode_batch(request.content, "gzip")
        self.batches.append((len(batch["entries"]), batch["pipelined"]))
        self.applied = batch["entries"][-1]["seq"]
        return httpx.Response(200, json={"last_applied_seq": self.applied, "applied": len(batch["entries"]),
                                         "skipped": 0})


def _backlog(n: int) -> None:
    body = {"center": str(uuid.uuid4())}
    OutboxEntry.objects.bulk_create(OutboxEntry(
        entity_type="directory_group", entity_uuid=uuid.uuid4(), op="upsert", version=1, payload=body,
        payload_sha256=payload_digest(body)) for _ in range(n))


@pytest.mark.django_db(transaction=True)  # the relay numbers committed work only
def test_in_emergency_mode_a_catch_up_goes_in_small_batches_one_at_a_time(centers, settings, monkeypatch):  # noqa: F811
    settings.SYNC_BATCH_ENTRIES, settings.SYNC_EMERGENCY_BATCH_ENTRIES = 10, 3
    monkeypatch.setattr("sync.registry._BEFORE_PUSH", [])  # no center profiles to announce first
    hub, key = _RecordingHub(), NodeKeyPair("k-test", *new_key_pair())

    def push():
        before = len(hub.batches)
        sync_client.push(client=sync_client.HubClient("http://hub.test", key=key,
                                                      transport=httpx.MockTransport(hub)))
        return hub.batches[before:]

    push()  # whatever the fixtures wrote
    declaration = receive(payload(whole=True, codes=()))
    _backlog(20)
    during = push()
    # Small batches, each sent after the previous one was acknowledged (none pipelined).
    assert sum(n for n, _p in during) == 20 and max(n for n, _p in during) == 3
    assert not any(pipelined for _n, pipelined in during)
    receive(payload(declaration_uuid=declaration.uuid, version=2, whole=True, codes=(), closed=True))
    _backlog(20)
    after = push()
    assert [n for n, _p in after] == [10, 10] and after[1][1] is True  # full batches, pipelined again
